"""Readable word-level comparison of two states of an edition.

A state is a Snapshot, taken from a saved edition or from a django-reversion revision, so any
two revisions and any two editions of a profile compare the same way: summary, overview (by
label), sections (matched by heading, so a moved section is recognised as moved), footnotes
(by number) and maps and figures (by their stored file, else by place), each added, removed,
changed, moved or unchanged.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sources.models import Footnote

from .editions import snapshot
from .models import Edition, OverviewFact, Section, normalise_text

TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


@dataclass
class Snapshot:
    label: str
    summary: str = ""
    last_updated: str = ""
    overview: list = field(default_factory=list)  # (label, value)
    sections: list = field(default_factory=list)  # (heading, body)
    footnotes: list = field(default_factory=list)  # (number, text)
    # (stored file name, alt text, caption) in order; None: not recorded (a revision saved
    # before revisions held an edition's figures). A stored file never changes, so its name
    # says which image it is: a replaced image has a new name (reports.attachments).
    figures: list | None = field(default_factory=list)


def snapshot_of_edition(edition, label=None):
    """The edition's content; read through its related managers so rows prefetched by the
    caller (the public changes page) cost no further query. Model ordering keeps them in order."""
    return Snapshot(
        label=label or f"Edition #{edition.pk} ({edition.get_state_display().lower()})",
        summary=edition.summary,
        last_updated=edition.last_updated_display,
        overview=[(fact.label, fact.value) for fact in edition.overview_facts.all()],
        sections=[(section.heading, section.body) for section in edition.sections.all()],
        footnotes=[(note.number, note.text) for note in edition.footnotes.all()],
        figures=[
            (figure.image.name, figure.alt_text, figure.caption) for figure in edition.figures.all()
        ],
    )


def snapshot_of_revision(revision, edition_id, label=None):
    """The edition as it was in `revision` (its serialized versions, no database rows)."""
    types = ContentType.objects.get_for_models(Edition, Section, OverviewFact, Footnote)
    by_type = {ct.pk: model for model, ct in types.items()}
    edition = None
    sections, facts, notes = [], [], []
    figures = None  # not recorded, unless the revision holds them
    for version in revision.version_set.filter(content_type__in=by_type):
        model = by_type[version.content_type_id]
        if model is Edition and str(version.object_id) == str(edition_id):
            edition = version.field_dict
            if version.format == snapshot.FORMAT:
                content = snapshot.content_of_version(version)
                facts = [
                    {"position": p, "label": label, "value": value}
                    for p, label, value in content["overview"]
                ]
                sections = [
                    {"position": p, "heading": heading, "body": body}
                    for p, heading, body in content["sections"]
                ]
                notes = [{"number": n, "text": text} for n, text, _ in content["footnotes"]]
                if "figures" in content:
                    figures = [
                        dict(zip(snapshot.FIGURE_COLUMNS, row, strict=True))
                        for row in content["figures"]
                    ]
                break
            continue
        # A revision from before editions were stored whole: each row a Version of its own.
        data = version.field_dict
        if model is Section and data.get("edition_id") == edition_id:
            sections.append(data)
        elif model is OverviewFact and data.get("edition_id") == edition_id:
            facts.append(data)
        elif model is Footnote and data.get("edition_id") == edition_id:
            notes.append(data)
    edition = edition or {}
    dated = Edition(
        last_updated=edition.get("last_updated"),
        last_updated_precision=edition.get("last_updated_precision") or Edition.Precision.DAY,
    )
    # Text stored before it was normalised (browsers' CRLF) compares as it is stored now.
    text = normalise_text
    return Snapshot(
        label=label or f"Revision #{revision.pk}",
        summary=text(edition.get("summary", "")),
        last_updated=dated.last_updated_display,
        overview=[
            (text(f["label"]), text(f["value"])) for f in sorted(facts, key=lambda f: f["position"])
        ],
        sections=[
            (text(s["heading"]), text(s["body"]))
            for s in sorted(sections, key=lambda s: s["position"])
        ],
        footnotes=sorted((n["number"], text(n["text"])) for n in notes),
        figures=None
        if figures is None
        else [
            (f["image"], text(f["alt_text"]), text(f["caption"]))
            for f in sorted(figures, key=lambda f: f["position"])
        ],
    )


def word_diff(old, new):
    """HTML of `new` with removed words in <del> and added words in <ins>."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # every piece is escaped above


@dataclass
class Change:
    kind: str  # added, removed, changed, moved, unchanged
    title: str
    html: str = ""
    note: str = ""
    old: str = ""  # the texts compared, for another view of the change (the public site's)
    new: str = ""

    @property
    def changed(self):
        return self.kind != "unchanged"


@dataclass
class FigureChange(Change):
    """A map or figure: its image and its texts, each compared as a Change of its own."""

    image: Change = None  # the stored file's own name; "changed" when the file was replaced
    caption: Change = None
    alt_text: Change = None

    @property
    def texts(self):
        return [part for part in (self.caption, self.alt_text) if part.old or part.new]

    @property
    def parts(self):
        return [self.image, *self.texts]


@dataclass
class EditionDiff:
    old: Snapshot
    new: Snapshot
    fields: list  # Change for summary and "last updated"
    overview: list
    sections: list
    footnotes: list
    figures: list  # FigureChange
    # Labels of the states whose figures were not recorded: figures are then not compared
    # (showing them all as added or removed would report changes nobody made).
    figures_not_recorded: list

    @property
    def changes(self):
        parts = self.fields + self.overview + self.sections + self.footnotes + self.figures
        return [c for c in parts if c.changed]

    @property
    def changed_footnotes(self):
        return [change for change in self.footnotes if change.changed]

    @property
    def has_changes(self):
        return bool(self.changes)

    def counts(self):
        result = {}
        for change in self.changes:
            result[change.kind] = result.get(change.kind, 0) + 1
        return result


def _text_change(title, old, new):
    if old == new:
        return Change("unchanged", title, escape(new), old=old, new=new)
    if not old:
        return Change("added", title, mark_safe(f"<ins>{escape(new)}</ins>"), new=new)
    if not new:
        return Change("removed", title, mark_safe(f"<del>{escape(old)}</del>"), old=old)
    return Change("changed", title, word_diff(old, new), old=old, new=new)


def _key(heading):
    return " ".join((heading or "").casefold().split())


def _in_place(pairs):
    """Of (new index, old index) pairs in new order, the positions of those that stayed in
    place: a longest run in increasing old order, preferring sections that moved least."""
    if not pairs:
        return set()
    displacement = [abs(new - old) for new, old in pairs]
    score = [(1, -d) for d in displacement]
    prev = [-1] * len(pairs)
    for i in range(len(pairs)):
        for j in range(i):
            if pairs[j][1] < pairs[i][1]:
                candidate = (score[j][0] + 1, score[j][1] - displacement[i])
                if candidate > score[i]:
                    score[i], prev[i] = candidate, j
    i = max(range(len(pairs)), key=score.__getitem__)
    keep = set()
    while i != -1:
        keep.add(i)
        i = prev[i]
    return keep


def _moved(pairs):
    """Of {new index: old index}, the new indexes of the parts that moved."""
    order = sorted(pairs)
    in_place = _in_place([(j, pairs[j]) for j in order])
    return {j for n, j in enumerate(order) if n not in in_place}


def _compare_sections(old, new):
    unmatched_old = list(range(len(old)))
    pairs = {}  # new index -> old index
    for j, (heading, _) in enumerate(new):
        for i in unmatched_old:
            if _key(old[i][0]) == _key(heading):
                pairs[j] = i
                unmatched_old.remove(i)
                break
    # A renamed section: same place in the text, mostly the same body.
    for j in range(len(new)):
        if j in pairs:
            continue
        for i in unmatched_old:
            if SequenceMatcher(None, old[i][1], new[j][1], autojunk=False).quick_ratio() > 0.6:
                pairs[j] = i
                unmatched_old.remove(i)
                break
    moved = _moved(pairs)

    changes = []
    for j, (heading, body) in enumerate(new):
        title = heading or f"Section {j + 1}"
        if j not in pairs:
            changes.append(
                Change("added", title, mark_safe(f"<ins>{escape(body)}</ins>"), new=body)
            )
            continue
        i = pairs[j]
        old_heading, old_body = old[i]
        change = _text_change(title, old_body, body)
        notes = []
        if _key(old_heading) != _key(heading):
            notes.append(f"renamed from “{old_heading}”")
            change.kind = "changed"
        if j in moved:
            notes.append(f"moved from position {i + 1} to {j + 1}")
            change.kind = "moved" if change.kind == "unchanged" else "changed"
        change.note = "; ".join(notes)
        changes.append(change)
    for i in unmatched_old:
        heading, body = old[i]
        changes.append(
            Change(
                "removed",
                heading or f"Section {i + 1}",
                mark_safe(f"<del>{escape(body)}</del>"),
                f"was at position {i + 1}",
                old=body,
            )
        )
    return changes


def _compare_keyed(old, new, title):
    old_map, new_map = dict(old), dict(new)
    keys = list(dict.fromkeys([k for k, _ in new] + [k for k, _ in old]))
    if all(isinstance(k, int) for k in keys):
        keys.sort()
    return [_text_change(title(k), old_map.get(k, ""), new_map.get(k, "")) for k in keys]


def _file_name(name):
    return name.rsplit("/", 1)[-1]


def _image_change(old, new):
    """The image by its stored name, shown by the file's own name (the folder is random)."""
    before, after = escape(_file_name(old)), escape(_file_name(new))
    if old == new:
        return Change("unchanged", "Image", before, old=old, new=new)
    if not old:
        return Change("added", "Image", mark_safe(f"<ins>{after}</ins>"), new=new)
    if not new:
        return Change("removed", "Image", mark_safe(f"<del>{before}</del>"), old=old)
    # Two uploads of a file called the same still differ: the whole names, not their words.
    html = mark_safe(f"<del>{before}</del> <ins>{after}</ins>")
    return Change("changed", "Image", html, old=old, new=new)


def _figure_change(title, old, new):
    image = _image_change(old[0], new[0])
    alt_text = _text_change("Text alternative", old[1], new[1])
    caption = _text_change("Caption", old[2], new[2])
    if not old[0]:
        kind = "added"
    elif not new[0]:
        kind = "removed"
    elif any(part.changed for part in (image, alt_text, caption)):
        kind = "changed"
    else:
        kind = "unchanged"
    note = "image replaced" if kind == "changed" and image.changed else ""
    return FigureChange(kind, title, note=note, image=image, caption=caption, alt_text=alt_text)


def _compare_figures(old, new):
    """Figures in order. The same stored file is the same figure wherever it went; a figure
    with a new file takes the place of one gone from the same place in the order (its image
    replaced); the others were added or removed."""
    unmatched_old = list(range(len(old)))
    pairs = {}  # new index -> old index
    for j, (image, _, _) in enumerate(new):
        i = next((i for i in unmatched_old if old[i][0] == image), None)
        if i is not None:
            pairs[j] = i
            unmatched_old.remove(i)
    for j in range(len(new)):
        if j not in pairs and j in unmatched_old:
            pairs[j] = j
            unmatched_old.remove(j)
    moved = _moved(pairs)
    none = ("", "", "")
    changes = []
    for j, figure in enumerate(new):
        title = f"Figure {j + 1}"
        if j not in pairs:
            changes.append(_figure_change(title, none, figure))
            continue
        i = pairs[j]
        change = _figure_change(title, old[i], figure)
        if j in moved:
            moved_note = f"moved from position {i + 1} to {j + 1}"
            change.note = "; ".join(filter(None, [change.note, moved_note]))
            change.kind = "moved" if change.kind == "unchanged" else "changed"
        changes.append(change)
    for i in unmatched_old:
        changes.append(_figure_change(f"Figure {i + 1}", old[i], none))
    return changes


def compare(old, new):
    recorded = old.figures is not None and new.figures is not None
    return EditionDiff(
        old=old,
        new=new,
        fields=[
            _text_change("Summary", old.summary, new.summary),
            _text_change("Last updated", old.last_updated, new.last_updated),
        ],
        overview=_compare_keyed(old.overview, new.overview, lambda label: label),
        sections=_compare_sections(old.sections, new.sections),
        footnotes=_compare_keyed(old.footnotes, new.footnotes, lambda n: f"Footnote {n}"),
        figures=_compare_figures(old.figures, new.figures) if recorded else [],
        figures_not_recorded=[s.label for s in (old, new) if s.figures is None],
    )
