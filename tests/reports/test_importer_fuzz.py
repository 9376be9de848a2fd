"""The parser never raises nor hangs, whatever text, HTML or Word input it is given (issues 13
and 14)."""

import io
import signal
import zipfile
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.importer.parsing import parse_document
from tests.reports.docx_documents import make_docx

LINES = [
    "Kazakhstan",
    "Mine Ban Policy",
    "Impact",
    "Last updated: 18 December 2019",
    "Landmine Monitor Report 2006: Toward a Mine-Free World",
    "Belarus, Landmine Monitor Report 2006",
    "Major Findings",
    "Key data",
    "State Party since",
    "1 January 2000",
    "Article 5 deadline: 1 June 2016",
    "(Deadline missed without extension request)",
    "Not a signatory to the Convention on Cluster Munitions",
    "Mine Ban Treaty status |",
    "Table: Clearance in 2012",
    "| Operator | Area |",
    "| --- | --- |",
    "Clearance by operator",
    "Operator",
    "1,200",
    "–",
    "Jump to section",
    "Sections",
    "Send the Monitor your feedback by filling out this form.",
    "[1] Letter No. 4, 1 May 2001.",
    "[2]Ibid.",
    "The Republic of Kazakhstan has not acceded to the treaty.[1]",
]
TEXT = st.one_of(st.sampled_from(LINES), st.text(max_size=60))
XML_TEXT = st.one_of(
    st.sampled_from(LINES),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60),
)


@st.composite
def html_pages(draw):
    pieces = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(st.sampled_from(["p", "h2", "li", "td", "th", "caption", "sup", "div", "br"]))
        text = draw(TEXT).replace("<", "&lt;")
        if tag == "br":
            pieces.append("<br>")
        elif tag in ("td", "th"):
            cells = "".join(f"<{tag}>{draw(TEXT)}</{tag}>" for _ in range(draw(st.integers(1, 4))))
            nested = "<table><tr><td>x</td></tr></table>" if draw(st.booleans()) else ""
            pieces.append(f"<table><tr>{cells}</tr><tr>{cells}{nested}</tr></table>")
        else:
            pieces.append(f"<{tag}>{text}</{tag}>")
    return "<html><body>" + "".join(pieces) + "</body></html>"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_pages())
def test_random_html_never_raises(page):
    document = parse_document(page.encode(), name="page.html")
    assert (document.error is None) == bool(document.profiles)


@st.composite
def word_documents(draw):
    styles = [None, "Title", "Heading1", "Heading2"]
    blocks = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 5)) == 0:
            rows = draw(st.lists(st.lists(XML_TEXT, min_size=1, max_size=3), max_size=4))
            blocks.append(("table", rows))
        else:
            text = draw(XML_TEXT).replace("{", "(")
            if draw(st.booleans()):
                text += "{" + str(draw(st.integers(0, 4))) + "}"
            blocks.append((draw(st.sampled_from(styles)), text))
    notes = draw(st.dictionaries(st.integers(1, 4), XML_TEXT, max_size=4))
    return make_docx(blocks, notes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word_documents())
def test_random_word_documents_never_raise(raw):
    document = parse_document(raw, name="profile.docx")
    assert (document.error is None) == bool(document.profiles)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000), st.integers(0, 3000))
def test_damaged_word_files_never_raise(noise, cut):
    raw = make_docx([("Heading1", "Mine Ban Policy"), (None, "Kazakhstan text.")])
    damaged = raw[:cut] + noise
    document = parse_document(damaged, name="profile.docx")
    assert (document.error is None) == bool(document.profiles)


def test_a_zip_bomb_posing_as_word_is_refused_unread():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    document = parse_document(buffer.getvalue(), name="bomb.docx")
    assert "too large" in document.error


@contextmanager
def at_most(seconds):
    """Fail instead of hanging: the block is interrupted after `seconds`."""

    def interrupt(signum, frame):
        raise TimeoutError(f"still parsing after {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_piped_line_set_apart_below_the_status_lines_is_parsed_in_bounded_time():
    # Found by the fuzz test: the overview reader took nothing from a "Label |" line two blank
    # lines below a status line, and the body builder asked it again for ever.
    text = (
        "Kazakhstan\nMine Ban Policy\nLast updated: 18 December 2019\n\n"
        "Article 5 deadline: 1 June 2016\n\n\nMine Ban Treaty status |\n"
    )
    with at_most(5):
        document = parse_document(text.encode(), name="profile.txt")
    [profile] = document.profiles
    assert ("Article 5 deadline", "1 June 2016") in profile.overview
