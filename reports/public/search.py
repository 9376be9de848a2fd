"""Full-text search over published editions: summaries, sections and footnotes.

PostgreSQL: ``websearch_to_tsquery('english', q)`` (quoted phrases, ``or``, ``-word``).
Editions are matched and ranked with ``ts_rank`` on their search documents
(``SearchDocument``: summary, headings and bodies, footnotes, weighted in that order, one
GIN-indexed tsvector per edition, kept exact by the database itself, see migration
reports.0006_search_documents). Then only the editions of the page are searched row by row
(the stored vectors of migration reports.0004_public_search) for the best hit to show; its
snippet is cut in Python around the words whose English stem is one of the query's lexemes.
Parsing a long section again with ``ts_headline`` cost more than the whole search.

SQLite (a first run): every word must appear (case-insensitive ``LIKE``); the score counts
occurrences with the same weights; snippets are cut the same way around the words found.
Slower and cruder, but it works on any data.

Scope: the current edition of each profile; with "include earlier editions" or a year filter
the archive (superseded editions) as well. Filters: topic, country, region, year.
"""

import datetime
import html
import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice

import Stemmer
from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sources.models import Footnote

from ..editions import states
from ..models import Edition, SearchDocument, Section

START, STOP = "\x02", "\x03"
SNIPPET_CHARS = 220
# A snippet is chosen among the first matches of a text: a megabyte of the query's word must
# not cost a stemming per word.
MAX_SPANS = 2000
# How far a snippet reaches for the start or end of its first and last word.
WORD_REACH = 40
# PostgreSQL's 'english' configuration stems with Snowball's English stemmer too.
STEMMER = Stemmer.Stemmer("english")
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
            return states.READABLE
        return states.PUBLIC

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
    editions = (
        Edition.objects.filter(state__in=filters.states)
        .select_related("profile__country", "profile__topic")
        .in_bulk([hit.edition_id for hit in hits])
    )
    for hit in hits:
        hit.edition = editions.get(hit.edition_id)
    return [hit for hit in hits if hit.edition is not None]


def _filter_sql(filters, params):
    """Conditions on search documents that keep the editions the filters allow."""
    where = []
    if filters.states == states.PUBLIC:
        where.append("d.current")  # the partial index over current editions' documents
    profiles = []
    if filters.topic:
        profiles.append("p.topic_id = (SELECT id FROM reports_topic WHERE slug = %(topic)s)")
        params["topic"] = filters.topic
    if filters.country:
        profiles.append("c.slug = %(country)s")
        params["country"] = filters.country
    if filters.region:
        profiles.append("c.region = %(region)s")
        params["region"] = filters.region
    if profiles:
        where.append(
            "d.profile_id IN (SELECT p.id FROM reports_profile p "
            "JOIN reports_country c ON c.id = p.country_id WHERE " + " AND ".join(profiles) + ")"
        )
    if filters.year:
        where.append("d.last_updated BETWEEN %(start)s AND %(end)s")
        params["start"] = datetime.date(filters.year, 1, 1)
        params["end"] = datetime.date(filters.year, 12, 31)
    return "".join(f" AND {condition}" for condition in where)


def _bring_documents_up_to_date():
    """Inside a transaction, build the search documents its own changes await (the database
    builds them at commit; see migration reports.0006_search_documents)."""
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(
                "SET CONSTRAINTS reports_search_refresh IMMEDIATE; "
                "SET CONSTRAINTS reports_search_refresh DEFERRED"
            )


def _postgres(filters, limit, offset):
    _bring_documents_up_to_date()
    params = {"q": filters.q, "any": _any_word(filters.q), "limit": limit, "offset": offset}
    conditions = _filter_sql(filters, params)
    ranked = f"""
        SELECT d.edition_id,
               sum(ts_rank(d.document, websearch_to_tsquery('english', %(any)s))) AS score
        FROM {SearchDocument._meta.db_table} d,
             websearch_to_tsquery('english', %(q)s) AS q(query)
        WHERE d.document @@ q.query{conditions}
        GROUP BY d.edition_id
        ORDER BY score DESC, d.edition_id DESC
        LIMIT %(limit)s OFFSET %(offset)s
    """
    with connection.cursor() as cursor:
        cursor.execute(ranked, params)
        scores = cursor.fetchall()
        if not scores:
            return []
        cursor.execute(_BEST_ROWS_SQL, {"q": filters.q, "ids": [e for e, _ in scores]})
        rows = cursor.fetchall()
    best = {row[0]: row[1:6] for row in rows}
    lexemes = _lexemes(rows[0][6]) if rows else set()  # the same query on every row
    hits = []
    for edition_id, score in scores:
        if edition_id not in best:
            continue  # deleted between the two queries
        kind, text, heading, position, number = best[edition_id]
        hits.append(
            Hit(
                edition_id=edition_id,
                score=float(score),
                kind=kind,
                snippet=_snippet(text or "", _stem_spans(text or "", lexemes)),
                heading=heading or "",
                position=position,
                number=number,
            )
        )
    return hits


# The best hit of each edition on the page: the row (section, footnote or summary) whose own
# vector ranks highest. An edition matched only across two rows (a phrase whose words end one
# footnote and start the next) shows its summary.
_BEST_ROWS_SQL = f"""
WITH q AS (SELECT websearch_to_tsquery('english', %(q)s) AS query),
hits AS (
    SELECT s.edition_id, 's' AS kind, s.id AS row_id,
           ts_rank(s.search_vector, q.query) * {WEIGHT["s"]} AS rank
    FROM {Section._meta.db_table} s, q
    WHERE s.edition_id = ANY(%(ids)s) AND s.search_vector @@ q.query
    UNION ALL
    SELECT f.edition_id, 'f', f.id, ts_rank(f.search_vector, q.query) * {WEIGHT["f"]}
    FROM {Footnote._meta.db_table} f, q
    WHERE f.edition_id = ANY(%(ids)s) AND f.search_vector @@ q.query
    UNION ALL
    SELECT e.id, 'e', e.id, ts_rank(e.search_vector, q.query) * {WEIGHT["e"]}
    FROM {Edition._meta.db_table} e, q
    WHERE e.id = ANY(%(ids)s) AND e.search_vector @@ q.query
),
best AS (
    SELECT DISTINCT ON (edition_id) edition_id, kind, row_id
    FROM hits
    ORDER BY edition_id, rank DESC, kind
)
SELECT e.id, coalesce(b.kind, 'e'),
       CASE b.kind WHEN 's' THEN s.body WHEN 'f' THEN f.text ELSE e.summary END,
       s.heading, s.position, f.number, querytree(q.query)
FROM {Edition._meta.db_table} e
CROSS JOIN q
LEFT JOIN best b ON b.edition_id = e.id
LEFT JOIN {Section._meta.db_table} s ON b.kind = 's' AND s.id = b.row_id
LEFT JOIN {Footnote._meta.db_table} f ON b.kind = 'f' AND f.id = b.row_id
WHERE e.id = ANY(%(ids)s)
"""


def _any_word(q):
    """The query's words joined by "or", to rank the editions the query matched.

    ts_rank with "and" pairs every position of each word with every position of the others:
    on a whole edition that cost 150 µs a document for a four-word query, and ranked nearly all
    of them alike. With "or" it weighs how often and where (summary, heading, body, note) the
    words occur, at the cost of reading the document. Negated words rank nothing: the editions
    matched do not contain them.
    """
    return " or ".join(word for word in re.findall(r"\w+", q) if word.lower() != "or")


def _lexemes(query):
    """The lexemes a tsquery looks for (``querytree`` has already dropped negated ones)."""
    return {match.replace("''", "'") for match in re.findall(r"'((?:[^']|'')*)'", query)}


def _stem_spans(text, lexemes):
    """Where the words of `text` whose stem is one of `lexemes` are, with that lexeme.

    Only words that start like a lexeme are stemmed: Snowball rewrites only the ending, by at
    most one letter more than it keeps ("policy" → "polici", "hoping" → "hope", "skies" → "sky").
    """
    if not lexemes:
        return []
    prefixes = sorted(
        {lexeme[: max(2, len(lexeme) - 1)] for lexeme in lexemes}, key=len, reverse=True
    )
    candidates = re.compile(
        r"\b(?:" + "|".join(re.escape(prefix) for prefix in prefixes) + r")\w*", re.IGNORECASE
    )
    spans = []
    for match in islice(candidates.finditer(text), MAX_SPANS):
        stem = STEMMER.stemWord(match.group(0).lower())
        if stem in lexemes:
            spans.append((match.start(), match.end(), stem))
    return spans


def _term_spans(text, terms):
    """Where `terms` occur in `text`, ignoring case, with the term found."""
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    return [
        (m.start(), m.end(), m.group(0).lower()) for m in islice(pattern.finditer(text), MAX_SPANS)
    ]


def _densest(spans, reach):
    """Where the first span is that the most different words follow within `reach` chars."""
    counts, following, best = Counter(), 0, (0, 0)
    for start, _, key in spans:
        while following < len(spans) and spans[following][0] < start + reach:
            counts[spans[following][2]] += 1
            following += 1
        if len(counts) > best[0]:
            best = (len(counts), start)
        counts[key] -= 1
        if not counts[key]:
            del counts[key]
    return best[1]


def _snippet(text, spans, width=SNIPPET_CHARS):
    """About `width` characters of `text` where the most different query words meet, marked."""
    start = 0
    if spans:
        start = max(0, _densest(spans, width * 2 // 3) - width // 3)
        floor = max(0, start - WORD_REACH)
        while start > floor and not text[start - 1].isspace():
            start -= 1  # a whole first word
    stop = min(len(text), start + width)
    ceiling = min(len(text), stop + WORD_REACH)
    while stop < ceiling and not text[stop].isspace():
        stop += 1  # a whole last word
    marked, at = [], start
    for span_start, span_end, _ in spans:
        if span_start >= start and span_end <= stop:
            marked += [text[at:span_start], START, text[span_start:span_end], STOP]
            at = span_end
    marked.append(text[at:stop])
    excerpt = " ".join("".join(marked).split())
    return _marked(("…" if start else "") + excerpt + ("…" if stop < len(text) else ""))


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
                snippet=_snippet(shown, _term_spans(shown, terms)),
                heading=heading,
                position=position,
                number=number,
            )
        )
    return hits


def plain(snippet):
    """A snippet as text (tests, feeds)."""
    return html.unescape(re.sub(r"</?mark>", "", str(snippet)))
