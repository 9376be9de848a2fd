"""The archive parser: the five seed documents, every document shape, and properties."""

import random
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.importer.parsing import (
    DEFAULT_TOPICS,
    CountryLookup,
    html_to_text,
    is_chrome,
    parse_document,
)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_NAMES = sorted(path.name for path in SEEDS.glob("0*.txt"))


def seed_bytes(prefix):
    (name,) = [name for name in SEED_NAMES if name.startswith(prefix)]
    return (SEEDS / name).read_bytes()


def parse_seed(prefix, **options):
    document = parse_document(seed_bytes(prefix), name=f"{prefix}.txt", **options)
    assert document.error is None
    return document


def parse_text(text, **options):
    return parse_document(text.encode(), **options)


def only_profile(text, **options):
    document = parse_text(text, **options)
    assert document.error is None, document.error
    (profile,) = document.profiles
    return profile


def messages(profile):
    return [warning.message for warning in profile.warnings]


def headings(profile):
    return [section.heading for section in profile.sections]


def body_text(profile):
    return "\n".join(section.text for section in profile.sections)


# --- the seed documents, as EXPECTED.md describes them ---------------------------------------


def test_seed_000_country_from_prose_and_missing_footnote():
    (profile,) = parse_seed("000").profiles
    assert profile.country == "Kazakhstan"
    assert profile.topic == "Mine Ban Policy"
    assert profile.last_updated == "2019-12-18"
    assert profile.report is None
    assert profile.summary == ""
    assert headings(profile) == ["", "Production, transfer, stockpiling, use"]
    assert profile.sections[0].text.startswith("The Republic of Kazakhstan has not acceded")
    assert profile.sections[0].text.count("\n\n") == 3
    assert [note.number for note in profile.footnotes] == [1, 2, 3, 4, 5, 7]
    missing = [w for w in profile.warnings if w.message == "marker [6] has no footnote"]
    assert [w.line for w in missing] == [18]
    assert "treaty’s humanitarian" in profile.sections[0].text
    assert "November–December 2009" in profile.sections[0].text


def test_seed_001_legacy_country_report():
    (profile,) = parse_seed("001").profiles
    assert profile.country == "Kazakhstan"
    assert profile.topic == "Country report"
    assert profile.report == "Landmine Monitor Report 2004"
    assert profile.report_year == 2004
    assert profile.last_updated == "2004"
    assert profile.summary.startswith("Key developments since May 2003: An ICBL delegation")
    assert headings(profile) == [
        "Mine Ban Policy",
        "Production, Transfer, Stockpiling, and Use",
        "Landmine Use and Mine Action",
    ]
    assert [note.number for note in profile.footnotes] == list(range(1, 18))
    assert not profile.warnings
    everything = profile.summary + body_text(profile)
    for chrome in ["About Us", "ARCHIVES HOME PAGE", "Table of Contents", "Country Reports"]:
        assert chrome not in everything


def test_seed_001_ibid_footnotes_cite_the_previous_sources():
    notes = {note.number: note for note in parse_seed("001").profiles[0].footnotes}
    for ibid, previous in [(3, 2), (13, 12)]:
        assert notes[ibid].text == "Ibid."
        assert notes[ibid].sources == notes[previous].sources
        assert notes[ibid].citations == notes[previous].citations
        assert notes[ibid].citations
    assert notes[13].citations[0].identity == "interview:arman baissuanov:2004-04-12"


def test_seed_002_two_profiles_with_their_own_footnotes():
    cluster, mine_ban = parse_seed("002").profiles
    assert (cluster.country, cluster.topic, cluster.last_updated) == (
        "Kazakhstan",
        "Cluster Munition Ban Policy",
        "2020-09-04",
    )
    assert (mine_ban.country, mine_ban.topic, mine_ban.last_updated) == (
        "Kazakhstan",
        "Mine Ban Policy",
        "2019-12-18",
    )
    assert cluster.summary.startswith("Ten-Year Review: Non-signatory Kazakhstan")
    assert headings(cluster) == ["Policy", "Use, production, and transfer", "Stockpiling"]
    assert [note.number for note in cluster.footnotes] == list(range(1, 11))
    assert not cluster.warnings
    assert headings(mine_ban) == ["Policy", "Production, transfer, stockpiling, use"]
    assert [note.number for note in mine_ban.footnotes] == [1, 2, 3, 4, 5, 7]
    assert "marker [6] has no footnote" in messages(mine_ban)


def test_seed_002_footnote_5_without_space_or_opening_quote():
    cluster = parse_seed("002").profiles[0]
    note = next(note for note in cluster.footnotes if note.number == 5)
    assert note.text.startswith("Implementation of the Convention on Cluster Munitions,”")
    assert note.citations[0].identity == "resolution:74/62"


def test_seed_002_five_letters_shared_by_footnotes_1_2_and_6():
    notes = {note.number: note for note in parse_seed("002").profiles[0].footnotes}
    keys = {number: [c.identity for c in notes[number].citations] for number in (1, 2, 6)}
    assert len(set(keys[1])) == 5
    assert keys[1] == keys[2] == keys[6]
    cited_by = {
        identity: sorted(
            n for n, note in notes.items() if identity in {c.identity for c in note.citations}
        )
        for identity in keys[1]
    }
    assert all(numbers == [1, 2, 6] for numbers in cited_by.values())


def test_seed_002_mine_ban_part_has_the_same_text_as_seed_000():
    (alone,) = parse_seed("000").profiles
    in_pair = parse_seed("002").profiles[1]
    assert [s.text for s in alone.sections] == [s.text for s in in_pair.sections]
    assert [(n.number, n.text) for n in alone.footnotes] == [
        (n.number, n.text) for n in in_pair.footnotes
    ]


def test_seed_003_one_line_paragraph_is_not_a_heading():
    (profile,) = parse_seed("003").profiles
    assert profile.country == "Kyrgyzstan"
    assert profile.topic == "Mine Ban Policy"
    assert profile.last_updated == "2019-12-18"
    assert headings(profile) == ["Policy", "Production, transfer, stockpiling, and use"]
    assert profile.sections[0].text.startswith(
        "The Kyrgyz Republic has not acceded to the Mine Ban Treaty.\n\nIn an April 2010 letter"
    )
    assert len(profile.footnotes) == 11
    assert not profile.warnings


def test_seed_003_letter_cited_by_five_footnotes_is_one_identity():
    notes = parse_seed("003").profiles[0].footnotes
    letter = "letter:011-14/809:2010-04-30"
    citing = [n.number for n in notes if letter in {c.identity for c in n.citations}]
    assert citing == [1, 4, 7, 8, 10]


def test_seed_004_overview_and_last_updated_before_the_topic():
    (profile,) = parse_seed("004").profiles
    assert profile.country == "Uzbekistan"
    assert profile.topic == "Mine Ban Policy"
    assert profile.last_updated == "2011-10-24"
    assert profile.overview == [
        ("Mine Ban Treaty status", "Not a State Party"),
        (
            "Pro-mine ban UNGA voting record",
            "Abstained on Resolution 65/48 in December 2010 as it did on similar General "
            "Assembly resolutions in previous years",
        ),
        (
            "Participation in Mine Ban Treaty meetings",
            "Has never attended a Mine Ban Treaty meeting, including the Tenth Meeting of "
            "States Parties in Geneva in November–December 2010 or the intersessional meetings "
            "in June 2011",
        ),
    ]
    assert headings(profile) == ["", "Use, production, transfer, and stockpiling"]
    assert profile.sections[0].text.startswith("The Republic of Uzbekistan has not acceded")
    assert [note.number for note in profile.footnotes] == [1, 2]
    assert "OZM-72, P\u041e\u041cZ, and PMN" in body_text(profile)  # Cyrillic О and М as printed


def test_seed_text_is_decoded_byte_exactly():
    for name in SEED_NAMES:
        assert parse_document((SEEDS / name).read_bytes()).text == (SEEDS / name).read_text(
            encoding="utf-8"
        )


def test_every_seed_paragraph_and_footnote_survives():
    for name in SEED_NAMES:
        raw = (SEEDS / name).read_bytes()
        document = parse_document(raw)
        assert not missing_words(raw.decode(), document), name


# --- the shapes of other archive documents ----------------------------------------------------

PROFILE = """Mine Ban Policy

Last updated: 18 December 2019

{body}

[1] Letter No. 1 from the Ministry of Foreign Affairs, 1 May 2019.
"""


def test_upper_case_title_line():
    profile = only_profile(
        "CAMBODIA, LANDMINE MONITOR REPORT 2005\n\nKey developments since May 2004: Many.[1]\n\n"
        "[1] Interview with X, 1 May 2005.\n"
    )
    assert profile.country == "Cambodia"
    assert profile.topic == "Country report"
    assert profile.report == "Landmine Monitor Report 2005"
    assert profile.last_updated == "2005"
    assert profile.summary == "Key developments since May 2004: Many.[1]"


def test_slug_like_and_alias_country_names():
    for header, country in [
        ("Myanmar_Burma", "Myanmar"),
        ("Bosnia Herzegovina", "Bosnia and Herzegovina"),
        ("Myanmar/Burma", "Myanmar"),
        ("Lao  People's Democratic Republic", "Lao PDR"),
        ("KYRGYZ REPUBLIC", "Kyrgyzstan"),
    ]:
        profile = only_profile(f"{header}\n\n" + PROFILE.format(body="The State is not party.[1]"))
        assert profile.country == country, header
        assert "The State is not party.[1]" in body_text(profile)
        assert header not in body_text(profile)


def test_country_lookup():
    lookup = CountryLookup({"Bosnia and Herzegovina": ["Bosnia-Herzegovina"], "Georgia": []})
    assert lookup.resolve("Bosnia Herzegovina") == "Bosnia and Herzegovina"
    assert lookup.resolve("bosnia_and_herzegovina") == "Bosnia and Herzegovina"
    assert lookup.resolve("  The   Georgia ") == "Georgia"
    assert lookup.resolve("Atlantis") is None
    default = CountryLookup.default()
    assert default.find_in_prose("The Kyrgyz Republic has not acceded.") == "Kyrgyzstan"
    assert default.find_in_prose("The Republic of Kazakhstan’s army") == "Kazakhstan"
    assert default.find_in_prose("Nothing here.") is None
    for name in ["Nagorno-Karabakh", "Somaliland", "Korea, Republic of", "Korea, North"]:
        assert default.resolve(name) == name
    assert default.resolve("DPRK") == "Korea, North"
    assert default.resolve("Vietnam") == "Viet Nam"


def test_country_from_prose_and_default_country():
    body = "The Republic of Uzbekistan has not acceded to the Mine Ban Treaty.[1]"
    assert only_profile(PROFILE.format(body=body)).country == "Uzbekistan"
    anonymous = PROFILE.format(body="The State has not joined.[1]")
    assert only_profile(anonymous, default_country="Nagorno-Karabakh").country == (
        "Nagorno-Karabakh"
    )
    profile = only_profile(anonymous)
    assert profile.country is None
    assert any("unknown country" in message for message in messages(profile))


def test_country_from_file_name():
    document = parse_document(
        PROFILE.format(body="The State has not joined.[1]").encode(), name="archive/Somaliland.txt"
    )
    assert document.profiles[0].country == "Somaliland"


def test_unknown_country_is_a_warning_naming_it():
    profile = only_profile("Atlantis\n\n" + PROFILE.format(body="Atlantis is not party.[1]"))
    assert profile.country is None
    assert profile.country_hint == "Atlantis"
    (warning,) = [w for w in profile.warnings if "Atlantis" in w.message]
    assert "unknown country Atlantis" in warning.message
    assert warning.line == 1
    titled = only_profile(
        "Atlantis, Landmine Monitor Report 2003\n\nAtlantis\n\nIt is not party.\n"
    )
    assert titled.country_hint == "Atlantis"
    assert titled.country is None


def test_last_updated_after_the_topic_with_day_precision():
    profile = only_profile(
        "Kyrgyzstan\n\nMine Action\n\nLast Updated: 02 November 2011\n\nNo mines.[1]\n\n[1] Ibid.\n"
    )
    assert profile.topic == "Mine Action"
    assert profile.last_updated == "2011-11-02"


def test_year_only_precision_from_default_year():
    profile = only_profile("Kyrgyzstan\n\nMine Action\n\nNo mines.\n", default_year=2003)
    assert profile.last_updated == "2003"
    assert profile.report is None


def test_unparseable_date_is_a_warning_with_its_line():
    profile = only_profile("Kyrgyzstan\n\nMine Action\n\nLast updated: sometime soon\n\nText.\n")
    assert profile.last_updated is None
    (warning,) = [w for w in profile.warnings if "unparseable date" in w.message]
    assert warning.line == 5
    assert "sometime soon" in warning.message
    impossible = only_profile("Mine Action\nLast updated: 31 February 2011\n\nText.\n")
    assert any("unparseable date" in message for message in messages(impossible))


def test_two_profiles_in_one_file_each_number_from_one():
    text = (
        "Kazakhstan\n\nMine Action\n\nLast updated: 1 May 2020\n\nCleared.[1]\n\n"
        "[1] Letter, 1 May 2020.\n\n"
        "Casualties\n\nLast updated: 2 May 2020\n\nNone.[1] Few.[2]\n\n[1] Letter, 2 May 2020.\n"
        "[2] Ibid., p. 3.\n"
    )
    first, second = parse_text(text).profiles
    assert (first.topic, first.last_updated) == ("Mine Action", "2020-05-01")
    assert (second.topic, second.last_updated) == ("Casualties", "2020-05-02")
    assert [n.number for n in first.footnotes] == [1]
    assert [n.number for n in second.footnotes] == [1, 2]
    assert second.start_line == 11
    assert second.country == "Kazakhstan"
    ibid = second.footnotes[1]
    assert ibid.sources == second.footnotes[0].sources
    assert ibid.citations[0].locator == "p. 3"
    assert ibid.citations[0].identity == second.footnotes[0].citations[0].identity


def test_topic_name_inside_a_profile_is_a_heading():
    profile = only_profile(
        "Kazakhstan\n\nMine Ban Policy\n\nLast updated: 1 May 2020\n\nIntro.\n\nMine Action\n\n"
        "Nothing cleared.\n"
    )
    assert headings(profile) == ["", "Mine Action"]


def test_summary_lead_ins_and_update_notes():
    for lead_in in ["Summary:", "Five-Year Review:", "Ten-Year Review:"]:
        profile = only_profile(
            f"Kazakhstan\n\nMine Action\n\n{lead_in} It improved.\n\nMore of it.\n\nPolicy\n\n"
            "Body.\n"
        )
        assert profile.summary == f"{lead_in} It improved.\n\nMore of it."
        assert headings(profile) == ["Policy"]
    note = "[UPDATE May 2022: Kazakhstan acceded to the treaty]"
    profile = only_profile(
        f"Kazakhstan\n\nMine Ban Policy\n\nLast updated: 2 May 2020\n\n{note}\n\n"
        "It had not acceded.[1]\n\n[1] Letter, 2 May 2020.\n"
    )
    assert profile.sections[0].text.startswith(note + "\n\n")
    assert headings(profile) == [""]
    assert [n.number for n in profile.footnotes] == [1]
    assert not profile.warnings


def test_headings_in_upper_case_and_with_a_marker():
    profile = only_profile(
        "Kazakhstan\n\nMine Action\n\nLast updated: 2003\n\nCASUALTIES\n\nNone reported.\n\n"
        "Casualties [1]\n\n"
        "Two in 2003.\n\nA sentence that ends.\n\n[1] Letter, 2 May 2020.\n"
    )
    assert headings(profile) == ["CASUALTIES", "Casualties[1]"]
    assert profile.sections[1].text == "Two in 2003.\n\nA sentence that ends."
    assert not profile.warnings


def test_overview_with_bar_lines_and_an_empty_value():
    profile = only_profile(
        "Kazakhstan\n\nMine Ban Policy\n\nMine ban policy overview\n\n"
        "Mine Ban Treaty status |\nNot a State Party |\nStockpile | Unknown |\n"
        "Victim assistance focal point | |\n\n"
        "Kazakhstan has not acceded to the Mine Ban Treaty, and it says so every year.\n"
    )
    assert profile.overview == [
        ("Mine Ban Treaty status", "Not a State Party"),
        ("Stockpile", "Unknown"),
        ("Victim assistance focal point", ""),
    ]
    assert profile.sections[0].text.startswith("Kazakhstan has not acceded")
    trailing_empty = only_profile(
        "Kazakhstan\n\nMine Ban Policy\n\nOverview\n\nTreaty status: Not a State Party\n\n"
        "Focal point\n\n\nThe State has not joined the treaty and has not said when it might.\n"
    )
    assert trailing_empty.overview == [("Treaty status", "Not a State Party"), ("Focal point", "")]


def test_bullets_and_flattened_tables_keep_one_item_per_line():
    profile = only_profile(
        "Kazakhstan\n\nMine Action\n\nThe program has three parts:\n  • survey\n  • clearance\n"
        "- risk education\n\nYear\nCasualties\n2001\n12\n2002\n7\n"
    )
    assert profile.sections[0].text == (
        "The program has three parts:\n• survey\n• clearance\n- risk education\n\n"
        "Year\nCasualties\n2001\n12\n2002\n7"
    )
    assert headings(profile) == [""]


HARD_WRAPPED = """Kazakhstan

Mine Ban Policy

Last updated: 18 December 2019

Policy
Kazakhstan has not acceded to the Mine Ban Treaty. It has expressed support for
the treaty’s humanitarian objectives, but cited the need for antipersonnel mines
to protect its border.[1]
On 5 December 2018, Kazakhstan voted in favor of UN General Assembly Resolution
73/61.[2]
Production, transfer, stockpiling, use
Kazakhstan has stated that it is not a producer of antipersonnel mines. It has
had a moratorium on the export of landmines in place since 1997.[3]

[1] Letter No. 12 from the Ministry of Foreign Affairs, 30 April 2010. This is
the first letter.
[2] UNGA Resolution 73/61, 5 December 2018.
[3]Interview with Arman Baissuanov, 12 April 2004.
"""


def test_hard_wrapped_paragraphs_are_rejoined_and_headings_kept_apart():
    profile = only_profile(HARD_WRAPPED)
    assert headings(profile) == ["Policy", "Production, transfer, stockpiling, use"]
    assert profile.sections[0].text == (
        "Kazakhstan has not acceded to the Mine Ban Treaty. It has expressed support for the "
        "treaty’s humanitarian objectives, but cited the need for antipersonnel mines to "
        "protect its border.[1]\n\nOn 5 December 2018, Kazakhstan voted in favor of UN General "
        "Assembly Resolution 73/61.[2]"
    )
    first = profile.footnotes[0]
    assert first.text == (
        "Letter No. 12 from the Ministry of Foreign Affairs, 30 April 2010. This is the first "
        "letter."
    )
    assert profile.footnotes[2].text == "Interview with Arman Baissuanov, 12 April 2004."
    assert not profile.warnings


def test_marker_variants_are_normalised():
    profile = only_profile(
        PROFILE.format(body="One.[1 ] Two. [2] Three.[3]Four and [ 4 ] five.")
        + "[2] Letter, 2 May 2019.\n[3] Letter, 3 May 2019.\n[4] Letter, 4 May 2019.\n"
    )
    assert profile.sections[0].text == "One.[1] Two.[2] Three.[3] Four and[4] five."
    assert not [message for message in messages(profile) if "[" in message]


def test_footnote_lists_with_and_without_blank_lines_or_spaces():
    tight = only_profile(
        "Kazakhstan\n\nMine Action\n\nA.[1] B.[2] C.[3]\n\n[1] One, 1 May 2001.\n"
        "[2]Two, 2 May 2001."
        "\n[3]    Three, 3 May 2001.\n"
    )
    spaced = only_profile(
        "Kazakhstan\n\nMine Action\n\nA.[1] B.[2] C.[3]\n\n[1] One, 1 May 2001.\n\n[2]Two, 2 May "
        "2001.\n\n\n[3]    Three, 3 May 2001.\n"
    )
    for profile in (tight, spaced):
        assert [(n.number, n.text) for n in profile.footnotes] == [
            (1, "One, 1 May 2001."),
            (2, "Two, 2 May 2001."),
            (3, "Three, 3 May 2001."),
        ]
        assert [n.line for n in profile.footnotes][0] == 7


def test_numbering_problems_are_warnings_with_lines():
    profile = only_profile(
        "Kazakhstan\n\nMine Action\n\nA.[1] B.[2] C.[4] D.[9]\n\n[1] One.\n[2] Two.\n[2] Again.\n"
        "[4] Four.\n[5] Five.\n"
    )
    found = {(w.line, w.message) for w in profile.warnings}
    assert (5, "marker [9] has no footnote") in found
    assert (9, "footnote number [2] is repeated") in found
    assert (10, "footnote numbering jumps from [2] to [4]") in found
    assert (11, "footnote [5] is never cited") in found


def test_encodings_and_line_endings():
    text = (
        "Kazakhstan\r\n\r\nMine Ban Policy\r\n\r\nIt said “no” – twice.[1]\r\n\r\n"
        "[1] Letter, 1 May 2001.\r\n"
    )
    for raw in [
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("cp1252"),
        text.replace("\r\n", "\r").encode("cp1252"),
        text.encode("utf-16"),
    ]:
        document = parse_document(raw)
        assert document.error is None
        assert "\r" not in document.text
        (profile,) = document.profiles
        assert profile.sections[0].text == "It said “no” – twice.[1]"
        assert profile.country == "Kazakhstan"


def test_html_page():
    page = """<!DOCTYPE html><html><head><title>Monitor</title><style>p{}</style></head><body>
    <nav><a href="/">Home</a> <a href="/about">About Us</a></nav>
    <script>var menu = 1;</script>
    <p>Jump to a specific section of the profile: Policy | Use | Stockpiling</p>
    <h1>Kazakhstan</h1><h2>Mine Ban Policy</h2><p>Last updated: 18 December 2019</p>
    <p>The Republic of Kazakhstan has <b>not</b> acceded.<sup>1</sup></p>
    <h3>Stockpiling</h3>
    <ul><li>PMN mines</li><li>OZM-72 mines</li></ul>
    <table><tr><td>Year</td><td>Mines</td></tr><tr><td>2001</td><td>5</td></tr></table>
    <figure><img src="x.jpg">
    <figcaption>Deminers at work © Jane Doe, 4 April 2011</figcaption></figure>
    <p>[1] Letter No. 9, 1 May 2019.</p>
    </body></html>"""
    document = parse_document(page.encode(), name="kaz.html")
    assert document.error is None
    (profile,) = document.profiles
    assert profile.country == "Kazakhstan"
    assert profile.last_updated == "2019-12-18"
    assert headings(profile) == ["", "Stockpiling"]
    assert profile.sections[0].text == "The Republic of Kazakhstan has not acceded.[1]"
    # A data table stays a table (pipe table text).
    assert profile.sections[1].text == (
        "• PMN mines\n• OZM-72 mines\n\n| Year | Mines |\n| --- | --- |\n| 2001 | 5 |"
    )
    assert profile.footnotes[0].text == "Letter No. 9, 1 May 2019."
    assert "menu" not in document.text and "Jane Doe" not in body_text(profile)
    assert parse_document(page.encode(), name="no-suffix").profiles == document.profiles


def test_html_to_text_lines():
    text = html_to_text("<div>a<br>b</div><ul><li>one</li><li>two</li></ul><p>c  d\n e</p>")
    assert text == "a\nb\n\n  • one\n  • two\n\nc d e\n"


def test_chrome_lines_are_stripped():
    chrome = [
        "ARCHIVES HOME PAGE\u00a0",
        "+\u00a0\u00a0 *\u00a0 \u00a0",
        "Table of Contents",
        "Sub-Sections:",
        "Jump to a specific section of the profile: Policy | Use | Stockpiling",
        "Sign up for e-mail notification of updates",
        "Send us your feedback",
        "© Jane Doe, 4 April 2011",
        "Photo: Jane Doe",
        "Policy | Mine Action | Casualties | Support",
    ]
    for line in chrome:
        assert is_chrome(line), line
    for line in ["Policy", "Kazakhstan has not joined.", "Mine Ban Treaty status |"]:
        assert not is_chrome(line), line
    profile = only_profile(
        "About Us\u00a0\nPress Room\u00a0\n\n" + "\n".join(chrome[2:]) + "\n\nKazakhstan\n\n"
        "Mine Action\n\nDeminers at work\n© Jane Doe, 4 April 2011\n\nNo mines.\n"
    )
    assert body_text(profile) == "No mines."


def test_documents_that_cannot_be_understood_are_errors():
    for raw, expected in [
        (b"", "empty"),
        (b"  \n\r\n ", "empty"),
        (b"\x00\x01\x02 not a report", "binary"),
        (bytes(range(256)) * 20, "binary"),
        (bytes(random.Random(1).randrange(1, 32) for _ in range(500)), "not text"),
        (b"Just some notes about a meeting.\n\nNothing else.\n", "Not a country profile"),
    ]:
        document = parse_document(raw)
        assert document.profiles == []
        assert expected in document.error


def test_default_topics():
    assert "Country report" in DEFAULT_TOPICS and "Cluster Munition Ban Policy" in DEFAULT_TOPICS
    profile = only_profile("Kazakhstan\n\nmine ban POLICY\n\nText.\n")
    assert profile.topic == "Mine Ban Policy"
    custom = parse_text("Kazakhstan\n\nVictim Assistance\n\nText.\n", topics=["Victim Assistance"])
    assert custom.profiles[0].topic == "Victim Assistance"


# --- properties ---------------------------------------------------------------------------

WORD = re.compile(r"\w+")
STRUCTURAL = re.compile(
    r"^\s*(?:last\s+updated\b.*|[^,]{2,80},\s*(?:landmine|cluster\s+munition)\s+monitor"
    r"(?:\s+report)?\s+\d{4}|country\s*:.*|(?:\S+\s+){0,4}overview|key\s+facts|at\s+a\s+glance)\s*$",
    re.IGNORECASE,
)
LOOKUP = CountryLookup.default()
TOPIC_NAMES = {topic.lower() for topic in DEFAULT_TOPICS}


def may_be_left_out(line, following, first):
    """Lines whose words the parser stands for by fields, or drops as website chrome."""
    stripped = line.strip()
    return (
        is_chrome(stripped)
        or following.strip().startswith("©")
        or STRUCTURAL.match(stripped) is not None
        or " ".join(stripped.lower().split()) in TOPIC_NAMES
        or LOOKUP.resolve(stripped) is not None
        or (first and len(stripped.split()) <= 5)  # an unknown country's name line
    )


def output_words(document):
    parts = []
    for profile in document.profiles:
        parts += [profile.summary, *(f"{label} {value}" for label, value in profile.overview)]
        parts += [f"{section.heading} {section.text}" for section in profile.sections]
        parts += [f"{note.number} {note.text}" for note in profile.footnotes]
    return set(WORD.findall(" ".join(parts)))


def missing_words(text, document):
    lines = text.split("\n")
    first = next((index for index, line in enumerate(lines) if not is_chrome(line)), None)
    body = [
        line
        for index, line in enumerate(lines)
        if not may_be_left_out(
            line, lines[index + 1] if index + 1 < len(lines) else "", index == first
        )
    ]
    return set(WORD.findall("\n".join(body))) - output_words(document)


SEED_LINES = [(SEEDS / name).read_text(encoding="utf-8").split("\n") for name in SEED_NAMES]


@st.composite
def mutated_seeds(draw):
    lines = list(draw(st.sampled_from(SEED_LINES)))
    for _ in range(draw(st.integers(0, 6))):
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "join"]))
        index = draw(st.integers(0, len(lines) - 1))
        other = draw(st.integers(0, len(lines) - 1))
        if operation == "delete" and len(lines) > 1:
            del lines[index]
        elif operation == "duplicate":
            lines.insert(other, lines[index])
        elif operation == "swap":
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "insert":
            lines.insert(index, draw(st.sampled_from(FRAGMENTS)))
        elif operation == "join" and index + 1 < len(lines):
            lines[index : index + 2] = [lines[index] + " " + lines[index + 1]]
    if draw(st.booleans()):
        lines = wrap(lines, draw(st.integers(30, 100)))
    return "\n".join(lines)


FRAGMENTS = [
    "",
    "Mine Ban Policy",
    "Cluster Munition Ban Policy",
    "Last updated: 18 December 2019",
    "Last updated: not a date",
    "[12] Ibid.",
    "[3]Letter No. 4, 1 May 2001; Interview with X (a; b), 2 May 2001.",
    "Kazakhstan, Landmine Monitor Report 2004",
    "Mine Ban Treaty status |",
    "  • a bullet item",
    "- another item",
    "[UPDATE May 2022: something changed.]",
    "CASUALTIES[4]",
    "Jump to a specific section of the profile: A | B | C",
    "Summary: things happened.[2]",
    "Mine ban policy overview",
    "Atlantis",
]


def wrap(lines, width):
    wrapped = []
    for line in lines:
        current = ""
        for word in line.split(" "):
            if current and len(current) + 1 + len(word) > width:
                wrapped.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        wrapped.append(current)
    return wrapped


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_seeds())
def test_mutated_seeds_never_raise_and_lose_no_text(text):
    document = parse_document(text.encode())
    if document.error is None:
        assert not missing_words(document.text, document)
        for profile in document.profiles:
            assert all(isinstance(w.line, int) and w.line >= 1 for w in profile.warnings)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=80)),
        max_size=30,
    )
)
def test_random_documents_never_raise_and_lose_no_text(lines):
    text = "\n".join(lines)
    document = parse_document(text.encode("utf-8", errors="replace"))
    if document.error is None:
        assert not missing_words(document.text, document)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["", "x.html", "x.txt"]))
def test_random_bytes_never_raise(raw, name):
    document = parse_document(raw, name=name)
    assert (document.error is None) == bool(document.profiles)
