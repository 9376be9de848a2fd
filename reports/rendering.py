"""Section and footnote text to safe HTML for the public site.

The markup is deliberately plain, because that is what the importer produces and what
researchers type: paragraphs separated by a blank line, footnote markers as ``[n]``, bullet
lines starting with "• " or "- ", and bare http(s) URLs. Nothing else is markup: a stray ``*``,
``_`` or ``#`` in a legacy report (``Myanmar_Burma``, ``* 107 unsurveyed records``) stays
text. Every piece of text is escaped first and the few tags this module writes are then passed
through nh3 with an allowlist (defence in depth), so no script from content ever runs.

Markers are numbered on the page: the k-th marker of note n gets ``id="ref-n-k"`` and links to
``#note-n``; each note links back to every one of its markers.
"""

import re
from dataclasses import dataclass, field

import nh3
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

MARKER = re.compile(r"\[(\d{1,4})\]")
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
BULLET = re.compile(r"^\s*(?:•|-)\s+")
# Matched on escaped text; a URL stops at whitespace or an escaped quote/bracket.
IBID = re.compile(r"^(Ibid\.?)", re.IGNORECASE)
URL = re.compile(r"\bhttps?://[^\s<>\"']+?(?=[.,;:!?)\]]*(?:\s|$|&quot;|&#x27;|&lt;|&gt;))")

_CLEANER = nh3.Cleaner(
    tags={"p", "ul", "li", "sup", "a", "br"},
    attributes={
        "a": {"href", "id", "class", "rel", "title", "aria-label"},
        "sup": {"class", "id"},
    },
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    strip_comments=True,
)


def sanitize(html):
    """The allowlist every rendered fragment passes through."""
    return mark_safe(_CLEANER.clean(html))


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


def _link_urls(escaped):
    return URL.sub(lambda m: f'<a href="{m.group(0)}" rel="nofollow">{m.group(0)}</a>', escaped)


def _inline(text, markers):
    escaped = _link_urls(escape(text))
    if markers is not None:
        escaped = MARKER.sub(markers.render, escaped)
    return escaped


def _block(paragraph, markers):
    lines = [line for line in paragraph.split("\n") if line.strip()]
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
    html = "".join(_block(paragraph, markers) for paragraph in PARAGRAPH_BREAK.split(text))
    return sanitize(html)


def render_inline(text):
    """One line of text (a footnote, an overview value): escaped, URLs linked, no paragraphs."""
    return sanitize(_inline((text or "").strip(), None).replace("\n", "<br>"))


@dataclass
class RenderedSection:
    anchor: str
    heading: str
    html: str


@dataclass
class RenderedSource:
    url: str
    label: str
    locator: str


@dataclass
class RenderedNote:
    number: int
    html: str
    backrefs: list
    sources: list
    ibid: bool


def _source_label(source):
    title = " ".join(source.title.split())
    return title if len(title) <= 90 else f"{title[:87]}…"


def render_edition_content(edition):
    """Summary, sections and notes of an edition whose content is prefetched.

    Reads ``edition.sections.all()``, ``edition.footnotes.all()`` and each note's
    ``citations.all()`` with their ``source``: no query when they are prefetched.
    """
    footnotes = list(edition.footnotes.all())
    markers = Markers(known={note.number for note in footnotes})
    summary = render_text(edition.summary, markers)
    sections = []
    for section in edition.sections.all():
        sections.append(
            RenderedSection(
                anchor=f"section-{section.position}",
                heading=section.heading,
                html=render_text(section.body, markers),
            )
        )
    source_url = reverse("public:source", args=[0]).rsplit("0/", 1)[0]
    notes = []
    for note in footnotes:
        sources = [
            RenderedSource(
                url=f"{source_url}{citation.source_id}/",
                label=_source_label(citation.source),
                locator=citation.locator,
            )
            for citation in note.citations.all()
        ]
        ibid = note.is_ibid
        html = render_inline(note.text)
        if ibid and sources:
            # "Ibid." repeats the previous note's source: the word itself links to it.
            first = sources[0]
            link = f'<a href="{first.url}" title="{escape(first.label)}">'
            html = sanitize(IBID.sub(lambda m, a=link: f"{a}{m.group(1)}</a>", str(html), count=1))
        notes.append(
            RenderedNote(
                number=note.number,
                html=html,
                backrefs=markers.backrefs(note.number),
                sources=sources,
                ibid=ibid,
            )
        )
    return {"summary": summary, "sections": sections, "notes": notes}
