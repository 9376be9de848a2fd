"""Citation checks: every marker has its footnote, every footnote is cited, numbers run 1..n;
and content checks: there is text, every heading has text under it, every footnote has text.

Approval is refused while an edition has any of these problems; the editor sees each one with
the section and paragraph where it occurs.
"""

import re
from collections import Counter
from dataclasses import dataclass

MARKER = re.compile(r"\[(\d+)\]")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class CitationProblem:
    # missing_footnote, uncited_footnote, duplicate_marker, duplicate_number, gap; and what
    # content_problems finds: no_text, empty_section, empty_footnote
    kind: str
    message: str
    section: str = ""  # "Summary", a section heading, or "Notes"
    paragraph: int | None = None
    number: int | None = None

    @property
    def where(self):
        if self.paragraph:
            return f"{self.section}, paragraph {self.paragraph}"
        return self.section

    def __str__(self):
        return f"{self.where}: {self.message}" if self.where else self.message


def paragraphs(text):
    return [p for p in PARAGRAPH_BREAK.split(text or "") if p.strip()]


def _locations(summary, sections):
    """(place, paragraph number, text) for every paragraph that may hold markers."""
    for index, text in enumerate(paragraphs(summary), start=1):
        yield "Summary", index, text
    for position, (heading, body) in enumerate(sections, start=1):
        place = f"Section {position} “{heading}”" if heading else f"Section {position}"
        # Legacy headings may carry a marker ("Casualties[1]"); it cites like any other.
        if MARKER.search(heading or ""):
            yield place, 0, heading
        for index, text in enumerate(paragraphs(body), start=1):
            yield place, index, text


def check(summary, sections, footnote_numbers):
    """The problems of content given as plain values: sections are (heading, body) pairs."""
    problems = []
    numbers = Counter(footnote_numbers)
    first_seen = {}
    for place, paragraph, text in _locations(summary, sections):
        for match in MARKER.finditer(text):
            number = int(match.group(1))
            if number in first_seen:
                where = first_seen[number]
                problems.append(
                    CitationProblem(
                        "duplicate_marker",
                        f"Marker [{number}] is used again (first in {where[0]}, "
                        f"paragraph {where[1]}).",
                        place,
                        paragraph,
                        number,
                    )
                )
                continue
            first_seen[number] = (place, paragraph)
            if number not in numbers:
                problems.append(
                    CitationProblem(
                        "missing_footnote",
                        f"Marker [{number}] has no footnote.",
                        place,
                        paragraph,
                        number,
                    )
                )
    for number in sorted(numbers):
        if numbers[number] > 1:
            problems.append(
                CitationProblem(
                    "duplicate_number",
                    f"Footnote number {number} is used {numbers[number]} times.",
                    "Notes",
                    None,
                    number,
                )
            )
        if number not in first_seen:
            problems.append(
                CitationProblem(
                    "uncited_footnote",
                    f"Footnote {number} is never cited in the text.",
                    "Notes",
                    None,
                    number,
                )
            )
    if numbers:
        expected = set(range(1, max(numbers) + 1))
        for number in sorted(expected - set(numbers)):
            problems.append(
                CitationProblem(
                    "gap", f"Footnote number {number} is missing.", "Notes", None, number
                )
            )
    return problems


def content_problems(sections, footnotes):
    """What is missing from content given as plain values: no text at all, a heading with
    nothing under it, a footnote with no text. Sections are (heading, body) pairs, footnotes
    (number, text) pairs."""
    problems = []
    if not any((body or "").strip() for _, body in sections):
        problems.append(
            CitationProblem("no_text", "The edition has no text: no section has a body.")
        )
    else:
        for position, (heading, body) in enumerate(sections, start=1):
            if not (body or "").strip():
                place = f"Section {position} “{heading}”" if heading else f"Section {position}"
                problems.append(
                    CitationProblem("empty_section", "This section has no text under it.", place)
                )
    for number, text in footnotes:
        if not (text or "").strip():
            problems.append(
                CitationProblem(
                    "empty_footnote", f"Footnote {number} has no text.", "Notes", None, number
                )
            )
    return problems


def citation_problems(edition):
    """The problems of a saved edition that approval is refused for: its content's, then its
    citations' (two queries)."""
    sections = list(edition.sections.order_by("position").values_list("heading", "body"))
    footnotes = list(edition.footnotes.values_list("number", "text"))
    return content_problems(sections, footnotes) + check(
        edition.summary, sections, [number for number, _ in footnotes]
    )
