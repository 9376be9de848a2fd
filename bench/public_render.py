"""Time the profile page of the largest (150-footnote) edition: uncached, rendering only, cached.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench \
        .venv/bin/python bench/public_render.py --runs 200

uncached  the whole view with an empty cache: 7 queries, rendering, sanitising, storing
render    rendering alone (content already loaded): renderer, nh3 and the template
cached    the whole view on a cache hit, clock read within FRESHNESS: no query, no cache get
re-read   the whole view on a cache hit once FRESHNESS has passed: 1 query (the clock)
Prints min / median / p90 in milliseconds.
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
from django.db.models import Count  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reports.models import Edition  # noqa: E402
from reports.public import pagecache, views  # noqa: E402
from reports.public.rendering import load_content  # noqa: E402


def largest_profile():
    edition = (
        Edition.objects.public()
        .annotate(notes=Count("footnotes"))
        .order_by("-notes", "id")
        .select_related("profile__country", "profile__topic")
        .first()
    )
    return edition, edition.profile.country.slug, edition.profile.topic.slug


def timed(function, runs, before=None):
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return samples


def line(name, samples):
    p90 = samples[int(len(samples) * 0.9) - 1]
    return (
        f"{name:9} min {samples[0]:6.2f} ms   median {statistics.median(samples):6.2f} ms   "
        f"p90 {p90:6.2f} ms   ({len(samples)} runs)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    call_command("collectstatic", "--noinput", verbosity=0)
    edition, country, topic = largest_profile()
    url = f"/countries/{country}/{topic}/"
    factory = RequestFactory(HTTP_HOST="127.0.0.1")  # a host the settings allow
    notes = edition.footnotes.count()
    print(f"{url}: edition #{edition.pk}, {notes} footnotes, {edition.sections.count()} sections")

    def view():
        response = views.profile(factory.get(url), country, topic)
        assert response.status_code == 200
        return response

    def reread():
        pagecache.FRESHNESS = 0
        try:
            return view()
        finally:
            pagecache.FRESHNESS = freshness

    freshness = pagecache.FRESHNESS
    pagecache.forget_all()
    size = len(view().content)
    with CaptureQueriesContext(connection) as uncached_queries:
        pagecache.forget_all()
        view()
    with CaptureQueriesContext(connection) as cached_queries:
        view()
    with CaptureQueriesContext(connection) as reread_queries:
        reread()
    print(
        f"page {size} bytes; queries: uncached {len(uncached_queries)}, "
        f"cached {len(cached_queries)}, re-read {len(reread_queries)}"
    )
    for _ in range(20):  # warm up
        pagecache.forget_all()
        view()
    uncached = timed(view, args.runs, before=pagecache.forget_all)
    loaded = views.edition_queryset().get(pk=edition.pk)
    content = load_content(loaded)
    history = views._history(country, topic)
    request = factory.get(url)
    render = timed(
        lambda: views.render_edition(request, loaded, content, history=history),
        args.runs,
    )
    view()
    cached = timed(view, args.runs)
    rereads = timed(reread, args.runs)
    print(line("uncached", uncached))
    print(line("render", render))
    print(line("cached", cached))
    print(line("re-read", rereads))
    if args.json:
        print(
            json.dumps(
                {
                    "url": url,
                    "bytes": size,
                    "runs": args.runs,
                    "queries": {
                        "uncached": len(uncached_queries),
                        "render": 0,
                        "cached": len(cached_queries),
                        "re-read": len(reread_queries),
                    },
                    **{
                        name: {
                            "min": samples[0],
                            "median": statistics.median(samples),
                            "p90": samples[int(len(samples) * 0.9) - 1],
                            "max": samples[-1],
                        }
                        for name, samples in [
                            ("uncached", uncached),
                            ("render", render),
                            ("cached", cached),
                            ("re-read", rereads),
                        ]
                    },
                }
            )
        )


if __name__ == "__main__":
    main()
