"""A hash of an edition's content: what an approval approved, checked again at publication.

SHA-256 over every field of the edition's content in a fixed order: the edition's own fields
(as the edition object given holds them), then its overview facts by position, sections by
position, notes by number and citations by note number and position; each row's values joined
by US (None as empty) and ended by RS. PostgreSQL hashes the rows where they are, in one query
for any number of editions; other databases send them to Python, which feeds the same bytes
to the same hash.
"""

import hashlib

from django.db import connection

from sources.models import Citation, Footnote

from ..models import EditionEvent, OverviewFact, Section

UNIT = "\x1f"
SEPARATOR = "\x1e"


def content_fingerprint(edition):
    """The fingerprint of one edition's content as it is stored now."""
    return content_fingerprints([edition])[edition.pk]


def content_fingerprints(editions):
    """{edition id: its content fingerprint}, one query on PostgreSQL, five elsewhere."""
    if not editions:
        return {}
    if connection.vendor == "postgresql":
        return fingerprints_in_database(editions)
    return fingerprints_in_python(editions)


def changed_since_approval(editions):
    """The ids of those editions whose content is not what their latest approval recorded
    (or that were never approved): one query on PostgreSQL, where the stored fingerprint is
    compared where it lies."""
    if not editions:
        return set()
    if connection.vendor == "postgresql":
        sql, params = _fingerprint_sql(editions)
        events = EditionEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.id FROM ({sql}) AS f(id, digest) WHERE f.digest IS DISTINCT FROM "
                f"(SELECT a.fingerprint FROM {events} a WHERE a.edition_id = f.id "
                "AND a.action = 'approve' ORDER BY a.at DESC, a.id DESC LIMIT 1)",
                params,
            )
            return {row[0] for row in cursor.fetchall()}
    approved = dict(
        EditionEvent.objects.filter(edition__in=[e.pk for e in editions], action="approve")
        .order_by("edition_id", "at", "pk")
        .values_list("edition_id", "fingerprint")
    )  # the latest approval of each edition comes last
    current = fingerprints_in_python(editions)
    return {pk for pk, digest in current.items() if approved.get(pk) != digest}


def _head(edition):
    """The edition's own fields' part of the digest."""
    values = (
        edition.summary,
        edition.last_updated,
        edition.last_updated_precision,
        edition.report_id,
    )
    return UNIT.join("" if v is None else str(v) for v in values) + SEPARATOR


def _rows(ids):
    """(kind, queryset of (edition id, *values)) in the digest's order."""
    return [
        (
            "fact",
            OverviewFact.objects.filter(edition__in=ids)
            .order_by("edition_id", "position")
            .values_list("edition_id", "position", "label", "value"),
        ),
        (
            "section",
            Section.objects.filter(edition__in=ids)
            .order_by("edition_id", "position")
            .values_list("edition_id", "position", "heading", "body"),
        ),
        (
            "note",
            Footnote.objects.filter(edition__in=ids)
            .order_by("edition_id", "number")
            .values_list("edition_id", "number", "text"),
        ),
        (
            "citation",
            Citation.objects.filter(footnote__edition__in=ids)
            .order_by("footnote__edition_id", "footnote__number", "position")
            .values_list(
                "footnote__edition_id", "footnote__number", "position", "source_id", "locator"
            ),
        ),
    ]


def fingerprints_in_python(editions):
    digests = {edition.pk: hashlib.sha256(_head(edition).encode()) for edition in editions}
    for kind, queryset in _rows(list(digests)):
        for edition_id, *values in queryset.iterator(chunk_size=5000):
            digests[edition_id].update(
                (
                    UNIT.join("" if v is None else str(v) for v in (kind, *values)) + SEPARATOR
                ).encode()
            )
    return {pk: digest.hexdigest() for pk, digest in digests.items()}


def _joined(*columns):
    """SQL for one row's part of the digest: its values joined by US, ended by RS."""
    values = ", ".join(f"coalesce(({column})::text, '')" for column in columns)
    return f"concat_ws(chr(31), {values}) || chr(30)"


def _fingerprint_sql(editions):
    """The query of (edition id, fingerprint) for `editions`, and its parameters."""
    facts = OverviewFact._meta.db_table
    sections = Section._meta.db_table
    notes = Footnote._meta.db_table
    citations = Citation._meta.db_table

    def aggregate(table, alias, row, order, join="", owner=None):
        owner = owner or f"{alias}.edition_id"
        return (
            f"(SELECT {owner} AS edition_id, string_agg({row}, '' ORDER BY {order}) AS part "
            f"FROM {table} {alias} {join} WHERE {owner} = ANY(%(ids)s) GROUP BY {owner})"
        )

    parts = [
        aggregate(facts, "f", _joined("'fact'", "f.position", "f.label", "f.value"), "f.position"),
        aggregate(
            sections, "s", _joined("'section'", "s.position", "s.heading", "s.body"), "s.position"
        ),
        aggregate(notes, "n", _joined("'note'", "n.number", "n.text"), "n.number"),
        aggregate(
            citations,
            "c",
            _joined("'citation'", "cn.number", "c.position", "c.source_id", "c.locator"),
            "cn.number, c.position",
            join=f"JOIN {notes} cn ON cn.id = c.footnote_id",
            owner="cn.edition_id",
        ),
    ]
    joins = " ".join(
        f"LEFT JOIN {part} p{index} ON p{index}.edition_id = e.id"
        for index, part in enumerate(parts)
    )
    content = " || ".join(f"coalesce(p{index}.part, '')" for index in range(len(parts)))
    sql = (
        f"SELECT e.id, encode(sha256(convert_to(e.head || {content}, 'UTF8')), 'hex') "
        f"FROM unnest(%(ids)s::bigint[], %(heads)s::text[]) AS e(id, head) {joins}"
    )
    return sql, {"ids": [e.pk for e in editions], "heads": [_head(e) for e in editions]}


def fingerprints_in_database(editions):
    with connection.cursor() as cursor:
        cursor.execute(*_fingerprint_sql(editions))
        return dict(cursor.fetchall())
