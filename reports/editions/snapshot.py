"""How django-reversion stores an edition: its fields and its whole content in one document.

Registered as the serialization format "edition" (settings.SERIALIZATION_MODULES) and used by
reports.editions.revisions for Edition, so a revision of an edition is one Version row whatever
its size, written with four reads of the content, instead of one Version per section, fact,
footnote and citation (each followed relation read row by row). History, compare and revert
read the content back from here (``content_of_version``). Revisions written before this format
(Version.format "json", the content rows as Versions of their own) are still read and reverted
the old way.
"""

import json

from django.core.serializers import json as json_serializer

FORMAT = "edition"
# A figure as stored: its file's name (stored files never change, see reports.attachments).
FIGURE_COLUMNS = ("position", "image", "width", "height", "alt_text", "caption")


def content_of(edition):
    """The edition's content as plain lists, in order (five queries)."""
    from sources.models import Citation

    citations = {}
    rows = (
        Citation.objects.filter(footnote__edition=edition)
        .order_by("footnote_id", "position")
        .values_list("footnote_id", "position", "source_id", "locator")
    )
    for footnote_id, *citation in rows:
        citations.setdefault(footnote_id, []).append(citation)
    return {
        "overview": [
            list(row)
            for row in edition.overview_facts.order_by("position").values_list(
                "position", "label", "value"
            )
        ],
        "sections": [
            list(row)
            for row in edition.sections.order_by("position").values_list(
                "position", "heading", "body"
            )
        ],
        "footnotes": [
            [number, text, citations.get(pk, [])]
            for pk, number, text in edition.footnotes.order_by("number").values_list(
                "pk", "number", "text"
            )
        ],
        "figures": [
            list(row) for row in edition.figures.order_by("position").values_list(*FIGURE_COLUMNS)
        ],
    }


def content_from_rows(editions, rows):
    """{edition id: its content as content_of() reads it}, from rows in memory that are the
    whole content of each of `editions` (an edition written with its rows, as an import
    writes it), without reading them back."""
    from sources.models import Citation, Footnote

    from ..models import OverviewFact, Section

    content = {
        e.pk: {"overview": [], "sections": [], "footnotes": [], "figures": []} for e in editions
    }
    notes, citations = {}, {}
    for row in rows:
        if isinstance(row, OverviewFact):
            content[row.edition_id]["overview"].append([row.position, row.label, row.value])
        elif isinstance(row, Section):
            content[row.edition_id]["sections"].append([row.position, row.heading, row.body])
        elif isinstance(row, Footnote):
            notes[row.pk] = [row.number, row.text, []]
            content[row.edition_id]["footnotes"].append(notes[row.pk])
        elif isinstance(row, Citation):
            citations.setdefault(row.footnote_id, []).append(
                [row.position, row.source_id, row.locator]
            )
    for footnote_id, cited in citations.items():
        notes[footnote_id][2] = sorted(cited, key=lambda citation: citation[0])
    for part in content.values():
        for rows_of_part in part.values():
            rows_of_part.sort(key=lambda row: row[0])
    return content


class Serializer(json_serializer.Serializer):
    def get_dump_object(self, obj):
        data = super().get_dump_object(obj)
        data["content"] = content_of(obj)
        return data


class Deserializer(json_serializer.Deserializer):
    """The edition's own fields, as the JSON format reads them; the content is read apart."""


def content_of_version(version):
    """The content stored in an edition's Version of this format."""
    return json.loads(version.serialized_data)[0]["content"]
