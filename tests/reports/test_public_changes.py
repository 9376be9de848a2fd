"""What changed: by paragraph, a rewrite old beside new, an edit inline, notes added and
removed, and a summary line."""

import datetime

import pytest
from django.urls import reverse
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.diff import Snapshot, compare
from reports.public.changes import public_changes
from tests.builders import make_country, make_edition, make_profile, make_topic

from .public_helpers import S

KEPT = "The army keeps a small stock of mines for training dogs and deminers."
EDITED_OLD = "In 2018 the State destroyed 1,200 stockpiled mines at its northern depot."
EDITED_NEW = "In 2019 the State destroyed 1,450 stockpiled mines at its northern depot."
REWRITTEN_OLD = "Officials said accession was under study by an interagency commission."
REWRITTEN_NEW = (
    "Parliament ratified the treaty on 3 May after a short debate without votes against."
)


def edition_pair():
    old = Snapshot(
        label="2018",
        summary="Nothing new.",
        sections=[("Policy", f"{KEPT}[1]\n\n{EDITED_OLD}[2]\n\n{REWRITTEN_OLD}[3]")],
        footnotes=[(1, "Interview, 2018."), (2, "Letter, 2018."), (3, "Statement, 2018.")],
    )
    new = Snapshot(
        label="2019",
        summary="Nothing new.",
        sections=[
            ("Policy", f"{KEPT}[1]\n\n{EDITED_NEW}[2]\n\n{REWRITTEN_NEW}[4]\n\nA new paragraph.[5]")
        ],
        footnotes=[
            (1, "Interview, 2018."),
            (2, "Letter, 2018."),
            (4, "Law No. 12, 3 May 2019."),
            (5, "Media report, 2019."),
        ],
    )
    return old, new


def test_a_rewrite_is_shown_beside_the_old_text_and_an_edit_inline():
    """Defect 3: a rewritten paragraph became word-by-word confetti."""
    changes = public_changes(compare(*edition_pair()))
    (part,) = changes.parts
    assert [block.kind for block in part.blocks] == ["same", "edited", "rewritten", "added"]
    edited, rewritten = part.blocks[1], part.blocks[2]
    assert "<del>2018</del><ins>2019</ins>" in edited.html
    assert rewritten.old == REWRITTEN_OLD and rewritten.new == REWRITTEN_NEW
    assert changes.notes_added == [(4, "Law No. 12, 3 May 2019."), (5, "Media report, 2019.")]
    assert changes.notes_removed == [(3, "Statement, 2018.")]
    assert changes.summary_line == (
        "2 paragraphs changed, 1 paragraph added, 2 notes added, 1 note removed"
    )


def test_renumbered_markers_alone_change_nothing():
    old = Snapshot(label="a", sections=[("Policy", "Same words.[1]")], footnotes=[(1, "L.")])
    new = Snapshot(label="b", sections=[("Policy", "Same words.[2]")], footnotes=[(2, "L.")])
    changes = public_changes(compare(old, new))
    assert not changes.has_changes
    assert changes.summary_line == "No change to the text"


@pytest.mark.django_db
def test_the_changes_page_shows_paragraphs_and_the_summary_line(client):
    profile = make_profile(make_country("Kyrgyzstan"), make_topic("Mine Ban Policy"))
    old, new = edition_pair()
    for snapshot, state, day in ((old, S.SUPERSEDED, 1), (new, S.PUBLISHED, 2)):
        make_edition(
            profile,
            state=state,
            last_updated=datetime.date(2018 + day, 10, 1),
            summary=snapshot.summary,
            sections=snapshot.sections,
            footnotes=[(text,) for _, text in snapshot.footnotes],
        )
    url = reverse("public:changes", args=["kyrgyzstan", "mine-ban-policy"])
    doc = HTMLParser(client.get(url).text)
    # Notes are numbered 1.. in the builder, so the numbers differ from the snapshots'.
    assert doc.css_first(".change-summary").text() == (
        "2 paragraphs changed, 1 paragraph added, 2 notes added, 1 note removed."
    )
    rewritten = doc.css_first(".rewritten")
    assert rewritten.css_first(".before").text().endswith(REWRITTEN_OLD)
    assert rewritten.css_first(".after").text().endswith(REWRITTEN_NEW)
    assert doc.css_first("p.edited del").text() == "2018"
    assert "1 unchanged paragraph" in doc.css_first("p.unchanged").text()
    assert [li.text() for li in doc.css("ul.notes-removed li")] == [
        "Note 3 of the earlier edition: Statement, 2018."
    ]
