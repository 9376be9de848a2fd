"""Tabular import and export (django-import-export): round trips keep every field, a bad row
writes nothing, only editors and up import, each import a revision and an audit entry."""

import datetime
import io

import pytest
import tablib
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.formats.base_formats import CSV, JSON, XLSX
from reversion.models import Version

from reports.models import Country, Edition, RecordChange, Report, Topic, TreatyStatus
from reports.resources import (
    CountryResource,
    OverviewFactResource,
    ReportResource,
    TopicResource,
    TreatyStatusResource,
)
from sources.models import Source
from sources.resources import FootnoteResource, SourceResource
from tests.builders import (
    make_country,
    make_edition,
    make_profile,
    make_report,
    make_source,
    make_topic,
    make_treaty_status,
)
from tests.reports.test_workflow_admin import messages_of

pytestmark = pytest.mark.django_db

S = Edition.State


def full_rows():
    """One row of every importable table with every field filled."""
    country = make_country(
        "Kazakhstan",
        slug="kazakhstan",
        iso_code="KAZ",
        official_name="Republic of Kazakhstan",
        region="Central Asia",
        aliases="Kazakstan\nQazaqstan",
    )
    make_topic("Mine Ban Policy", slug="mine-ban-policy", position=3, series="Landmine Monitor")
    report = make_report(
        "Landmine Monitor",
        year=2025,
        title="Landmine Monitor 2025",
        release_date=datetime.date(2025, 11, 20),
        target_date=datetime.date(2025, 9, 1),
        scheduled_release_at=datetime.datetime(2025, 11, 20, 9, tzinfo=datetime.UTC),
    )
    make_source(
        "Letter from the Ministry of Foreign Affairs, 30 April 2010",
        kind=Source.Kind.LETTER,
        author="Ministry of Foreign Affairs",
        date=datetime.date(2010, 4, 30),
        reference_number="011-14/809",
        url="https://example.org/letter",
        report=report,
        identity_key="letter:011-14/809",
    )
    make_treaty_status(
        country,
        TreatyStatus.Treaty.MINE_BAN_TREATY,
        status=TreatyStatus.Status.STATE_PARTY,
        signed_on=datetime.date(1997, 12, 3),
        consent_on=datetime.date(2009, 9, 8),
        consent_by=TreatyStatus.Consent.RATIFICATION,
        note="Deposited in New York.",
    )


# Kept by the database itself (ids, when a row was made or last changed), or not tabular: a
# report's PDF is a file attached in the admin.
# A file (and its size) is not data a spreadsheet carries.
NOT_TABULAR = ("id", "created_at", "updated_at", "pdf", "pdf_size")


def stored(model, exclude=NOT_TABULAR):
    fields = [f.attname for f in model._meta.concrete_fields if f.name not in exclude]
    return sorted(model.objects.values_list(*fields))


RESOURCES = [
    (CountryResource, Country),
    (TopicResource, Topic),
    (ReportResource, Report),
    (SourceResource, Source),
    (TreatyStatusResource, TreatyStatus),
]


@pytest.mark.parametrize("file_format", [CSV, XLSX, JSON], ids=lambda f: f.__name__)
@pytest.mark.parametrize("resource, model", RESOURCES, ids=lambda r: getattr(r, "__name__", ""))
def test_a_round_trip_keeps_every_field(resource, model, file_format):
    full_rows()
    before = stored(model)
    exported = file_format().export_data(resource().export())
    dataset = file_format().create_dataset(exported)

    # Imported over the same rows: nothing differs, so every row is unchanged.
    again = resource().import_data(dataset, file_name="again")
    assert not again.has_errors() and not again.has_validation_errors()
    assert again.totals["skip"] == len(before) and again.totals["update"] == 0

    # Imported into an empty table: the same rows (a report's state is never imported).
    if model is TreatyStatus:
        TreatyStatus.objects.all().delete()
    elif model is Country:
        Country.objects.all().delete()  # its treaty statuses go with it
    else:
        Source.objects.all().delete()
        if model is not Source:
            model.objects.all().delete()
    result = resource().import_data(dataset, file_name="again")
    assert not result.has_errors() and not result.has_validation_errors(), list(result.invalid_rows)
    assert stored(model) == before


def test_every_field_of_each_model_is_in_its_resource():
    """A field added to a model fails here until its resource carries it (or says why not)."""
    never = set(NOT_TABULAR)
    for resource, model in RESOURCES:
        fields = {f.attname.removesuffix("_id") for f in model._meta.concrete_fields}
        exported = set(resource().get_export_headers())
        assert fields - never - exported == set(), model


def test_a_bad_row_writes_nothing_and_every_bad_row_is_named(editor):
    dataset = tablib.Dataset(
        ["", "letter", "A good source", "", "", "", "https://example.org/a", "", ""],
        ["", "letter", "A script", "", "", "", "javascript:alert(1)", "", ""],
        ["", "oracle", "A bad kind", "", "", "", "", "", ""],
        headers=[
            "id",
            "kind",
            "title",
            "author",
            "date",
            "reference_number",
            "url",
            "report",
            "identity_key",
        ],
    )

    result = SourceResource().import_data(dataset, user=editor, file_name="sources.csv")

    assert [row.number for row in result.invalid_rows] == [2, 3]
    assert "url" in result.invalid_rows[0].error_dict
    assert "kind" in result.invalid_rows[1].error_dict
    assert not Source.objects.exists()
    assert not RecordChange.objects.exists()


def test_the_model_refuses_addresses_that_are_not_web_ones():
    source = make_source(url="https://example.org/")
    for url in ["javascript:alert(1)", "data:text/html,<script>", "ftp://example.org/f"]:
        source.url = url
        with pytest.raises(ValidationError):
            source.full_clean()
        # Even a writer that skips validation.
        with pytest.raises(IntegrityError), transaction.atomic():
            Source.objects.filter(pk=source.pk).update(url=url)
    source.url = "HTTPS://example.org/upper"
    source.full_clean()
    source.save()
    assert Source.objects.get(pk=source.pk).url == "https://example.org/upper"


def test_an_import_is_one_revision_and_one_audit_entry(editor):
    make_country("Andorra", region="Europe")
    dataset = tablib.Dataset(
        ["Andorra", "andorra", "AND", "Principality of Andorra", "Europe", ""],
        ["Angola", "angola", "AGO", "", "Africa", ""],
        headers=["name", "slug", "iso_code", "official_name", "region", "aliases"],
    )

    result = CountryResource().import_data(dataset, user=editor, file_name="countries.csv")

    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    revisions = {
        version.revision for version in Version.objects.get_for_model(Country).select_related()
    }
    assert len(revisions) == 1
    (revision,) = revisions
    assert (revision.comment, revision.user) == ("Imported from countries.csv", editor)
    entry = RecordChange.objects.get(object_id="")
    assert entry.actor == editor and entry.comment == "Imported from countries.csv"
    assert entry.changes == {
        "row 1: Andorra": {"old": "", "new": "update"},
        "row 2: Angola": {"old": "", "new": "new"},
    }


def test_an_editors_import_renaming_a_slug_leaves_a_redirect(client, editor):
    edition = make_edition(
        make_profile(make_country("Kazakhstan", slug="kazakhstan")), state=S.PUBLISHED
    )
    dataset = tablib.Dataset(
        ["Kazakhstan", "qazaqstan", "", "", "", ""],
        headers=["name", "slug", "iso_code", "official_name", "region", "aliases"],
    )

    result = CountryResource().import_data(dataset, user=editor, file_name="countries.csv")

    assert not result.has_validation_errors()
    response = client.get("/countries/kazakhstan/")
    assert response.status_code == 301 and response["Location"] == "/countries/qazaqstan/"
    entry = RecordChange.objects.exclude(object_id="").get()
    assert entry.changes["slug"] == {"old": "kazakhstan", "new": "qazaqstan"}
    assert edition.profile.country.pk == int(entry.object_id)


def upload(client, model, dataset, name):
    meta = model._meta
    return client.post(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_import"),
        {
            "format": admin.site._registry[model].get_import_formats().index(CSV),
            "import_file": SimpleUploadedFile(name, dataset.csv.encode()),
        },
    )


def test_the_admin_previews_bad_rows_one_by_one_and_offers_no_confirmation(client, editor):
    dataset = tablib.Dataset(
        ["Andorra", "Mine Ban Treaty", "state_party", "", "", "", ""],
        ["Atlantis", "mbt", "state_party", "", "", "", ""],
        ["Angola", "mbt", "not_party", "", "2002-07-05", "", ""],
        headers=["country", "treaty", "status", "signed_on", "consent_on", "consent_by", "note"],
    )
    make_country("Andorra")
    make_country("Angola")
    client.force_login(editor)

    preview = upload(client, TreatyStatus, dataset, "treaties.csv")

    result = preview.context["result"]
    assert sorted(
        [row.number for row in result.invalid_rows] + [n for n, _ in result.row_errors()]
    ) == [1, 2, 3]
    assert preview.context.get("confirm_form") is None
    assert not TreatyStatus.objects.exists()


def test_an_admin_import_by_an_editor_is_confirmed_then_written(client, editor):
    client.force_login(editor)
    dataset = tablib.Dataset(
        ["Landmine Monitor", "landmine-monitor", 2026, "", "", "2026-09-01", "", ""],
        headers=[
            "series",
            "series_slug",
            "year",
            "title",
            "release_date",
            "target_date",
            "scheduled_release_at",
            "state",
        ],
    )
    preview = upload(client, Report, dataset, "reports.csv")
    confirm = preview.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    done = client.post(reverse("admin:reports_report_process_import"), data, follow=True)

    assert any("1 new" in message for message in messages_of(done))
    report = Report.objects.get(year=2026)
    assert report.target_date == datetime.date(2026, 9, 1)
    assert report.state == Report.State.PLANNED


@pytest.mark.parametrize(
    "url_name",
    [
        "reports_country",
        "reports_topic",
        "reports_report",
        "sources_source",
        "reports_treatystatus",
        "sources_footnote",
        "reports_overviewfact",
    ],
)
def test_every_role_exports_staff_without_one_do_not(
    client, researcher, staff_without_role, url_name
):
    url = reverse(f"admin:{url_name}_export")
    client.force_login(researcher)
    assert client.get(url).status_code == 200
    client.force_login(staff_without_role)
    assert client.get(url).status_code == 403


def test_footnotes_export_with_their_sources_in_a_fixed_number_of_queries():
    letter = make_source("Letter of 30 April 2010")
    make_edition(state=S.PUBLISHED, footnotes=[("Letter.", letter), ("Interview.",)])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            dataset = FootnoteResource().export()
        return len(captured), dataset

    count, dataset = queries()
    assert dataset.dict[0]["sources"] == "Letter of 30 April 2010"
    assert dataset.dict[0]["source_ids"] == str(letter.pk)
    make_edition(state=S.PUBLISHED, footnotes=[("More.",), ("Still more.",)])
    assert queries()[0] == count


def test_overview_facts_export_only_the_current_editions():
    current = make_edition(state=S.PUBLISHED, overview=[("Status", "State Party")])
    make_edition(state=S.DRAFT, overview=[("Status", "Draft value")])
    make_edition(state=S.SUPERSEDED, overview=[("Status", "Old value")])

    rows = OverviewFactResource().export().dict

    assert [(r["edition"], r["label"], r["value"]) for r in rows] == [
        (current.pk, "Status", "State Party")
    ]


def test_the_commands_export_and_import_every_table(tmp_path, editor):
    full_rows()
    for table in ["countries", "topics", "reports", "sources", "treaty-statuses"]:
        path = tmp_path / f"{table}.json"
        call_command("export_table", table, "--output", str(path), stderr=io.StringIO())
        out = io.StringIO()
        call_command("import_table", table, str(path), "--user", "editor", stdout=out)
        assert "imported" in out.getvalue()
    stdout = io.StringIO()
    call_command("export_table", "footnotes", stdout=stdout)
    assert stdout.getvalue().startswith("edition,country,topic")


def test_the_import_command_reports_each_bad_row_and_writes_nothing(tmp_path):
    path = tmp_path / "sources.csv"
    path.write_text(
        "title,kind,url\nFine,letter,https://example.org/\nScript,letter,javascript:alert(1)\n"
        "Odd,oracle,\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_table", "sources", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert "Row 2: url: Enter a web address (http:// or https://)." in lines
    assert any(line.startswith("Row 3: kind:") for line in lines)
    assert not any(line.startswith("Row 1") for line in lines)
    assert not Source.objects.exists()


def test_an_import_moves_the_publication_clock_once_and_a_failed_one_not_at_all(editor):
    from reports.public import pagecache

    headers = ["country", "treaty", "status", "signed_on", "consent_on", "consent_by", "note"]
    rows = [[make_country().name, "mbt", "not_party", "", "", "", ""] for _ in range(3)]
    bad = [[make_country().name, "mbt", "unknown", "", "", "", ""]]
    tick = pagecache.current_tick()

    TreatyStatusResource().import_data(tablib.Dataset(*rows, headers=headers), user=editor)
    assert pagecache.current_tick() == tick + 1

    TreatyStatusResource().import_data(tablib.Dataset(*rows, *bad, headers=headers), user=editor)
    assert pagecache.current_tick() == tick + 1
