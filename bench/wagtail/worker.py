"""The Wagtail anchor's side of bench/editorial.py; runs in bench/.wagtail-venv from bench/wagtail.

Builds the editorial benchmark page (bench/content.py: 12 sections, 150 footnotes each linking
a Source snippet) and any page given with --page SLUG=FILE.json, published, then answers:

save_revision  one section changed, ``page.save_revision(user=…)``
publish        ``revision.publish(user=…)`` of the revision saved last
render         GET of the page through django.test.Client (Wagtail caches nothing)
"""

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anchor.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from profiles.loading import create_profile_page, rich_text  # noqa: E402
from profiles.models import ProfilePage  # noqa: E402
from wagtail.rich_text import RichText  # noqa: E402

from bench.content import changed_body, profile_content  # noqa: E402
from bench.protocol import serve, timed  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", action="append", default=[], help="SLUG=content.json")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    content = profile_content()
    page = create_profile_page("editorial", content)
    for spec in args.page:
        slug, path = spec.split("=", 1)
        create_profile_page(slug, json.loads(Path(path).read_text()))
    client = Client()
    state = {"revision": None}

    def save_revision(round_):
        current = ProfilePage.objects.get(pk=page.pk)
        index = round_ % len(content["sections"])
        section = current.sections[index]
        section.value["body"] = RichText(
            rich_text(changed_body(content["sections"][index]["body"], round_))
        )
        figures, state["revision"] = timed(connection, lambda: current.save_revision(user=user))
        return figures

    def publish(round_):
        revision = state["revision"]
        figures, _ = timed(connection, lambda: revision.publish(user=user))
        return figures

    def render(round_):
        figures, response = timed(connection, lambda: client.get("/editorial/"))
        assert response.status_code == 200, response.status_code
        return {**figures, "bytes": len(response.content)}

    serve(
        {"save_revision": save_revision, "publish": publish, "render": render},
        ready={"sections": len(content["sections"]), "notes": len(content["notes"])},
    )


if __name__ == "__main__":
    main()
