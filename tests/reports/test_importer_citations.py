"""Splitting footnotes into citations and the identity keys that match them to Sources."""

import re
from pathlib import Path

from reports.importer.citations import is_ibid, split_citations

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def seed_footnotes(name, occurrence=0):
    """{number: text} of the occurrence-th footnote list in a seed (002 has two)."""
    lists, current, previous = [], None, 0
    for line in (SEEDS / name).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\[(\d+)\]\s*(.*)$", line)
        if match:
            number = int(match[1])
            if current is None or number <= previous:
                current = {}
                lists.append(current)
            current[number] = match[2]
            previous = number
    return lists[occurrence]


def identities(text):
    return [citation.identity for citation in split_citations(text)]


def test_seed_002_footnotes_1_2_and_6_cite_the_same_five_letters():
    notes = seed_footnotes("002_aa834015c799b9df.txt")
    first, second, sixth = (split_citations(notes[number]) for number in (1, 2, 6))
    assert [c.kind for c in first] == ["letter"] * 5
    assert len({c.identity for c in first}) == 5
    assert identities(notes[1]) == identities(notes[2]) == identities(notes[6])
    assert first[0].reference == "10-2/1570"
    assert first[0].date == "2013-04-15"
    assert first[0].author == "A. Tanalinov"


def test_seed_003_letter_is_one_identity_across_footnotes():
    notes = seed_footnotes("003_fa6237349ec68be0.txt")
    letter = {number: split_citations(notes[number])[0] for number in (1, 4, 7, 8, 10)}
    assert len({citation.identity for citation in letter.values()}) == 1
    first = letter[1]
    assert first.kind == "letter"
    assert first.reference == "011-14/809"
    assert first.date == "2010-04-30"
    assert first.author == "Ministry of Foreign Affairs"
    # the commentary after the letter is not part of the source
    assert first.title == "Letter 011-14/809 from the Ministry of Foreign Affairs, 30 April 2010"
    assert len(split_citations(notes[1])) == 1


def test_monitor_report_identity_is_series_and_year_with_the_page_as_locator():
    (citation,) = split_citations("Landmine Monitor Report 2007, p. 862.")
    assert citation.kind == "report"
    assert citation.identity == "report:landmine monitor:2007"
    assert citation.locator == "p. 862"
    assert (citation.report_series, citation.report_year) == ("Landmine Monitor", 2007)
    assert citation.title == "Landmine Monitor Report 2007"
    other_page = split_citations("See, Landmine Monitor Report 2007, pp. 3–4, for details.")[0]
    assert other_page.identity == citation.identity
    assert other_page.locator == "pp. 3–4"
    cmm = split_citations("Cluster Munition Monitor 2012, p. 4")[0]
    assert cmm.report_series == "Cluster Munition Monitor"


def test_seed_000_footnote_7_lists_two_reports():
    notes = seed_footnotes("000_6e55b677930c3a7a.txt")
    assert identities(notes[7]) == [
        "report:landmine monitor:2007",
        "report:landmine monitor:2005",
    ]
    assert identities(notes[4]) == ["report:landmine monitor:2007"]


def test_resolution_identity_is_its_number():
    text = (
        "“Implementation of the Convention on the Prohibition of the Use, Stockpiling, "
        "Production and Transfer of Anti-Personnel Mines and on Their Destruction,” UNGA "
        "Resolution 73/61, 5 December 2018."
    )
    (citation,) = split_citations(text)
    assert citation.kind == "resolution"
    assert citation.identity == "resolution:73/61"
    assert citation.reference == "73/61"
    assert citation.date == "2018-12-05"
    assert citation.author == "UN General Assembly"


def test_interview_and_statement_identity_is_person_and_date():
    long = split_citations(
        "Interview with Arman Baissuanov, Chief of International Security Section, Ministry "
        "of Foreign Affairs, Astana, 12 April 2004."
    )[0]
    short = split_citations(
        "Interview with Arman Baissuanov, Ministry of Foreign Affairs, 12 April 2004."
    )[0]
    assert long.kind == "interview"
    assert long.identity == short.identity == "interview:arman baissuanov:2004-04-12"
    statement = split_citations("Statement by Amb. Auyeskhan Kyrbasov, 15 April 2004.")[0]
    fuller = split_citations(
        "Statement by Amb. Auyeskhan Kyrbasov, Special Representative, Dushanbe, 15 April 2004"
    )[0]
    assert statement.kind == "statement"
    assert statement.identity == fuller.identity == "statement:auyeskhan kyrbasov:2004-04-15"


def test_other_sources_are_matched_by_normalised_text_without_locator():
    curly = split_citations("Adil Urmanov, “Blind Weapon,” Delovaiya Nedeliya, 12 June 1998, p. 8.")
    straight = split_citations('Adil  Urmanov, "Blind Weapon," Delovaiya Nedeliya, 12 June 1998')
    assert curly[0].identity == straight[0].identity
    assert curly[0].locator == "p. 8"
    assert curly[0].kind == "media"
    assert curly[0].identity == curly[0].identity.lower()
    dashes = split_citations("Report on mines 2010–2011.")[0]
    hyphen = split_citations("Report on mines 2010-2011")[0]
    assert dashes.identity == hyphen.identity


def test_semicolons_inside_parentheses_or_quotes_do_not_split():
    assert len(split_citations("Book (London; Paris: Press, 2004); Letter No. 5, 1 May 2004")) == 2
    assert len(split_citations("“Mines; a history,” AFP, 3 May 2004")) == 1
    assert len(split_citations('"Mines; a history," AFP, 3 May 2004; Reuters, 4 May 2004')) == 2


def test_citation_text_is_trimmed_and_keeps_typography():
    (citation,) = split_citations("  “Kazakh stabilization force,” AFP (Astana), 30 June 2003;  ")
    assert citation.text == "“Kazakh stabilization force,” AFP (Astana), 30 June 2003"
    assert citation.date == "2003-06-30"


def test_dates_keep_the_precision_given():
    assert split_citations("Interviews with an official, February 2003")[0].date == "2003-02"
    assert split_citations("Email from X, December 3, 2010")[0].date == "2010-12-03"


def test_ibid():
    assert is_ibid("Ibid.") == (True, "")
    assert is_ibid("Ibid., p. 3.") == (True, "p. 3")
    assert is_ibid("ibid, pp. 3–4") == (True, "pp. 3–4")
    assert is_ibid("Interview with X, 1 May 2004.") == (False, "")
    assert is_ibidem_free("Ibidem-like words are not Ibid") is False


def is_ibidem_free(text):
    return is_ibid(text)[0]


def test_never_raises_on_odd_text():
    for text in ["", ";;;", "(((", "”", "Ibid", "Letter", "Resolution 1/2/3", "p. 3", "\u00a0"]:
        for citation in split_citations(text):
            assert citation.identity
