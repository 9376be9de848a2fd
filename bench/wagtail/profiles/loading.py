"""Build a ProfilePage from the content dict of bench/content.py (or one exported from a Monitor
CMS edition by bench/wagtail_anchor.py), the way an editor's first publication would."""

import html
import re

from django.db import transaction
from wagtail.models import Page, Site

from .models import ProfilePage, Source

MARKER = re.compile(r"\[(\d+)\]")


def rich_text(body):
    """Paragraphs with [n] markers as Wagtail rich text with linked superscripts."""
    return "".join(
        "<p>"
        + MARKER.sub(
            r'<sup><a href="#note-\1" id="ref-\1">\1</a></sup>', html.escape(paragraph, quote=False)
        )
        + "</p>"
        for paragraph in body.split("\n\n")
    )


def stream_values(content):
    sources = {
        s.key: s
        for s in Source.objects.filter(key__in=[n["source"]["key"] for n in content["notes"]])
    }
    missing = {}  # a source may be cited by several notes
    for note in content["notes"]:
        source = note["source"]
        if source["key"] not in sources:
            missing.setdefault(
                source["key"],
                Source(kind=source["kind"], title=source["title"][:500], key=source["key"]),
            )
    for source in Source.objects.bulk_create(missing.values()):
        sources[source.key] = source
    return {
        "summary": content["summary"],
        "facts": [("fact", {"label": label, "value": value}) for label, value in content["facts"]],
        "sections": [
            ("section", {"heading": s["heading"], "body": rich_text(s["body"])})
            for s in content["sections"]
        ],
        "notes": [
            (
                "note",
                {"number": n["number"], "text": n["text"], "source": sources[n["source"]["key"]]},
            )
            for n in content["notes"]
        ],
    }


def home():
    """The site's root page (Wagtail's initial migration makes one)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        root = Page.get_first_root_node()
        site = Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=root.get_children().first() or root,
            is_default_site=True,
        )
    return site.root_page


@transaction.atomic
def create_profile_page(slug, content):
    """A published ProfilePage at /<slug>/, replacing one of that slug."""
    parent = home()
    for old in ProfilePage.objects.child_of(parent).filter(slug=slug):
        old.delete()
    page = ProfilePage(title=content["title"], slug=slug, **stream_values(content))
    parent.add_child(instance=page)
    page.save_revision().publish()
    return ProfilePage.objects.get(pk=page.pk)
