"""Time the admin Editions list (/admin/reports/edition/) on the benchmark data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench \
        .venv/bin/python bench/admin_list.py --rounds 7 [--role superuser] [--compare]

Needs the data set of bench/public_dataset.py (22,800 editions). A logged-in editor (or
superuser) requests the real admin URL through django.test.Client, production settings
(bench/public_settings.py), for each view an editor uses: the whole list, a search, a search
with a state filter, a year of the date drill-down, a topic filter and page 2. Prints per view
the queries, the number of editions it matched and min / median / max milliseconds of the
whole request, with the medians of the CPU time of this Python process (rendering included,
waits excluded) and of the queries' round trips as the driver saw them, and PostgreSQL's own
planning + execution time of the request's queries (EXPLAIN ANALYZE, after the timed rounds).
On a shared machine the round trips include waiting for a core; the last figure does not.

--compare alternates, request by request, the admin options of before issue 11 (search in
every summary, the date hierarchy with its MIN/MAX, full counts) with this tree's, on the same
data and process, so the ratio is measured side by side on a shared, noisy machine.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.public_settings")

import django  # noqa: E402

django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.admin import ModelAdmin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reports.models import Edition, Topic  # noqa: E402

URL = "/admin/reports/edition/"


class BeforeIssue11(type(admin.site._registry[Edition])):
    """EditionAdmin's list as it was before issue 11, for --compare."""

    list_filter = [
        "state",
        "profile__topic",
        "profile__country__region",
        "report__year",
        "last_updated_precision",
    ]
    search_fields = ["profile__country__name", "profile__topic__name", "summary"]
    date_hierarchy = "last_updated"
    show_full_result_count = True
    search_help_text = None

    def get_search_results(self, request, queryset, search_term):
        return ModelAdmin.get_search_results(self, request, queryset, search_term)


def views():
    topic = Topic.objects.get(name="Mine Ban Policy")
    return [
        ("whole list", ""),
        ("search 'afghanistan'", "?q=afghanistan"),
        ("search + state", "?q=afghanistan&state__exact=superseded"),
        ("year 2015", "?last_updated__year=2015"),
        ("topic filter", f"?profile__topic__id__exact={topic.pk}"),
        ("page 2", "?p=2"),
    ]


def login(role):
    users = get_user_model()
    if role == "superuser":
        user, _ = users.objects.get_or_create(
            username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
        )
    else:
        user, _ = users.objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
        user.groups.set([Group.objects.get(name="Editor")])
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return client


def matched(html):
    """The number of editions the list says it shows (the paginator line)."""
    found = re.search(r'class="paginator"[^>]*>.*?(\d+) edition', html, re.S)
    return int(found.group(1)) if found else None


def request(client, path):
    with CaptureQueriesContext(connection) as queries:
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        elapsed = (time.perf_counter() - start) * 1000
        cpu = (time.process_time() - cpu) * 1000
    assert response.status_code == 200, (path, response.status_code)
    sql = sum(float(query["time"]) for query in queries) * 1000
    return elapsed, cpu, sql, len(queries), response.content.decode()


def server_time(client, path, repeats=3):
    """PostgreSQL's own planning + execution time of the request's queries (EXPLAIN ANALYZE
    of each SELECT it ran, median of `repeats`): what the database spends, whatever the wait
    for a core on a busy machine."""
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    selects = [query["sql"] for query in captured if query["sql"].startswith("SELECT")]
    totals = []
    for _ in range(repeats):
        total = 0.0
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                (plan,) = cursor.fetchone()
                plan = json.loads(plan) if isinstance(plan, str) else plan
                total += plan[0]["Planning Time"] + plan[0]["Execution Time"]
        totals.append(total)
    return statistics.median(totals)


def line(name, result):
    samples, count = result["samples"], matched(result["html"])
    return (
        f"{name:22} {result['queries']:3} queries {count if count is not None else '?':>6} matched"
        f"  min {min(samples):6.1f}  median {statistics.median(samples):6.1f}"
        f"  max {max(samples):6.1f} ms  (medians: Python CPU"
        f" {statistics.median(result['cpu']):5.1f}, SQL round trips"
        f" {statistics.median(result['sql']):5.1f},"
        f" PostgreSQL {result['server']:5.1f})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--role", choices=["editor", "superuser"], default="editor")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print each query's SQL")
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    call_command("collectstatic", "--noinput", verbosity=0)
    print(f"{Edition.objects.count()} editions; {args.role}; {args.rounds} rounds")
    client = login(args.role)
    model_admin = admin.site._registry[Edition]
    current = type(model_admin)
    variants = [("before", BeforeIssue11), ("now", current)] if args.compare else [("now", current)]
    results = {}
    for name, path in views():
        for variant, cls in variants:
            model_admin.__class__ = cls
            request(client, URL + path)  # warm up
            results[name, variant] = {"samples": [], "cpu": [], "sql": []}
        for _ in range(args.rounds):
            for variant, cls in variants:
                model_admin.__class__ = cls
                elapsed, cpu, sql, queries, html = request(client, URL + path)
                result = results[name, variant]
                result["samples"].append(elapsed)
                result["cpu"].append(cpu)
                result["sql"].append(sql)
                result["queries"], result["html"] = queries, html
        for variant, cls in variants:
            model_admin.__class__ = cls
            results[name, variant]["server"] = server_time(client, URL + path)
            if args.explain:
                with CaptureQueriesContext(connection) as captured:
                    client.get(URL + path)
                print(f"--- {name} ({variant})")
                for query in captured:
                    print(f"{query['time']}s  {query['sql'][:600]}")
    model_admin.__class__ = current
    for variant, _ in variants:
        print(f"\n{variant}:")
        for name, _ in views():
            print(line(name, results[name, variant]))
    if args.compare:
        print("\nnow / before, median:")
        for name, _ in views():
            before = statistics.median(results[name, "before"]["samples"])
            now = statistics.median(results[name, "now"]["samples"])
            print(f"{name:22} {now / before:6.3f}  ({before:.1f} -> {now:.1f} ms)")
    if args.json:
        figures = {
            name: {
                "queries": results[name, "now"]["queries"],
                "min": min(results[name, "now"]["samples"]),
                "median": statistics.median(results[name, "now"]["samples"]),
                "max": max(results[name, "now"]["samples"]),
                "server": results[name, "now"]["server"],
            }
            for name, _ in views()
        }
        print(json.dumps({"editions": Edition.objects.count(), "views": figures}))


if __name__ == "__main__":
    main()
