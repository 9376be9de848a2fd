"""A hash of an edition's content: what an approval approved, checked again at publication."""

import hashlib

from sources.models import Citation

SEPARATOR = "\x1e"


def content_fingerprint(edition):
    """SHA-256 over every field of the edition's content, in a fixed order (four queries)."""
    digest = hashlib.sha256()

    def add(*values):
        digest.update("\x1f".join("" if v is None else str(v) for v in values).encode())
        digest.update(SEPARATOR.encode())

    add(edition.summary, edition.last_updated, edition.last_updated_precision, edition.report_id)
    facts = edition.overview_facts.order_by("position")
    for row in facts.values_list("position", "label", "value"):
        add("fact", *row)
    for row in edition.sections.order_by("position").values_list("position", "heading", "body"):
        add("section", *row)
    for row in edition.footnotes.order_by("number").values_list("number", "text"):
        add("note", *row)
    citations = (
        Citation.objects.filter(footnote__edition=edition)
        .order_by("footnote__number", "position")
        .values_list("footnote__number", "position", "source_id", "locator")
    )
    for row in citations:
        add("citation", *row)
    return digest.hexdigest()
