"""The notes list: each note printed once, its cited sources linked, titles never cut; markers
and back links named by their visible text."""

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.public.rendering import Content, render_edition_content

from .test_public_rendering import active_markup

KAZAKH_LETTER = (
    "Letter No. 12-1/4711 from the Permanent Mission of Kazakhstan to the UN in Geneva, "
    "14 March 2011"
)


def notes_of(notes, cites, body=None):
    numbers = " ".join(f"Text.[{n}]" for n, _ in notes)
    content = Content(
        summary="", facts=[], sections=[(1, "Policy", body or numbers)], notes=notes, cites=cites
    )
    return HTMLParser(str(render_edition_content(content)["notes"]))


def test_a_note_is_printed_once_and_its_source_is_linked_in_it():
    """Defect 2: the note's own text was repeated as a "Source:" link cut mid-word."""
    text = f"{KAZAKH_LETTER}."
    doc = notes_of([(1, text)], {1: [(7, KAZAKH_LETTER, "")]})
    note = doc.css_first("#note-1")
    assert note.text().count("Permanent Mission") == 1
    assert "…" not in note.text()
    link = note.css_first("a.source")
    assert link.attributes["href"] == "/sources/7/"
    assert link.text() == KAZAKH_LETTER  # the whole title, in the note's own words
    assert note.css_first(".note-text").text() == text


def test_a_source_titled_apart_from_the_note_is_linked_once_in_full():
    long_title = "Statement of the Delegation " + "of a very long and patient body " * 5 + "end"
    doc = notes_of([(1, "See the statement, p. 4.")], {1: [(8, long_title, "p. 4")]})
    note = doc.css_first("#note-1")
    link = note.css_first(".cites a.source")
    assert link.text() == long_title  # never cut, let alone mid-word
    assert note.css_first(".cites").text() == f"Source: {long_title}, p. 4"


def test_several_sources_each_linked_where_the_note_names_them():
    text = (
        "Interview with Col. A. Bekov, Ministry of Defence, Bishkek, 5 May 2010; and letter "
        "from the Ministry of Foreign Affairs, 30 April 2010."
    )
    doc = notes_of(
        [(1, text)],
        {
            1: [
                (3, "Interview with Col. A. Bekov, Ministry of Defence, Bishkek, 5 May 2010", ""),
                (4, "letter from the Ministry of Foreign Affairs, 30 April 2010", ""),
            ]
        },
    )
    note = doc.css_first("#note-1")
    assert [a.attributes["href"] for a in note.css("a.source")] == ["/sources/3/", "/sources/4/"]
    assert note.css_first(".cites") is None
    assert note.css_first(".note-text").text() == text


def test_an_ibid_note_links_its_word_and_repeats_nothing():
    doc = notes_of(
        [(1, f"{KAZAKH_LETTER}."), (2, "Ibid., p. 4.")],
        {1: [(7, KAZAKH_LETTER, "")]},
    )
    note = doc.css_first("#note-2")
    assert note.css_first(".note-text a").text() == "Ibid."
    assert note.css_first(".note-text a").attributes["href"] == "/sources/7/"
    assert note.css_first(".cites") is None
    assert "Permanent Mission" not in note.text()


def test_a_url_in_the_title_keeps_its_own_link_and_nests_no_link():
    title = "Report online at http://example.org/report.pdf"
    doc = notes_of([(1, f"{title}.")], {1: [(9, title, "")]})
    note = doc.css_first("#note-1")
    assert not note.css("a a")
    assert note.css_first('a[href="http://example.org/report.pdf"]') is not None
    assert note.css_first('a.source[href="/sources/9/"]') is not None


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '"><b onclick=x>'])
def test_titles_found_in_hostile_notes_stay_text(payload):
    text = f"Letter {payload} of 2010"
    doc = notes_of([(1, text)], {1: [(7, text, "")]})
    assert active_markup(doc.html) == []
    assert doc.css_first("#note-1 .note-text").text() == text


def test_markers_and_back_links_are_named_by_what_they_show():
    """Defect 5: a marker showed "1" but was named "Note 1" (aria-label); back links too."""
    doc = notes_of([(1, "Letter.")], {}, body="One.[1] Two.[1]")
    content = Content(
        summary="", facts=[], sections=[(1, "P", "One.[1] Two.[1]")], notes=[(1, "L.")], cites={}
    )
    html = render_edition_content(content)
    section = HTMLParser(str(html["sections"][0].html))
    for marker in section.css("sup.marker a"):
        assert "aria-label" not in marker.attributes
        assert marker.text() == "1"
    for backref in doc.css("a.backref"):
        assert "aria-label" not in backref.attributes
        assert "Back to reference" in backref.text()


@pytest.mark.django_db
def test_the_404_page_is_the_sites_own(client, settings):
    """Defect 5: the 404 and 500 pages were Django's defaults."""
    response = client.get("/countries/nowhere-at-all/")
    assert response.status_code == 404
    doc = HTMLParser(response.text)
    assert doc.css_first("h1").text() == "Page not found"
    assert settings.PUBLICATION["name"] in doc.css_first("header.site").text()
    assert doc.css_first("main form[role=search]") is not None


def test_the_500_page_is_the_sites_own_and_needs_no_database(rf, settings):
    from django.urls import get_resolver

    handler = get_resolver().resolve_error_handler(500)
    response = handler(rf.get("/"))  # no database access allowed in this test
    assert response.status_code == 500
    doc = HTMLParser(response.content.decode())
    assert doc.css_first("h1").text() == "Something went wrong on our side"
    assert settings.PUBLICATION["name"] in doc.css_first("header.site").text()


def test_a_note_naming_its_source_in_nearly_the_titles_words_links_them():
    text = (
        "See, for example, statement of Kyrgyzstan, Mine Ban Treaty Standing Committee on the "
        "General Status and Operation, Geneva, 8 May 2006. Kyrgyzstan told States Parties more."
    )
    title = (
        "Statement of Kyrgyzstan, Mine Ban Treaty Standing Committee on General Status and "
        "Operation, Geneva, 8 May 2006"
    )
    note = notes_of([(1, text)], {1: [(5, title, "")]}).css_first("#note-1")
    link = note.css_first("a.source")
    assert link.text() == (
        "statement of Kyrgyzstan, Mine Ban Treaty Standing Committee on the General Status and "
        "Operation, Geneva, 8 May 2006"
    )
    assert note.css_first(".cites") is None
    # Words of the title scattered over a note are no mention of it.
    scattered = "Statement made. Kyrgyzstan spoke of the Mine Ban Treaty, at length, in Geneva."
    note = notes_of([(1, scattered)], {1: [(5, title, "")]}).css_first("#note-1")
    assert note.css_first(".cites a.source").text() == title
