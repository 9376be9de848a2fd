"""Importing the archive's shapes into the database (issue 13): countries with their names,
topics, what decided the date, documents that are not profiles, Word files, and the
command's counts and exit code."""

import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from reports.importer.archive import Document
from reports.importer.parsing import parse_document
from reports.importer.service import ImportOptions, import_documents, summarise
from reports.models import Country, Edition, Section, Topic
from sources.models import Footnote, Source
from tests.builders import make_country
from tests.reports.docx_documents import make_docx

pytestmark = pytest.mark.django_db

ISRAEL = (
    "Israel\n\nMine Ban Policy\n\nLast updated: 5 May 2014\n\n"
    "Israel has not joined the Mine Ban Treaty and has said it keeps mines for its borders.[1]"
    "\n\n[1] Letter No. 7/2014 from the Ministry of Foreign Affairs, 2 April 2014.\n"
)
CHAPTER = (
    "Major Findings\n\nMine Ban Policy\n\nLast updated: 1 November 2009\n\n"
    "Eighty states have destroyed their stockpiles, Belarus and Greece among the late ones.\n"
)


def document(name, text):
    return Document(name, raw=text.encode())


def run(*documents, **options):
    return import_documents(list(documents), ImportOptions(**options))


def test_a_state_missing_from_the_old_hand_written_list_imports_with_its_names():
    report = run(document("israel.txt", ISRAEL))

    assert report["files"][0]["status"] == "imported"
    country = Country.objects.get(name="Israel")
    assert (country.iso_code, country.official_name) == ("ISR", "State of Israel")


def test_an_area_imports_and_an_alias_typed_by_an_editor_is_used():
    make_country("Nagorno-Karabakh", aliases="Mountainous Karabakh")
    text = (
        "Mountainous Karabakh\n\nMine Action\n\nLast updated: 3 March 2019\n\n"
        "Clearance continued in the area with one international operator.\n"
    )
    report = run(document("karabakh.txt", text))

    assert report["files"][0]["profiles"][0]["country"] == "Nagorno-Karabakh"
    assert Country.objects.count() == 1


def test_the_data_migration_fills_names_and_keeps_what_editors_typed():
    migration = importlib.import_module("reports.migrations.0011_country_aliases")
    make_country("Burma", aliases="Myanmar_Burma")
    make_country("Kyrgyzstan", iso_code="KGZ")
    make_country("Atlantis")

    migration.fill_aliases(apps, None)

    burma = Country.objects.get(name="Burma")
    assert burma.iso_code == "MMR"
    assert burma.alias_list[0] == "Myanmar_Burma"
    assert {"Myanmar", "Republic of the Union of Myanmar"} <= set(burma.alias_list)
    kyrgyzstan = Country.objects.get(name="Kyrgyzstan")
    assert kyrgyzstan.official_name == "Kyrgyz Republic"
    assert Country.objects.get(name="Atlantis").aliases == ""
    # Run again, nothing changes.
    before = list(Country.objects.values_list("iso_code", "official_name", "aliases"))
    migration.fill_aliases(apps, None)
    assert list(Country.objects.values_list("iso_code", "official_name", "aliases")) == before


def test_a_country_known_by_its_iso_code_takes_the_catalogues_names():
    make_country("Republic of Poland (archive)", iso_code="POL")
    text = "Poland\n\nMine Ban Policy\n\nLast updated: 1 June 2012\n\nPoland ratified.\n"
    report = run(document("poland.txt", text))

    assert report["files"][0]["profiles"][0]["country"] == "Republic of Poland (archive)"
    assert Country.objects.count() == 1


def test_impact_and_the_legacy_topic_are_created_with_their_series():
    impact = "Kosovo\n\nImpact\n\nLast updated: 1 November 2022\n\nKosovo cleared land.\n"
    yearly = "Kosovo\n\nKey Data\n\nKosovo has some mined areas left in the south.\n"
    report = run(document("kosovo.txt", impact), document("lm/2009/kosovo.txt", yearly))

    assert [entry["status"] for entry in report["files"]] == ["imported", "imported"]
    assert Topic.objects.get(name="Impact").series == "Landmine and Cluster Munition Monitor"
    legacy = report["files"][1]["profiles"][0]
    assert (legacy["topic"], legacy["last_updated"], legacy["date_from"]) == (
        "Country report",
        "2009",
        "path: 2009 in lm/2009/kosovo.txt",
    )
    edition = Edition.objects.get(profile__topic__name="Country report")
    assert edition.last_updated_precision == Edition.Precision.YEAR


def test_a_global_chapter_is_reported_and_not_imported_while_the_others_are():
    report = run(document("major-findings.txt", CHAPTER), document("israel.txt", ISRAEL))

    chapter, israel = report["files"]
    assert chapter["status"] == "not a profile"
    assert chapter["error"].startswith("Not a country profile")
    assert israel["status"] == "imported"
    assert Edition.objects.count() == 1
    assert not Country.objects.filter(name="Belarus").exists()
    assert summarise(report)["not a profile"] == 1


def test_notes_that_cite_nothing_add_no_source():
    text = ISRAEL.replace(
        "[1] Letter", "[2] The meeting was held in the north.\n[1] Letter"
    ).replace("borders.[1]", "borders.[1] It met.[2]")
    run(document("israel.txt", text))

    assert Footnote.objects.count() == 2
    assert list(Source.objects.values_list("kind", flat=True)) == ["letter"]


def test_stripped_site_text_is_counted_in_the_report():
    text = "Share on Facebook\nPrint this page\n\n" + ISRAEL
    report = run(document("israel.txt", text))
    assert report["files"][0]["stripped_lines"] == 2


class TestCommand:
    def test_exits_zero_when_every_file_imported_or_was_unchanged(self, tmp_path, capsys):
        (tmp_path / "israel.txt").write_text(ISRAEL)
        call_command("import_archive", str(tmp_path))
        call_command("import_archive", str(tmp_path))

        out = capsys.readouterr().out
        assert 'text: "Last updated" line 5' in out
        assert out.rstrip().splitlines()[-1].split("|")[:2] == [
            "        0 ",
            "         1 ",
        ]  # imported 0, unchanged 1 on the second run

    def test_exits_one_and_counts_each_outcome_when_a_file_was_not_imported(self, tmp_path, capsys):
        (tmp_path / "a-israel.txt").write_text(ISRAEL)
        (tmp_path / "b-chapter.txt").write_text(CHAPTER)
        (tmp_path / "c-empty.txt").write_text("")

        with pytest.raises(CommandError, match="2 of 3 files were not imported") as failed:
            call_command("import_archive", str(tmp_path))

        assert failed.value.returncode == 1
        header, counts = capsys.readouterr().out.rstrip().splitlines()[-2:]
        columns = dict(
            zip(
                [name.strip() for name in header.split("|")],
                [int(count) for count in counts.split("|")],
                strict=True,
            )
        )
        assert columns == {
            "imported": 1,
            "unchanged": 0,
            "updated": 0,
            "rejected": 1,
            "not a profile": 1,
            "warnings": 0,
        }

    def test_the_json_report_says_what_decided_the_date(self, tmp_path, capsys):
        folder = tmp_path / "lm" / "2006"
        folder.mkdir(parents=True)
        (folder / "belarus.html").write_text(
            "<html><body><p>Belarus</p><h2>Mine Ban Policy</h2><p>Belarus destroyed part "
            "of its stockpile during the year with outside help.</p></body></html>"
        )
        call_command("import_archive", str(tmp_path), "--json", "--year", "2001")

        [entry] = json.loads(capsys.readouterr().out)["files"]
        profile = entry["profiles"][0]
        assert (profile["last_updated"], profile["date_from"]) == (
            "2006",
            f"path: 2006 in {folder / 'belarus.html'}",
        )


WORD_PROFILE = [
    ("Title", "Kyrgyzstan"),
    ("Heading1", "Mine Ban Policy"),
    (None, "Last updated: 12 December 2020"),
    ("Heading2", "Policy"),
    (
        None,
        "Kyrgyzstan has not joined the treaty{1} and voted for the yearly resolution again.{2}",
    ),
    ("Heading2", "Stockpile"),
    (None, "The size of the stockpile is not known; officials gave figures once.{3}"),
    ("table", [["Year", "Mines destroyed"], ["2018", "1,200"], ["2019", "800"]]),
]
WORD_NOTES = {
    1: "Letter No. 45/2020 from the Ministry of Foreign Affairs, 2 March 2020.",
    2: "Ibid.",
    3: "Interview with an official of the Ministry of Defence, Bishkek, 4 May 2019.",
}


def test_a_word_file_imports_with_headings_footnotes_and_tables():
    raw = make_docx(WORD_PROFILE, WORD_NOTES)
    report = run(Document("kyrgyzstan.docx", raw=raw))

    [entry] = report["files"]
    assert entry["status"] == "imported", entry
    edition = Edition.objects.get()
    assert edition.profile.country.name == "Kyrgyzstan"
    assert edition.profile.topic.name == "Mine Ban Policy"
    assert str(edition.last_updated) == "2020-12-12"
    sections = list(Section.objects.filter(edition=edition).values_list("heading", "body"))
    assert [heading for heading, _ in sections] == ["Policy", "Stockpile"]
    assert sections[0][1].endswith("the treaty[1] and voted for the yearly resolution again.[2]")
    assert sections[1][1].endswith(
        "| Year | Mines destroyed |\n| --- | --- |\n| 2018 | 1,200 |\n| 2019 | 800 |"
    )
    notes = list(Footnote.objects.filter(edition=edition).values_list("number", "text"))
    assert notes == [(number, text) for number, text in WORD_NOTES.items()]
    assert not entry["profiles"][0]["warnings"]


def test_a_damaged_word_file_is_rejected_with_a_reason():
    raw = make_docx(WORD_PROFILE, WORD_NOTES)
    report = run(
        Document("broken.docx", raw=raw[: len(raw) // 2]),
        Document("not-word.docx", raw=b"PK\x03\x04 nothing"),
    )
    assert [entry["status"] for entry in report["files"]] == ["rejected", "rejected"]
    assert all("Word document" in entry["error"] for entry in report["files"])


def test_a_word_file_goes_through_the_admins_preview_and_confirm(
    client, publisher, tmp_path, settings
):
    settings.IMPORT_STAGING_DIR = tmp_path
    client.force_login(publisher)
    upload = io.BytesIO(make_docx(WORD_PROFILE, WORD_NOTES))
    upload.name = "kyrgyzstan.docx"

    preview = client.post(
        "/admin/reports/import-archive/", {"files": [upload], "state": "published"}
    )
    assert "new edition, published" in preview.text and not Edition.objects.exists()
    assert "from text: &quot;Last updated&quot; line 5" in preview.text
    client.post(
        "/admin/reports/import-archive/", {"token": preview.context["token"], "confirm": "1"}
    )
    assert Edition.objects.public().count() == 1


def test_a_word_heading_style_makes_a_heading_whatever_its_punctuation():
    raw = make_docx(
        [
            ("Title", "Kyrgyzstan"),
            ("Heading1", "Mine Ban Policy"),
            (None, "Last updated: 12 December 2020"),
            ("Heading2", "Use, production, and transfer."),
            (None, "Kyrgyzstan has said it never produced antipersonnel mines."),
        ]
    )
    [profile] = parse_document(raw, name="k.docx").profiles
    assert [section.heading for section in profile.sections] == ["Use, production, and transfer."]
