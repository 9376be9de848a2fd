"""Count the Python function calls of the editorial steps: a measure of their work that the
machine's load does not change, for comparing two trees on a shared, noisy machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench_steps \
        .venv/bin/python bench/call_counts.py [--tree ../wt-old] [--rounds 3]

Needs the database of bench/workflow_steps.py (a profile whose published edition holds 12
sections and 150 notes; run that script once on the database first). Each round starts a
draft of it (or continues the open one), saves the edition form through the admin with one
section changed (the form's GET not counted, the POST encoded as a browser sends it), submits,
approves and publishes; prints, per step, the calls cProfile counted in each round. With
--tree, the steps run in that source tree (a git worktree of an earlier commit). With
--archive FOLDER, it counts instead the calls a document of importing that archive takes
(into the database given, emptied first, as bench/import_speed.py does).
"""

import argparse
import cProfile
import os
import pstats
import sys
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent


def measure(rounds):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.public_settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from workflow_steps import form_data

    from reports.editions import workflow
    from reports.models import Edition

    setup_test_environment()  # the test client's response.context
    people = {
        role: get_user_model().objects.filter(groups__name=role).order_by("pk").first()
        for role in ("Researcher", "Editor", "Publisher")
    }
    client = Client()
    client.force_login(people["Researcher"])
    counts = {}

    def counted(name, step, *arguments):
        profile = cProfile.Profile()
        result = profile.runcall(step, *arguments)
        counts.setdefault(name, []).append(pstats.Stats(profile).total_calls)
        return result

    for round_ in range(rounds):
        draft = Edition.objects.filter(state="draft").order_by("-pk").first()
        if draft is None:
            published = Edition.objects.filter(state="published").order_by("-pk").first()
            draft = workflow.start_draft(published.profile, people["Researcher"])
        url = f"/admin/reports/edition/{draft.pk}/change/"
        data = form_data(client.get(url).context)
        key = next(k for k in data if k.startswith("sections-0-body"))
        data[key] += f" Edited in round {round_}."
        response = counted(
            "admin save",
            client.post,
            url,
            urlencode(data, doseq=True),
            "application/x-www-form-urlencoded",
        )
        assert response.status_code == 302, response.status_code
        draft = Edition.objects.get(pk=draft.pk)
        draft = counted("submit", workflow.submit, draft, people["Researcher"])
        draft = counted("approve", workflow.approve, draft, people["Editor"])
        counted("publish", workflow.publish, draft, people["Publisher"])
    return counts


def measure_import(folder):
    """Calls per document of importing the archive at `folder` into an emptied database."""
    from import_speed import reset_database

    from reports.importer.archive import iter_documents
    from reports.importer.service import ImportOptions, import_documents

    documents = list(iter_documents([Path(folder)]))
    reset_database()
    profile = cProfile.Profile()
    profile.runcall(import_documents, documents, ImportOptions(), workers=1)
    return {"import, a document": [pstats.Stats(profile).total_calls // len(documents)]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", help="run the steps in another source tree")
    parser.add_argument(
        "--archive", help="instead, count importing this archive (bench/generate_archive.py)"
    )
    args = parser.parse_args()
    tree = Path(args.tree).resolve() if args.tree else HERE.parent
    os.chdir(tree)
    sys.path[:0] = [str(tree), str(HERE)]
    counts = measure_import(args.archive) if args.archive else measure(args.rounds)
    for name, calls in counts.items():
        print(f"{name:<12} {' '.join(f'{c:>9,}' for c in calls)}")


if __name__ == "__main__":
    main()
