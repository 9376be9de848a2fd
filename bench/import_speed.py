"""Time the archive importer on a generated archive: parsing alone, then importing.

    python bench/generate_archive.py /tmp/monitor-archive --count 2000 [--scale N]
    createdb -h 127.0.0.1 -U postgres monitor_bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench_import \
        .venv/bin/python bench/import_speed.py /tmp/monitor-archive --runs 3 [--scale N]

Each import run starts from an empty database (flushed, countries re-created) so every run
imports every document; prints min and median documents per second.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitor.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")

import django  # noqa: E402

django.setup()

from countries import COUNTRIES, scaled  # noqa: E402
from django.core.management import call_command  # noqa: E402

from reports.importer.archive import iter_documents  # noqa: E402
from reports.importer.parallel import DEFAULT_WORKERS  # noqa: E402
from reports.importer.parsing import parse_document  # noqa: E402
from reports.importer.service import ImportOptions, Reference, import_documents  # noqa: E402
from reports.models import Country  # noqa: E402


def reset_database(scale):
    call_command("flush", "--noinput", verbosity=0)
    Country.objects.bulk_create(
        Country(name=name, slug=f"c{i}", official_name=f"Republic of {name}")
        for i, name in enumerate(scaled(COUNTRIES, scale))
    )


def time_parsing(documents, reference):
    started = time.perf_counter()
    for document in documents:
        parse_document(
            document.raw, name=document.path, countries=reference.lookup, topics=reference.topics
        )
    return len(documents) / (time.perf_counter() - started)


def time_import(documents, workers, scale):
    reset_database(scale)
    started = time.perf_counter()
    report = import_documents(documents, ImportOptions(), workers=workers)
    rate = len(documents) / (time.perf_counter() - started)
    statuses = {}
    for entry in report["files"]:
        statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
    return rate, statuses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help="as import_archive --workers (default: one per core, at most 4)",
    )
    parser.add_argument(
        "--scale", type=int, default=1, help="the archive's --scale: its countries are created"
    )
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    documents = list(iter_documents([args.folder]))
    reset_database(args.scale)
    reference = Reference.load()
    vendor = django.db.connection.vendor
    print(f"{len(documents)} documents, database: {vendor}")

    parse_rates = [time_parsing(documents, reference) for _ in range(args.runs)]
    print(
        f"parse only: min {min(parse_rates):.0f} docs/s, "
        f"median {statistics.median(parse_rates):.0f} docs/s over {args.runs} runs"
    )
    import_rates = []
    for run in range(args.runs):
        rate, statuses = time_import(documents, args.workers, args.scale)
        import_rates.append(rate)
        print(f"import run {run + 1} ({args.workers} workers): {rate:.0f} docs/s {statuses}")
    print(
        f"import: min {min(import_rates):.0f} docs/s, "
        f"median {statistics.median(import_rates):.0f} docs/s over {args.runs} runs"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "documents": len(documents),
                    "workers": args.workers,
                    "runs": args.runs,
                    **{
                        name: {
                            "min": min(rates),
                            "median": statistics.median(rates),
                            "max": max(rates),
                        }
                        for name, rates in [("parse", parse_rates), ("import", import_rates)]
                    },
                }
            )
        )


if __name__ == "__main__":
    main()
