"""Time the release of a yearly report of 1,200 approved editions, and what editors on other
profiles wait meanwhile.

    createdb -h 127.0.0.1 -U postgres release_bench_release
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/release_bench_release \\
        .venv/bin/python bench/release.py --rounds 5 [--per-edition]

Builds, in the PostgreSQL database given by DATABASE_URL (migrated here; its rows are left
there), 200 countries x 6 topics = 1,200 profiles, each with a published edition. Each round
then writes a new report with an approved edition of every profile (as the benchmark data set
does: 5 sections, 2 overview facts, 150 footnotes on every tenth country's profiles and 24
elsewhere, each citing a source), through the lifecycle's gate, with an approval event holding
the content's fingerprint and one revision, and times ``release_report`` on it: every edition
published, the previous one superseded.

Meanwhile a second connection in a thread acts as an editor on a profile outside the release
(submit, then request changes, again and again) and times each step; the same steps are timed
before the release, alone, for comparison. Prints per round the release's time and queries, and
the editor's steps during it; then min / median / max over the rounds.

``--per-edition`` also times, once, the release as it was before reports.editions.release:
``Publish(...).execute()`` for each edition inside one gate.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.public_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.countries import COUNTRIES  # noqa: E402
from reports.editions import workflow  # noqa: E402
from reports.editions.actions import Publish  # noqa: E402
from reports.editions.fingerprint import content_fingerprints  # noqa: E402
from reports.editions.freeze import lifecycle  # noqa: E402
from reports.editions.revisions import record_written_rows  # noqa: E402
from reports.models import (  # noqa: E402
    Country,
    Edition,
    EditionEvent,
    OverviewFact,
    Profile,
    Report,
    Section,
    Topic,
)
from sources.models import Citation, Footnote, Source  # noqa: E402

COUNTRY_COUNT, TOPIC_COUNT = 200, 6
BIG_NOTES, SMALL_NOTES = 150, 24
SECTIONS = ["Policy", "Use", "Production and transfer", "Stockpiling", "Treaty meetings"]
BATCH = 5000


def user(name, role):
    account, _ = get_user_model().objects.get_or_create(
        username=f"bench-{name}", defaults={"is_staff": True}
    )
    account.groups.set([Group.objects.get(name=role)])
    return get_user_model().objects.get(pk=account.pk)


def country_names():
    names = list(COUNTRIES)[:COUNTRY_COUNT]
    return names + [f"Country {n}" for n in range(len(names), COUNTRY_COUNT)]


def build_profiles(tag):
    """1,200 profiles with a small published edition each, and the editor's own profile."""
    countries = Country.objects.bulk_create(
        Country(name=f"{name} {tag}", slug=f"bench-{tag}-{i}")
        for i, name in enumerate(country_names())
    )
    topics = Topic.objects.bulk_create(
        Topic(name=f"Topic {t} {tag}", slug=f"bench-{tag}-topic-{t}", position=t)
        for t in range(TOPIC_COUNT + 1)
    )
    profiles = Profile.objects.bulk_create(
        Profile(country=country, topic=topic) for country in countries for topic in topics[:-1]
    )
    editors_profile = Profile.objects.create(country=countries[0], topic=topics[-1])
    with lifecycle():
        published = Edition.objects.bulk_create(
            Edition(
                profile=profile,
                state=Edition.State.PUBLISHED,
                published_at=timezone.now(),
                last_updated=datetime.date(2024, 11, 20),
                summary="Key developments of 2024.",
            )
            for profile in profiles
        )
        Section.objects.bulk_create(
            Section(edition=edition, position=1, heading="Policy", body="Text of 2024.")
            for edition in published
        )
    return profiles, editors_profile


def build_round(profiles, number, tag, sources):
    """A report with an approved edition of every profile, its approval recorded."""
    report = Report.objects.create(
        series=f"Bench {tag}", series_slug=f"bench-{tag}", year=2025 + number
    )
    with lifecycle():
        editions = Edition.objects.bulk_create(
            (
                Edition(
                    profile=profile,
                    report=report,
                    state=Edition.State.APPROVED,
                    last_updated=datetime.date(2025 + number, 11, 20),
                    summary=f"Key developments of {2025 + number} in {profile.country.name}.",
                )
                for profile in profiles
            ),
            batch_size=BATCH,
        )
        sections, facts, notes = [], [], []
        for k, edition in enumerate(editions):
            count = BIG_NOTES if (k // TOPIC_COUNT) % 10 == 1 else SMALL_NOTES
            per_section = -(-count // len(SECTIONS))
            for position, heading in enumerate(SECTIONS, start=1):
                numbers = range(
                    (position - 1) * per_section + 1, min(count, position * per_section) + 1
                )
                body = "\n\n".join(
                    f"In {report.year} the State reported progress in district {n}.[{n}]"
                    for n in numbers
                )
                sections.append(
                    Section(edition=edition, position=position, heading=heading, body=body)
                )
            facts += [
                OverviewFact(
                    edition=edition,
                    position=1,
                    label="Mine Ban Treaty status",
                    value="Not a State Party",
                ),
                OverviewFact(
                    edition=edition,
                    position=2,
                    label="Treaty meetings",
                    value=f"Attended {report.year}",
                ),
            ]
            notes += [
                Footnote(edition=edition, number=n, text=f"Letter of {report.year}, number {n}.")
                for n in range(1, count + 1)
            ]
        Section.objects.bulk_create(sections, batch_size=BATCH)
        OverviewFact.objects.bulk_create(facts, batch_size=BATCH)
        notes = Footnote.objects.bulk_create(notes, batch_size=BATCH)
        Citation.objects.bulk_create(
            (
                Citation(
                    footnote=note, source=sources[i % len(sources)], position=0, locator="p. 3"
                )
                for i, note in enumerate(notes)
            ),
            batch_size=BATCH,
        )
        revision = record_written_rows(editions, f"Bench round {number}")
        # The fingerprints content_fingerprint() gives, in four queries rather than 4,800
        # (tests/reports/test_release.py holds them equal).
        fingerprints = content_fingerprints(editions)
        EditionEvent.objects.bulk_create(
            (
                EditionEvent(
                    edition=edition,
                    action="approve",
                    from_state=Edition.State.IN_REVIEW,
                    to_state=Edition.State.APPROVED,
                    at=timezone.now(),
                    comment="Approved",
                    revision=revision,
                    fingerprint=fingerprints[edition.pk],
                )
                for edition in editions
            ),
            batch_size=BATCH,
        )
    return report, len(notes)


class Editor(threading.Thread):
    """On its own connection: submit and request changes on one profile until told to stop,
    timing each step."""

    def __init__(self, edition, researcher, reviewer):
        super().__init__(daemon=True)
        self.edition, self.researcher, self.reviewer = edition, researcher, reviewer
        self.stop = threading.Event()
        self.steps = []  # (started, seconds)
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                for step in (self.submit, self.send_back):
                    started = time.monotonic()
                    step(Edition.objects.get(pk=self.edition.pk))
                    self.steps.append((started, time.monotonic() - started))
                time.sleep(0.05)
        except Exception as exc:  # noqa: BLE001 - reported by the benchmark
            self.error = exc
        finally:
            connections.close_all()

    def submit(self, edition):
        workflow.submit(edition, self.researcher)

    def send_back(self, edition):
        workflow.request_changes(edition, self.reviewer, "Once more, please.")


def editor_steps(draft, researcher, reviewer, seconds):
    editor = Editor(draft, researcher, reviewer)
    editor.start()
    time.sleep(seconds)
    editor.stop.set()
    editor.join()
    if editor.error:
        raise editor.error
    return [took for _, took in editor.steps]


def per_edition_release(report, actor):
    """The release before reports.editions.release: one Publish per edition, in one gate."""
    editions = list(report.editions.filter(state="approved").order_by("profile_id", "pk"))
    with lifecycle():
        for edition in editions:
            Publish(edition, actor, f"Release of {report}").execute()
        Report.objects.filter(pk=report.pk).update(state=Report.State.RELEASED)
    return editions


def timed_release(release, report, publisher, draft, researcher, reviewer):
    editor = Editor(draft, researcher, reviewer)
    editor.start()
    time.sleep(0.3)
    with CaptureQueriesContext(connection) as captured:
        started = time.monotonic()
        released = release(report, publisher)
        seconds = time.monotonic() - started
    editor.stop.set()
    editor.join()
    if editor.error:
        raise editor.error
    during = [took for at, took in editor.steps if started <= at <= started + seconds]
    if len(released) != COUNTRY_COUNT * TOPIC_COUNT:
        raise SystemExit(f"released {len(released)} editions in {seconds:.1f}s, not all")
    slowest = sorted(captured, key=lambda query: -float(query["time"]))[:4]
    print(
        "  slowest statements: "
        + "; ".join(f"{float(q['time']):.2f}s {q['sql'][:60]}" for q in slowest),
        flush=True,
    )
    return seconds, len(captured), during


def summary(values, unit="s", scale=1):
    values = [v * scale for v in values]
    return (
        f"min {min(values):.2f} {unit}, median {statistics.median(values):.2f} {unit}, "
        f"max {max(values):.2f} {unit}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--per-edition", action="store_true", help="also time the old release, once"
    )
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database for this benchmark.")
    call_command("migrate", verbosity=0)
    researcher, reviewer = user("researcher", "Researcher"), user("editor", "Editor")
    publisher = user("publisher", "Publisher")
    tag = str(time.time_ns())
    started = time.monotonic()
    profiles, editors_profile = build_profiles(tag)
    sources = Source.objects.bulk_create(
        Source(title=f"Letter {tag}-{n}", identity_key=f"bench:{tag}:{n}") for n in range(2000)
    )
    draft = workflow.start_draft(editors_profile, researcher)
    print(f"{len(profiles)} profiles built in {time.monotonic() - started:.0f}s", flush=True)

    alone = editor_steps(draft, researcher, reviewer, 3)
    print(f"editor's steps alone: {len(alone)}, {summary(alone, 'ms', 1000)}", flush=True)

    rounds = [("release", workflow.release_report)] * args.rounds
    if args.per_edition:
        rounds.append(("per-edition release (before)", per_edition_release))
    results = {}
    for number, (name, release) in enumerate(rounds, start=1):
        built = time.monotonic()
        report, note_count = build_round(profiles, number, tag, sources)
        print(
            f"round {number}: {len(profiles)} approved editions, {note_count} footnotes, "
            f"built in {time.monotonic() - built:.0f}s",
            flush=True,
        )
        seconds, queries, during = timed_release(
            release, report, publisher, draft, researcher, reviewer
        )
        results.setdefault(name, []).append((seconds, queries, during))
        longest = f"{max(during) * 1000:.0f} ms" if during else "none taken"
        print(
            f"round {number}: {name} {seconds:.2f}s, {queries} queries; editor's steps on "
            f"another profile meanwhile: {len(during)}, longest {longest}",
            flush=True,
        )
    for name, runs in results.items():
        steps = [took for *_, during in runs for took in during]
        print(
            f"{name}: {len(runs)} round(s), {summary([s for s, *_ in runs])}; "
            f"queries {runs[-1][1]}; editor's steps during it: {len(steps)}"
            + (f", {summary(steps, 'ms', 1000)}" if steps else "")
        )
    if args.json:
        runs = results["release"]
        seconds = [s for s, *_ in runs]
        steps = [took * 1000 for *_, during in runs for took in during]
        print(
            json.dumps(
                {
                    "editions": len(profiles),
                    "rounds": len(runs),
                    "seconds": {
                        "min": min(seconds),
                        "median": statistics.median(seconds),
                        "max": max(seconds),
                    },
                    "queries": runs[-1][1],
                    "editor_steps_alone_ms": statistics.median(alone) * 1000 if alone else None,
                    "editor_steps_during": {
                        "count": len(steps),
                        "median": statistics.median(steps) if steps else None,
                        "max": max(steps) if steps else None,
                    },
                }
            )
        )


if __name__ == "__main__":
    main()
