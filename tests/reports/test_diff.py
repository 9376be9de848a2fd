"""Readable word-level diffs: a real pair of editions built from seed 003 (Kyrgyzstan, Mine Ban
Policy), reworked as a researcher would, and the building blocks."""

import re
from pathlib import Path

import pytest
import reversion
from reversion.models import Version

from reports.citations import citation_problems
from reports.diff import Snapshot, compare, snapshot_of_edition, snapshot_of_revision, word_diff
from reports.editions import workflow
from reports.editions.freeze import lifecycle
from reports.models import Edition, OverviewFact, Section
from sources.models import Citation, Footnote, Source
from tests.builders import make_country, make_profile, make_topic

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
