"""Read a legacy archive document (plain text or an HTML page) into country profiles.

Pure Python (no Django), so it is fast and testable on its own. The parser never raises on bad
input: problems become warnings with the line they occur on, and a document that cannot be
understood at all gets ParsedDocument.error. Nothing of a document's body is dropped: only
website chrome and the structural lines that the fields stand for (title, topic, "Last
updated", country and overview headings) are left out of the text.
"""

import codecs
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePath

import mammoth
from selectolax.lexbor import LexborHTMLParser

from .citations import DATE, Citation, ibid_parts, iso_date, split_citations
from .countries import catalogue_entries

LEGACY_TOPIC = "Country report"
# The standard Monitor topics; the database's Topics are added to them (service.Reference).
DEFAULT_TOPICS = [
    "Mine Ban Policy",
    "Cluster Munition Ban Policy",
    "Mine Action",
    "Cluster Munition Remnants",
    "Impact",
    "Casualties",
    "Casualties and Victim Assistance",
    "Victim Assistance",
    "Support for Mine Action",
    LEGACY_TOPIC,
]
NAME_SEPARATORS = re.compile(r"[\W_]+")
MARKER = re.compile(r"\[\s*(\d{1,3})\s*\]")
# Markers are printed "[n]" right after the word they support; "word [n]" and "[n]Word" are
# typing slips of the same marker.
MARKER_IN_TEXT = re.compile(r"[ \t\u00a0]*\[[ \t]*(\d{1,3})[ \t]*\](\w?)")
TRAILING_MARKER = re.compile(r"\s*\[\s*\d{1,3}\s*\]$")
FOOTNOTE_LINE = re.compile(r"^\[\s*(\d{1,3})\s*\]\s*(.*)$", re.DOTALL)
BULLET = re.compile(r"^(?:[•·▪◦●○*]|-(?=\s))\s*")
TITLE_LINE = re.compile(
    # The country's name may hold a comma itself ("Korea, Republic of").
    r"^(?P<country>[^,]{2,80}?(?:,[^,]{2,40}?)?),\s*(?P<series>landmine|cluster\s+munition)"
    r"\s+monitor"
    r"(?:\s+report)?\s+(?P<year>(?:19|20)\d\d)$",
    re.IGNORECASE,
)
# A report's own heading without a country, as hard-wrapped pages and print editions carry it
# ("Landmine Monitor Report 2001: Toward a Mine-Free World").
REPORT_HEADING = re.compile(
    r"^(?P<series>landmine|cluster\s+munition)\s+monitor(?:\s+report)?\s+(?P<year>(?:19|20)\d\d)"
    r"(?:\s*[:–—-].{0,120})?$",
    re.IGNORECASE,
)
# A year in a file's path, as archive crawls keep it (lm/2006/belarus.html).
PATH_YEAR = re.compile(r"(?<![A-Za-z0-9])(?:19|20)\d\d(?![A-Za-z0-9])")
# Titles of the report's chapters that are about no one country.
GLOBAL_CHAPTER = re.compile(
    r"^(?:major\s+findings|ban\s+policy|introduction|executive\s+summary|press\s+release|"
    r"preface|foreword|methodology|glossary|acknowledg(?:e)?ments|global\s+overview|"
    r"(?:landmine|cluster\s+munition)\s+monitor\s+(?:report\s+)?(?:19|20)\d\d\s*[:–—-]\s*"
    r"(?:major\s+findings|introduction|executive\s+summary|press\s+release))\b",
    re.IGNORECASE,
)
LAST_UPDATED = re.compile(r"^last\s+updated\b\s*[:\-–]?\s*(?P<date>.*)$", re.IGNORECASE)
COUNTRY_LABEL = re.compile(r"^country\s*:\s*(?P<name>\S.*)$", re.IGNORECASE)
YEAR_ONLY = re.compile(r"(?:19|20)\d\d")
LEAD_IN = re.compile(
    r"^(?:key\s+developments(?:\s+since\s+[^:]{1,40})?|summary|ten-year\s+review|"
    r"five-year\s+review|key\s+findings|main\s+developments)\s*:",
    re.IGNORECASE,
)
OVERVIEW_HEADING = re.compile(
    r"^(?:(?:[\w'’-]+\s+){0,4}overview|key\s+facts|key\s+data|at\s+a\s+glance|"
    r"commitment\s+to\s+the\s+(?:mine\s+ban\s+treaty|convention\s+on\s+cluster\s+munitions))$",
    re.IGNORECASE,
)
# The labels of the 2007–2008 key data box, each followed by its value on the next paragraph.
_YEAR_SUFFIX = r"(?:\s+(?:in|for)\s+(?:19|20)\d\d(?:[–-]\d{2,4})?)?"
KEY_DATA_LABEL = re.compile(
    r"^(?:state\s+party\s+since|signatory\s+since|signed|ratified|accession|"
    r"entry\s+into\s+force|treaty\s+implementing\s+legislation|"
    r"national\s+implementation\s+measures|stockpiles?|stockpile\s+destruction|"
    r"(?:extent\s+of\s+|estimated\s+)?contamination|"
    r"article\s+\d+(?:\s+\([^)]{1,60}\))?(?:\s+deadline)?|"
    r"(?:mine/erw|mine|landmine|erw|cluster\s+munition|total)?\s*casualties" + _YEAR_SUFFIX + r"|"
    r"(?:international\s+|national\s+)?(?:mine\s+action\s+)?funding" + _YEAR_SUFFIX + r"|"
    r"(?:mine\s+)?risk\s+education|victim\s+assistance|survivor\s+assistance|"
    r"(?:mine\s+)?clearance" + _YEAR_SUFFIX + r"|land\s+release" + _YEAR_SUFFIX + r"|"
    r"area\s+cleared" + _YEAR_SUFFIX + r"|article\s+7\s+report|transparency\s+report|"
    r"(?:mine\s+ban\s+treaty|ccm|convention\s+on\s+cluster\s+munitions)\s+status|"
    r"treaty\s+status|(?:pro-mine\s+ban\s+)?unga\s+voting\s+record|"
    r"participation\s+in\s+(?:mine\s+ban\s+treaty|ccm)\s+meetings|"
    r"mine\s+action\s+(?:program(?:me)?|centre|center|coordination))\s*:?$",
    re.IGNORECASE,
)
# Status lines at the top of a mine-action profile ("Article 5 deadline: 1 June 2016").
STATUS_LINE = re.compile(r"^(?P<label>[A-Z][^:.\[]{1,60}):\s+(?P<value>\S.{0,300})$")
TREATY_STATUS = re.compile(
    r"^(?:not\s+(?:a\s+)?|a\s+)?(?:state\s+party|signatory|party)\s+to\s+the\s+"
    r"(?P<treaty>convention\s+on\s+cluster\s+munitions|mine\s+ban\s+treaty)\b[^.]{0,80}\.?$",
    re.IGNORECASE,
)
PARENTHESISED = re.compile(r"^\([^()]{2,300}\)\.?$")
# Cells of a table flattened to one cell a line: numbers (with units and markers) or blanks.
NUMERIC_CELL = re.compile(
    r"^[(\-–—+~<>]?\s?[$€£]?\s?\d[\d,.\s]*(?:%|m²|km²|m2|km2|sq\.?\s?k?m)?\)?"
    r"(?:\s*\[\d{1,3}\])*$"
)
EMPTY_CELLS = frozenset(["-", "–", "—", "n/a", "na", "none", "nil", "unknown", "not known", "x"])
TABLE_CAPTION = re.compile(r"^table(?:\s+\d+)?\s*:\s*\S", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
NOT_HEADING_END = re.compile(r"[.;,:…][\"”’')\]]*$")
SENTENCE_BREAK = re.compile(r"[.!?][\"”’)]*\s+[A-Z“\"]")

MENU_LINES = frozenset(
    {
        "about us",
        "the issues",
        "our research products",
        "order publications",
        "multimedia",
        "press room",
        "resources for monitor researchers",
        "archives home page",
        "table of contents",
        "country reports",
        "country profiles",
        "sub-sections:",
        "sub-sections",
        "home",
        "home page",
        "contact us",
        "search",
        "print",
        "print this page",
        "printer-friendly version",
        "printer friendly version",
        "back to top",
        "top of page",
        "share",
        "share this page",
        "site map",
        "sitemap",
        "log in",
        "login",
        "skip to main content",
        "main menu",
        "menu",
        "feedback",
        "e-mail notification",
        "email notification",
        "e-mail notifications",
        "email notifications",
        "subscribe",
        "submit",
        "send",
        "sections",
        "facebook",
        "twitter",
        "linkedin",
        "whatsapp",
        "download",
        "download pdf",
        "pdf",
    }
)
MENU_HEADING = re.compile(
    r"^(?:jump\s+to(?:\s+(?:a\s+)?sections?)?|sections|on\s+this\s+page|in\s+this\s+profile)\s*:?$",
    re.IGNORECASE,
)
CHROME_LINE = re.compile(
    r"^(?:jump\s+to\b|sub-sections\s*:|©|\(c\)\s|photo(?:\s+credit)?\s*:|image\s*:|"
    r"caption\s*:|copyright\b|"
    r"(?:sign\s+up|subscribe|register)\b.{0,60}\b(?:e-?mail|notifications?|newsletter|updates)\b|"
    r"(?:receive|get)\s+(?:an?\s+)?e-?mail|e-?mail\s+(?:me|notifications?|alerts?)\b|"
    r"send\s+(?:[\w’']+\s+){0,4}(?:feedback|comments)\b|"
    r"(?:print|download)\s+(?:this\s+)?(?:page|profile|report|pdf|version)\b|"
    r"share\s+(?:on|via|this)\b|e-?mail\s+this\b|"
    r"(?:give|leave|submit)\s+(?:us\s+)?(?:your\s+)?feedback\b|"
    r"(?:enter\s+)?your\s+e-?mail(?:\s+address)?\s*:?$)",
    re.IGNORECASE,
)
HTML_DROPPED = (
    "script, style, nav, noscript, template, head, iframe, svg, figcaption, input, select, "
    "button, textarea, [role=navigation], [class*=caption], [class*=credit], "
    "[class*=breadcrumb], [class*=menu], [id*=menu]"
)
HTML_PARAGRAPHS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "main",
        "table",
        "ul",
        "ol",
        "dl",
        "figure",
        "pre",
        "address",
        "hr",
        "form",
        "fieldset",
    ]
)
HTML_LINES = frozenset(
    [
        "div",
        "tr",
        "li",
        "dt",
        "dd",
        "td",
        "th",
        "caption",
        "br",
        "title",
        "body",
        "html",
    ]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
# Placeholders while walking the tree: adjacent breaks merge into one, the widest wins.
LINE_BREAK, PARAGRAPH_BREAK, LIST_ITEM = "\x01", "\x02", "\x03"
HTML_BREAKS = re.compile(r"(?:[ \t]*[\x01\x02][ \t]*)+")
HTML_LIST_ITEM = re.compile(r"\x03[ \t]*")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")

BLANK, TEXT, TITLE, TOPIC, UPDATED, COUNTRY, REPORT = (
    "blank",
    "text",
    "title",
    "topic",
    "updated",
    "country",
    "report",
)


@dataclass
class ParseWarning:
    line: int
    message: str


@dataclass
class ParsedFootnote:
    number: int
    text: str
    line: int
    sources: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


@dataclass
class ParsedSection:
    heading: str
    text: str


@dataclass
class ParsedProfile:
    country: str | None
    country_hint: str | None
    topic: str
    report: str | None
    report_year: int | None
    last_updated: str | None
    # What decided the date: the text (and which line), the file's path or the year given.
    date_from: str | None
    summary: str
    overview: list[tuple[str, str]]
    sections: list[ParsedSection]
    footnotes: list[ParsedFootnote]
    warnings: list[ParseWarning]
    start_line: int


@dataclass
class ParsedDocument:
    profiles: list[ParsedProfile]
    error: str | None
    text: str
    # The document is not a country profile (a global chapter, a press release): reported as
    # such, never imported as one.
    not_profile: bool = False
    # Lines of website text (menus, feedback boxes, share links) left out.
    stripped_lines: int = 0


def name_key(name):
    key = NAME_SEPARATORS.sub(" ", name.lower()).strip()
    if not key.isascii():
        # "Côte d'Ivoire" and "Cote d'Ivoire" are one name.
        key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    return key


class CountryLookup:
    """Canonical country names by every spelling the archive uses for them."""

    def __init__(self, entries: dict[str, list[str]]):
        self.names = {}
        # Canonical names first, so an alias never takes over another country's name.
        for canonical in entries:
            self._add(canonical, canonical)
        for canonical, aliases in entries.items():
            for alias in aliases:
                self._add(alias, canonical)
        # The longest name (in words) starting with each word: prose is searched only where
        # a name can start, which keeps a search over 250 countries' names fast.
        self.starts = {}
        for key in self.names:
            first, *rest = key.split()
            self.starts[first] = max(self.starts.get(first, 0), len(rest) + 1)

    def _add(self, name, canonical):
        key = name_key(name)
        if key:
            self.names.setdefault(key, canonical)
            self.names.setdefault(key.replace(" and ", " "), canonical)

    @classmethod
    def default(cls):
        global _default_lookup
        if _default_lookup is None:
            _default_lookup = cls(catalogue_entries())
        return _default_lookup

    def resolve(self, text):
        key = name_key(text)
        if key.startswith("the "):
            key = key[4:]
        return self.names.get(key) or self.names.get(key.replace(" and ", " "))

    def _named_at(self, words, start):
        """(country, words its name takes) for the longest name at words[start], or None."""
        longest = self.starts.get(words[start])
        if longest is None:
            return None
        for length in range(min(longest, len(words) - start), 0, -1):
            found = self.names.get(" ".join(words[start : start + length]))
            if found:
                return found, length
        return None

    def all_in_prose(self, text):
        """Every country named in the text, in order, the longest name at each position."""
        words = name_key(text).split()
        start = 0
        while start < len(words):
            named = self._named_at(words, start)
            if named:
                yield named[0]
                start += named[1]
            else:
                start += 1

    def find_in_prose(self, text):
        """The first country named in the text, preferring the longest name at a position."""
        words = name_key(text).split()
        for start in range(len(words)):
            named = self._named_at(words, start)
            if named:
                return named[0]
        return None


_default_lookup = None


def decode(raw: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            text = raw[len(bom) :].decode(encoding, errors="replace")
            break
    else:
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(html: str, headings: set | None = None) -> str:
    """The page's text, a line per block; `headings`, when given, gains the text of each
    h1–h6 element (a Word document's heading styles)."""
    tree = LexborHTMLParser(html)
    for node in tree.css(HTML_DROPPED):
        node.decompose()
    for node in tree.css("sup"):
        number = node.text().strip()
        if number.isdigit():
            # Footnote markers printed as superscript numbers.
            node.replace_with(f"[{number}]")
    root = tree.body or tree.root
    pieces = []
    # An explicit stack instead of recursion: archive pages can nest deeper than Python's limit.
    stack = [root] if root is not None else []
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
            continue
        tag = item.tag
        if tag == "-text":
            text = CONTROL_CHARACTERS.sub("", item.text(deep=False) or "")
            pieces.append(HTML_WHITESPACE.sub(" ", text))
            continue
        if tag.startswith("-"):
            continue
        if tag == "table" and (table := html_table(item)) is not None:
            pieces.append(PARAGRAPH_BREAK + table + PARAGRAPH_BREAK)
            continue
        if headings is not None and tag in HEADING_TAGS:
            headings.add(" ".join(item.text().split()))
        opening, closing = html_breaks(tag)
        pieces.append(opening)
        stack.append(closing)
        children = []
        child = item.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    text = HTML_BREAKS.sub(
        lambda match: "\n\n" if PARAGRAPH_BREAK in match[0] else "\n", "".join(pieces)
    )
    return tidy_lines(HTML_LIST_ITEM.sub("  • ", text))


def html_table(node):
    """A data table as pipe table text (its caption a "Table:" line), or None for a table
    that lays out a page (nested tables, one column, paragraphs in its cells)."""
    if len(node.css("table")) > 1:  # the table itself and a nested one
        return None
    rows = []
    links = 0  # cells that are nothing but a link: a menu laid out as a table
    for row in node.css("tr"):
        cells = []
        child = row.child
        while child is not None:
            if child.tag in ("td", "th"):
                text = HTML_WHITESPACE.sub(" ", child.text(separator=" ")).strip()
                cells.append(CONTROL_CHARACTERS.sub("", text))
                link = child.css_first("a")
                if text and link is not None and link.text().strip() == text:
                    links += 1
            child = child.next
        if any(cells):
            rows.append(cells)
    if links * 2 >= sum(len(row) for row in rows):
        return None
    width = max((len(row) for row in rows), default=0)
    if len(rows) < 2 or width < 2 or any(len(cell) > 200 for row in rows for cell in row):
        return None
    rows = [row + [""] * (width - len(row)) for row in rows]
    caption = node.css_first("caption")
    caption_text = HTML_WHITESPACE.sub(" ", caption.text()).strip() if caption else ""
    lines = [f"Table: {caption_text}"] if caption_text else []
    lines += [pipe_row(rows[0]), pipe_row(["---"] * width), *(pipe_row(row) for row in rows[1:])]
    return "\n".join(lines)


# Mammoth's footnotes: a list at the end whose items link back to their markers.
WORD_NOTE = re.compile(r'<li id="(?:foot|end)note-([\w-]+)">(.*?)</li>', re.DOTALL)
WORD_NOTE_REFERENCE = re.compile(
    r'<sup><a href="#(?:foot|end)note-([\w-]+)" id="[^"]*">[^<]*</a></sup>'
)
WORD_BACK_LINK = re.compile(r'\s*<a href="#(?:foot|end)note-ref-[\w-]+">[^<]*</a>')
DOCX_MAX_BYTES = 50 * 1024 * 1024


def docx_to_html(raw):
    """(HTML of a Word document, None) or (None, the reason it cannot be read). Headings come
    from the heading styles, tables stay tables, and Word's footnotes become "[n] text"
    paragraphs at the end, numbered in order, with "[n]" markers where Word put them."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
        if "word/document.xml" not in names:
            return None, "The file is a zip but not a Word document (.docx)."
        if unpacked > DOCX_MAX_BYTES:
            return None, f"The Word document is too large once unpacked ({unpacked:,} bytes)."
        html = mammoth.convert_to_html(io.BytesIO(raw)).value
    except Exception as exc:  # noqa: BLE001 - any fault of a damaged file is the file's
        return None, f"The Word document cannot be read ({type(exc).__name__}: {exc})."[:300]
    numbers = {}

    def note(match):
        number = numbers.setdefault(match[1], len(numbers) + 1)
        body = WORD_BACK_LINK.sub("", match[2])
        if body.startswith("<p>"):
            return f"<p>[{number}] {body[3:]}"
        return f"<p>[{number}] {body}</p>"

    html = WORD_NOTE.sub(note, html)
    return WORD_NOTE_REFERENCE.sub(lambda match: f"[{numbers.get(match[1], match[1])}]", html), None


def is_docx(name, raw):
    return PurePath(name).suffix.lower() == ".docx" or raw.startswith(b"PK\x03\x04")


def html_breaks(tag):
    if tag == "li":
        return LINE_BREAK + LIST_ITEM, LINE_BREAK
    if tag in HTML_PARAGRAPHS:
        return PARAGRAPH_BREAK, PARAGRAPH_BREAK
    if tag in HTML_LINES:
        return LINE_BREAK, LINE_BREAK
    return "", ""


def tidy_lines(text):
    """Trailing spaces off every line; runs of blank lines kept to one."""
    lines = [line.rstrip() for line in text.split("\n")]
    kept = []
    for line in lines:
        if line.strip() or (kept and kept[-1].strip()):
            kept.append(line if line.strip() else "")
    return "\n".join(kept).strip("\n") + "\n"


def looks_like_html(name, text):
    if PurePath(name).suffix.lower() in (".html", ".htm"):
        return True
    head = text.lstrip()[:2000].lower()
    return head.startswith("<") and ("<html" in head or "<body" in head or "<!doctype" in head)


def is_chrome(text):
    """Website furniture: menus, navigation bars, feedback boxes, photo credits."""
    stripped = text.strip()
    if stripped.startswith("|") or stripped in ("-", "–", "—"):
        return False  # a table row, a table's empty cell
    if not any(char.isalnum() for char in stripped):
        return True
    if " ".join(stripped.lower().split()) in MENU_LINES:
        return True
    if CHROME_LINE.match(stripped) or ("©" in stripped and len(stripped) <= 200):
        return True
    return is_navigation_bar(stripped)


def is_menu_entry(text):
    core = BULLET.sub("", text)
    return len(core.split()) <= 10 and not SENTENCE_END.search(core) and "[" not in core


def is_navigation_bar(text):
    if text.startswith("|"):
        return False  # a table row
    parts = [part.strip() for part in text.split("|")]
    parts = [part for part in parts if part]
    return len(parts) >= 3 and all(
        len(part.split()) <= 6 and not part.endswith(".") for part in parts
    )


def is_credit(text):
    stripped = text.strip()
    return stripped.startswith("©") or bool(re.match(r"photo(?:\s+credit)?\s*:", stripped, re.I))


@dataclass
class Line:
    number: int
    kind: str
    text: str
    match: re.Match | None = None
    topic: str | None = None
    chrome: bool = False  # website text, left out (its text kept to count and to debug)


def classify_lines(text, topics):
    raw_lines = text.split("\n")
    lines = []
    # After a "Jump to section" or "Sections" line: the menu's entries, the lines right under
    # it or, after a blank line, a list; the menu ends at the next blank line.
    in_menu = after_blank = False
    for index, raw in enumerate(raw_lines):
        stripped = raw.strip()
        number = index + 1
        if not stripped:
            if in_menu:
                in_menu = after_blank = bool(MENU_HEADING.match(lines[-1].text))
            lines.append(Line(number, BLANK, ""))
            continue
        following = raw_lines[index + 1].strip() if index + 1 < len(raw_lines) else ""
        listed = not after_blank or BULLET.match(stripped)
        if in_menu and listed and is_menu_entry(stripped):
            after_blank = False
            lines.append(Line(number, BLANK, stripped, chrome=True))
            continue
        in_menu, after_blank = bool(MENU_HEADING.match(stripped)), False
        if (
            in_menu
            or is_chrome(stripped)
            or (following and is_credit(following) and len(stripped) <= 160 and "[" not in stripped)
        ):
            lines.append(Line(number, BLANK, stripped, chrome=True))
            continue
        collapsed = " ".join(stripped.split())
        if match := TITLE_LINE.match(collapsed):
            lines.append(Line(number, TITLE, collapsed, match))
        elif match := REPORT_HEADING.match(collapsed):
            lines.append(Line(number, REPORT, collapsed, match))
        elif match := LAST_UPDATED.match(collapsed):
            lines.append(Line(number, UPDATED, collapsed, match))
        elif collapsed.lower() in topics:
            lines.append(Line(number, TOPIC, stripped, topic=topics[collapsed.lower()]))
        elif match := COUNTRY_LABEL.match(collapsed):
            lines.append(Line(number, COUNTRY, match["name"].strip(), match))
        else:
            lines.append(Line(number, TEXT, stripped))
    return lines


@dataclass
class Draft:
    """A profile's lines while the document is being divided into profiles."""

    start_line: int
    topic: str | None = None
    topic_line: Line | None = None
    # Other topics' lines inside the profile, kept as headings.
    other_topics: list[str] = field(default_factory=list)
    title: Line | None = None
    report_heading: Line | None = None
    updated: Line | None = None
    country: Line | None = None
    body: list[Line] = field(default_factory=list)
    has_body: bool = False
    has_notes: bool = False

    @property
    def legacy(self):
        return self.title is not None

    def add(self, line, lookup):
        if line.kind == TEXT:
            if not self.has_body and self.country is None and self.is_country_line(line, lookup):
                self.country = line
                return
            previous = self.body[-1] if self.body else None
            if FOOTNOTE_LINE.match(line.text) and (previous is None or previous.kind == BLANK):
                self.has_notes = True
            self.has_body = True
        self.body.append(line)

    def is_country_line(self, line, lookup):
        if lookup.resolve(line.text):
            return True
        return self.title is not None and name_key(line.text) == name_key(
            self.title.match["country"]
        )


def next_kind(lines, index):
    for line in lines[index + 1 :]:
        if line.kind != BLANK:
            return line.kind
    return None


def divide_into_profiles(lines, lookup):
    """(lines before the first profile, profile drafts) — a topic line or "Last updated" after
    a profile's notes, or followed by "Last updated", starts the next profile."""
    preamble, drafts, current = [], [], None

    def start(line):
        draft = Draft(start_line=line.number)
        drafts.append(draft)
        return draft

    for index, line in enumerate(lines):
        if line.kind == TITLE:
            if current is None or current.has_body or current.legacy:
                current = start(line)
            current.title = line
            current.topic = LEGACY_TOPIC
        elif line.kind == TOPIC:
            if current is None:
                current = start(line)
                current.topic, current.topic_line = line.topic, line
            elif current.legacy:
                current.add(Line(line.number, TEXT, line.text), lookup)
            elif current.topic is None:
                current.topic, current.topic_line = line.topic, line
            elif current.has_notes or next_kind(lines, index) == UPDATED:
                current = start(line)
                current.topic, current.topic_line = line.topic, line
            else:
                if stands_alone(lines, index):
                    current.other_topics.append(line.topic)
                current.add(Line(line.number, TEXT, line.text), lookup)
        elif line.kind == REPORT:
            # The report's heading (repeated as a running head on hard-wrapped pages).
            if current is None:
                preamble.append(line)
            elif current.report_heading is None and current.title is None:
                current.report_heading = line
        elif line.kind == UPDATED:
            if current is None or current.has_notes or current.updated is not None:
                current = start(line)
            current.updated = line
        elif line.kind == COUNTRY and (current is None or not current.has_body):
            if current is None:
                preamble.append(line)
            else:
                current.country = line
        elif current is None:
            preamble.append(line)
        else:
            current.add(
                line if line.kind != COUNTRY else Line(line.number, TEXT, line.text), lookup
            )
    drafts = merge_topicless(drafts)
    for draft in drafts:
        if is_yearly_report(draft):
            # Its topic line is the first section's heading.
            draft.body.insert(0, Line(draft.topic_line.number, TEXT, draft.topic_line.text))
            draft.topic = LEGACY_TOPIC
    return preamble, drafts


def stands_alone(lines, index):
    """Whether a line is a paragraph of its own (blank lines around it)."""
    before = lines[index - 1].kind if index else BLANK
    after = lines[index + 1].kind if index + 1 < len(lines) else BLANK
    return before == BLANK and after == BLANK


def is_yearly_report(draft):
    """A yearly country report (1999–2009) without its title line: undated, with sections
    headed by other topics ("Mine Ban Policy", then "Mine Action"), not parts of its own
    ("Casualties" in "Casualties and Victim Assistance")."""
    if draft.legacy or draft.updated is not None or draft.topic_line is None:
        return False
    own = draft.topic.lower()
    return own != "impact" and any(
        other.lower() not in own and own not in other.lower() for other in draft.other_topics
    )


def merge_topicless(drafts):
    """A "Last updated" line without a topic does not make a profile: its lines join a
    neighbour so that nothing is lost."""
    merged = []
    orphans = []
    for draft in drafts:
        if draft.topic is None:
            if merged:
                merged[-1].body.extend([Line(draft.start_line, BLANK, ""), *draft.body])
            else:
                orphans.append(draft)
            continue
        for orphan in orphans:
            draft.body[:0] = [*orphan.body, Line(orphan.start_line, BLANK, "")]
            draft.updated = draft.updated or orphan.updated
            draft.country = draft.country or orphan.country
        orphans = []
        merged.append(draft)
    return merged


@dataclass
class Unit:
    """A paragraph, heading or single line of a block, as it will be laid out."""

    text: str
    line: int
    block: int
    alone: bool
    gap: int
    table: bool = False  # a pipe table (its caption line and rows), kept whole

    @property
    def bullet(self):
        return bool(BULLET.match(self.text))

    @property
    def prose(self):
        return is_prose(self.text)


def without_trailing_markers(text):
    while text.endswith("]"):
        match = TRAILING_MARKER.search(text[-12:])
        if not match:
            break
        text = text[: len(text) - len(match[0])]
    return text


def is_prose(text):
    core = without_trailing_markers(text)
    words = len(core.split())
    return len(core) >= 100 or (
        bool(SENTENCE_END.search(core)) and (words >= 8 or bool(SENTENCE_BREAK.search(core)))
    )


def is_heading_text(text):
    core = without_trailing_markers(text).strip()
    if not core or len(core) > 100 or len(core.split()) > 14:
        return False
    if NOT_HEADING_END.search(core) or BULLET.match(core):
        return False
    first = core[0]
    return first.isalnum() and (first.isupper() or first.isdigit()) and not core.isdigit()


def is_label(text):
    return len(text) <= 100 and len(text.split()) <= 12 and not SENTENCE_END.search(text)


def first_word_length(text):
    return len(text.split(maxsplit=1)[0])


def split_blocks(lines):
    """Runs of non-blank lines, each with the number of blank lines before it."""
    blocks, current, gap = [], [], 0
    for line in lines:
        if line.kind == BLANK:
            if current:
                blocks.append((gap, current))
                current, gap = [], 0
            gap += 1
        else:
            current.append(line)
    if current:
        blocks.append((gap, current))
    return blocks


def block_units(block_index, gap, block):
    """The units of a block: pipe tables (with their "Table:" caption line) whole, the other
    lines as paragraphs, headings and single lines."""
    if not any(line.text.startswith("|") for line in block):
        return text_units(block_index, gap, block)
    units, run, index = [], [], 0

    def flush():
        if run:
            units.extend(text_units(block_index, gap if not units else 0, run))
            run.clear()

    while index < len(block):
        line = block[index]
        captioned = (
            TABLE_CAPTION.match(line.text)
            and index + 1 < len(block)
            and block[index + 1].text.startswith("|")
        )
        if not (line.text.startswith("|") or captioned):
            run.append(line)
            index += 1
            continue
        flush()
        end = index + 1
        while end < len(block) and block[end].text.startswith("|"):
            end += 1
        text = "\n".join(row.text for row in block[index:end])
        units.append(Unit(text, line.number, block_index, False, gap if not units else 0, True))
        index = end
    flush()
    return units


def text_units(block_index, gap, block):
    texts = [line.text for line in block]
    if len(block) == 1:
        return [Unit(texts[0], block[0].number, block_index, True, gap)]
    width = max(len(text) for text in texts)

    def full(index):
        # A greedy wrapper broke this line because the next word would not fit.
        following = texts[index + 1]
        return len(texts[index]) + 1 + first_word_length(following) > width - 3

    wrapped = 40 <= width <= 110 and sum(full(index) for index in range(len(texts) - 1)) >= max(
        1, (len(texts) - 1) // 2
    )
    units = []
    for index, text in enumerate(texts):
        joins = (
            wrapped
            and units
            and full(index - 1)
            and not BULLET.match(text)
            and not starts_heading(texts, index, full)
            and not (is_status_line(text) and is_status_line(texts[index - 1]))
        )
        if joins:
            units[-1].text += " " + text
        else:
            units.append(
                Unit(text, block[index].number, block_index, False, gap if not units else 0)
            )
    if len(units) == 1:
        units[0].alone = True
    return units


def starts_heading(texts, index, full):
    """A heading line inside hard-wrapped text: after a finished sentence, itself not full."""
    if not SENTENCE_END.search(without_trailing_markers(texts[index - 1])):
        return False
    last = index == len(texts) - 1
    return is_heading_text(texts[index]) and (last or not full(index))


def normalise_markers(text):
    return MARKER_IN_TEXT.sub(lambda m: f"[{m[1]}]" + (f" {m[2]}" if m[2] else ""), text)


def is_heading(units, index):
    unit = units[index]
    if unit.table or not is_heading_text(unit.text):
        return False
    if unit.alone:
        return True
    previous = units[index - 1] if index else None
    following = units[index + 1] if index + 1 < len(units) else None
    first_in_block = previous is None or previous.block != unit.block or previous.prose
    return (
        first_in_block
        and following is not None
        and following.block == unit.block
        and following.prose
        and not following.bullet
    )


def overview_cells(text):
    cells = [cell.strip() for cell in text.split("|")]
    if cells and not cells[-1]:
        cells.pop()
    return cells


def read_overview(units, index, overview):
    """Label/value pairs from index on; returns the index of the first unit after them."""
    label = None
    piped = False  # print profiles: "Label |" and "Value |" lines, and nothing else
    while index < len(units):
        unit = units[index]
        text = unit.text
        if unit.table or (label is None and overview and unit.gap >= 2):
            break
        if "|" not in text and piped:
            break
        if "|" in text:
            piped = True
            cells = overview_cells(text)
            if label is not None:
                overview.append((label, " | ".join(cells)))
                label = None
            elif len(cells) >= 2:
                overview.append((cells[0], " | ".join(cells[1:])))
            elif cells:
                label = cells[0]
        elif label is None:
            head, colon, tail = text.partition(": ")
            if colon and is_label(head):
                overview.append((head, tail.strip()))
            elif is_label(text) and not is_prose(text):
                label = text
            else:
                break
        elif unit.gap >= 2 or (is_prose(text) and SENTENCE_BREAK.search(text)):
            break
        else:
            overview.append((label, text))
            label = None
        index += 1
    if label is not None:
        overview.append((label, ""))
    return index


def layout(units):
    """Section text: paragraphs apart by one blank line, lines of a list or table kept."""
    parts = []
    for position, unit in enumerate(units):
        if position:
            previous = units[position - 1]
            together = (
                not (unit.table or previous.table)
                and previous.block == unit.block
                and (previous.bullet or not previous.prose)
                and (unit.bullet or not unit.prose)
            )
            parts.append("\n" if together else "\n\n")
        parts.append(unit.text)
    return "".join(parts)


def is_key_data_label(unit):
    return not unit.table and len(unit.text) <= 80 and bool(KEY_DATA_LABEL.match(unit.text))


def key_data_line(unit):
    """(label, value) of a key data line "Stockpile: None", or None."""
    line = None if unit.table else STATUS_LINE.match(unit.text)
    if line and KEY_DATA_LABEL.match(line["label"]) and not is_prose(line["value"]):
        return line["label"].strip(), line["value"].strip()
    return None


def read_key_data(units, index, overview):
    """The key data box's label and value paragraphs (or "label: value" lines) from index
    on, two pairs at least; returns the index after them, or index itself when there is no
    such box."""
    pairs, position = [], index
    while position < len(units):
        unit = units[position]
        if pair := key_data_line(unit):
            pairs.append(pair)
            position += 1
            continue
        if not is_key_data_label(unit):
            break
        label = unit.text.rstrip(" :")
        following = units[position + 1] if position + 1 < len(units) else None
        if following is None or following.table or is_key_data_label(following):
            pairs.append((label, ""))
            position += 1
        elif not is_prose(following.text) and not SENTENCE_BREAK.search(following.text):
            # A value is short ("1 January 2000", "None"): a heading over a paragraph is not.
            pairs.append((label, following.text))
            position += 2
        else:
            break
    if len(pairs) < 2:
        return index
    overview.extend(pairs)
    return position


def read_status_lines(units, index, overview):
    """Status lines at a profile's top ("Contaminated by: …", "Article 5 deadline: …",
    "(Deadline missed …)", "Not a signatory to the Convention on Cluster Munitions");
    returns the index after them."""
    while index < len(units):
        unit = units[index]
        text = unit.text
        if unit.table or len(text) > 320 or "\n" in text or LEAD_IN.match(text):
            break
        if treaty := TREATY_STATUS.match(text):
            name = " ".join(treaty["treaty"].split()).title().replace(" On ", " on ")
            overview.append((name, text))
        elif (
            (line := STATUS_LINE.match(text))
            and len(line["label"].split()) <= 6
            and not SENTENCE_BREAK.search(line["value"])
        ):
            overview.append((line["label"].strip(), line["value"].strip()))
        elif overview and PARENTHESISED.match(text):
            label, value = overview[-1]
            overview[-1] = (label, f"{value} {text}".strip())
        else:
            break
        index += 1
    return index


def is_status_line(text):
    """A line of a status block, which stays a line of its own however long its neighbours."""
    if TREATY_STATUS.match(text) or PARENTHESISED.match(text):
        return True
    line = STATUS_LINE.match(text)
    return bool(line) and len(line["label"].split()) <= 6


def is_cell(unit):
    return (
        not unit.table
        and len(unit.text) <= 60
        and len(unit.text.split()) <= 8
        and not unit.bullet
        and not SENTENCE_BREAK.search(unit.text)
    )


def is_value_cell(text):
    return bool(NUMERIC_CELL.match(text)) or text.lower() in EMPTY_CELLS


def read_flat_table(units, index):
    """A table flattened to one cell a line: a caption, a header row and rows whose cells
    after the first are numbers. (pipe table text, index after it), or None."""
    cells = []
    position = index + 1
    while position < len(units) and len(cells) < 600 and is_cell(units[position]):
        cells.append(units[position].text)
        position += 1
    first_value = next((k for k, cell in enumerate(cells) if is_value_cell(cell)), None)
    if first_value is None or first_value < 2:
        return None
    best = None
    # Rows led by a label (an operator, a donor), or by a value (a year).
    for columns in (first_value - 1, first_value):
        if columns < 2 or any(is_value_cell(cell) for cell in cells[:columns]):
            continue
        rows, start = [], columns
        while start + columns <= len(cells):
            row = cells[start : start + columns]
            if not all(is_value_cell(cell) for cell in row[1:]):
                break
            if columns == first_value - 1 and is_value_cell(row[0]):
                break  # rows led by a label have none in their first cell
            rows.append(row)
            start += columns
        if rows and (best is None or start > best[0]):
            best = (start, cells[:columns], rows)
    if best is None or len(best[2]) < 2 and best[0] < 6:
        return None
    used, header, rows = best
    caption = units[index].text
    text = "\n".join(
        [
            f"Table: {caption}",
            pipe_row(header),
            pipe_row(["---"] * len(header)),
            *(pipe_row(row) for row in rows),
        ]
    )
    return text, index + 1 + used


def pipe_row(cells):
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def build_body(units, styled=frozenset()):
    """(summary, overview, sections) from the units before the notes."""
    summary, overview, sections = [], [], []
    in_summary = False
    index = 0
    while index < len(units):
        unit = units[index]
        if OVERVIEW_HEADING.match(without_trailing_markers(unit.text)) and is_heading(units, index):
            following = read_key_data(units, index + 1, overview)
            if following == index + 1:
                following = read_overview(units, index + 1, overview)
            index = following
            in_summary = False
            continue
        at_top = not summary and not any(body for _, body in sections)
        if at_top:
            following = read_status_lines(units, index, overview)
            if following > index:
                index = following
                continue
        if is_key_data_label(unit) or key_data_line(unit):
            following = read_key_data(units, index, overview)
            if following > index:
                index = following
                continue
        if not unit.table and is_heading_text(unit.text) and index + 3 < len(units):
            table = read_flat_table(units, index)
            if table is not None:
                text, index = table
                if not sections:
                    sections.append(("", []))
                sections[-1][1].append(Unit(text, unit.line, unit.block, False, unit.gap, True))
                continue
        if "|" in unit.text and not unit.table and not sections and not summary:
            following = read_overview(units, index, overview)
            if following > index:  # it may take nothing (a line set apart): never loop on it
                index = following
                continue
        heading = (unit.alone and unit.text in styled) or is_heading(units, index)
        if LEAD_IN.match(unit.text) and not any(heading for heading, _ in sections):
            in_summary = True
        if in_summary and not heading:
            summary.append(unit)
        elif heading:
            in_summary = False
            sections.append((unit.text, []))
        else:
            if not sections:
                sections.append(("", []))
            sections[-1][1].append(unit)
        index += 1
    return (
        layout(summary),
        overview,
        [ParsedSection(heading=heading, text=layout(body)) for heading, body in sections],
    )


def read_notes(lines):
    """Footnotes from the note lines: "[n] text" or "[n]text", with continuation lines."""
    notes = []
    pending_break = False
    for line in lines:
        if line.kind == BLANK:
            pending_break = True
            continue
        match = FOOTNOTE_LINE.match(line.text)
        if match:
            notes.append([int(match[1]), line.number, [match[2].strip()]])
        elif notes:
            notes[-1][2].append(("\n\n" if pending_break else " ") + line.text)
        pending_break = False
    return [(number, number_line, "".join(parts).strip()) for number, number_line, parts in notes]


def cite(notes, warnings):
    footnotes = []
    previous = None
    for number, line, text in notes:
        ibid, locator, rest = ibid_parts(text)
        if not ibid:
            citations = split_citations(text)
        elif previous is None:
            warnings.append(ParseWarning(line, f"footnote [{number}] says Ibid. but follows none"))
            citations = split_citations(rest) if rest else []
        else:
            citations = [
                replace(citation, locator=locator) if locator else citation for citation in previous
            ]
            citations += split_citations(rest) if rest and not rest[0].islower() else []
        footnotes.append(
            ParsedFootnote(
                number=number,
                text=text,
                line=line,
                sources=[citation.title for citation in citations],
                citations=citations,
            )
        )
        previous = citations
    return footnotes


def check_numbering(markers, footnotes, warnings):
    numbers = {note.number for note in footnotes}
    for number, line in markers.items():
        if number not in numbers:
            warnings.append(ParseWarning(line, f"marker [{number}] has no footnote"))
    seen = set()
    previous = 0
    for note in footnotes:
        if note.number in seen:
            warnings.append(ParseWarning(note.line, f"footnote number [{note.number}] is repeated"))
        elif note.number != previous + 1:
            if previous:
                message = f"footnote numbering jumps from [{previous}] to [{note.number}]"
            else:
                message = f"footnote numbering starts at [{note.number}]"
            warnings.append(ParseWarning(note.line, message))
        if note.number not in seen and note.number not in markers:
            warnings.append(ParseWarning(note.line, f"footnote [{note.number}] is never cited"))
        seen.add(note.number)
        previous = note.number


def parse_date(line, warnings):
    """ISO day ("2019-12-18") or year ("2004") from a "Last updated" line, or None."""
    raw = line.match["date"].strip().rstrip(".")
    match = DATE.fullmatch(raw)
    if match:
        value = iso_date(match)
        if len(value) == 10:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                warnings.append(ParseWarning(line.number, f'unparseable date "{raw}"'))
                return None
            return value
        warnings.append(
            ParseWarning(line.number, f'"Last updated" gives no day ("{raw}"); kept the year')
        )
        return value[:4]
    if YEAR_ONLY.fullmatch(raw):
        return raw
    warnings.append(ParseWarning(line.number, f'unparseable date "{raw}"'))
    return None


def build_profile(draft, context):
    warnings = []
    body = draft.body
    notes_start = len(body)
    for position, line in enumerate(body):
        previous = body[position - 1] if position else None
        at_paragraph_start = previous is None or previous.kind == BLANK
        if line.kind == TEXT and at_paragraph_start and FOOTNOTE_LINE.match(line.text):
            notes_start = position
            break
    main, note_lines = body[:notes_start], body[notes_start:]
    markers = {}
    for line in main:
        for match in MARKER.finditer(line.text):
            markers.setdefault(int(match[1]), line.number)
    units = [
        unit
        for block_index, (gap, block) in enumerate(split_blocks(main))
        for unit in block_units(block_index, gap, block)
    ]
    for unit in units:
        unit.text = normalise_markers(unit.text)
    summary, overview, sections = build_body(units, context.styled_headings)
    footnotes = cite(read_notes(note_lines), warnings)
    check_numbering(markers, footnotes, warnings)

    report = report_year = date_from = None
    heading = draft.title or draft.report_heading or context.report_heading
    if heading is not None:
        series = " ".join(heading.match["series"].split()).title()
        report_year = int(heading.match["year"])
        report = f"{series} Monitor Report {report_year}"
    last_updated = parse_date(draft.updated, warnings) if draft.updated else None
    if last_updated is not None:
        date_from = f'text: "Last updated" line {draft.updated.number}'
    elif report_year:
        last_updated = str(report_year)
        what = "title" if heading is draft.title else "heading"
        date_from = f"text: report {what} line {heading.number}"
    elif context.path_year:
        last_updated = str(context.path_year)
        date_from = f"path: {context.path_year} in {context.name}"
    elif context.default_year:
        last_updated = str(context.default_year)
        date_from = f"the year given ({context.default_year})"
    else:
        warnings.append(
            ParseWarning(
                draft.start_line,
                'no date: no "Last updated" line, report year or year in the path',
            )
        )
    opening = "\n\n".join([summary, *(section.text for section in sections[:2])])
    country, hint = find_country(draft, opening, context, warnings)
    return ParsedProfile(
        country=country,
        country_hint=hint,
        topic=draft.topic,
        report=report,
        report_year=report_year,
        last_updated=last_updated,
        date_from=date_from,
        summary=summary,
        overview=overview,
        sections=sections,
        footnotes=footnotes,
        warnings=sorted(warnings, key=lambda warning: warning.line),
        start_line=draft.start_line,
    )


@dataclass
class Context:
    lookup: CountryLookup
    name: str
    default_country: str | None
    default_year: int | None
    country_line: Line | None = None
    report_heading: Line | None = None
    path_year: int | None = None
    # Headings the document marks as such (a Word file's heading styles).
    styled_headings: frozenset = frozenset()


def find_country(draft, opening, context, warnings):
    """(canonical country, name as found): header lines first, then the prose, the file name
    and the default given by the user."""
    named = draft.country or context.country_line
    if named is not None:
        raw, line = named.text, named.number
    elif draft.title is not None:
        raw, line = draft.title.match["country"].strip(), draft.title.number
    else:
        raw = line = None
    lookup = context.lookup
    if raw is not None:
        country = lookup.resolve(raw)
        if country is None:
            warnings.append(ParseWarning(line, f"unknown country {raw} (not in the country list)"))
        return country, raw
    country = lookup.find_in_prose(opening) or lookup.find_in_prose(PurePath(context.name).stem)
    if country is None and context.default_country:
        country = lookup.resolve(context.default_country) or context.default_country
    if country is None:
        warnings.append(
            ParseWarning(
                draft.start_line,
                "unknown country (not named): the document does not say which country it is "
                "about; give one with the default country",
            )
        )
    return country, country


def read_preamble(preamble, lookup, named_by_title):
    """(country line, lines kept as body) from the lines above the first profile. A lone
    name-like line there is taken for an unknown country's name unless a title line names
    the country."""
    country = None
    kept = []
    content = [line for line in preamble if line.kind not in (BLANK, REPORT)]
    for line in preamble:
        if line.kind == REPORT:
            continue
        is_country = line.kind == COUNTRY or (line.kind == TEXT and lookup.resolve(line.text))
        if country is None and is_country:
            country = line
        elif line.kind != BLANK or kept:
            kept.append(line if line.kind != COUNTRY else Line(line.number, TEXT, line.text))
    lone_name = len(content) == 1 and looks_like_a_name(content[0].text)
    if country is None and lone_name and not named_by_title:
        return content[0], []
    return country, kept


def looks_like_a_name(text):
    words = text.replace("_", " ").split()
    return (
        0 < len(words) <= 5
        and not any(char.isdigit() for char in text)
        and not NOT_HEADING_END.search(text)
        and all(word[0].isupper() or word.lower() in ("and", "of", "the") for word in words)
    )


def binary_reason(raw, text):
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "The file is binary (it contains NUL bytes), not a text or HTML document."
    sample = text[:20000]
    if len(CONTROL_CHARACTERS.findall(sample)) > max(8, len(sample) // 20):
        return "The file is mostly not text (control characters or undecodable bytes)."
    return None


def parse_document(
    raw: bytes,
    *,
    name: str = "",
    countries: CountryLookup | None = None,
    topics: Iterable[str] | None = None,
    default_country: str | None = None,
    default_year: int | None = None,
) -> ParsedDocument:
    if not raw or not raw.strip():
        return ParsedDocument([], "The file is empty.", "")
    styled = ()
    if is_docx(name, raw):
        html, reason = docx_to_html(raw)
        if reason:
            return ParsedDocument([], reason, "")
        styled = set()
        text = html_to_text(html, styled)
    else:
        text = decode(raw)
        reason = binary_reason(raw, text)
        if reason:
            return ParsedDocument([], reason, "")
        if looks_like_html(name, text):
            text = html_to_text(text)
    if not text.strip():
        return ParsedDocument([], "The file has no text.", text)
    lookup = countries or CountryLookup.default()
    topic_names = {
        " ".join(topic.split()).lower(): topic for topic in (topics or DEFAULT_TOPICS) if topic
    }
    lines = classify_lines(text, topic_names)
    stripped = sum(line.chrome for line in lines)
    preamble, drafts = divide_into_profiles(lines, lookup)
    chapter = global_chapter(preamble)
    if chapter:
        return not_a_profile(f"“{chapter}” is a chapter about no one country.", text, stripped)
    if not drafts:
        drafts = yearly_report(lines, lookup)
        if not drafts:
            return not_a_profile(
                "it has no topic line (such as “Mine Ban Policy”), no report title line (such "
                "as “Kazakhstan, Landmine Monitor Report 2004”) and no country name at its top.",
                text,
                stripped,
            )
        preamble = []
    country_line, kept = read_preamble(preamble, lookup, drafts[0].legacy)
    if kept:
        drafts[0].body[:0] = [*kept, Line(kept[-1].number, BLANK, "")]
    context = Context(
        lookup,
        name,
        default_country,
        default_year,
        country_line,
        report_heading=next((line for line in preamble if line.kind == REPORT), None),
        path_year=path_year(name),
        styled_headings=frozenset(styled),
    )
    profiles = [build_profile(draft, context) for draft in drafts]
    named = (
        country_line is not None
        or any(d.country or d.title for d in drafts)
        or lookup.find_in_prose(PurePath(name).stem) is not None
    )
    if not named and names_many_countries(lookup, profiles):
        return not_a_profile(
            "no country is named at its top and its text names many countries alike.",
            text,
            stripped,
        )
    return ParsedDocument(profiles, None, text, stripped_lines=stripped)


def not_a_profile(reason, text, stripped):
    return ParsedDocument(
        [], f"Not a country profile: {reason}", text, not_profile=True, stripped_lines=stripped
    )


def global_chapter(preamble):
    """The title of a chapter about no one country ("Major Findings") at the top, or None."""
    content = [line for line in preamble if line.kind in (TEXT, REPORT)][:3]
    for line in content:
        text = " ".join(line.text.split())
        if len(text.split()) <= 12 and GLOBAL_CHAPTER.match(text):
            return text
    return None


def yearly_report(lines, lookup):
    """A page with no topic line whose top names a country (the 2009 "Key Data" and
    "Ten-Year Summary" pages): one profile of the legacy topic, the yearly country report."""
    content = [line for line in lines if line.kind not in (BLANK, REPORT, UPDATED)][:3]
    country = next(
        (
            line
            for line in content
            if line.kind == COUNTRY or (len(line.text) <= 80 and lookup.resolve(line.text))
        ),
        None,
    )
    if country is None:
        return []
    draft = Draft(start_line=country.number, topic=LEGACY_TOPIC, country=country)
    for line in lines:
        if line is country:
            continue
        if line.kind == REPORT:
            draft.report_heading = draft.report_heading or line
        elif line.kind == UPDATED and draft.updated is None:
            draft.updated = line
        elif line.kind in (TEXT, BLANK):
            draft.add(line, lookup)
        else:
            draft.add(Line(line.number, TEXT, line.text), lookup)
    return [draft]


def path_year(name):
    """The last plausible report year in a file's path (lm/2006/belarus.html), or None."""
    years = [int(year) for year in PATH_YEAR.findall(name) if 1990 <= int(year) <= 2100]
    return years[-1] if years else None


def names_many_countries(lookup, profiles):
    """Whether the text names five countries or more and none of them in most mentions: a
    global chapter, not a country's profile."""
    counts = {}
    for profile in profiles:
        texts = [profile.summary, *(section.text for section in profile.sections)]
        for country in lookup.all_in_prose("\n".join(texts)):
            counts[country] = counts.get(country, 0) + 1
    if len(counts) < 5:
        return False
    return max(counts.values()) < 0.4 * sum(counts.values())
