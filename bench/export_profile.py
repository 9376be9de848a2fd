"""Write the public profile page with the most footnotes as content JSON (bench/content.py's
shape), so the Wagtail anchor serves the same words; prints its path on our site.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench \
        .venv/bin/python bench/export_profile.py /tmp/profile.json
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.public_settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402

from reports.models import Edition  # noqa: E402


def largest_public_edition():
    return (
        Edition.objects.public()
        .annotate(n=Count("footnotes"))
        .order_by("-n", "id")
        .select_related("profile__country", "profile__topic")
        .first()
    )


def content_of(edition):
    notes = edition.footnotes.order_by("number").prefetch_related("citations__source")
    return {
        "title": f"{edition.profile.country.name}: {edition.profile.topic.name}",
        "summary": edition.summary,
        "facts": [(f.label, f.value) for f in edition.overview_facts.order_by("position")],
        "sections": [
            {"heading": s.heading, "body": s.body} for s in edition.sections.order_by("position")
        ],
        "notes": [
            {
                "number": note.number,
                "text": note.text,
                "source": next(
                    (
                        {"kind": c.source.kind, "title": c.source.title, "key": f"s{c.source_id}"}
                        for c in note.citations.all()
                    ),
                    {"kind": "other", "title": note.text, "key": f"n{note.pk}"},
                ),
            }
            for note in notes
        ],
    }


if __name__ == "__main__":
    edition = largest_public_edition()
    Path(sys.argv[1]).write_text(json.dumps(content_of(edition)))
    print(f"{edition.profile.country.slug}/{edition.profile.topic.slug}")
