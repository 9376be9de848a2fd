"""Full-text search over published editions: summaries, sections and footnotes.

PostgreSQL: ``websearch_to_tsquery(CONFIG, q)`` (quoted phrases, ``or``, ``-word``), where
CONFIG is English stemming after ``unaccent`` (migration reports.0014_public_site: "Cote
d'Ivoire" finds "Côte d'Ivoire"). Editions are matched and ranked on their search documents
(``SearchDocument``: summary, headings and bodies, footnotes, weighted in that order, one
GIN-indexed tsvector per edition, kept exact by the database itself, see migration
reports.0006_search_documents): first those where the query's words stand together as a
phrase, then by ``ts_rank``. The GIN index finds the documents without reading them; ranking
reads each once, a current edition's from its copy in the row (migration
reports.0015_search_current_documents). A search of the archive whose words are common ranks
the newest CANDIDATES documents it finds (and counts them all). In the same statement only the
editions of the page are searched row by row (the stored vectors of migration
reports.0004_public_search) for the best hit to show, and read with their profile, country and
topic; the hit's snippet is cut in Python around the words whose English stem is one of the
query's lexemes, with note markers left out. Parsing a long section again with ``ts_headline``
cost more than the whole search.

A query that names a country (its name, official name or an alias, accents and case aside)
leads to that country: its page first, its editions before the others. A query that finds
little and is close to a country's name gets "did you mean" (``pg_trgm`` similarity; on
SQLite, difflib).

SQLite (a first run): an edition matches when every word appears in it, in its summary, a
section or a note (case-insensitive ``LIKE``); the score counts occurrences with the same
weights; snippets are cut the same way around the words found. Slower and cruder, but it
works on any data.

Scope: the current edition of each profile; with "include earlier editions" or a year filter
the archive (superseded editions) as well. Filters: topic, country, region, year.
"""

import datetime
import difflib
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
from ..models import Country, Edition, Profile, SearchDocument, Section, Topic
from .folding import fold

CONFIG = "monitor_english"  # migration reports.0014_public_site
START, STOP = "\x02", "\x03"
SNIPPET_CHARS = 220
# A snippet is chosen among the first matches of a text: a megabyte of the query's word must
# not cost a stemming per word.
MAX_SPANS = 2000
# How far a snippet reaches for the start or end of its first and last word.
WORD_REACH = 40
# PostgreSQL's English configuration stems with Snowball's English stemmer too.
STEMMER = Stemmer.Stemmer("english")
WEIGHT = {"e": 1.5, "s": 1.0, "f": 0.5}
SQLITE_ROWS = 10000
MARKERS = re.compile(r"\s*\[\d{1,4}\]")
NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# How close a word must be to a country's name for "did you mean" (trigram similarity).
SIMILAR = 0.4
# A search of the archive (earlier editions included) ranks at most this many of the documents
# it finds on their text, the newest: a common word matches nearly every one of the archive's
# 25,000 (reading them all took 0.4 s), a year's editions are fewer. A search of the current
# editions ranks all it finds.
CANDIDATES = 1500


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


class Results(list):
    """The hits of one page, best first, and how many editions were found in all; `among`:
    when only the newest of them were ranked (a search of the archive on PostgreSQL that found
    more than CANDIDATES), how many."""

    def __init__(self, hits=(), total=0, among=None):
        super().__init__(hits)
        self.total = total
        self.among = among


@dataclass
class CountryNames:
    """A public country as search knows it: for the filter and to recognise its names."""

    pk: int
    slug: str
    name: str
    region: str
    names: list


def public_countries():
    """Every public country with the names a query may call it by (one query)."""
    rows = Country.objects.public().order_by("name")
    return [
        CountryNames(
            pk,
            slug,
            name,
            region,
            [name, *([official] if official else []), *Country(aliases=aliases).alias_list],
        )
        for pk, slug, name, region, official, aliases in rows.values_list(
            "pk", "slug", "name", "region", "official_name", "aliases"
        )
    ]


def _words(text):
    return re.findall(r"\w+", fold(text))


def named_country(q, countries):
    """The country whose name, official name or alias the query holds (the longest such
    name), and the query without it: (country, rest), or (None, q)."""
    words = re.findall(r"\w+", q)
    folded = [fold(word) for word in words]
    best, at, length = None, 0, 0
    for country in countries:
        for name in country.names:
            key = _words(name)
            n = len(key)
            if not n or n < length:
                continue
            for start in range(len(folded) - n + 1):
                if folded[start : start + n] == key and (n > length or best is None):
                    best, at, length = country, start, n
                    break
    if best is None:
        return None, q
    return best, " ".join(words[:at] + words[at + length :])


def country_editions(country, filters):
    """The current editions of a country named by the whole query, as results: its summary
    for a snippet."""
    editions = list(
        Edition.objects.filter(_edition_filter(filters, ""), profile__country_id=country.pk)
        .select_related("profile__country", "profile__topic")
        .order_by("profile__topic__position", "profile__topic__name")
    )
    hits = [
        Hit(
            edition_id=edition.pk,
            score=0,
            kind="e",
            snippet=_snippet(_unmarked(edition.summary), []),
            edition=edition,
        )
        for edition in editions
    ]
    return Results(hits, len(hits))


def did_you_mean(q, countries):
    """The query with a word (or the whole of it) that is near a country's name replaced by
    that name, or "" when none is near enough."""
    words = re.findall(r"\w+", q)
    names = sorted({name for country in countries for name in country.names})
    if not words or not names:
        return ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w, n FROM unnest(%(words)s::text[]) AS w, unnest(%(names)s::text[]) AS n "
                "WHERE similarity(lower(unaccent(w)), lower(unaccent(n))) > %(similar)s "
                "ORDER BY similarity(lower(unaccent(w)), lower(unaccent(n))) DESC LIMIT 1",
                {"words": [q, *words], "names": names, "similar": SIMILAR},
            )
            row = cursor.fetchone()
    else:
        folded = {fold(name): name for name in names}
        row = None
        for word in [q, *words]:
            close = difflib.get_close_matches(fold(word), folded, n=1, cutoff=0.8)
            if close:
                row = (word, folded[close[0]])
                break
    if row is None or fold(row[0]) == fold(row[1]):
        return ""
    word, name = row
    return name if word == q else re.sub(rf"\b{re.escape(word)}\b", name, q, count=1)


def search(filters, limit=20, offset=0, lead=None):
    """Up to `limit` hits (one per edition), best first, with editions loaded, and the total.

    `lead`: a country whose editions come first (the one the query names).
    """
    if not filters.q:
        return Results()
    among = None
    if connection.vendor == "postgresql":
        hits, total = _postgres(filters, limit, offset, lead)  # the editions come with them
        if filters.states != states.PUBLIC and total > CANDIDATES:
            among = CANDIDATES
    else:
        hits, total = _fallback(filters, limit, offset, lead)
        editions = (
            Edition.objects.filter(state__in=filters.states)
            .select_related("profile__country", "profile__topic")
            .in_bulk([hit.edition_id for hit in hits])
        )
        for hit in hits:
            hit.edition = editions.get(hit.edition_id)
    return Results([hit for hit in hits if hit.edition is not None], total, among)


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


def _phrase(q):
    """The query's words to find standing together, or "" when it has operators of its own
    (quotes make websearch_to_tsquery look for the phrase already) or a single word."""
    if '"' in q or re.search(r"(^|\s)-\w|\bor\b", q, re.IGNORECASE):
        return ""
    return q if len(re.findall(r"\w+", q)) > 1 else ""


def _match_sql(q, params):
    """The condition on a document ``d`` that it matches the query.

    A quoted phrase makes the GIN index a filter only: every document that has the words would
    be read from TOAST to be checked. Then the index is asked for the words alone and each
    document it finds checked for the phrase on its copy in the row (a current edition's).
    """
    exact = f"(SELECT websearch_to_tsquery('{CONFIG}', %(q)s))"
    if '"' not in q or re.search(r"(^|\s)-\w|\bor\b", q, re.IGNORECASE):
        return f"d.document @@ {exact}"
    params["words"] = q.replace('"', " ")
    return (
        f"d.document @@ (SELECT plainto_tsquery('{CONFIG}', %(words)s)) "
        f"AND coalesce(d.current_document, d.document) @@ {exact}"
    )


def _postgres(filters, limit, offset, lead):
    _bring_documents_up_to_date()
    params = {
        "q": filters.q,
        "any": _any_word(filters.q),
        "phrase": _phrase(filters.q),
        "lead": lead.pk if lead else None,
        "limit": limit,
        "offset": offset,
        "candidates": CANDIDATES,
        "states": [str(state) for state in filters.states],
    }
    conditions = _filter_sql(filters, params)
    documents = SearchDocument._meta.db_table
    match = _match_sql(filters.q, params)
    leads = "d.profile_id IN (SELECT id FROM reports_profile WHERE country_id = %(lead)s)"
    # Each document found is read once for its rank and whether the words stand together as
    # a phrase (setweight with no lexemes is a copy: used directly, ts_rank and the phrase
    # match would each fetch a document out of line again), a current edition's from its copy
    # in the row. The GIN index finds them without reading them (a match without weights or
    # phrases is exact); the query is a scalar subquery so that the planner, not knowing how
    # common its words are, never prefers to read every document instead. Order: the
    # editions of the country the query names, then those with the phrase, then by rank.
    if filters.states == states.PUBLIC:
        read = f"""
        read AS (
            SELECT d.edition_id, {leads} AS leads,
                   setweight(coalesce(d.current_document, d.document), 'A', '{{}}') AS document
            FROM {documents} d
            WHERE {match}{conditions}
            OFFSET 0
        ),"""
        counted = "ranked"
    else:
        # The archive: found from the index alone, then only the newest CANDIDATES documents
        # (all the parts of an edition or none) read and ranked; the total counts them all.
        read = f"""
        found AS MATERIALIZED (
            SELECT d.ctid AS row, d.edition_id, d.last_updated, {leads} AS leads
            FROM {documents} d
            WHERE {match}{conditions}
        ),
        read AS (
            SELECT c.edition_id, c.leads,
                   setweight(coalesce(d.current_document, d.document), 'A', '{{}}') AS document
            FROM (
                SELECT row, edition_id, leads FROM found
                ORDER BY leads DESC, last_updated DESC NULLS LAST, edition_id DESC
                FETCH FIRST %(candidates)s ROWS WITH TIES
            ) c
            JOIN {documents} d ON d.ctid = c.row
            OFFSET 0
        ),"""
        counted = "found"
    ranked = f"""
        WITH {read}
        ranked AS (
            SELECT edition_id, leads,
                   %(phrase)s <> ''
                       AND document @@ phraseto_tsquery('{CONFIG}', %(phrase)s) AS together,
                   ts_rank(document, websearch_to_tsquery('{CONFIG}', %(any)s)) AS score
            FROM read
            OFFSET 0
        ),
        total AS (SELECT count(DISTINCT edition_id) AS total FROM {counted}),
        page AS MATERIALIZED (
            SELECT edition_id, bool_or(together) AS together, sum(score) AS score,
                   bool_or(leads) AS leads
            FROM ranked
            GROUP BY edition_id
            ORDER BY leads DESC, together DESC, score DESC, edition_id DESC
            LIMIT %(limit)s OFFSET %(offset)s
        ),
        {_BEST_ROWS_SQL}
    """
    with connection.cursor() as cursor:
        cursor.execute(ranked, params)
        rows = cursor.fetchall()
    if not rows:
        return [], 0
    lexemes = _lexemes(rows[0][8])  # the same query on every row
    hits = []
    for edition_id, score, _, kind, text, heading, position, number, _, *shown in rows:
        text = _unmarked(text or "")
        hits.append(
            Hit(
                edition_id=edition_id,
                score=float(score),
                kind=kind,
                snippet=_snippet(text, _stem_spans(text, lexemes)),
                heading=heading or "",
                position=position,
                number=number,
                edition=_shown_edition(shown),
            )
        )
    return hits, rows[0][2]


def _shown_edition(values):
    """The edition with its profile, country and topic, as select_related builds them, from
    the columns of SHOWN (none of their fields converts what PostgreSQL returns)."""
    loaded = []
    for model, _ in SHOWN:
        fields = model._meta.concrete_fields
        names = [field.attname for field in fields]
        loaded.append(model.from_db(connection.alias, names, values[: len(fields)]))
        values = values[len(fields) :]
    edition, profile, country, topic = loaded
    profile.country, profile.topic = country, topic
    edition.profile = profile
    return edition


def _unmarked(text):
    """Text for a snippet: note markers ("[31][32]") mean nothing out of their page."""
    return MARKERS.sub("", text) if "[" in text else text


# What the results page shows of each hit's edition, read with it.
SHOWN = [(Edition, "e"), (Profile, "pr"), (Country, "co"), (Topic, "tp")]
_SHOWN_COLUMNS = ", ".join(
    f'{alias}."{field.column}"' for model, alias in SHOWN for field in model._meta.concrete_fields
)

# The best hit of each edition on the page: the row (section, footnote or summary) whose own
# vector ranks highest. An edition matched only across two rows (a phrase whose words end one
# footnote and start the next) shows its summary. The end of the ranking query, after its
# ``page`` and ``total``: one statement, one round trip.
_BEST_ROWS_SQL = f"""
q AS (SELECT websearch_to_tsquery('{CONFIG}', %(q)s) AS query),
ids AS (SELECT array_agg(edition_id) AS ids FROM page),
hits AS (
    SELECT s.edition_id, 's' AS kind, s.id AS row_id,
           ts_rank(s.search_vector, q.query) * {WEIGHT["s"]} AS rank
    FROM {Section._meta.db_table} s, q
    WHERE s.edition_id = ANY((SELECT ids FROM ids)::bigint[]) AND s.search_vector @@ q.query
    UNION ALL
    SELECT f.edition_id, 'f', f.id, ts_rank(f.search_vector, q.query) * {WEIGHT["f"]}
    FROM {Footnote._meta.db_table} f, q
    WHERE f.edition_id = ANY((SELECT ids FROM ids)::bigint[]) AND f.search_vector @@ q.query
    UNION ALL
    SELECT e.id, 'e', e.id, ts_rank(e.search_vector, q.query) * {WEIGHT["e"]}
    FROM {Edition._meta.db_table} e, q
    WHERE e.id = ANY((SELECT ids FROM ids)::bigint[]) AND e.search_vector @@ q.query
),
best AS (
    SELECT DISTINCT ON (edition_id) edition_id, kind, row_id
    FROM hits
    ORDER BY edition_id, rank DESC, kind
)
SELECT p.edition_id, p.score, (SELECT total FROM total),
       coalesce(b.kind, 'e'),
       CASE b.kind WHEN 's' THEN s.body WHEN 'f' THEN f.text ELSE e.summary END,
       s.heading, s.position, f.number, querytree(q.query), {_SHOWN_COLUMNS}
FROM page p
JOIN {Edition._meta.db_table} e ON e.id = p.edition_id
JOIN {Profile._meta.db_table} pr ON pr.id = e.profile_id
JOIN {Country._meta.db_table} co ON co.id = pr.country_id
JOIN {Topic._meta.db_table} tp ON tp.id = pr.topic_id
CROSS JOIN q
LEFT JOIN best b ON b.edition_id = p.edition_id
LEFT JOIN {Section._meta.db_table} s ON b.kind = 's' AND s.id = b.row_id
LEFT JOIN {Footnote._meta.db_table} f ON b.kind = 'f' AND f.id = b.row_id
WHERE e.state = ANY(%(states)s)
ORDER BY p.leads DESC, p.together DESC, p.score DESC, p.edition_id DESC
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


def _folded(text):
    """`fold` for whole texts: it goes character by character in Python, while the ASCII
    between the few other characters folds by ``lower()`` alone."""
    if text.isascii():
        return text.lower()
    folded = NON_ASCII.sub(lambda match: fold(match.group()), text).lower()
    return folded if len(folded) == len(text) else fold(text)  # positions must stay


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
    # The same positions, accents folded.
    for match in islice(candidates.finditer(_folded(text)), MAX_SPANS):
        stem = STEMMER.stemWord(match.group(0))
        if stem in lexemes:
            spans.append((match.start(), match.end(), stem))
    return spans


def _term_spans(text, terms):
    """Where `terms` (folded) occur in `text`, case and accents aside, with the term found."""
    pattern = re.compile("|".join(re.escape(term) for term in terms))
    return [
        (m.start(), m.end(), m.group(0)) for m in islice(pattern.finditer(_folded(text)), MAX_SPANS)
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
    words = re.findall(r"\w+", fold(q))
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


def _any_term(fields, terms):
    """Rows whose fields hold any of the (folded) terms, accents aside (``folded``: the
    database function of reports.public.folding)."""
    conditions = Q()
    for term in terms:
        for name in fields:
            conditions |= Q(**{f"{name}__folded__contains": term})
    return conditions


def _fallback(filters, limit, offset, lead):
    """Rows holding any of the words; an edition is found when its rows together hold every
    one (the words of a query often stand in different sections, or in a note)."""
    terms = _terms(filters.q)
    if not terms:
        return [], 0
    phrase = " ".join(fold(_phrase(filters.q)).split())
    candidates = []  # (edition_id, country_id, kind, haystack, shown, heading, position, number)
    sections = Section.objects.filter(
        _edition_filter(filters, "edition__"), _any_term(["heading", "body"], terms)
    ).values_list("edition_id", "edition__profile__country_id", "heading", "body", "position")
    candidates += [
        (e, c, "s", f"{h}\n{b}", b, h, p, None) for e, c, h, b, p in sections[:SQLITE_ROWS]
    ]
    notes = Footnote.objects.filter(
        _edition_filter(filters, "edition__"), _any_term(["text"], terms)
    ).values_list("edition_id", "edition__profile__country_id", "text", "number")
    candidates += [(e, c, "f", t, t, "", None, n) for e, c, t, n in notes[:SQLITE_ROWS]]
    summaries = Edition.objects.filter(
        _edition_filter(filters, ""), _any_term(["summary"], terms)
    ).values_list("id", "profile__country_id", "summary")
    candidates += [(e, c, "e", s, s, "", None, None) for e, c, s in summaries[:SQLITE_ROWS]]

    best, totals, found, together, leads = {}, {}, {}, set(), set()
    for edition_id, country_id, kind, haystack, shown, heading, position, number in candidates:
        lowered = _folded(haystack)
        found.setdefault(edition_id, set()).update(term for term in terms if term in lowered)
        if phrase and phrase in " ".join(lowered.split()):
            together.add(edition_id)
        if lead is not None and country_id == lead.pk:
            leads.add(edition_id)
        rank = WEIGHT[kind] * sum(lowered.count(term) for term in terms) / (1 + len(lowered) / 2000)
        totals[edition_id] = totals.get(edition_id, 0) + rank
        if edition_id not in best or rank > best[edition_id][0]:
            best[edition_id] = (rank, kind, shown, heading, position, number)
    matched = [e for e in best if len(found[e]) == len(terms)]
    scored = sorted(
        ((e in leads, e in together, best[e][0] + 0.25 * totals[e], e) for e in matched),
        reverse=True,
    )
    hits = []
    for *_, score, edition_id in scored[offset : offset + limit]:
        _, kind, shown, heading, position, number = best[edition_id]
        shown = _unmarked(shown)
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
    return hits, len(scored)


def plain(snippet):
    """A snippet as text (tests, feeds)."""
    return html.unescape(re.sub(r"</?mark>", "", str(snippet)))
