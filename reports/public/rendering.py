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

import html
import re
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.safestring import mark_safe

from ..importer.citations import is_ibid

MARKER = re.compile(r"\[(\d{1,4})\]")
# Starts only where a run of white space starts (or at the bracket): trying every position of a
# long run of spaces would scan the rest of that run again from each one, quadratic.
SPACED_MARKER = re.compile(r"(?<!\s)\s*\[\d{1,4}\]")
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
        return (
            f'<sup class="marker"><a href="#note-{number}" id="ref-{number}-{k}" '
            f'aria-label="Note {number}">{number}</a></sup>'
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
    cites: {number: [(source_id, source_title, locator)]} in citation order.
    """

    summary: str
    facts: list
    sections: list
    notes: list
    cites: dict


def load_content(edition):
    """Content of a saved edition in four light queries (rows, not model instances)."""
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
    )


def _source_label(title):
    title = " ".join(title.split())
    return title if len(title) <= 90 else f"{title[:87]}…"


def _note_html(number, text, ibid, sources, markers, source_url):
    """One <li> of the notes list: the note as printed, its sources, its back links.

    The note's own text is escaped and its URLs linked; the list around it is written from
    that, integers and source titles and locators escaped for text and attributes alike.
    """
    text = _inline(text.strip(), None).replace("\n", "<br>")
    cites = []
    for source_id, title, locator in sources:
        label = _esc(_source_label(title))
        locator = f", {_esc(locator)}" if locator else ""
        cites.append((f"{source_url}{source_id}/", label, locator))
    if cites and ibid:
        # "Ibid." repeats the previous note's source: the word itself links to it.
        url, label, _ = cites[0]
        link = f'<a href="{url}" title="{label}">'
        text = IBID.sub(lambda m, a=link: f"{a}{m.group(1)}</a>", text, count=1)
    out = [f'<li value="{number}" id="note-{number}"><span class="note-text">{text}</span>']
    if cites:
        word = "Repeats" if ibid else ("Sources" if len(cites) > 1 else "Source")
        links = "; ".join(f'<a href="{url}">{label}</a>{locator}' for url, label, locator in cites)
        out.append(f' <span class="cites">{word}: {links}</span>')
    refs = markers.backrefs(number)
    for k, ref in enumerate(refs, start=1):
        suffix = f"<sup>{k}</sup>" if len(refs) > 1 else ""
        out.append(
            f' <a class="backref" href="#{ref}" '
            f'aria-label="Back to reference {k} of note {number}">↩{suffix}</a>'
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
            items.append(_note_html(number, text, ibid, sources, markers, source_url))
            previous = sources
        items = "\n".join(items)
        notes = mark_safe(f'<ol class="footnotes">\n{items}\n</ol>')
    return {
        "summary": summary,
        "facts": [(label, render_inline(value)) for label, value in content.facts],
        "sections": sections,
        "notes": notes,
    }
