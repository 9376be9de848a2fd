"""Pipe tables in section bodies render as accessible HTML tables (issue 13, point 8)."""

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.public.rendering import Markers, render_text

TABLE = (
    "Operators cleared land in every province.\n\n"
    "Table: Clearance by operator in 2012[1]\n"
    "| Operator | Area cleared (m²) | Mines destroyed |\n"
    "| --- | --- | --- |\n"
    "| Demining Group A | 1,204,000 | 312[2] |\n"
    "| Group B \\| partners | 845,500 | 97 |"
)


def test_a_pipe_table_renders_with_its_caption_and_headers():
    doc = HTMLParser(str(render_text(TABLE, Markers(known={1, 2}))))
    assert doc.css_first("p").text() == "Operators cleared land in every province."
    table = doc.css_first("table.data-table")
    assert table.css_first("caption").text() == "Clearance by operator in 20121"
    assert [th.attributes["scope"] for th in table.css("thead th")] == ["col"] * 3
    assert [th.text() for th in table.css("thead th")] == [
        "Operator",
        "Area cleared (m²)",
        "Mines destroyed",
    ]
    rows = table.css("tbody tr")
    assert [row.css_first("th").attributes["scope"] for row in rows] == ["row", "row"]
    assert rows[1].css_first("th").text() == "Group B | partners"
    # Markers in a caption or a cell link to their notes.
    assert [a.attributes["href"] for a in table.css("sup.marker a")] == ["#note-1", "#note-2"]


def test_cells_are_text_not_markup():
    html = str(render_text("| <b>a</b> | <script>x</script> |\n| 1 | 2 |"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<thead>" not in html  # no rule row: no header
    assert html.count("<td>") == 4


def test_a_line_with_pipes_in_prose_stays_a_paragraph():
    html = str(render_text("Figures | as printed | in 2004.\n\nNext paragraph."))
    assert "<table" not in html and html.startswith("<p>Figures | as printed")
