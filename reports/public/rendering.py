"""Section and footnote text to safe HTML for the public site.

The markup is deliberately plain, because that is what the importer produces and what
researchers type: paragraphs separated by a blank line, footnote markers as ``[n]``, bullet
lines starting with "• " or "- ", and bare http(s) URLs. Nothing else is markup: a stray ``*``,
``_`` or ``#`` in a legacy report (``Myanmar_Burma``, ``* 107 unsurveyed records``) stays
text. Every character of content is escaped (``html.escape``, quotes included) and the only
markup is written here: links to the http(s) URLs found in the raw text (their escaped text as
both address and label), and the structure (paragraphs, lists, footnote markers, the notes list
and its back links) from escaped pieces and integers. So no script from content ever runs.

Every regex here runs on stored text and is linear in it: one published 60 kB body must not take
a page down. The pieces used to pass through nh3 as well; its time grows with the square of the
number of ``&`` entities in a text (160,000 of them took 1.8 s, a megabyte minutes), and it
could find nothing to remove in markup this module writes from escaped text.

Markers are numbered on the page: the k-th marker of note n gets ``id="ref-n-k"`` and links to
``#note-n``; each note links back to every one of its markers. Legacy section headings may carry
a marker too ("Casualties[1]"); it links like one in the text.
"""

import functools
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.urls import reverse
from django.utils.safestring import mark_safe

from ..importer.citations import is_ibid

MARKER = re.compile(r"\[(\d{1,4})\]")
# Starts only where a run of white space starts (or at the bracket): trying every position of a
# long run of spaces would scan the rest of that run again from each one, quadratic.
SPACED_MARKER = re.compile(r"(?<!\s)\s*\[\d{1,4}\]")
# A note names a source in nearly its title's words: this share of them, in order.
NEAR = 0.85
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
BULLET = re.compile(r"^\s*(?:•|-)\s+")
IBID = re.compile(r"^(Ibid\.?)", re.IGNORECASE)
# Matched on the raw text: a URL runs to white space, a quote or an angle bracket, and then gives
# back its trailing punctuation in Python. Every regex here runs on stored text, so each must be
# linear in it: a lazy URL with a lookahead over the punctuation rescanned the rest of the text
# from each character ("http://" followed by 40,000 dots took 21 s).
URL = re.compile(r"\bhttps?://[^\s<>\"']+")
URL_TRAILING = ".,;:!?)]"


def _esc(text):
    return html.escape(text, quote=True)


@dataclass
class Markers:
    """Marker occurrences on one page: which notes exist and how often each was referenced."""

    known: set = field(default_factory=set)
    counts: dict = field(default_factory=dict)
    link: bool = True

    def render(self, match):
        number = int(match.group(1))
        if not self.link or number not in self.known:
            # A marker without a note (a citation error in an old report) stays as printed.
            return f'<sup class="marker missing">[{number}]</sup>'
        k = self.counts.get(number, 0) + 1
        self.counts[number] = k
        # Named by what it shows (the number): the brackets around it are drawn by CSS.
        return (
            f'<sup class="marker"><a href="#note-{number}" id="ref-{number}-{k}">{number}</a></sup>'
        )

    def backrefs(self, number):
        return [f"ref-{number}-{k}" for k in range(1, self.counts.get(number, 0) + 1)]


def _text(text, markers):
    escaped = _esc(text)
    if markers is None or "[" not in escaped:
        return escaped
    return MARKER.sub(markers.render, escaped)


def _inline(text, markers):
    """`text` escaped, its http(s) URLs linked (trailing punctuation stays text) and, outside
    the links, its markers."""
    if "http" not in text:  # most lines: skip the regex's scan of every position
        return _text(text, markers)
    out, end = [], 0
    for match in URL.finditer(text):
        start = match.start()
        scheme = text.index("//", start) + 2
        # At least one character after the scheme, as "http://." was linked before.
        stop = max(start + len(match.group(0).rstrip(URL_TRAILING)), scheme + 1)
        url = _esc(text[start:stop])
        out.append(f'{_text(text[end:start], markers)}<a href="{url}" rel="nofollow">{url}</a>')
        end = stop
    out.append(_text(text[end:], markers))
    return "".join(out)


# A pipe table, as the importer writes tables and editors type them: an optional
# "Table: caption" line, then rows "| a | b |"; a rule row "| --- | --- |" under the first row
# makes it the header. "\|" is a pipe inside a cell.
TABLE_CAPTION = re.compile(r"^Table(?:\s+\d+)?\s*:\s*(?P<caption>\S.*)$", re.IGNORECASE)
TABLE_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)*\s*:?-{3,}:?\s*\|?$")
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


def _table_rows(lines):
    """The pipe rows of a paragraph that is a table (caption line first, if any), or None."""
    caption = TABLE_CAPTION.match(lines[0].strip()) if len(lines) > 2 else None
    rows = lines[1:] if caption else lines
    if len(rows) < 2 or not all(row.lstrip().startswith("|") for row in rows):
        return None
    return (caption["caption"] if caption else None), [row.strip() for row in rows]


def _cells(row):
    row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip().replace("\\|", "|") for cell in CELL_SEPARATOR.split(row)]


def _table(caption, rows, markers):
    """An accessible table: its caption, column headers (scope="col") when a rule row follows
    the first row, and each body row's first cell as its row header."""
    header = None
    if len(rows) > 1 and TABLE_RULE.match(rows[1]):
        header, rows = _cells(rows[0]), rows[2:]
    body = [_cells(row) for row in rows if not TABLE_RULE.match(row)]
    out = ['<table class="data-table">']
    if caption:
        out.append(f"<caption>{_inline(caption, markers)}</caption>")
    if header:
        cells = "".join(f'<th scope="col">{_inline(cell, markers)}</th>' for cell in header)
        out.append(f"<thead><tr>{cells}</tr></thead>")
    out.append("<tbody>")
    for row in body:
        first = f'<th scope="row">{_inline(row[0], markers)}</th>' if header else ""
        rest = row[1:] if header else row
        cells = "".join(f"<td>{_inline(cell, markers)}</td>" for cell in rest)
        out.append(f"<tr>{first}{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _block(paragraph, markers):
    lines = [line for line in paragraph.split("\n") if line.strip()]
    if "|" in paragraph and (table := _table_rows(lines)):
        return _table(*table, markers)
    out, items, prose = [], [], []

    def flush_items():
        if items:
            out.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            items.clear()

    def flush_prose():
        if prose:
            out.append("<p>" + "<br>".join(prose) + "</p>")
            prose.clear()

    for line in lines:
        if BULLET.match(line):
            flush_prose()
            items.append(_inline(BULLET.sub("", line, count=1).strip(), markers))
        else:
            flush_items()
            prose.append(_inline(line.strip(), markers))
    flush_prose()
    flush_items()
    return "".join(out)


def render_text(text, markers=None):
    """Plain text (paragraphs, bullets, markers, URLs) to sanitised HTML."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return mark_safe("")
    return mark_safe(
        "".join(_block(paragraph, markers) for paragraph in PARAGRAPH_BREAK.split(text))
    )


def render_inline(text):
    """One line of text (a footnote, an overview value): escaped, URLs linked, no paragraphs."""
    return mark_safe(_inline((text or "").strip(), None).replace("\n", "<br>"))


def render_heading(text, markers):
    """A section heading: escaped, its markers linked, URLs left as text."""
    return mark_safe(_text((text or "").strip(), markers))


@dataclass
class RenderedSection:
    anchor: str
    label: str  # the heading as plain text for the contents list, without its markers
    heading: str
    html: str


@dataclass
class Content:
    """An edition's content as plain rows: what the renderer needs, cheap to load.

    facts: [(label, value)], sections: [(position, heading, body)], notes: [(number, text)],
    cites: {number: [(source_id, source_title, locator)]} in citation order,
    figures: [(id, width, height, alt_text, caption)].
    """

    summary: str
    facts: list
    sections: list
    notes: list
    cites: dict
    figures: list = field(default_factory=list)


def load_content(edition):
    """Content of a saved edition in five light queries (rows, not model instances)."""
    from sources.models import Citation

    cites = {}
    for number, source_id, title, locator in (
        Citation.objects.filter(footnote__edition=edition)
        .order_by("footnote__number", "position", "id")
        .values_list("footnote__number", "source_id", "source__title", "locator")
    ):
        cites.setdefault(number, []).append((source_id, title, locator))
    return Content(
        summary=edition.summary,
        facts=list(edition.overview_facts.order_by("position").values_list("label", "value")),
        sections=list(
            edition.sections.order_by("position").values_list("position", "heading", "body")
        ),
        notes=list(edition.footnotes.order_by("number").values_list("number", "text")),
        cites=cites,
        figures=list(
            edition.figures.order_by("position").values_list(
                "id", "width", "height", "alt_text", "caption"
            )
        ),
    )


def _title_span(text, title):
    """Where `text` holds `title` as it is, case and runs of spaces aside: (start, end) or None.

    Most notes are one line with single spaces: a plain search then, without a regex.
    """
    wanted = " ".join(title.split())
    if not wanted:
        return None
    lowered = text.lower()
    if len(lowered) == len(text) and "  " not in text and "\n" not in text:
        at = lowered.find(wanted.lower())
        return (at, at + len(wanted.lower())) if at >= 0 else None
    pattern = re.escape(wanted).replace("\\ ", r"\s+")
    match = re.search(pattern, text, re.IGNORECASE)
    return match.span() if match else None


WORD_EDGES = ".,;:()[]“”\"'"


def _word_keys(text):
    """The words of `text` as compared: without the punctuation around them, casefolded."""
    return [word.strip(WORD_EDGES) for word in text.casefold().split()]


@functools.lru_cache(maxsize=4096)
def _title_keys(title):
    keys = _word_keys(title)
    return keys, Counter(keys)


class _NoteWords:
    """A note's words as compared, read once for all the sources it cites."""

    def __init__(self, text):
        self.keys = _word_keys(text)
        self.present = Counter(self.keys)


def _near_title(text, title, note):
    """Where the note names a source in words close to its title ("the General Status" for
    "General Status"): (start, end) of the run of the note's words that holds nearly all the
    title's words in order, or None. `note`: the note's _NoteWords."""
    wanted, counts = _title_keys(title)
    if len(wanted) < 4:
        return None
    # The words in common bound what the matcher can find: most notes fail this cheap test.
    present = note.present
    if sum(min(n, present[key]) for key, n in counts.items()) < NEAR * len(wanted):
        return None
    blocks = [
        block
        for block in SequenceMatcher(None, note.keys, wanted, autojunk=False).get_matching_blocks()
        if block.size
    ]
    if not blocks or sum(block.size for block in blocks) < NEAR * len(wanted):
        return None
    first, last = blocks[0].a, blocks[-1].a + blocks[-1].size - 1
    if last - first + 1 > len(wanted) / NEAR:
        return None  # the words are spread over the note, not one mention
    words = list(re.finditer(r"\S+", text))
    end = words[last].end()
    while end > words[last].start() and text[end - 1] in ".,;:":
        end -= 1
    return words[first].start(), end


def _find_titles(text, sources):
    """Where the note's own text names each source: [(start, end, source_id)] in text order,
    not overlapping, and none holding a URL (which links on its own). Sources it does not
    name are returned apart, in citation order."""
    found, apart = [], []
    note = None
    for source in sources:
        span = _title_span(text, source[1])
        if span is None:
            note = note or _NoteWords(text)
            span = _near_title(text, source[1], note)
        if (
            span is None
            or "http" in text[span[0] : span[1]]
            or any(span[0] < end and start < span[1] for start, end, _ in found)
        ):
            apart.append(source)
            continue
        found.append((*span, source[0]))
    return sorted(found), apart


def _note_text(text, spans, source_url):
    """The note as printed, escaped with its URLs linked, each source it names linked there."""
    if not spans:
        return _inline(text, None).replace("\n", "<br>")

    def piece(start, end):
        return _inline(text[start:end], None) if end > start else ""

    out, at = [], 0
    for start, end, source_id in spans:
        out.append(piece(at, start))
        out.append(f'<a class="source" href="{source_url}{source_id}/">{piece(start, end)}</a>')
        at = end
    out.append(piece(at, len(text)))
    return "".join(out).replace("\n", "<br>")


def _note_html(number, text, ibid, sources, markers, source_url, repeated=()):
    """One <li> of the notes list: the note as printed, its sources linked, its back links.

    A note is printed once: each source it cites is linked where the note names it (the
    importer takes a source's title from the note's words), and only a source it does not
    name follows as "Source: <its whole title>". An "Ibid." links its word to the source it
    repeats (`repeated`: the previous note's sources), which is not named again.

    The note's text is escaped and its URLs linked piece by piece; the list around it is
    written from that, integers and source titles and locators escaped for text and attributes
    alike.
    """
    text = text.strip()
    repeated_ids = {source_id for source_id, _, _ in repeated}
    own = [source for source in sources if not (ibid and source[0] in repeated_ids)]
    spans, apart = _find_titles(text, own)
    html_text = _note_text(text, spans, source_url)
    if ibid and repeated:
        # "Ibid." repeats the previous note's source: the word itself links to it.
        source_id, title, _ = repeated[0]
        label = _esc(" ".join(title.split()))
        link = f'<a href="{source_url}{source_id}/" title="{label}">'
        html_text = IBID.sub(lambda m, a=link: f"{a}{m.group(1)}</a>", html_text, count=1)
    out = [f'<li value="{number}" id="note-{number}"><span class="note-text">{html_text}</span>']
    if apart:
        word = "Sources" if len(apart) > 1 else "Source"
        links = "; ".join(
            f'<a class="source" href="{source_url}{source_id}/">{_esc(" ".join(title.split()))}'
            f"</a>{f', {_esc(locator)}' if locator else ''}"
            for source_id, title, locator in apart
        )
        out.append(f' <span class="cites">{word}: {links}</span>')
    refs = markers.backrefs(number)
    for k, ref in enumerate(refs, start=1):
        suffix = f"<sup>{k}</sup>" if len(refs) > 1 else ""
        out.append(
            f' <a class="backref" href="#{ref}">↩{suffix}'
            f'<span class="visually-hidden"> Back to reference {k} of note {number}</span></a>'
        )
    out.append("</li>")
    return "".join(out)


def render_edition_content(content):
    """Summary, overview, sections and the notes list of `content` (a Content) as safe HTML.

    The notes list is built here as one string (a template loop over 150 notes costs several
    times more than the rest of the page).
    """
    markers = Markers(known={number for number, _ in content.notes})
    summary = render_text(content.summary, markers)
    sections = [
        RenderedSection(
            anchor=f"section-{position}",
            label=SPACED_MARKER.sub("", heading).strip(),
            # Before the body: a heading's marker is the first reference to its note.
            heading=render_heading(heading, markers),
            html=render_text(body, markers),
        )
        for position, heading, body in content.sections
    ]
    source_url = reverse("public:source", args=[0]).rsplit("0/", 1)[0]
    notes = ""
    if content.notes:
        items, previous = [], ()
        for number, text in content.notes:
            ibid, locator = is_ibid(text)
            sources = content.cites.get(number, ())
            if ibid and not sources:
                # Only the importer gives "Ibid." citations; one typed in the admin repeats the
                # previous note's sources all the same, at its own page if it names one.
                sources = [(id_, title, locator or old) for id_, title, old in previous]
            repeated = previous if ibid else ()
            items.append(_note_html(number, text, ibid, sources, markers, source_url, repeated))
            previous = sources
        items = "\n".join(items)
        notes = mark_safe(f'<ol class="footnotes">\n{items}\n</ol>')
    return {
        "summary": summary,
        "facts": [(label, render_inline(value)) for label, value in content.facts],
        "sections": sections,
        "notes": notes,
    }
