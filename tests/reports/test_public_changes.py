"""What changed: by paragraph, a rewrite old beside new, an edit inline, notes added and
removed, and a summary line."""

import datetime

import pytest
from django.urls import reverse
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.diff import Snapshot, compare
from reports.editions.freeze import lifecycle
from reports.models import Figure
from reports.public import pagecache
from reports.public.changes import public_changes
from tests.builders import make_country, make_edition, make_figure, make_profile, make_topic

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


def test_changed_maps_are_counted_in_the_summary_line():
    north = ("attachments/figures/r1/north.png", "Map of the north", "Mined areas, 2018.")
    south = ("attachments/figures/r2/south.png", "Map of the south", "")
    old = Snapshot(label="a", figures=[north, south])
    new = Snapshot(label="b", figures=[(*north[:2], "Mined areas, 2019."), south, north])
    changes = public_changes(compare(old, new))
    assert [(c.title, c.kind) for c in changes.figures] == [
        ("Figure 1", "changed"),
        ("Figure 3", "added"),
    ]
    assert changes.has_changes
    assert changes.summary_line == "1 figure changed, 1 figure added"


def same_image(figure, edition, **fields):
    """A figure on `edition` showing the stored file of `figure` (as a copied draft does)."""
    columns = {name: getattr(figure, name) for name in ("position", "alt_text", "caption")}
    with lifecycle():
        return Figure.objects.create(
            edition=edition,
            image=figure.image.name,
            width=figure.width,
            height=figure.height,
            **{**columns, **fields},
        )


@pytest.mark.django_db
def test_the_changes_page_shows_changed_maps_without_a_link_to_any_file(
    client, django_assert_num_queries
):
    profile = make_profile(make_country("Kyrgyzstan"), make_topic("Mine Ban Policy"))
    old, new = (
        make_edition(profile, state=state, last_updated=datetime.date(year, 10, 1))
        for state, year in ((S.SUPERSEDED, 2018), (S.PUBLISHED, 2019))
    )
    north = make_figure(old, 1, alt_text="Map of the north", caption="Mined areas, 2018.")
    make_figure(old, 2, alt_text="Map of the south")
    unchanged = make_figure(old, 3, alt_text="Map of the east")
    same_image(north, new, caption="Mined areas, 2019.")
    make_figure(new, 2, alt_text="Map of the south")  # a new upload: the image replaced
    same_image(unchanged, new)
    url = reverse("public:changes", args=["kyrgyzstan", "mine-ban-policy"])

    pagecache.forget_all()
    # The publication clock, the history, the two editions, then their facts, sections,
    # notes and maps: one query each for both editions, however many rows.
    with django_assert_num_queries(7):
        response = client.get(url)
    doc = HTMLParser(response.text)
    assert doc.css_first(".change-summary").text() == "2 figures changed."
    section = doc.css_first("section.figures-changed")
    titles = [h3.text(deep=True) for h3 in section.css("h3")]
    assert titles == ["Figure 1 (changed)", "Figure 2 (changed; image replaced)"]
    assert section.css_first("dd del").text() == "2018"
    assert section.css_first("dd ins").text() == "2019"
    main = doc.css_first("main")
    assert not main.css("img")
    hrefs = [a.attributes.get("href") or "" for a in main.css("a")]
    assert not [href for href in hrefs if "/figures/" in href]
