"""Time the editorial steps on a 150-note edition: start a draft, save it with its revision,
save it through the admin's edit form, submit, approve, publish.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench_steps \
        .venv/bin/python bench/workflow_steps.py --rounds 7

Builds its own profile (a published edition of 12 sections and 150 notes, each citing a
source) in a scratch database given by DATABASE_URL (migrated here; its rows are left there),
then runs the cycle start → save → admin save → submit → approve → publish `--rounds` times
on it, each new edition superseding the previous one. "save" changes one section and records
the revision (what every save does); "admin save" posts the edition's change form, all its
inlines included, as a browser would, with one section changed. Prints, per step, the queries
of the last round, min / median / max milliseconds over the rounds and the median CPU time
(this process's and its PostgreSQL backend's).

Runs against this tree or an older one (`--tree PATH`, e.g. a git worktree of an earlier
commit) so that before and after are measured side by side on one machine.
"""

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

NOTES = 150
SECTIONS = 12


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.public_settings")
    # Loaded as a server process loads it (monitor/wsgi.py, which also sets the collector up).
    importlib.import_module("monitor.wsgi")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The admin's pages name static files through the production manifest (public_settings).
    call_command("collectstatic", interactive=False, verbosity=0)


def build_profile():
    """A profile whose published edition has SECTIONS sections and NOTES notes, each citing a
    source of its own, and the three role users; returns (profile, researcher, editor,
    publisher)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from reports.models import Country, Edition, Profile, Section, Topic
    from sources.models import Citation, Footnote, Source

    try:  # this tree
        from reports.editions.freeze import lifecycle as writing
    except ImportError:  # a tree from before the lifecycle package
        from reports.models import importing as writing

    def user(name, role):
        account, _ = get_user_model().objects.get_or_create(
            username=f"bench-{name}", defaults={"is_staff": True}
        )
        account.set_password("bench")
        account.save()
        account.groups.set([Group.objects.get(name=role)])
        return get_user_model().objects.get(pk=account.pk)

    researcher, editor = user("researcher", "Researcher"), user("editor", "Editor")
    publisher = user("publisher", "Publisher")
    tag = str(time.time_ns())
    country = Country.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    topic = Topic.objects.create(name=f"Bench topic {tag}", slug=f"bench-topic-{tag}")
    profile = Profile.objects.create(country=country, topic=topic)
    per_section = NOTES // SECTIONS + 1
    with writing():
        edition = Edition.objects.create(
            profile=profile,
            state="published",
            published_at=timezone.now(),
            last_updated=timezone.localdate(),
        )
        Section.objects.bulk_create(
            Section(
                edition=edition,
                position=s + 1,
                heading=f"Heading {s + 1}",
                body="\n\n".join(
                    f"Paragraph about mine clearance in district {n}.[{n}]"
                    for n in range(s * per_section + 1, min(NOTES, (s + 1) * per_section) + 1)
                ),
            )
            for s in range(SECTIONS)
        )
        notes = Footnote.objects.bulk_create(
            Footnote(edition=edition, number=n, text=f"Letter {tag}-{n}, 30 April 2010.")
            for n in range(1, NOTES + 1)
        )
        sources = Source.objects.bulk_create(
            Source(title=f"Letter {tag}-{n}", identity_key=f"bench:{tag}:{n}")
            for n in range(1, NOTES + 1)
        )
        Citation.objects.bulk_create(
            Citation(footnote=note, source=source)
            for note, source in zip(notes, sources, strict=True)
        )
    return profile, researcher, editor, publisher


def workflow_module():
    try:
        from reports.editions import workflow
    except ImportError:
        from reports import workflow
    return workflow


def run_here(rounds):
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    workflow = workflow_module()
    profile, researcher, editor, publisher = build_profile()
    from urllib.parse import urlencode

    import reversion
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's response.context, the testserver host
    client = Client()
    client.force_login(researcher)

    def save(edition):
        with reversion.create_revision():
            reversion.set_user(researcher)
            section = edition.sections.order_by("position").first()
            section.body += " Saved."
            section.save()
            reversion.add_to_revision(edition)
        return edition

    form = {}

    def fill_form(edition):
        """The GET of the edition form and its filling in, before the timed POST."""
        url = f"/admin/reports/edition/{edition.pk}/change/"
        data = form_data(client.get(url).context)
        key = next(k for k in data if k.startswith("sections-0-body"))
        data[key] += " Edited in the form."
        # As a browser posts a form without files: URL-encoded.
        form.update(url=url, body=urlencode(data, doseq=True))

    def admin_save(edition):
        response = client.post(
            form["url"], form["body"], content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 302, response.context and response.context.get("errors")
        return edition

    steps = {
        "start draft": lambda e: workflow.start_draft(profile, researcher),
        "save": save,
        "admin save": admin_save,
        "submit": lambda e: workflow.submit(e, researcher),
        "approve": lambda e: workflow.approve(e, editor),
        "publish": lambda e: workflow.publish(e, publisher),
    }
    times = {name: [] for name in steps}
    cpu = {name: [] for name in steps}
    queries = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    for _ in range(rounds):
        current = None
        for name, step in steps.items():
            if name == "admin save":  # the GET of the form is not part of the save
                fill_form(current)
            with CaptureQueriesContext(connection) as captured:
                spent = time.process_time() + cpu_seconds(backend)
                start = time.perf_counter()
                result = step(current)
                times[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((time.process_time() + cpu_seconds(backend) - spent) * 1000)
            queries[name] = len(captured)
            current = result
    return {
        name: {
            "queries": queries[name],
            "min": min(samples),
            "median": statistics.median(samples),
            "max": max(samples),
            "cpu_median": statistics.median(cpu[name]),
        }
        for name, samples in times.items()
    }


def cpu_seconds(pid):
    """CPU seconds of the PostgreSQL backend (on this machine): the step's cost without the
    waiting for a core that a loaded machine adds to its wall-clock time."""
    with open(f"/proc/{pid}/schedstat") as schedstat:
        return int(schedstat.read().split()[0]) / 1e9


def form_data(context):
    """Everything the change form holds, inlines included, as a browser posts it back."""
    form = context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list)
    }
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.forms))
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for index, row in enumerate(formset.forms):
            for name, field in row.fields.items():
                value = row.initial.get(name, field.initial)
                value = getattr(value, "pk", value)
                data[f"{formset.prefix}-{index}-{name}"] = "" if value is None else value
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tree", help="run this script's measurement in another source tree")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.tree:
        tree = Path(args.tree).resolve()
        command = [sys.executable, str(Path(__file__).resolve()), "--rounds", str(args.rounds)]
        env = {**os.environ, "PYTHONPATH": str(tree), "BENCH_TREE": str(tree)}
        output = subprocess.run(
            [*command, "--json"], cwd=tree, env=env, check=True, capture_output=True, text=True
        ).stdout
        figures = json.loads(output.strip().splitlines()[-1])
    else:
        sys.path.insert(0, os.environ.get("BENCH_TREE", str(Path(__file__).resolve().parents[1])))
        figures = run_here(args.rounds)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{'step':<12} {'queries':>7} {'min ms':>8} {'median':>8} {'max':>8} {'CPU ms':>8}")
    for name, row in figures.items():
        print(
            f"{name:<12} {row['queries']:>7} {row['min']:>8.1f} {row['median']:>8.1f}"
            f" {row['max']:>8.1f} {row['cpu_median']:>8.1f}"
        )


if __name__ == "__main__":
    main()
