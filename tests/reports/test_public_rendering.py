"""Section and footnote text renders safely and exactly as written."""

import pytest
from django.urls import reverse
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.public.rendering import (
    Content,
    Markers,
    render_edition_content,
    render_inline,
    render_text,
)
from tests.builders import make_edition

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '<a href="javascript:alert(3)">click</a>',
    '"><svg onload=alert(4)>',
    "<iframe src=//evil.example></iframe>",
    "[1]<style>body{display:none}</style>",
    'http://example.org/"onmouseover="alert(5)',
    "<p onclick=alert(6)>para</p>",
]


def test_paragraphs_bullets_and_markers():
    markers = Markers(known={1, 2})
    html = render_text(
        "First para.[1]\nSecond line.\n\n• one[2]\n- two\n\nAgain.[1] Gone.[9]", markers
    )
    assert html.startswith("<p>First para.<sup")
    assert "<br>Second line.</p>" in html
    assert "<ul><li>one" in html and "<li>two</li></ul>" in html
    assert 'href="#note-1" id="ref-1-1"' in html and 'id="ref-1-2"' in html
    assert 'id="ref-2-1"' in html
    assert '<sup class="marker missing">[9]</sup>' in html  # no such note: printed as is
    assert markers.backrefs(1) == ["ref-1-1", "ref-1-2"]


@pytest.mark.parametrize(
    "text",
    [
        "Myanmar_Burma and Lao_PDR",
        "* 107 unsurveyed records",
        "# 3 is not a heading",
        "**not bold** and _not italic_ and `not code`",
        "[link] (example) stays text",
    ],
)
def test_legacy_text_is_text_not_markup(text):
    html = render_text(text)
    assert html.startswith("<p>") and html.endswith("</p>")
    assert (
        html[3:-4].replace('<a href="http://example.org" rel="nofollow">', "").replace("</a>", "")
        == text
    )
    for tag in ("<em>", "<strong>", "<h1>", "<code>", "<li>"):
        assert tag not in html
    assert text.split()[0] in html


def test_urls_become_links_without_trailing_punctuation():
    html = render_inline("See https://www.un.org/disarmament/, accessed 3 May 2019.")
    assert '<a href="https://www.un.org/disarmament/" rel="nofollow">' in html
    assert "</a>, accessed" in html


def active_markup(html):
    """What a browser would run or load from this HTML: dangerous elements, event handler
    attributes and script URLs, as parsed (not as substrings of escaped text)."""
    tree = HTMLParser(f"<html><body>{html}</body></html>")
    found = [node.tag for node in tree.css("script, img, svg, iframe, style, object, embed")]
    for node in tree.css("*"):
        for name, value in (node.attributes or {}).items():
            if name.lower().startswith("on"):
                found.append(f"{node.tag}[{name}]")
            if name in ("href", "src") and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                found.append(f"{node.tag}[{name}={value}]")
    return found


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_neutralised(payload):
    for html in (render_text(payload, Markers(known={1})), render_inline(payload)):
        assert active_markup(html) == []
        assert "<" not in html.replace("<p>", "").replace("</p>", "").replace("<br>", "").replace(
            "<sup", ""
        ).replace("</sup>", "").replace("<a ", "").replace("</a>", "")


def test_hostile_content_on_the_profile_page_never_becomes_markup(client):
    payload = "\n\n".join(HOSTILE)
    edition = make_edition(
        state="published",
        summary=payload,
        sections=(("<b>Heading</b><script>alert(7)</script>", payload + " [1]"),),
        footnotes=((payload,),),
        overview=(("<i>label</i>", payload),),
    )
    profile = edition.profile
    page = client.get(reverse("public:profile", args=[profile.country.slug, profile.topic.slug]))
    main = HTMLParser(page.text).css_first("main").html
    assert active_markup(main) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "&lt;b&gt;Heading&lt;/b&gt;" in main
    # The source page shows the footnote's source title escaped, too.
    source = edition.footnotes.get().sources.get()
    source_page = client.get(reverse("public:source", args=[source.pk])).text
    assert active_markup(HTMLParser(source_page).css_first("main").html) == []
    assert "&lt;script&gt;" in source_page


def test_an_ibid_note_without_citations_links_the_previous_notes_source(
    django_assert_num_queries,
):
    content = Content(
        summary="",
        facts=[],
        sections=[(1, "Policy", "A.[1] B.[2] C.[3] D.[4] E.[5]")],
        notes=[(1, "Letter."), (2, "Ibid."), (3, "Ibid., p. 4."), (4, "Other."), (5, "Ibid.")],
        cites={1: [(7, "Letter of 30 April 2010", "p. 2")]},
    )
    with django_assert_num_queries(0):
        notes = HTMLParser(render_edition_content(content)["notes"])
    # An Ibid. of an Ibid. follows the chain back to note 1 (its page is in its own words).
    for number in (2, 3):
        note = notes.css_first(f"#note-{number}")
        ibid = note.css_first(".note-text a")
        assert ibid.text() == "Ibid." and ibid.attributes["href"] == "/sources/7/"
        assert ibid.attributes["title"] == "Letter of 30 April 2010"
        assert note.css_first(".cites") is None  # the note above names it: not repeated
    # Note 4 cites nothing, so the Ibid. after it has nothing to repeat.
    assert notes.css_first("#note-5 .note-text a") is None
    assert notes.css_first("#note-5 .cites") is None


def test_a_marker_in_a_section_heading_links_both_ways(client):
    edition = make_edition(
        state="published",
        sections=(("Casualties[1]", "In 2019, 12 people were injured.[2]"),),
        footnotes=(("Letter.",), ("Interview.",)),
    )
    profile = edition.profile
    page = client.get(reverse("public:profile", args=[profile.country.slug, profile.topic.slug]))
    doc = HTMLParser(page.text)
    heading = doc.css_first("section#section-1 h2")
    marker = heading.css_first("sup.marker a")
    assert marker.attributes["href"] == "#note-1" and marker.attributes["id"] == "ref-1-1"
    assert "[1]" not in heading.text()
    assert doc.css_first("#note-1 a.backref").attributes["href"] == "#ref-1-1"
    assert [a.text() for a in doc.css("nav.toc a")] == ["Casualties", "Notes"]


@pytest.mark.parametrize(
    "payload", [*HOSTILE, 'x" onmouseover="alert(11)', "x' onclick='alert(12)"]
)
def test_hostile_source_titles_and_locators_stay_text_in_the_notes(payload):
    content = Content(
        summary="",
        facts=[],
        sections=[(1, "Policy", "A.[1] B.[2]")],
        notes=[(1, f"Letter. {payload}"), (2, "Ibid.")],
        cites={1: [(7, payload, payload)]},
    )
    notes = str(render_edition_content(content)["notes"])
    assert active_markup(notes) == []
    tree = HTMLParser(notes)
    ibid = tree.css_first("#note-2 .note-text a")  # the label is also its title attribute
    assert set(ibid.attributes) == {"href", "title"}
    assert ibid.attributes["title"] == " ".join(payload.split())
    assert tree.css_first("#note-1 .note-text").text() == f"Letter. {payload}"


def test_a_marker_inside_a_url_stays_part_of_the_url():
    markers = Markers(known={1})
    html = render_text("See http://example.org/a[1]b for it.[1]", markers)
    link = HTMLParser(html).css_first("a[rel=nofollow]")
    assert link.attributes["href"] == "http://example.org/a[1]b"
    assert markers.backrefs(1) == ["ref-1-1"]  # only the marker after the sentence
    assert active_markup(html) == []
