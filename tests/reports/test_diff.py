"""Readable word-level diffs: a real pair of editions built from seed 003 (Kyrgyzstan, Mine Ban
Policy), reworked as a researcher would, and the building blocks."""

import json
import re
from pathlib import Path

import pytest
import reversion
from django.core.files.base import ContentFile
from reversion.models import Version

from reports.citations import citation_problems
from reports.diff import Snapshot, compare, snapshot_of_edition, snapshot_of_revision, word_diff
from reports.editions import workflow
from reports.editions.freeze import lifecycle
from reports.models import Edition, OverviewFact, Section
from sources.models import Citation, Footnote, Source
from tests.builders import (
    make_country,
    make_edition,
    make_figure,
    make_profile,
    make_topic,
    png_bytes,
)

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "003_fa6237349ec68be0.txt"
NOTE = re.compile(r"^\[(\d+)\]\s+(.*)$", re.S)


def parse_seed(text):
    """A deliberately small reading of the seed: title lines, sections by heading, notes.

    A heading is a paragraph without a footnote marker that does not end like a sentence.
    """
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    country, topic, dated, *rest = blocks
    sections, notes = [], []
    for block in rest:
        note = NOTE.match(block)
        if note:
            notes.append((int(note.group(1)), note.group(2)))
        elif not re.search(r"[.:”\]]$", block) and "[" not in block and len(block) < 80:
            sections.append([block, []])
        else:
            sections[-1][1].append(block)
    return {
        "country": country,
        "topic": topic,
        "last_updated": dated.removeprefix("Last updated: "),
        "sections": [(heading, "\n\n".join(paras)) for heading, paras in sections],
        "notes": notes,
    }


def import_seed():
    """The seed as a published edition, written with its content through the gate."""
    import datetime

    data = parse_seed(SEED.read_text(encoding="utf-8"))
    profile = make_profile(make_country(data["country"]), make_topic(data["topic"]))
    with lifecycle():
        edition = Edition.objects.create(
            profile=profile,
            state=Edition.State.PUBLISHED,
            published_at=datetime.datetime(2019, 12, 18, 12, tzinfo=datetime.UTC),
            last_updated=datetime.datetime.strptime(data["last_updated"], "%d %B %Y").date(),
        )
        OverviewFact.objects.create(
            edition=edition, position=1, label="Mine Ban Treaty status", value="Not a State Party"
        )
        for position, (heading, body) in enumerate(data["sections"], start=1):
            Section.objects.create(edition=edition, position=position, heading=heading, body=body)
        for number, text in data["notes"]:
            footnote = Footnote.objects.create(edition=edition, number=number, text=text)
            title = re.split(r"(?<=\d{4})\.\s", text)[0]
            source, _ = Source.objects.get_or_create(title=title)
            Citation.objects.create(footnote=footnote, source=source)
    return edition


def test_the_seed_reads_as_two_sections_and_eleven_notes():
    data = parse_seed(SEED.read_text(encoding="utf-8"))
    assert [h for h, _ in data["sections"]] == [
        "Policy",
        "Production, transfer, stockpiling, and use",
    ]
    assert data["sections"][0][1].startswith("The Kyrgyz Republic has not acceded")
    assert [n for n, _ in data["notes"]] == list(range(1, 12))


def test_a_reworked_draft_of_the_seed_compares_readably(researcher):
    published = import_seed()
    assert citation_problems(published) == []
    draft = workflow.start_draft(published.profile, researcher)

    policy = draft.sections.get(heading="Policy")
    policy.body = policy.body.replace(
        "On 5 December 2018, Kyrgyzstan voted in favor of UN General Assembly (UNGA) "
        "Resolution 73/61",
        "On 12 December 2019, Kyrgyzstan voted in favor of UN General Assembly (UNGA) "
        "Resolution 74/61",
    )
    policy.save()
    production = draft.sections.get(position=2)
    production.position = 3
    production.save()
    Section.objects.create(
        edition=draft, position=2, heading="Transparency reporting", body="None submitted."
    )
    # Move "Policy" after the others: recognised as a move by its heading.
    policy.position = 4
    policy.save()
    note = draft.footnotes.get(number=3)
    note.text = note.text + " Updated with the 2019 vote."
    note.save()
    fact = draft.overview_facts.get()
    fact.value = "Not a State Party (observer in 2019)"
    fact.save()
    draft.summary = "Key developments: voted for Resolution 74/61."
    draft.save()

    diff = compare(snapshot_of_edition(published), snapshot_of_edition(draft))
    kinds = {c.title: c.kind for c in diff.sections}
    assert kinds == {
        "Policy": "changed",
        "Transparency reporting": "added",
        "Production, transfer, stockpiling, and use": "unchanged",
    }
    policy_change = next(c for c in diff.sections if c.title == "Policy")
    assert "moved from position 1 to 3" in policy_change.note
    assert "<del>5</del><ins>12</ins>" in policy_change.html
    assert "<del>2018</del><ins>2019</ins>" in policy_change.html
    assert "<del>73</del><ins>74</ins>" in policy_change.html
    # The rest of the long section is shown as it is, unmarked.
    assert "The Kyrgyz Republic has not acceded to the Mine Ban Treaty." in policy_change.html

    notes = {c.title: c for c in diff.footnotes}
    assert notes["Footnote 3"].kind == "changed"
    assert "<ins> Updated with the 2019 vote.</ins>" in notes["Footnote 3"].html
    assert {c.kind for t, c in notes.items() if t != "Footnote 3"} == {"unchanged"}
    assert diff.overview[0].kind == "changed"
    assert "<ins>(observer in 2019)</ins>" in diff.overview[0].html.replace("<ins> (", "<ins>(")
    assert diff.fields[0].kind == "added"  # the summary
    assert diff.fields[1].kind == "removed"  # last updated: set again on publication
    assert diff.counts() == {"changed": 3, "added": 2, "removed": 1}


def test_two_revisions_of_a_draft_compare_the_same_way(researcher):
    published = import_seed()
    draft = workflow.start_draft(published.profile, researcher)
    first = Version.objects.get_for_object(draft).get().revision
    with reversion.create_revision():
        section = draft.sections.get(position=2)
        section.body = section.body.replace("US$600,000", "US$650,000")
        section.save()
        reversion.add_to_revision(draft)
    second = Version.objects.get_for_object(draft).first().revision

    diff = compare(snapshot_of_revision(first, draft.pk), snapshot_of_revision(second, draft.pk))
    assert [c.kind for c in diff.sections] == ["unchanged", "changed"]
    assert "US$<del>600</del><ins>650</ins>,000" in diff.sections[1].html
    assert [c.kind for c in diff.footnotes] == ["unchanged"] * 11


def test_word_diff_escapes_html():
    html = word_diff("a <b> c", "a <i> c")
    assert html == "a &lt;<del>b</del><ins>i</ins>&gt; c"


def test_sections_added_removed_and_moved():
    old = Snapshot("old", sections=[("A", "one"), ("B", "two"), ("C", "three")])
    new = Snapshot("new", sections=[("C", "three"), ("A", "one"), ("D", "four")])
    diff = compare(old, new)
    assert [(c.title, c.kind) for c in diff.sections] == [
        ("C", "moved"),
        ("A", "unchanged"),
        ("D", "added"),
        ("B", "removed"),
    ]


# --- maps and figures ----------------------------------------------------------------------

NORTH = ("attachments/figures/r1/north.png", "Map of the north", "Mined areas, 2018.")
SOUTH = ("attachments/figures/r2/south.png", "Map of the south", "")
EAST = ("attachments/figures/r3/east.png", "Map of the east", "Cleared in 2019.")


def test_a_recaptioned_a_replaced_and_a_removed_map_show_as_changed_and_removed():
    new_north = (NORTH[0], NORTH[1], "Mined areas, 2019.")
    # A new upload of a file with the same name: a new stored name, the same alt text.
    new_south = ("attachments/figures/r4/south.png", *SOUTH[1:])
    diff = compare(
        Snapshot("old", figures=[NORTH, SOUTH, EAST]),
        Snapshot("new", figures=[new_north, new_south]),
    )
    north, south, east = diff.figures
    assert (north.title, north.kind, north.note) == ("Figure 1", "changed", "")
    assert "<del>2018</del><ins>2019</ins>" in north.caption.html
    assert not north.image.changed and not north.alt_text.changed
    assert (south.title, south.kind, south.note) == ("Figure 2", "changed", "image replaced")
    assert south.image.html == "<del>south.png</del> <ins>south.png</ins>"
    assert (east.title, east.kind) == ("Figure 3", "removed")
    assert east.caption.html == "<del>Cleared in 2019.</del>"
    assert diff.counts() == {"changed": 2, "removed": 1}


def test_an_added_map_leaves_the_others_unchanged_and_a_reordered_one_moves():
    diff = compare(Snapshot("old", figures=[NORTH]), Snapshot("new", figures=[EAST, NORTH]))
    assert [(c.title, c.kind) for c in diff.figures] == [
        ("Figure 1", "added"),
        ("Figure 2", "unchanged"),
    ]
    assert diff.figures[0].image.html == "<ins>east.png</ins>"
    assert diff.figures[0].alt_text.html == "<ins>Map of the east</ins>"

    diff = compare(Snapshot("old", figures=[NORTH, SOUTH]), Snapshot("new", figures=[SOUTH, NORTH]))
    assert [(c.kind, c.note) for c in diff.figures] == [
        ("unchanged", ""),
        ("moved", "moved from position 1 to 2"),
    ]
    assert diff.counts() == {"moved": 1}


def test_a_drafts_maps_compare_with_its_published_edition(researcher):
    published = make_edition(state=Edition.State.PUBLISHED)
    make_figure(published, 1, alt_text="Map of the north", caption="Mined areas, 2018.")
    make_figure(published, 2, alt_text="Map of the south")
    make_figure(published, 3, alt_text="Map of the east")
    draft = workflow.start_draft(published.profile, researcher)
    # The copies point at the same stored files: nothing changed yet.
    diff = compare(snapshot_of_edition(published), snapshot_of_edition(draft))
    assert [c.kind for c in diff.figures] == ["unchanged"] * 3

    north, south, east = draft.figures.all()
    north.caption = "Mined areas, 2019."
    north.save()
    south.image.save("south.png", ContentFile(png_bytes(colour=(200, 0, 0))), save=False)
    south.save()
    east.delete()
    make_figure(draft, 4, alt_text="Map of the west")

    diff = compare(snapshot_of_edition(published), snapshot_of_edition(draft))
    assert [(c.title, c.kind, c.note) for c in diff.figures] == [
        ("Figure 1", "changed", ""),
        ("Figure 2", "changed", "image replaced"),
        ("Figure 3", "changed", "image replaced"),  # the west map took the east map's place
    ]
    assert "<del>east</del><ins>west</ins>" in diff.figures[2].alt_text.html
    assert all(change in diff.changes for change in diff.figures)


def revision_of(edition):
    with reversion.create_revision():
        reversion.add_to_revision(edition)
    return Version.objects.get_for_object(edition).first().revision


def test_two_revisions_of_a_draft_compare_its_maps(researcher):
    draft = make_edition()
    make_figure(draft, caption="Mined areas, 2018.")
    first = revision_of(draft)
    draft.figures.update(caption="Mined areas, 2019.")
    make_figure(draft, 2, alt_text="Map of the west")
    second = revision_of(draft)

    diff = compare(snapshot_of_revision(first, draft.pk), snapshot_of_revision(second, draft.pk))
    assert [c.kind for c in diff.figures] == ["changed", "added"]
    assert "<del>2018</del><ins>2019</ins>" in diff.figures[0].caption.html
    assert diff.figures_not_recorded == []


def test_a_revision_from_before_maps_were_recorded_does_not_claim_they_were_removed():
    """Its maps are not known: none is shown as added or removed, and the diff says why
    (a revert to it keeps the maps as they are: reports.editions.drafts.restore)."""
    draft = make_edition()
    make_figure(draft, caption="Mined areas, 2018.")
    revision = revision_of(draft)
    version = Version.objects.get_for_object(draft).get(revision=revision)
    data = json.loads(version.serialized_data)
    del data[0]["content"]["figures"]
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))

    old = snapshot_of_revision(revision, draft.pk, "Revision #1")
    assert old.figures is None
    for diff in (
        compare(old, snapshot_of_edition(draft)),
        compare(snapshot_of_edition(draft), old),
    ):
        assert diff.figures == [] and not diff.has_changes
        assert diff.figures_not_recorded == ["Revision #1"]
