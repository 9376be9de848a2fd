"""Median search latency over the benchmark data set (PostgreSQL full-text search).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench \
        .venv/bin/python bench/public_search.py --runs 15

Runs a mix of reader queries (rare words, phrases, country + topic words, common words,
filters, the archive) through reports.public.search.search (ranking, snippets, editions loaded: what
the page needs; the page itself adds two small queries for the filter menus), round after
round (`--runs`, after one warm-up round), so that a burst of load on a shared machine touches
every query alike. Prints min and median per query, the median over all runs, and the whole
/search/ page.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.public_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from reports.public import views  # noqa: E402
from reports.public.search import Filters, search  # noqa: E402

QUERIES = [
    Filters(q="stockpile destruction"),
    Filters(q='"State Border Guard Service"'),
    Filters(q="Kyrgyzstan antipersonnel mines"),
    Filters(q="Kazakhstan treaty"),
    Filters(q="antipersonnel mines"),
    Filters(q="UNGA Resolution abstained"),
    Filters(q="letter Ministry of Foreign Affairs", topic="mine-ban-policy"),
    Filters(q="mines", region="Central Asia"),
    Filters(q="cluster munitions", country="kazakhstan"),
    Filters(q="stockpile", year=2012),
    Filters(q="border defense", archive=True),
    Filters(q="Ottawa"),
]


def label_of(filters):
    return filters.q + "".join(
        f" [{k}={v}]" for k, v in vars(filters).items() if k != "q" and v not in ("", None, False)
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    assert connection.vendor == "postgresql"
    # One rare generated word from the data, as a reader copying a term from a page would.
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM sources_footnote ORDER BY id LIMIT 1")
        rare = cursor.fetchone()[0].rsplit(" ", 2)[-2].strip(",")
    queries = [*QUERIES, Filters(q=rare)]
    for filters in queries:
        search(filters)
    samples = {id(filters): [] for filters in queries}
    for _ in range(args.runs):
        for filters in queries:
            start = time.perf_counter()
            search(filters)
            samples[id(filters)].append((time.perf_counter() - start) * 1000)
    print(" min ms  median ms  hits  query")
    for filters in queries:
        runs = samples[id(filters)]
        label = label_of(filters)
        hits = len(search(filters))
        print(f"{min(runs):7.1f}  {statistics.median(runs):9.1f}  {hits:4}  {label}")
    everything = [ms for runs in samples.values() for ms in runs]
    print(f"median over all {len(everything)} runs: {statistics.median(everything):.1f} ms")
    per_query = {
        label_of(filters): {
            "min": min(samples[id(filters)]),
            "median": statistics.median(samples[id(filters)]),
            "max": max(samples[id(filters)]),
        }
        for filters in queries
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    factory = RequestFactory()
    page = []
    for _ in range(args.runs):
        start = time.perf_counter()
        views.search(factory.get("/search/", {"q": "stockpile destruction"}))
        page.append((time.perf_counter() - start) * 1000)
    print(
        f"whole /search/ page (stockpile destruction): min {min(page):.1f} ms, "
        f"median {statistics.median(page):.1f} ms"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "runs": args.runs,
                    "queries": per_query,
                    "all": {
                        "min": min(everything),
                        "median": statistics.median(everything),
                        "max": max(everything),
                    },
                    "page": {
                        "min": min(page),
                        "median": statistics.median(page),
                        "max": max(page),
                    },
                }
            )
        )


if __name__ == "__main__":
    main()
