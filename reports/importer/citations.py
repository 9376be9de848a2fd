"""Split a footnote's text into the sources it cites, each with a stable identity key.

The identity key decides whether two citations name the same Source: a letter by its number
and date, a UN resolution by its number, an interview or statement by person and date, a
Monitor report by series and year (the page is the citation's locator), anything else by its
normalised text. Pure Python: no Django, so the parser stays fast and testable on its own.
"""

import re
from dataclasses import dataclass

KINDS = ("letter", "interview", "statement", "resolution", "media", "report", "other")

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"  # noqa: E501
DATE = re.compile(
    rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)\b"
    rf"|\b(?P<month2>{_MONTH})\s+(?P<day2>\d{{1,2}}),\s*(?P<year2>(?:19|20)\d\d)\b"
    r"|\b(?P<iso>(?:19|20)\d\d-\d\d-\d\d)\b"
    rf"|\b(?P<month3>{_MONTH})\s+(?P<year3>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")

MONITOR_REPORT = re.compile(
    r"\b(?P<series>Landmine|Cluster\s+Munition)\s+Monitor(?:\s+Report)?,?\s+(?P<year>(?:19|20)\d\d)\b"
    r"(?:,\s*(?P<locator>pp?\.\s*\d+(?:\s*[-–]\s*\d+)?))?",
    re.IGNORECASE,
)
RESOLUTION = re.compile(r"\bResolution\s+(?P<number>\d{1,3}/\d{1,4}[A-Z]?)", re.IGNORECASE)
TRAILING_LOCATOR = re.compile(
    r",\s*(?P<locator>(?:pp?|paras?|sec|ch)\.\s*\d+(?:\s*[-–]\s*\d+)?(?:,\s*\d+)*)\s*$",
    re.IGNORECASE,
)
LETTER = re.compile(r"^(?:e-?mail|letters?|response|correspondence)\b", re.IGNORECASE)
_REFERENCE = r"(?P<number>(?=[\w./-]*\d)[\w./-]*\w)"
NUMBERED = re.compile(rf"\b(?:No|Nr|Ref|Number)\b\.?\s*{_REFERENCE}")
LETTER_NUMBER = re.compile(rf"^(?:Letter|E-?mail)\s+{_REFERENCE}", re.IGNORECASE)
INTERVIEW = re.compile(
    r"^(?:telephone\s+|phone\s+|e-?mail\s+)?interviews?\s+with\s+(?P<person>[^,;]+)", re.IGNORECASE
)
STATEMENT = re.compile(
    r"^(?:statements?|presentation|remarks|intervention)\s+(?:by|of)\s+(?P<person>[^,;]+)",
    re.IGNORECASE,
)
LETTER_FROM = re.compile(r"\bfrom\s+(?P<person>[^,;]+)", re.IGNORECASE)
HONORIFIC = re.compile(
    r"^(?:(?:amb|col|gen|maj|lt|capt|dr|mr|mrs|ms|prof|h\.e|sen)\.?\s+)+", re.IGNORECASE
)
QUOTED_TITLE = re.compile(r"[“\"][^“”\"]{3,}[”\"]")
NEWS_WORDS = re.compile(
    r"\b(?:AFP|Reuters|AP|BBC|Interfax|ITAR-TASS|RFE/RL|IRIN|news(?:paper)?|times|post|"
    r"radio|television|agency|daily|gazette|herald)\b",
    re.IGNORECASE,
)
LEAD_IN = re.compile(
    r"^(?:and\s+)?(?:(?:for\s+[^,;]{1,40},\s*)?(?:see|also\s+see|see\s+also|cf\.)"
    r"(?:,?\s*for\s+example)?,?\s+)?",
    re.IGNORECASE,
)
# A citation ends where a year (or a page) closes a sentence; what follows is a new citation or
# commentary ("This is the first formal communication…").
SENTENCE_AFTER_DATE = re.compile(
    r"(?:\b(?:19|20)\d\d|\bpp?\.\s?\d{1,4})(?P<stop>\.\s+)(?=[A-Z“\"])"
)
# Commentary first, then the citation: "This was the first letter of its kind. Letter No. …".
SENTENCE_BEFORE_CITATION = re.compile(
    r"(?<=[a-z)”\"])(?P<stop>\.\s+)(?=(?:Letter|E-?mail|Interview|Telephone|Statement|"
    r"Presentation|Remarks|Response|See)\b)"
)
CITATION_START = re.compile(
    r"^(?:see|also|letter|e-?mail|interview|telephone|statement|presentation|remarks|response|"
    r"[“\"])",
    re.IGNORECASE,
)
IBID = re.compile(r"^\s*ibid\b\.?\s*[,;:]?\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
LOCATOR_ONLY = re.compile(
    r"^(?P<locator>(?:pp?|paras?|sec|ch)\.\s*\d+(?:\s*[-–]\s*\d+)?(?:,\s*\d+)*)\.?$",
    re.IGNORECASE,
)
# What makes a note's words a document that can be cited, beside a letter, interview,
# statement, resolution, media report or Monitor report: a title in quotes, an address, or
# a dated document named as one.
DOCUMENT_WORDS = re.compile(
    r"\b(?:reports?|book|law|decree|act|code|order|directive|regulations?|plan|strategy|minutes|"
    r"note\s+verbale|submission|presentation|form\s+[A-J]\b|forms?|database|survey|"
    r"fact\s*sheet|press\s+release|communiqu[ée]|declaration|document|web\s*site|newsletter|"
    r"bulletin|study|assessment|review|proceedings|summary\s+record|briefing|"
    r"questionnaire|speech|testimony|hearing|cable|memorandum|agreement|treaty|convention)\b",
    re.IGNORECASE,
)
# A publication's place, publisher and year: "(London: Press, 2004)".
IMPRINT = re.compile(r"\([^()]*:[^()]*\b(?:19|20)\d\d\s*\)")
# A sentence of commentary that happens to hold a date ("The meeting took place on 3 May").
COMMENTARY = re.compile(
    r"^(?:the|this|these|that|those|it|its|in|on|at|as|there|according|during|since|after|"
    r"before|although|however|when|while|he|she|they|we)\b.*?\b(?:is|are|was|were|has|have|had|"
    r"took|said|says|stated|reported|told|noted|did|does|will|would|could|may)\b",
    re.IGNORECASE,
)
ADDRESS = re.compile(r"\bhttps?://|\bwww\.", re.IGNORECASE)
PARENTHESES = re.compile(r"\([^()]*\)")
TYPOGRAPHY = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "‑": "-",
        "\u00a0": " ",
    }
)
OPENERS = {"(": ")", "[": "]", "“": "”"}
CLOSERS = {")", "]", "”"}
BRACKETS_AND_SEPARATORS = re.compile(r'[()\[\]“”";]')


@dataclass(frozen=True)
class Citation:
    kind: str
    text: str
    identity: str
    title: str
    author: str
    date: str | None
    reference: str
    locator: str
    report_year: int | None
    report_series: str | None


def normalise(text):
    """The comparison form of a text: typography folded, lower-case, spaces collapsed."""
    folded = " ".join(text.translate(TYPOGRAPHY).split()).lower()
    return folded.rstrip(" .;,:")


def iso_date(match):
    """ISO form of a DATE match, as precise as the text: 'YYYY-MM-DD' or 'YYYY-MM'."""
    if match["iso"]:
        return match["iso"]
    if match["year"]:
        day, month, year = match["day"], match["month"], match["year"]
    elif match["year2"]:
        day, month, year = match["day2"], match["month2"], match["year2"]
    else:
        day, month, year = None, match["month3"], match["year3"]
    number = MONTHS[month.lower().rstrip(".")]
    if day is None:
        return f"{year}-{number:02d}"
    if not 1 <= int(day) <= 31:
        return f"{year}-{number:02d}"
    return f"{year}-{number:02d}-{int(day):02d}"


def find_date(text):
    """The citation's date: the last full date in it, else the last year."""
    best = None
    for match in DATE.finditer(text):
        found = iso_date(match)
        if best is None or len(found) >= len(best):
            best = found
    if best is None:
        years = YEAR.findall(text)
        best = years[-1] if years else None
    return best


def split_outside_brackets(text, separator=";"):
    """Split at separators that are not inside parentheses, brackets or quotes."""
    if separator not in text:
        return [text]
    parts, depth, start, straight_quote = [], 0, 0, False
    for match in BRACKETS_AND_SEPARATORS.finditer(text):
        char = match[0]
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth = max(depth - 1, 0)
        elif char == '"':
            straight_quote = not straight_quote
        elif char == separator and depth == 0 and not straight_quote:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def citation_segments(text):
    """The citing parts of a footnote, leaving out commentary sentences after the first."""
    segments, start = [], 0
    stops = sorted(
        [*SENTENCE_AFTER_DATE.finditer(text), *SENTENCE_BEFORE_CITATION.finditer(text)],
        key=lambda match: match.start("stop"),
    )
    for match in stops:
        if match.start("stop") < start:
            continue
        if match.re is SENTENCE_BEFORE_CITATION and CITATION_START.match(text[start:]):
            continue  # one citation in two sentences ("Letter from X. Letter No. 5, …")
        segments.append(text[start : match.start("stop")])
        start = match.end("stop")
    segments.append(text[start:])
    kept = [segments[0]]
    for segment in segments[1:]:
        if CITATION_START.match(segment) or MONITOR_REPORT.search(segment):
            kept.append(segment)
    return kept


def clean(text):
    text = text.strip()
    if text.lower().startswith("and "):
        text = text[4:].lstrip()
    return text.rstrip(" .;,").strip()


def person_key(person):
    return normalise(HONORIFIC.sub("", person.strip()))


def make_citation(text):
    described = text[LEAD_IN.match(text).end() :]
    date = find_date(described)
    report = MONITOR_REPORT.search(described)
    if report:
        landmine = report["series"].lower() == "landmine"
        series = "Landmine Monitor" if landmine else "Cluster Munition Monitor"
        year = int(report["year"])
        return Citation(
            kind="report",
            text=text,
            identity=f"report:{series.lower()}:{year}",
            title=f"{series} Report {year}",
            author="",
            date=str(year),
            reference="",
            locator=" ".join((report["locator"] or "").split()),
            report_year=year,
            report_series=series,
        )
    locator = ""
    trailing = TRAILING_LOCATOR.search(described)
    if trailing:
        locator = " ".join(trailing["locator"].split())
        described = described[: trailing.start()].rstrip()
    kind, identity, author, reference = "other", "", "", ""
    resolution = RESOLUTION.search(described)
    interview = INTERVIEW.match(described)
    statement = STATEMENT.match(described)
    if LETTER.match(described):
        kind = "letter"
        number = NUMBERED.search(described) or LETTER_NUMBER.match(described)
        sender = LETTER_FROM.search(described)
        reference = number["number"] if number else ""
        author = re.sub(r"^the\s+", "", sender["person"].strip()) if sender else ""
        if reference and date:
            identity = f"letter:{reference.lower()}:{date}"
        elif author and date:
            identity = f"letter:{person_key(author)}:{date}"
    elif interview or statement:
        kind = "interview" if interview else "statement"
        author = (interview or statement)["person"].strip()
        if date:
            identity = f"{kind}:{person_key(author)}:{date}"
    elif resolution:
        kind = "resolution"
        reference = resolution["number"].upper()
        identity = f"resolution:{reference.lower()}"
        if "general assembly" in described.lower() or "unga" in described.lower():
            author = "UN General Assembly"
    elif date and (QUOTED_TITLE.search(described) or NEWS_WORDS.search(described)):
        kind = "media"
    return Citation(
        kind=kind,
        text=text,
        identity=identity or f"text:{normalise(described)}",
        title=described,
        author=author,
        date=date,
        reference=reference,
        locator=locator,
        report_year=None,
        report_series=None,
    )


def split_citations(footnote_text):
    """The citations of one footnote, in order; several when it lists items with ';'.
    Commentary ("This was organized by…") and a bare place and date cite nothing: they
    stay the note's text and become no source."""
    citations = []
    for segment in citation_segments(" ".join(footnote_text.split())):
        for part in split_outside_brackets(segment):
            text = clean(part)
            if any(char.isalnum() for char in text):
                citation = make_citation(text)
                if cites(citation):
                    citations.append(citation)
    return citations


def cites(citation):
    """Whether a citation names something that can be cited (see DOCUMENT_WORDS)."""
    if citation.kind != "other":
        return True
    title = citation.title
    if QUOTED_TITLE.search(title) or ADDRESS.search(title) or IMPRINT.search(title):
        return True
    if not citation.date or COMMENTARY.match(title):
        return False
    if DOCUMENT_WORDS.search(title):
        return True
    # Words besides the date and any parentheses: a named document ("Ministry of Defence,
    # Mine Action Programme 2005, 12 March 2005"), not a place ("Chimkent (South
    # Kazakhstan), 13 January 2003").
    undated = DATE.sub(" ", PARENTHESES.sub(" ", title))
    return len(re.findall(r"[^\W\d_]{2,}", undated)) >= 4


def ibid_parts(footnote_text):
    """(is Ibid., locator such as 'p. 3', any further text that cites more sources)."""
    match = IBID.match(footnote_text)
    if not match:
        return False, "", ""
    rest = match["rest"].strip()
    locator = LOCATOR_ONLY.match(rest)
    if locator:
        return True, " ".join(locator["locator"].split()), ""
    return True, "", rest


def is_ibid(footnote_text):
    """("Ibid.") -> (True, ""); ("Ibid., p. 3") -> (True, "p. 3"); anything else (False, "")."""
    ibid, locator, _ = ibid_parts(footnote_text)
    return ibid, locator
