"""What changed between two editions of a profile, as a reader follows it: by paragraph.

``reports.diff.compare`` matches the two editions' parts (summary, overview facts, sections
by heading, notes by number); here each changed text is compared again paragraph by
paragraph. A paragraph kept with a small edit shows inline (removed words struck through,
added ones underlined), a rewritten one shows old and new side by side, and unchanged runs
fold into one line. Note markers are left out of the comparison, so renumbered notes do not
make every paragraph look edited; notes are compared by their text, as added and removed.
Maps and figures are shown as ``compare`` matched them, by their captions and text
alternatives (no image: the reader finds the current ones on the profile's page). A summary
line counts it all ("3 paragraphs changed, 2 notes added, 1 figure changed").
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape

from ..diff import word_diff
from .rendering import SPACED_MARKER

PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# Above this share of words kept, a changed paragraph is an edit shown inline; below, a
# rewrite shown old beside new (an inline diff of a rewrite is word confetti).
EDITED = 0.6


@dataclass
class Block:
    kind: str  # same (a run of unchanged paragraphs), added, removed, edited, rewritten
    old: str = ""
    new: str = ""
    html: str = ""  # an edit, inline
    count: int = 1


@dataclass
class PartChange:
    kind: str  # added, removed, changed, moved
    title: str
    note: str = ""
    blocks: list = field(default_factory=list)


@dataclass
class Changes:
    parts: list
    overview: list  # reports.diff.Change of each changed overview fact
    notes_added: list  # (number, text)
    notes_removed: list
    figures: list  # reports.diff.FigureChange of each changed map or figure
    counts: Counter

    @property
    def has_changes(self):
        return bool(
            self.parts or self.overview or self.notes_added or self.notes_removed or self.figures
        )

    @property
    def summary_line(self):
        counts = self.counts
        phrases = [
            (counts["changed"], "paragraph", "changed"),
            (counts["added"], "paragraph", "added"),
            (counts["removed"], "paragraph", "removed"),
            (counts["section added"], "section", "added"),
            (counts["section removed"], "section", "removed"),
            (counts["section moved"], "section", "moved"),
            (len(self.overview), "overview fact", "changed"),
            (len(self.notes_added), "note", "added"),
            (len(self.notes_removed), "note", "removed"),
            (counts["figure changed"], "figure", "changed"),
            (counts["figure added"], "figure", "added"),
            (counts["figure removed"], "figure", "removed"),
            (counts["figure moved"], "figure", "moved"),
        ]
        said = [f"{n} {noun}{'s' if n != 1 else ''} {verb}" for n, noun, verb in phrases if n]
        return ", ".join(said) if said else "No change to the text"


def _plain(paragraph):
    return " ".join(SPACED_MARKER.sub("", paragraph).split())


def paragraphs(text):
    """The paragraphs of a text as compared and shown: markers out, spaces collapsed."""
    found = [_plain(p) for p in PARAGRAPH_BREAK.split((text or "").strip())]
    return [p for p in found if p]


def _kept(old, new):
    return SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio()


def paragraph_blocks(old_text, new_text, counts):
    """Blocks showing how `new_text` differs from `old_text`, paragraph by paragraph; the
    paragraphs changed, added and removed are counted into `counts`."""
    old, new = paragraphs(old_text), paragraphs(new_text)
    blocks = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            blocks.append(Block("same", count=i2 - i1))
            continue
        removed, added = old[i1:i2], new[j1:j2]
        paired = min(len(removed), len(added)) if op == "replace" else 0
        for before, after in zip(removed[:paired], added[:paired], strict=True):
            counts["changed"] += 1
            if _kept(before, after) >= EDITED:
                blocks.append(Block("edited", html=word_diff(before, after)))
            else:
                blocks.append(Block("rewritten", old=escape(before), new=escape(after)))
        for before in removed[paired:]:
            counts["removed"] += 1
            blocks.append(Block("removed", old=escape(before)))
        for after in added[paired:]:
            counts["added"] += 1
            blocks.append(Block("added", new=escape(after)))
    return blocks


def _note_key(text):
    return " ".join(text.split()).casefold()


def _notes_apart(old_notes, new_notes):
    """Notes whose text only the new edition has (added), and only the old one (removed)."""
    old_texts = Counter(_note_key(text) for _, text in old_notes)
    new_texts = Counter(_note_key(text) for _, text in new_notes)
    added, removed = [], []
    for number, text in new_notes:
        key = _note_key(text)
        if old_texts[key]:
            old_texts[key] -= 1
        else:
            added.append((number, text))
    for number, text in old_notes:
        key = _note_key(text)
        if new_texts[key]:
            new_texts[key] -= 1
        else:
            removed.append((number, text))
    return added, removed


def public_changes(diff):
    """The reader's view of a reports.diff.EditionDiff."""
    counts = Counter()
    parts = []
    summary = diff.fields[0]
    for change in [summary, *diff.sections]:
        if not change.changed:
            continue
        if change.kind in ("added", "removed") and change is not summary:
            counts[f"section {change.kind}"] += 1
            text = change.new if change.kind == "added" else change.old
            kind = "added" if change.kind == "added" else "removed"
            side = "new" if kind == "added" else "old"
            blocks = [Block(kind, **{side: escape(p)}) for p in paragraphs(text)]
        else:
            if change.kind == "moved":
                counts["section moved"] += 1
            blocks = paragraph_blocks(change.old, change.new, counts)
            unchanged = all(block.kind == "same" for block in blocks)
            if unchanged and change.kind != "moved" and not change.note:
                continue  # only markers or spacing changed
        parts.append(PartChange(change.kind, change.title, change.note, blocks))
    added, removed = _notes_apart(diff.old.footnotes, diff.new.footnotes)
    figures = [change for change in diff.figures if change.changed]
    counts.update(f"figure {change.kind}" for change in figures)
    return Changes(
        parts=parts,
        overview=[change for change in diff.overview if change.changed],
        notes_added=added,
        notes_removed=removed,
        figures=figures,
        counts=counts,
    )
