"""The page shapes of twenty years of archive (issue 13), each in an example of our own
writing: what decides country, topic and date, what is not a profile, and the structures
(key data boxes, print overviews, status lines, tables, site text, notes) the parser reads."""

import pytest

from reports.importer.countries import catalogue
from reports.importer.parsing import LEGACY_TOPIC, CountryLookup, parse_document


def parse(text, **options):
    return parse_document(text.encode(), **options)


def only_profile(text, **options):
    document = parse(text, **options)
    assert document.error is None, document.error
    [profile] = document.profiles
    return profile


# 1. Countries: every state from the library, the Monitor's areas and old names from data.


@pytest.mark.parametrize(
    ("written", "country"),
    [
        ("Israel", "Israel"),
        ("Poland", "Poland"),
        ("Mauritania", "Mauritania"),
        ("Republic of the Union of Myanmar", "Myanmar"),
        ("Burma", "Myanmar"),
        ("Kyrgyz Republic", "Kyrgyzstan"),
        ("Lao People's Democratic Republic", "Lao PDR"),
        ("Côte d'Ivoire", "Côte d'Ivoire"),
        ("Cote d’Ivoire", "Côte d'Ivoire"),
        ("Ivory Coast", "Côte d'Ivoire"),
        ("Taiwan", "Taiwan"),
        ("Kosovo", "Kosovo"),
        ("Palestine", "Palestine"),
        ("Western Sahara", "Western Sahara"),
        ("Somaliland", "Somaliland"),
        ("Abkhazia", "Abkhazia"),
        ("Nagorno-Karabakh", "Nagorno-Karabakh"),
        ("Russian Federation", "Russia"),
        ("Swaziland", "Eswatini"),
        ("Brunei", "Brunei Darussalam"),
        ("the Democratic Republic of the Congo", "Democratic Republic of the Congo"),
    ],
)
def test_every_state_area_and_old_name_is_known(written, country):
    assert CountryLookup.default().resolve(written) == country


def test_the_catalogue_has_every_iso_state_and_the_monitors_areas():
    entries = catalogue()
    assert len([entry for entry in entries.values() if entry.iso_code]) >= 249
    assert {"Kosovo", "Somaliland", "Abkhazia", "Nagorno-Karabakh"} <= set(entries)


def test_a_country_named_in_the_title_line_of_any_state_imports():
    profile = only_profile(
        "Mauritania\n\nMine Action\n\nLast updated: 2 March 2015\n\n"
        "Mauritania declared in its last report that clearance of its northern desert "
        "regions had come to an end after many years of surveys.\n"
    )
    assert profile.country == "Mauritania"
    assert not profile.warnings


def test_without_a_title_the_first_country_named_in_the_prose_decides():
    profile = only_profile(
        "Mine Ban Policy\n\nLast updated: 5 May 2014\n\n"
        "The State of Israel has not joined the Mine Ban Treaty, and said again in a letter "
        "that its borders with Lebanon and Syria make the weapon necessary.\n"
    )
    assert profile.country == "Israel"


# 2. Dates: the text first, then a year in the path, then the year given.


def test_the_report_title_gives_the_year_and_says_so():
    profile = only_profile(
        "Belarus, Landmine Monitor Report 2006\n\nBelarus\n\n"
        "Belarus acceded to the treaty some years ago and has since destroyed part of a large "
        "stockpile inherited at independence.\n"
    )
    assert profile.last_updated == "2006"
    assert profile.date_from == "text: report title line 1"
    assert profile.topic == LEGACY_TOPIC


def test_a_hard_wrapped_pages_report_heading_gives_the_year():
    text = (
        "Landmine Monitor Report 2001: Toward a Mine-Free World\n\nPoland\n\n"
        "Mine Ban Policy\n\n"
        "Poland signed the treaty on the day it opened for signature but has not yet\n"
        "ratified it, saying that it first needs an alternative to its stock of\n"
        "antipersonnel mines along the eastern border.\n"
    )
    profile = only_profile(text, name="lm/2006/poland.txt", default_year=2010)
    assert (profile.country, profile.last_updated) == ("Poland", "2001")
    assert profile.report == "Landmine Monitor Report 2001"
    assert profile.date_from == "text: report heading line 1"
    assert "Toward a Mine-Free World" not in profile.sections[0].text


@pytest.mark.parametrize(
    ("path", "year"),
    [
        ("lm/2006/belarus.html", "2006"),
        ("reports/2016/ukraine/mine-action.html", "2016"),
        ("crawl-2023/lm/2008/ukraine.txt", "2008"),
    ],
)
def test_without_a_date_in_the_text_a_year_in_the_path_decides(path, year):
    profile = only_profile(
        "<html><body><p>Ukraine</p><h2>Mine Action</h2><p>The ministry reported new surveys "
        "of the eastern regions during the year, with teams working on several former "
        "training grounds.</p></body></html>",
        name=path,
        default_year=1999,
    )
    assert profile.last_updated == year
    assert profile.date_from == f"path: {year} in {path}"


def test_without_a_date_in_the_text_or_path_the_year_given_decides():
    text = "Ukraine\n\nMine Action\n\nSurveys went on during the year in several regions.\n"
    profile = only_profile(text, name="ukraine_0a1b.txt", default_year=2011)
    assert (profile.last_updated, profile.date_from) == ("2011", "the year given (2011)")
    profile = only_profile(text, name="ukraine_0a1b.txt")
    assert profile.last_updated is None
    assert "no date" in profile.warnings[0].message


def test_last_updated_beats_the_path_year():
    profile = only_profile(
        "Ukraine\n\nMine Action\n\nLast updated: 9 October 2017\n\nSurveys went on.\n",
        name="lm/2006/ukraine.txt",
    )
    assert (profile.last_updated, profile.date_from) == (
        "2017-10-09",
        'text: "Last updated" line 5',
    )


# 3. Topics: Impact and the legacy topic.


def test_impact_is_a_topic():
    profile = only_profile(
        "Kosovo\n\nImpact\n\nLast updated: 1 November 2022\n\n"
        "Contamination\n\nKosovo still has mined areas along its borders and cluster munition "
        "remnants from the conflict of 1999, in a few dozen hazardous areas.\n"
    )
    assert (profile.country, profile.topic) == ("Kosovo", "Impact")


@pytest.mark.parametrize("heading", ["Key Data", "Ten-Year Summary"])
def test_a_page_with_only_the_country_name_is_the_yearly_country_report(heading):
    profile = only_profile(
        f"Somaliland\n\n{heading}\n\nSomaliland has carried out clearance with the help of "
        "international operators since the late 1990s, chiefly around its towns.\n",
        name="lm/2009/somaliland.html.txt",
    )
    assert (profile.country, profile.topic, profile.last_updated) == (
        "Somaliland",
        LEGACY_TOPIC,
        "2009",
    )


# 4. Documents that are not country profiles.


@pytest.mark.parametrize(
    "title",
    ["Major Findings", "Ban Policy", "Introduction", "Press Release", "Executive Summary"],
)
def test_global_chapters_are_not_profiles(title):
    document = parse(
        f"{title}\n\nMine Ban Policy\n\nLast updated: 1 November 2009\n\n"
        "Eighty states have now destroyed their stockpiles, Belarus, Greece and Ukraine among "
        "those that missed their deadlines.\n"
    )
    assert document.not_profile and document.profiles == []
    assert document.error.startswith("Not a country profile")


def test_a_text_naming_many_countries_alike_is_not_a_profile():
    document = parse(
        "Mine Action\n\nLast updated: 1 November 2011\n\n"
        "Clearance went on in Angola, Cambodia and Croatia; surveys began in Chile and Peru; "
        "Nicaragua and Albania finished theirs, while Chad, Sudan and Yemen asked for more "
        "time. Mozambique expects to finish soon.\n"
    )
    assert document.not_profile


def test_a_profile_naming_its_neighbours_is_still_a_profile():
    profile = only_profile(
        "Mine Ban Policy\n\nLast updated: 1 November 2011\n\n"
        "Finland joined the treaty in 2012. Finland had kept mines for its long border with "
        "Russia; Finland says Sweden and Norway were consulted, and Finland destroyed them.\n"
    )
    assert profile.country == "Finland"


# 5. The 2007–2008 key data box: label and value on alternate paragraphs.


def test_the_key_data_box_becomes_overview_facts():
    profile = only_profile(
        "Moldova, Landmine Monitor Report 2007\n\nKey data\n\nState Party since\n\n"
        "1 September 2000\n\nTreaty implementing legislation\n\nAdopted: 14 June 2001\n\n"
        "Stockpile\n\nNone\n\nContamination\n\nSmall numbers of UXO in the east\n\n"
        "Article 5 (clearance of mined areas)\n\nDeadline met in 2002\n\n"
        "Mine/ERW casualties in 2006\n\n1 injured\n\nMine action funding in 2006\n\n"
        "US$40,000\n\nMine Ban Policy\n\nMoldova has said at every meeting that it has "
        "no mines left, having destroyed its last ones some years ago.\n"
    )
    assert profile.overview == [
        ("State Party since", "1 September 2000"),
        ("Treaty implementing legislation", "Adopted: 14 June 2001"),
        ("Stockpile", "None"),
        ("Contamination", "Small numbers of UXO in the east"),
        ("Article 5 (clearance of mined areas)", "Deadline met in 2002"),
        ("Mine/ERW casualties in 2006", "1 injured"),
        ("Mine action funding in 2006", "US$40,000"),
    ]
    assert [section.heading for section in profile.sections] == ["Mine Ban Policy"]


# 6. Print profiles: "Label |" and "Value |" lines, overviews under their own headings.


@pytest.mark.parametrize(
    "heading", ["Commitment to the Mine Ban Treaty", "Mine ban policy overview"]
)
def test_print_profile_overviews_become_facts(heading):
    profile = only_profile(
        "Georgia\n\nMine Ban Policy\n\nLast updated: 2 December 2013\n\n"
        f"{heading}\n\nMine Ban Treaty status |\nNot a State Party |\n"
        "Pro-mine ban UNGA voting record |\nVoted in favour of Resolution 67/32 |\n\n"
        "Policy\n\nGeorgia has said that it cannot join while parts of its territory are "
        "outside its control, and it has abstained from no vote since.\n"
    )
    assert profile.overview == [
        ("Mine Ban Treaty status", "Not a State Party"),
        ("Pro-mine ban UNGA voting record", "Voted in favour of Resolution 67/32"),
    ]
    assert [section.heading for section in profile.sections] == ["Policy"]


# 7. Mine-action status lines at a profile's top.


def test_status_lines_become_overview_facts():
    profile = only_profile(
        "Chad\n\nMine Action\n\nLast updated: 8 November 2016\n\n"
        "Contaminated by: antipersonnel and antivehicle mines, cluster munition remnants\n\n"
        "Article 5 deadline: 1 January 2020\n\n"
        "(Extended once; a second extension request is expected)\n\n"
        "Not a signatory to the Convention on Cluster Munitions\n\n"
        "Mine Action Program\n\nChad set up its national demining body long ago and it has "
        "since worked with several international operators in the north.\n"
    )
    assert profile.overview == [
        ("Contaminated by", "antipersonnel and antivehicle mines, cluster munition remnants"),
        (
            "Article 5 deadline",
            "1 January 2020 (Extended once; a second extension request is expected)",
        ),
        (
            "Convention on Cluster Munitions",
            "Not a signatory to the Convention on Cluster Munitions",
        ),
    ]
    assert [section.heading for section in profile.sections] == ["Mine Action Program"]


# 8. Tables flattened to one cell a line, and pipe tables.


def test_a_table_flattened_to_a_cell_a_line_stays_a_table():
    profile = only_profile(
        "Angola\n\nMine Action\n\nLast updated: 1 October 2013\n\nLand release\n\n"
        "Operators cleared land in every province during the year, as the table shows.\n\n"
        "Clearance by operator in 2012\n\nOperator\n\nArea cleared (m²)\n\nMines destroyed\n\n"
        "Demining Group A\n\n1,204,000\n\n312\n\nDemining Group B\n\n845,500\n\n97\n\n"
        "Total\n\n2,049,500\n\n409\n\nCasualties\n\nThere were fewer casualties than the year "
        "before, most of them among farmers clearing new fields.\n"
    )
    assert [section.heading for section in profile.sections] == ["Land release", "Casualties"]
    assert profile.sections[0].text.endswith(
        "Table: Clearance by operator in 2012\n"
        "| Operator | Area cleared (m²) | Mines destroyed |\n"
        "| --- | --- | --- |\n"
        "| Demining Group A | 1,204,000 | 312 |\n"
        "| Demining Group B | 845,500 | 97 |\n"
        "| Total | 2,049,500 | 409 |"
    )


def test_a_flattened_table_whose_rows_start_with_a_year():
    profile = only_profile(
        "Angola\n\nCasualties\n\nLast updated: 1 October 2013\n\nCasualties by year\n\n"
        "Year\n\nKilled\n\nInjured\n\n2010\n\n12\n\n30\n\n2011\n\n9\n\n–\n\n2012\n\n4\n\n11\n"
    )
    assert profile.sections[0].text == (
        "Table: Casualties by year\n| Year | Killed | Injured |\n| --- | --- | --- |\n"
        "| 2010 | 12 | 30 |\n| 2011 | 9 | – |\n| 2012 | 4 | 11 |"
    )


def test_pipe_tables_and_html_tables_are_kept_whole():
    text_profile = only_profile(
        "Angola\n\nMine Action\n\nLast updated: 1 October 2013\n\nFunding\n\n"
        "Donors gave less than the year before.\n\n"
        "Table: Funding by donor in 2012\n| Donor | US$ |\n| --- | --- |\n| Norway | 5,000 |\n"
    )
    assert text_profile.sections[0].text == (
        "Donors gave less than the year before.\n\n"
        "Table: Funding by donor in 2012\n| Donor | US$ |\n| --- | --- |\n| Norway | 5,000 |"
    )
    html_profile = only_profile(
        "<html><body><p>Angola</p><h2>Mine Action</h2><p>Last updated: 1 October 2013</p>"
        "<h3>Funding</h3><p>Donors gave less than the year before.</p>"
        "<table><caption>Funding by donor in 2012</caption><tr><th>Donor</th><th>US$</th></tr>"
        "<tr><td>Norway</td><td>5,000<sup>1</sup></td></tr></table>"
        "<p>[1] Letter from the donor, 3 March 2013.</p></body></html>",
        name="angola.html",
    )
    assert html_profile.sections[0].text.endswith(
        "Table: Funding by donor in 2012\n| Donor | US$ |\n| --- | --- |\n| Norway | 5,000[1] |"
    )
    assert [note.number for note in html_profile.footnotes] == [1]


# 9. Site text inside the page: stripped and counted.


def test_site_text_is_stripped_and_counted():
    document = parse(
        "Jump to section\n• Mine Ban Policy\n• Casualties\n\nSections\n\n"
        "Armenia\n\nMine Ban Policy\n\nLast updated: 4 June 2018\n\nPrint this page\n"
        "Share on Twitter\n\nPolicy\n\nArmenia has not joined the treaty and links its "
        "position to the conflict with its neighbour over the disputed region.\n\n"
        "Send the Monitor your feedback by filling out this form.\n"
    )
    [profile] = document.profiles
    assert (profile.country, profile.topic) == ("Armenia", "Mine Ban Policy")
    assert [section.heading for section in profile.sections] == ["Policy"]
    assert "feedback" not in profile.sections[0].text
    assert document.stripped_lines == 7


# 10. Notes: only citations become sources; commentary stays the note's text.


def test_notes_that_cite_nothing_become_no_source():
    profile = only_profile(
        "Tajikistan\n\nMine Ban Policy\n\nLast updated: 4 June 2018\n\n"
        "A workshop was held in the capital.[1] Officials spoke in the north.[2] The law "
        "passed.[3] A minister wrote.[4]\n\n"
        "[1] The workshop was run by two international bodies with the national centre.\n"
        "[2] Khujand (Sughd region), 13 January 2003.\n"
        "[3] Ministry of Justice, “Law on Humanitarian Demining,” 12 May 2016. The law was "
        "drafted with help from abroad.\n"
        "[4] This was the first letter of its kind. Letter No. 12/34 from the Ministry of "
        "Foreign Affairs, 2 March 2017.\n"
    )
    sources = [note.sources for note in profile.footnotes]
    assert sources[0] == [] and sources[1] == []
    assert sources[2] == ["Ministry of Justice, “Law on Humanitarian Demining,” 12 May 2016"]
    assert sources[3] == ["Letter No. 12/34 from the Ministry of Foreign Affairs, 2 March 2017"]
    # The note keeps its commentary whatever it cites.
    assert profile.footnotes[3].text.startswith("This was the first letter of its kind.")


def test_a_donor_profile_named_by_its_file_lists_many_countries_and_is_a_profile():
    profile = only_profile(
        "Support for Mine Action\n\nLast updated: 1 November 2011\n\n"
        "Norway gave to Angola, Cambodia, Croatia, Chile, Peru, Nicaragua, Albania and Chad.\n",
        name="lm/2011/norway.txt",
    )
    assert profile.country == "Norway"


def test_headings_over_paragraphs_are_not_a_key_data_box():
    profile = only_profile(
        "Angola\n\nMine Action\n\nLast updated: 1 October 2013\n\nContamination\n\n"
        "Angola is contaminated by mines and other explosive remnants of decades of war.\n\n"
        "Casualties\n\nCasualties fell for the third year running in the provinces.\n"
    )
    assert profile.overview == []
    assert [section.heading for section in profile.sections] == ["Contamination", "Casualties"]


def test_print_profile_lines_after_status_lines_are_facts_too():
    profile = only_profile(
        "Laos\n\nCluster Munition Remnants\n\nLast updated: 2 December 2019\n\n"
        "Contaminated by: cluster munition remnants (massive)\n\n"
        "Clearance in 2018 |\n42 km² |\n\nThe operators cleared more land than ever.\n"
    )
    assert profile.country == "Lao PDR"
    assert profile.overview == [
        ("Contaminated by", "cluster munition remnants (massive)"),
        ("Clearance in 2018", "42 km²"),
    ]


def test_status_lines_in_one_block_stay_apart():
    profile = only_profile(
        "Chad\n\nMine Action\n\nLast updated: 8 November 2016\n\n"
        "Contaminated by: antipersonnel and antivehicle mines, cluster munition remnants\n"
        "Article 5 deadline: 1 January 2020\n"
        "(Deadline missed without extension request)\n"
        "Not a signatory to the Convention on Cluster Munitions\n\n"
        "Mine Action Program\n\nChad set up its national demining body long ago and it has "
        "since worked with several international operators in the north.\n"
    )
    assert [label for label, _ in profile.overview] == [
        "Contaminated by",
        "Article 5 deadline",
        "Convention on Cluster Munitions",
    ]
    assert profile.overview[1][1] == ("1 January 2020 (Deadline missed without extension request)")


def test_an_undated_page_with_sections_of_several_topics_is_the_yearly_report():
    text = (
        "<html><body><h1>Belarus</h1><h2>Mine Ban Policy</h2><p>Belarus acceded to the treaty "
        "and has reported on its stockpile every year since then.</p><h2>Mine Action</h2>"
        "<p>Clearance of former military sites went on during the year.</p></body></html>"
    )
    profile = only_profile(text, name="lm/2007/belarus.html")
    assert (profile.topic, profile.last_updated) == (LEGACY_TOPIC, "2007")
    assert [section.heading for section in profile.sections] == ["Mine Ban Policy", "Mine Action"]


def test_a_profile_with_headings_named_like_its_own_topics_parts_keeps_its_topic():
    profile = only_profile(
        "Angola\n\nCasualties and Victim Assistance\n\nCasualties\n\nFewer people were hurt "
        "during the year than in any year before.\n\nVictim Assistance\n\nThe ministry "
        "opened two new centres in the south of the country.\n",
        name="lm/2012/angola.txt",
    )
    assert profile.topic == "Casualties and Victim Assistance"


def test_a_title_line_whose_country_name_holds_a_comma():
    profile = only_profile(
        "Korea, Republic of, Landmine Monitor Report 2005\n\n"
        "The Republic of Korea keeps mines along the demilitarized zone and has said so.\n"
    )
    assert (profile.country, profile.report) == (
        "Korea, Republic of",
        "Landmine Monitor Report 2005",
    )


def test_a_menu_laid_out_as_a_table_is_not_a_data_table():
    document = parse(
        "<html><body><table><tr><td><a href='/'>Home</a></td><td><a href='/a'>About us</a></td>"
        "</tr><tr><td><a href='/p'>Press room</a></td><td><a href='/s'>Search</a></td></tr>"
        "</table><p>Armenia</p><h2>Mine Ban Policy</h2><p>Last updated: 4 June 2018</p>"
        "<p>Armenia has not joined the treaty and links its position to the conflict.</p>"
        "</body></html>",
        name="armenia.html",
    )
    [profile] = document.profiles
    assert "|" not in profile.sections[0].text
    assert document.stripped_lines == 4


def test_commentary_holding_a_date_becomes_no_source():
    profile = only_profile(
        "Tajikistan\n\nMine Ban Policy\n\nLast updated: 4 June 2018\n\nA meeting was held.[1]"
        "\n\n[1] The meeting took place in the capital with four ministries on 3 May 2004.\n"
    )
    assert profile.footnotes[0].sources == []


def test_a_key_data_box_of_label_value_lines_after_the_summary():
    profile = only_profile(
        "Serbia, Landmine Monitor Report 2008\n\n"
        "Key developments since May 2007: Serbia finished destroying its stockpile.\n\n"
        "State Party since: 1 March 2004\n\nStockpile: None\n\n"
        "Mine action funding in 2007: US$2 million\n\nMine Ban Policy\n\n"
        "Serbia reported on its former stockpile at the meetings of the year.\n"
    )
    assert profile.summary.startswith("Key developments since May 2007")
    assert profile.overview == [
        ("State Party since", "1 March 2004"),
        ("Stockpile", "None"),
        ("Mine action funding in 2007", "US$2 million"),
    ]
    assert [section.heading for section in profile.sections] == ["Mine Ban Policy"]
