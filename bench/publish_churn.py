"""Publish and withdraw an edition of one profile once a second, until stopped (SIGTERM), and
check after each step that the server no longer serves what the step replaced.

    DATABASE_URL=... .venv/bin/python bench/publish_churn.py --skip COUNTRY/TOPIC \\
        --base http://127.0.0.1:8765

Run by bench/public_wrk.py --churn next to gunicorn. Picks the profile with the smallest
current edition other than --skip (the page under measurement), and each second: writes an
approved copy of its current edition's content (through the lifecycle's gate, with its
approval), publishes it, asks the server for the profile's page (it must show the new
edition), withdraws it (the previous edition is current again) and asks again (it must not
show it). Each step returns only once every server process will have seen it, as the admin's
request does. On exit prints one line: cycles, the longest step, the pages that showed the
wrong edition (must be 0), and the CPU time this process took (the database's is not counted).

BENCH_TREE names the source tree to import the project from (default: this one's).
"""

import argparse
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

TREE = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(TREE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.public_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from reports.editions import workflow  # noqa: E402
from reports.editions.fingerprint import content_fingerprint  # noqa: E402
from reports.editions.freeze import lifecycle  # noqa: E402
from reports.models import Edition, EditionEvent, OverviewFact, Section  # noqa: E402
from reports.public import pagecache  # noqa: E402
from sources.models import Citation, Footnote  # noqa: E402


def publisher():
    account, _ = get_user_model().objects.get_or_create(
        username="bench-churn-publisher", defaults={"is_staff": True}
    )
    account.groups.set([Group.objects.get(name="Publisher")])
    return get_user_model().objects.get(pk=account.pk)


def pick(skip):
    """The current edition with the fewest notes of a profile other than `skip`: the smallest
    publication, so that the benchmark measures what publishing does to the cache rather than
    the machine's time spent publishing."""
    country, topic = skip.split("/")
    return (
        Edition.objects.public()
        .exclude(profile__country__slug=country, profile__topic__slug=topic)
        .annotate(notes=Count("footnotes"))
        .select_related("profile__country", "profile__topic")
        .order_by("notes", "pk")
        .first()
    )


def approved_copy(current, number):
    """An approved edition of the profile with the current one's content and a summary of its
    own, as if researched, reviewed and approved."""
    with lifecycle():
        edition = Edition.objects.create(
            profile_id=current.profile_id,
            report_id=current.report_id,
            state=Edition.State.APPROVED,
            last_updated=timezone.localdate(),
            summary=f"Churn edition {number}.",
        )
        Section.objects.bulk_create(
            Section(edition=edition, position=s.position, heading=s.heading, body=s.body)
            for s in current.sections.all()
        )
        OverviewFact.objects.bulk_create(
            OverviewFact(edition=edition, position=f.position, label=f.label, value=f.value)
            for f in current.overview_facts.all()
        )
        old_notes = list(current.footnotes.order_by("number").prefetch_related("citations"))
        notes = Footnote.objects.bulk_create(
            Footnote(edition=edition, number=note.number, text=note.text) for note in old_notes
        )
        Citation.objects.bulk_create(
            Citation(footnote=new, source_id=c.source_id, position=c.position, locator=c.locator)
            for old, new in zip(old_notes, notes, strict=True)
            for c in old.citations.all()
        )
        EditionEvent.objects.create(
            edition=edition,
            action="approve",
            from_state=Edition.State.IN_REVIEW,
            to_state=Edition.State.APPROVED,
            at=timezone.now(),
            comment="Approved (benchmark)",
            fingerprint=content_fingerprint(edition),
        )
    return edition


def page(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", required=True, help="COUNTRY/TOPIC of the measured page")
    parser.add_argument("--base", required=True, help="the server, e.g. http://127.0.0.1:8765")
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    actor = publisher()
    current = pick(args.skip)
    url = args.base + current.profile.get_absolute_url()
    cycles, wrong, longest = 0, 0, 0.0
    cpu, began_at = time.process_time(), time.monotonic()
    print(f"churning {url}", flush=True)
    while not stopping:
        started = time.monotonic()
        edition = approved_copy(current, cycles)
        marker = f"Churn edition {cycles}."
        steps = (
            (workflow.publish, (edition, actor), True),
            (workflow.withdraw, (edition, actor, "Benchmark"), False),
        )
        for step, step_args, shown in steps:
            began = time.monotonic()
            step(*step_args)
            pagecache.wait_until_seen()  # as PublicationMiddleware does for the admin
            longest = max(longest, time.monotonic() - began)
            wrong += (marker in page(url)) != shown
        cycles += 1
        time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
    print(
        f"cycles {cycles}, longest step {longest * 1000:.0f} ms, wrong pages {wrong}, "
        f"{time.process_time() - cpu:.1f} s of CPU in {time.monotonic() - began_at:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
