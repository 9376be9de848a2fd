"""Full-text search over published editions: summaries, sections and footnotes.

PostgreSQL: ``websearch_to_tsquery('english', q)`` (quoted phrases, ``or``, ``-word``) against
stored tsvector columns kept by the database itself (generated columns added by migration
reports.0004_public_search, each with a GIN index), so every way of writing content (admin,
workflow, importer's bulk_create) is indexed. Each matching row is ranked with ``ts_rank``
(headings weigh more than bodies, bodies more than footnotes); an edition scores its best hit
plus a quarter of the sum of its hits; snippets come from ``ts_headline`` on its best hit.

SQLite (a first run): every word must appear (case-insensitive ``LIKE``); the score counts
occurrences with the same weights; snippets are cut around the first hit in Python. Slower and
cruder, but it works on any data.

Scope: the current edition of each profile; with "include earlier editions" or a year filter
the archive (superseded editions) as well. Filters: topic, country, region, year.
"""

import datetime
import html
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sources.models import Footnote

from .models import Edition, Section

START, STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxFragments=2, MaxWords=30, MinWords=12, "
    'FragmentDelimiter=" … "'
)
WEIGHT = {"e": 1.5, "s": 1.0, "f": 0.5}
SQLITE_ROWS = 3000


@dataclass
class Filters:
    q: str = ""
    topic: str = ""
    country: str = ""
    region: str = ""
    year: int | None = None
    archive: bool = False

    @property
    def states(self):
        if self.archive or self.year:
            return [Edition.State.PUBLISHED, Edition.State.SUPERSEDED]
        return [Edition.State.PUBLISHED]

    @classmethod
    def from_query(cls, data):
        year = data.get("year", "").strip()
        return cls(
            q=" ".join(data.get("q", "").split())[:200],
            topic=data.get("topic", "").strip(),
            country=data.get("country", "").strip(),
            region=data.get("region", "").strip(),
            year=int(year) if year.isdigit() and 1900 < int(year) < 2200 else None,
            archive=data.get("archive") in ("1", "on", "true"),
        )


@dataclass
class Hit:
    edition_id: int
    score: float
    kind: str  # e (summary), s (section), f (footnote)
    snippet: str
    heading: str = ""
    position: int | None = None
    number: int | None = None
    edition: Edition | None = None

    @property
    def anchor(self):
        if self.kind == "s" and self.position is not None:
            return f"#section-{self.position}"
        if self.kind == "f" and self.number is not None:
            return f"#note-{self.number}"
        return ""

    @property
    def where(self):
        if self.kind == "s":
            return self.heading or "Text"
        if self.kind == "f":
            return f"Note {self.number}"
        return "Summary"


def _marked(text):
    """Escape a headline and turn the selection delimiters into <mark>."""
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def search(filters, limit=20, offset=0):
    """Up to `limit` hits (one per edition), best first, with editions loaded."""
    if not filters.q:
        return []
    if connection.vendor == "postgresql":
        hits = _postgres(filters, limit, offset)
    else:
        hits = _fallback(filters, limit, offset)
    editions = Edition.objects.select_related("profile__country", "profile__topic").in_bulk(
        [hit.edition_id for hit in hits]
    )
    for hit in hits:
        hit.edition = editions.get(hit.edition_id)
    return [hit for hit in hits if hit.edition is not None]


def _eligible_sql(filters, params):
    where = ["e.state = ANY(%(states)s)"]
    params["states"] = list(map(str, filters.states))
    if filters.topic:
        where.append("t.slug = %(topic)s")
        params["topic"] = filters.topic
    if filters.country:
        where.append("c.slug = %(country)s")
        params["country"] = filters.country
    if filters.region:
        where.append("c.region = %(region)s")
        params["region"] = filters.region
    if filters.year:
        where.append("e.last_updated BETWEEN %(start)s AND %(end)s")
        params["start"] = datetime.date(filters.year, 1, 1)
        params["end"] = datetime.date(filters.year, 12, 31)
    return f"""
        SELECT e.id FROM {Edition._meta.db_table} e
        JOIN reports_profile p ON p.id = e.profile_id
        JOIN reports_country c ON c.id = p.country_id
        JOIN reports_topic t ON t.id = p.topic_id
        WHERE {" AND ".join(where)}
    """


def _postgres(filters, limit, offset):
    params = {"q": filters.q, "limit": limit, "offset": offset, "opts": HEADLINE_OPTIONS}
    eligible = _eligible_sql(filters, params)
    section, footnote, edition = (
        Section._meta.db_table,
        Footnote._meta.db_table,
        Edition._meta.db_table,
    )
    sql = f"""
    WITH q AS (SELECT websearch_to_tsquery('english', %(q)s) AS query),
    eligible AS MATERIALIZED ({eligible}),
    hits AS (
        SELECT s.edition_id, 's' AS kind, s.id AS row_id,
               ts_rank(s.search_vector, q.query) * {WEIGHT["s"]} AS rank
        FROM {section} s CROSS JOIN q
        WHERE s.search_vector @@ q.query AND s.edition_id IN (SELECT id FROM eligible)
        UNION ALL
        SELECT f.edition_id, 'f', f.id, ts_rank(f.search_vector, q.query) * {WEIGHT["f"]}
        FROM {footnote} f CROSS JOIN q
        WHERE f.search_vector @@ q.query AND f.edition_id IN (SELECT id FROM eligible)
        UNION ALL
        SELECT e.id, 'e', e.id, ts_rank(e.search_vector, q.query) * {WEIGHT["e"]}
        FROM {edition} e CROSS JOIN q
        WHERE e.search_vector @@ q.query AND e.id IN (SELECT id FROM eligible)
    ),
    ranked AS (
        SELECT edition_id, max(rank) + 0.25 * sum(rank) AS score
        FROM hits GROUP BY edition_id
        ORDER BY score DESC, edition_id DESC
        LIMIT %(limit)s OFFSET %(offset)s
    ),
    best AS (
        SELECT DISTINCT ON (h.edition_id) h.edition_id, h.kind, h.row_id
        FROM hits h JOIN ranked r USING (edition_id)
        ORDER BY h.edition_id, h.rank DESC, h.kind
    )
    SELECT r.edition_id, r.score, b.kind,
           ts_headline('english',
                       CASE b.kind WHEN 's' THEN s.body WHEN 'f' THEN f.text ELSE e.summary END,
                       q.query, %(opts)s),
           s.heading, s.position, f.number
    FROM ranked r
    JOIN best b USING (edition_id)
    CROSS JOIN q
    LEFT JOIN {section} s ON b.kind = 's' AND s.id = b.row_id
    LEFT JOIN {footnote} f ON b.kind = 'f' AND f.id = b.row_id
    LEFT JOIN {edition} e ON b.kind = 'e' AND e.id = b.row_id
    ORDER BY r.score DESC, r.edition_id DESC
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Hit(
            edition_id=edition_id,
            score=float(score),
            kind=kind,
            snippet=_marked(headline or ""),
            heading=heading or "",
            position=position,
            number=number,
        )
        for edition_id, score, kind, headline, heading, position, number in rows
    ]


# --- SQLite fallback ----------------------------------------------------------------------


def _terms(q):
    words = re.findall(r"\w+", q.lower())
    return list(dict.fromkeys(word for word in words if len(word) > 1))[:8] or words[:1]


def _edition_filter(filters, prefix):
    conditions = Q(**{f"{prefix}state__in": filters.states})
    if filters.topic:
        conditions &= Q(**{f"{prefix}profile__topic__slug": filters.topic})
    if filters.country:
        conditions &= Q(**{f"{prefix}profile__country__slug": filters.country})
    if filters.region:
        conditions &= Q(**{f"{prefix}profile__country__region": filters.region})
    if filters.year:
        conditions &= Q(**{f"{prefix}last_updated__year": filters.year})
    return conditions


def _all_terms(fields, terms):
    conditions = Q()
    for term in terms:
        either = Q()
        for name in fields:
            either |= Q(**{f"{name}__icontains": term})
        conditions &= either
    return conditions


def _snippet(text, terms, width=220):
    lowered = text.lower()
    positions = [lowered.find(term) for term in terms if lowered.find(term) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    excerpt = text[start : start + width]
    excerpt = ("…" if start else "") + excerpt + ("…" if start + width < len(text) else "")
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", " ".join(excerpt.split()))
    return _marked(marked)


def _fallback(filters, limit, offset):
    terms = _terms(filters.q)
    if not terms:
        return []
    candidates = []  # (edition_id, kind, text, heading, position, number)
    sections = Section.objects.filter(
        _edition_filter(filters, "edition__"), _all_terms(["heading", "body"], terms)
    ).values_list("edition_id", "heading", "body", "position")[:SQLITE_ROWS]
    candidates += [(e, "s", f"{h}\n{b}", b, h, p, None) for e, h, b, p in sections]
    notes = Footnote.objects.filter(
        _edition_filter(filters, "edition__"), _all_terms(["text"], terms)
    ).values_list("edition_id", "text", "number")[:SQLITE_ROWS]
    candidates += [(e, "f", t, t, "", None, n) for e, t, n in notes]
    summaries = Edition.objects.filter(
        _edition_filter(filters, ""), _all_terms(["summary"], terms)
    ).values_list("id", "summary")[:SQLITE_ROWS]
    candidates += [(e, "e", s, s, "", None, None) for e, s in summaries]

    best, totals = {}, {}
    for edition_id, kind, haystack, shown, heading, position, number in candidates:
        lowered = haystack.lower()
        rank = WEIGHT[kind] * sum(lowered.count(term) for term in terms) / (1 + len(lowered) / 2000)
        totals[edition_id] = totals.get(edition_id, 0) + rank
        if edition_id not in best or rank > best[edition_id][0]:
            best[edition_id] = (rank, kind, shown, heading, position, number)
    scored = sorted(
        ((best[e][0] + 0.25 * totals[e], e) for e in best), key=lambda x: (-x[0], -x[1])
    )
    hits = []
    for score, edition_id in scored[offset : offset + limit]:
        _, kind, shown, heading, position, number = best[edition_id]
        hits.append(
            Hit(
                edition_id=edition_id,
                score=score,
                kind=kind,
                snippet=_snippet(shown, terms),
                heading=heading,
                position=position,
                number=number,
            )
        )
    return hits


def plain(snippet):
    """A snippet as text (tests, feeds)."""
    return html.unescape(re.sub(r"</?mark>", "", str(snippet)))
