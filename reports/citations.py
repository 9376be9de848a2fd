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


# Problems listed of each kind; beyond it one line counts the rest. A pasted text with a marker
# repeated 200,000 times is one problem to fix, not a list that takes seconds to build and read.
LISTED_PER_KIND = 50


class _Problems(list):
    def __init__(self):
        super().__init__()
        self.listed, self.more = Counter(), Counter()

    def room(self, kind):
        """Whether another problem of `kind` is listed (otherwise it is counted)."""
        if self.listed[kind] < LISTED_PER_KIND:
            self.listed[kind] += 1
            return True
        self.more[kind] += 1
        return False

    def close(self):
        for kind, count in self.more.items():
            self.append(CitationProblem(kind, f"… and {count:,} more like the above.", "Notes"))
        return list(self)


def check(summary, sections, footnote_numbers):
    """The problems of content given as plain values: sections are (heading, body) pairs."""
    problems = _Problems()
    numbers = Counter(footnote_numbers)
    first_seen = {}
    for place, paragraph, text in _locations(summary, sections):
        for match in MARKER.finditer(text):
            number = int(match.group(1))
            if number in first_seen:
                where = first_seen[number]
                if problems.room("duplicate_marker"):
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
            if number not in numbers and problems.room("missing_footnote"):
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
        if numbers[number] > 1 and problems.room("duplicate_number"):
            problems.append(
                CitationProblem(
                    "duplicate_number",
                    f"Footnote number {number} is used {numbers[number]} times.",
                    "Notes",
                    None,
                    number,
                )
            )
        if number not in first_seen and problems.room("uncited_footnote"):
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
        # Counted, not enumerated: a note numbered 2,000,000,000 must not build a set that big.
        present = {number for number in numbers if number >= 1}
        number, highest = 0, max(present, default=0)
        while problems.listed["gap"] < LISTED_PER_KIND and number < highest:
            number += 1
            if number not in present:
                problems.room("gap")
                problems.append(
                    CitationProblem(
                        "gap", f"Footnote number {number} is missing.", "Notes", None, number
                    )
                )
        if highest - len(present) > problems.listed["gap"]:
            problems.more["gap"] += highest - len(present) - problems.listed["gap"]
    return problems.close()


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
