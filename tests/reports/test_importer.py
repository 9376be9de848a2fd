"""Importing legacy archive documents into the database: what users rely on."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Revision

from monitor.roles import EDITOR
from reports.editions.snapshot import content_of_version
from reports.importer.archive import Document
from reports.importer.service import ImportOptions, Reference, import_document, import_documents
from reports.models import Country, Edition, EditionEvent, Profile, Report, Section
from reports.public.pagecache import current_tick
from sources.models import Citation, Footnote, Source
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db

SEED_000 = "000_6e55b677930c3a7a.txt"
SEED_001 = "001_3a94d076462bedc1.txt"
SEED_002 = "002_aa834015c799b9df.txt"
SEED_003 = "003_fa6237349ec68be0.txt"
SEED_004 = "004_d884999d45a0951d.txt"
ALL_SEEDS = [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004]


def seed(name):
    return Document(name, raw=(SEEDS / name).read_bytes())


def run(*documents, **options):
    return import_documents(list(documents), ImportOptions(**options))


def database_rows():
    return {
        model.__name__: model.objects.count()
        for model in [
            Country,
            Profile,
            Edition,
            EditionEvent,
            Section,
            Footnote,
            Citation,
            Source,
            Revision,
        ]
    }


def edition_of(country, topic):
    return Edition.objects.get(profile__country__name=country, profile__topic__name=topic)


def test_every_seed_imports_as_a_published_edition():
    report = run(*[seed(name) for name in ALL_SEEDS])

    statuses = {entry["path"]: entry["status"] for entry in report["files"]}
    assert statuses == {
        SEED_000: "imported",
        SEED_001: "imported",
        SEED_002: "imported",  # its Cluster Munition profile is new; its Mine Ban part is 000
        SEED_003: "imported",
        SEED_004: "imported",
    }
    published = Edition.objects.public()
    assert {(e.profile.country.name, e.profile.topic.name) for e in published} == {
        ("Kazakhstan", "Mine Ban Policy"),
        ("Kazakhstan", "Country report"),
        ("Kazakhstan", "Cluster Munition Ban Policy"),
        ("Kyrgyzstan", "Mine Ban Policy"),
        ("Uzbekistan", "Mine Ban Policy"),
    }


def test_seed_001_is_one_country_report_of_2004_with_year_precision():
    run(seed(SEED_001))
    edition = edition_of("Kazakhstan", "Country report")
    assert edition.report == Report.objects.get(series="Landmine Monitor", year=2004)
    assert edition.last_updated_display == "2004"
    assert edition.last_updated_precision == Edition.Precision.YEAR
    assert edition.summary.startswith("Key developments since May 2003:")
    assert edition.footnotes.count() == 17
    ibid = edition.footnotes.get(number=3)
    before = edition.footnotes.get(number=2)
    assert set(ibid.sources.all()) == set(before.sources.all())
    assert set(edition.footnotes.get(number=13).sources.all()) == set(
        edition.footnotes.get(number=12).sources.all()
    )


def test_seeds_000_and_002_share_one_edition_in_either_order():
    first = run(seed(SEED_000))
    second = run(seed(SEED_002))
    assert first["files"][0]["status"] == "imported"
    assert (
        Edition.objects.filter(
            profile__country__name="Kazakhstan", profile__topic__name="Mine Ban Policy"
        ).count()
        == 1
    )
    assert second["files"][0]["status"] == "imported"  # only its other profile is new


def test_seed_002_in_the_other_order_gives_the_same_edition():
    run(seed(SEED_002))
    report = run(seed(SEED_000))
    assert report["files"][0]["status"] == "unchanged"
    assert Edition.objects.filter(profile__topic__name="Mine Ban Policy").count() == 1


def test_seed_002s_five_letters_are_five_sources_cited_three_times_each():
    run(seed(SEED_002))
    edition = edition_of("Kazakhstan", "Cluster Munition Ban Policy")
    letters = Source.objects.filter(
        citations__footnote__edition=edition, citations__footnote__number=1
    )
    assert letters.count() == 5
    for letter in letters:
        cited_by = sorted(letter.citations.values_list("footnote__number", flat=True))
        assert cited_by == [1, 2, 6]


def test_seed_003s_letter_is_one_source_cited_by_five_footnotes():
    run(seed(SEED_003))
    letter = Source.objects.get(
        title__contains="Letter 011-14/809 from the Ministry of Foreign Affairs"
    )
    cited_by = sorted(letter.citations.values_list("footnote__number", flat=True))
    assert cited_by == [1, 4, 7, 8, 10]


def test_monitor_report_citations_link_the_report_with_a_page_locator():
    run(seed(SEED_000))
    citation = Citation.objects.get(footnote__number=4, footnote__edition__isnull=False)
    assert citation.source.report == Report.objects.get(series="Landmine Monitor", year=2007)
    assert citation.locator == "p. 862"
    # footnote 7 cites the same report page: the same Source, not a copy
    assert citation.source in Footnote.objects.get(number=7).sources.all()


def test_seed_004_keeps_its_overview_facts():
    run(seed(SEED_004))
    edition = edition_of("Uzbekistan", "Mine Ban Policy")
    facts = list(edition.overview_facts.values_list("label", "value"))
    assert facts[0] == ("Mine Ban Treaty status", "Not a State Party")
    assert facts[1][0] == "Pro-mine ban UNGA voting record"
    assert facts[1][1].startswith("Abstained on Resolution 65/48")
    assert facts[2][0] == "Participation in Mine Ban Treaty meetings"
    assert facts[2][1].startswith("Has never attended")
    assert edition.last_updated.isoformat() == "2011-10-24"


def test_importing_the_same_files_again_changes_nothing():
    run(*[seed(name) for name in ALL_SEEDS])
    before = database_rows()

    report = run(*[seed(name) for name in ALL_SEEDS])

    assert {entry["status"] for entry in report["files"]} == {"unchanged"}
    assert database_rows() == before


def test_every_import_is_a_revision_named_after_its_file():
    run(seed(SEED_003))
    revision = Revision.objects.get()
    assert revision.comment == f"Imported from {SEED_003}"
    # The edition's one Version holds its whole content.
    edition = Edition.objects.get()
    version = revision.version_set.get_for_object(edition).get()
    assert len(content_of_version(version)["footnotes"]) == Footnote.objects.count()


def test_an_imported_file_moves_the_publication_clock_once_as_its_last_statement():
    before = current_tick()
    with CaptureQueriesContext(connection) as queries:
        run(seed(SEED_002))  # a new profile and a new published edition: two public changes
    clock_updates = [
        i for i, query in enumerate(queries) if "UPDATE" in query["sql"] and "clock" in query["sql"]
    ]
    # The clock's move writes the tick of what it concerns, the profile or every page, with it
    # (one statement on PostgreSQL) or after it.
    scopes = [i for i, query in enumerate(queries) if "publicationscope" in query["sql"]]
    writes = [
        i
        for i, query in enumerate(queries)
        if query["sql"].startswith("INSERT") and "publicationscope" not in query["sql"]
    ]
    assert len(clock_updates) == 1
    assert clock_updates[0] > max(writes)
    assert len(scopes) == 1 and scopes[0] >= clock_updates[0]
    assert current_tick() == before + 1


def test_an_unchanged_file_leaves_the_publication_clock_alone():
    run(seed(SEED_003))
    before = current_tick()
    run(seed(SEED_003))
    assert current_tick() == before


def test_the_same_edition_with_different_text_is_published_as_a_new_edition():
    run(seed(SEED_003))
    edition = edition_of("Kyrgyzstan", "Mine Ban Policy")
    text = list(edition.sections.values_list("body", flat=True))
    changed = (SEEDS / SEED_003).read_bytes().replace(b"has not acceded", b"has still not acceded")

    report = run(Document("003-corrected.txt", raw=changed))

    assert report["files"][0]["status"] == "updated"
    current = Edition.objects.public().get(profile=edition.profile)
    assert current.pk != edition.pk
    assert "has still not acceded" in " ".join(current.sections.values_list("body", flat=True))
    edition.refresh_from_db()
    assert edition.state == Edition.State.SUPERSEDED
    assert list(edition.sections.values_list("body", flat=True)) == text
    assert Revision.objects.filter(comment="Imported from 003-corrected.txt").exists()


def test_editions_end_the_same_whatever_the_import_order():
    older = (SEEDS / SEED_003).read_bytes()
    newer = older.replace(b"18 December 2019", b"20 October 2021").replace(
        b"has not acceded", b"has still not acceded"
    )
    run(Document("newer.txt", raw=newer))
    run(Document("older.txt", raw=older))

    editions = Edition.objects.filter(profile__country__name="Kyrgyzstan").order_by("last_updated")
    assert [(e.last_updated.year, e.state) for e in editions] == [
        (2019, Edition.State.SUPERSEDED),
        (2021, Edition.State.PUBLISHED),
    ]


def test_a_file_that_cannot_be_understood_is_rejected_and_others_still_import():
    report = run(
        Document("empty.txt", raw=b""),
        Document("binary.txt", raw=bytes(range(256)) * 20),
        seed(SEED_003),
    )
    entries = {entry["path"]: entry for entry in report["files"]}
    assert entries["empty.txt"]["status"] == "rejected"
    assert entries["empty.txt"]["error"]
    assert entries["binary.txt"]["status"] == "rejected"
    assert entries[SEED_003]["status"] == "imported"
    assert Edition.objects.count() == 1


def test_a_rejected_file_leaves_nothing_behind():
    before = database_rows()
    report = run(Document("nothing.txt", raw=b"\x00\x01\x02 not a report"))
    assert report["files"][0]["status"] == "rejected"
    assert database_rows() == before


def test_problems_are_warnings_with_line_numbers():
    report = run(seed(SEED_000))
    warnings = report["files"][0]["profiles"][0]["warnings"]
    missing = [w for w in warnings if "[6]" in w["message"]]
    assert missing and all(isinstance(w["line"], int) and w["line"] > 0 for w in missing)


def test_a_document_without_a_country_takes_the_one_given():
    text = (
        "Mine Ban Policy\n\nLast updated: 3 March 2021\n\n"
        "The State has not joined.[1]\n\n[1] Letter, 1 March 2021.\n"
    )
    report = run(Document("anon.txt", raw=text.encode()), default_country="Nagorno-Karabakh")
    assert report["files"][0]["status"] == "imported"
    assert Edition.objects.get().profile.country.name == "Nagorno-Karabakh"


def test_dry_run_reports_parsed_and_writes_nothing():
    before = database_rows()
    report = run(*[seed(name) for name in ALL_SEEDS], dry_run=True)
    assert {entry["status"] for entry in report["files"]} == {"parsed"}
    assert database_rows() == before


def test_dry_run_judges_later_files_against_earlier_ones():
    report = run(seed(SEED_000), seed(SEED_002), dry_run=True)
    outcomes = [profile["outcome"] for profile in report["files"][1]["profiles"]]
    assert outcomes == ["new edition, published", "unchanged"]


def test_draft_imports_open_a_draft_edition():
    run(seed(SEED_003), state=Edition.State.DRAFT)
    assert edition_of("Kyrgyzstan", "Mine Ban Policy").state == Edition.State.DRAFT


def test_command_prints_the_json_report(tmp_path, capsys):
    call_command("import_archive", str(SEEDS / SEED_004), "--json")
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    profile = report["files"][0]["profiles"][0]
    assert report["files"][0]["status"] == "imported"
    assert set(profile) == {
        "outcome",
        "country",
        "topic",
        "report",
        "last_updated",
        "date_from",
        "summary",
        "overview",
        "sections",
        "footnotes",
        "warnings",
    }
    assert profile["outcome"] == "new edition, published"
    assert profile["country"] == "Uzbekistan"
    assert profile["last_updated"] == "2011-10-24"
    assert profile["date_from"] == 'text: "Last updated" line 1'
    assert profile["footnotes"][0]["number"] == 1
    assert "imported" in captured.err  # the summary table goes to stderr with --json


def test_command_imports_folders_and_zips_and_prints_a_summary(tmp_path, capsys):
    folder = tmp_path / "archive" / "2019"
    folder.mkdir(parents=True)
    (folder / SEED_003).write_bytes((SEEDS / SEED_003).read_bytes())
    (folder / "notes.pdf").write_bytes(b"ignored: not an archive document")
    (folder / "broken.docx").write_bytes(b"not a Word file")
    bundle = tmp_path / "more.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr(f"seeds/{SEED_004}", (SEEDS / SEED_004).read_bytes())

    with pytest.raises(CommandError, match="1 of 3 files were not imported") as failed:
        call_command("import_archive", str(tmp_path / "archive"), str(bundle))

    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    assert "imported" in out and "rejected" in out and "broken.docx" in out
    assert Edition.objects.count() == 2


def test_command_refuses_fewer_than_one_worker():
    with pytest.raises(CommandError, match="--workers must be at least 1"):
        call_command("import_archive", str(SEEDS / SEED_004), "--workers", "0")


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_with_paths_leaving_the_archive_is_refused_whole(tmp_path, capsys):
    bundle = tmp_path / "evil.zip"
    bundle.write_bytes(
        zip_bytes(
            {
                SEED_003: (SEEDS / SEED_003).read_bytes(),
                "../../etc/cron.d/evil.txt": b"Mine Ban Policy",
            }
        )
    )
    with pytest.raises(CommandError):
        call_command("import_archive", str(bundle), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["files"][0]["status"] == "rejected"
    assert "Unsafe path" in report["files"][0]["error"]
    assert not Edition.objects.exists()


def test_a_zip_with_too_many_files_is_refused(tmp_path, settings, capsys):
    settings.IMPORT_MAX_FILES = 2
    bundle = tmp_path / "many.zip"
    bundle.write_bytes(zip_bytes({f"{i}.txt": b"x" for i in range(3)}))
    with pytest.raises(CommandError):
        call_command("import_archive", str(bundle), "--json")
    report = json.loads(capsys.readouterr().out)
    assert "Too many documents" in report["files"][0]["error"]


class TestAdminUpload:
    url = "/admin/reports/import-archive/"

    def upload(self, client, *names, state="published", **fields):
        files = [
            (
                io.BytesIO((SEEDS / name).read_bytes())
                if name in ALL_SEEDS
                else io.BytesIO(name.encode())
            )
            for name in names
        ]
        for handle, name in zip(files, names, strict=True):
            handle.name = name
        return client.post(self.url, {"files": files, "state": state, **fields})

    def test_dry_run_then_confirm(self, client, publisher, tmp_path, settings):
        settings.IMPORT_STAGING_DIR = tmp_path
        client.force_login(publisher)
        assert client.get(self.url).status_code == 200

        preview = self.upload(client, SEED_003, SEED_004)

        assert preview.status_code == 200
        assert "Dry run" in preview.text
        assert preview.text.count("new edition, published") == 2
        assert "Kyrgyzstan" in preview.text and "Uzbekistan" in preview.text
        assert not Edition.objects.exists()

        result = client.post(self.url, {"token": preview.context["token"], "confirm": "1"})

        assert result.status_code == 200
        assert "Import finished" in result.text
        assert Edition.objects.public().count() == 2
        assert Revision.objects.filter(user=publisher).count() == 2
        assert set(EditionEvent.objects.values_list("action", "actor")) == {
            ("import", publisher.pk)
        }
        assert not any(tmp_path.iterdir())  # staged uploads are removed

    def test_an_editor_choosing_published_is_refused_and_nothing_is_written(
        self, client, editor, tmp_path, settings
    ):
        settings.IMPORT_STAGING_DIR = tmp_path
        client.force_login(editor)
        before = database_rows()

        response = self.upload(client, SEED_003)

        assert response.status_code == 200
        assert "Only publishers import straight to published" in response.text
        assert "token" not in response.context
        assert database_rows() == before
        assert not any(tmp_path.iterdir())

    def test_an_editors_draft_upload_opens_drafts_for_review(
        self, client, editor, tmp_path, settings
    ):
        settings.IMPORT_STAGING_DIR = tmp_path
        client.force_login(editor)
        preview = self.upload(client, SEED_003, state="draft")
        assert "new draft" in preview.text

        client.post(self.url, {"token": preview.context["token"], "confirm": "1"})

        draft = Edition.objects.get()
        assert draft.state == Edition.State.DRAFT
        event = draft.events.get()
        assert (event.action, event.actor, event.comment) == (
            "start",
            editor,
            f"Imported from {SEED_003}",
        )

    def test_a_preview_confirmed_after_losing_the_publisher_role_writes_nothing(
        self, client, publisher, tmp_path, settings
    ):
        settings.IMPORT_STAGING_DIR = tmp_path
        client.force_login(publisher)
        token = self.upload(client, SEED_003).context["token"]
        publisher.groups.set([Group.objects.get(name=EDITOR)])
        before = database_rows()

        response = client.post(self.url, {"token": token, "confirm": "1"}, follow=True)

        assert "Nothing was imported: Only publishers import straight to published" in (
            response.text
        )
        assert database_rows() == before
        assert not any(tmp_path.iterdir())

    def test_confirming_twice_imports_once(self, client, publisher, tmp_path, settings):
        settings.IMPORT_STAGING_DIR = tmp_path
        client.force_login(publisher)
        token = self.upload(client, SEED_003).context["token"]
        client.post(self.url, {"token": token})
        again = client.post(self.url, {"token": token}, follow=True)
        assert "already imported" in again.text
        assert Edition.objects.count() == 1

    def test_cancel_writes_nothing(self, client, publisher, tmp_path, settings):
        settings.IMPORT_STAGING_DIR = tmp_path
        client.force_login(publisher)
        token = self.upload(client, SEED_003).context["token"]
        client.post(self.url, {"token": token, "cancel": "1"})
        assert not Edition.objects.exists()
        assert not any(tmp_path.iterdir())

    def test_altered_token_is_refused(self, client, editor, tmp_path, settings):
        settings.IMPORT_STAGING_DIR = tmp_path
        client.force_login(editor)
        response = client.post(self.url, {"token": "forged:token"}, follow=True)
        assert "expired or was altered" in response.text
        assert not Edition.objects.exists()

    def test_oversized_uploads_and_other_file_types_are_refused(
        self, client, editor, tmp_path, settings
    ):
        settings.IMPORT_STAGING_DIR = tmp_path
        settings.IMPORT_MAX_UPLOAD_BYTES = 100
        client.force_login(editor)
        response = self.upload(client, SEED_003)
        assert "the limit is 100" in response.text
        settings.IMPORT_MAX_UPLOAD_BYTES = 10**6
        response = self.upload(client, "report.pdf")
        assert "only .txt, .html, .htm, .docx and .zip" in response.text
        assert not any(tmp_path.iterdir())

    def test_researchers_may_not_import(self, client, researcher):
        client.force_login(researcher)
        assert client.get(self.url).status_code == 403

    def test_the_admin_index_links_to_the_import_page_for_editors(self, client, editor):
        client.force_login(editor)
        assert self.url in client.get(reverse("admin:index")).text


def test_a_file_colliding_with_a_concurrent_import_is_written_again_and_imported():
    options = ImportOptions()
    reference = Reference.load()
    # Another import adds the file's report after this run loaded what exists.
    Report.objects.create(
        series="Landmine Monitor", year=2004, title="Landmine Monitor Report 2004"
    )

    entry = import_document(seed(SEED_001), options, reference)

    assert entry["status"] == "imported", entry["error"]
    assert Report.objects.filter(series="Landmine Monitor", year=2004).count() == 1
    assert edition_of("Kazakhstan", "Country report").report.year == 2004
    assert Revision.objects.count() == 1


def test_a_collision_that_persists_rejects_the_file_with_nothing_written(monkeypatch):
    from reports.importer import service

    def always_collides(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(service, "record_written_rows", always_collides)
    before = database_rows()

    entry = import_document(seed(SEED_003), ImportOptions(), Reference.load())

    assert entry["status"] == "rejected"
    assert entry["error"].startswith("Not imported, nothing written: duplicate key")
    assert database_rows() == before


def failing_for(path, error, times=1):
    """record_written_rows that raises `error` for the file at `path`, `times` times."""
    from reports.importer import service

    real = service.record_written_rows
    left = [times]

    def record(rows, comment, **kwargs):
        if comment == f"Imported from {path}" and left[0]:
            left[0] -= 1
            raise error
        return real(rows, comment, **kwargs)

    return record


def test_a_file_failing_in_a_batch_leaves_nothing_of_it_and_the_others_imported(monkeypatch):
    from reports.importer import service

    monkeypatch.setattr(
        service, "record_written_rows", failing_for(SEED_003, IntegrityError("bad row"), 9)
    )
    seen = []

    report = import_documents(
        [seed(name) for name in [SEED_001, SEED_003, SEED_004]], ImportOptions(), seen.append
    )

    statuses = [(entry["path"], entry["status"]) for entry in report["files"]]
    assert statuses == [(SEED_001, "imported"), (SEED_003, "rejected"), (SEED_004, "imported")]
    assert report["files"][1]["error"] == "Not imported, nothing written: bad row"
    assert seen == report["files"]
    assert not Edition.objects.filter(imported_from=SEED_003).exists()
    assert Revision.objects.count() == 2


def test_a_file_colliding_in_a_batch_is_written_again_after_the_files_before_it(monkeypatch):
    from reports.importer import service

    monkeypatch.setattr(
        service, "record_written_rows", failing_for(SEED_003, IntegrityError("duplicate key"))
    )

    report = run(seed(SEED_001), seed(SEED_003), seed(SEED_004))

    assert [entry["status"] for entry in report["files"]] == ["imported"] * 3
    assert Revision.objects.count() == 3
    assert Edition.objects.filter(imported_from=SEED_003).count() == 1


def test_batches_end_after_their_number_of_files(monkeypatch):
    from reports.importer import service

    monkeypatch.setattr(service, "BATCH_FILES", 2)
    report = run(*[seed(name) for name in ALL_SEEDS])

    assert [entry["status"] for entry in report["files"]] == ["imported"] * 5
    assert Revision.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_commit_fails_reports_each_of_its_files_not_imported(monkeypatch):
    from reports.importer import service

    real = service.write_content

    def write_content(edition, parsed, reference, written):
        real(edition, parsed, reference, written)
        if edition.imported_from == SEED_004:
            # A row whose foreign key is only checked at commit (Django's constraints are
            # deferred): the batch's commit fails.
            Profile.objects.filter(pk=edition.profile_id).update(country_id=10**9)

    monkeypatch.setattr(service, "write_content", write_content)
    Country.objects.bulk_create(
        Country(name=name, slug=name.lower()) for name in ["Kazakhstan", "Kyrgyzstan"]
    )
    before = database_rows()

    report = run(seed(SEED_001), seed(SEED_003), seed(SEED_004))

    assert [entry["status"] for entry in report["files"]] == ["rejected"] * 3
    assert all(e["error"].startswith("Not imported, nothing written") for e in report["files"])
    assert database_rows() == before


def test_command_says_how_to_finish_an_import_the_database_went_away_from(monkeypatch):
    from django.db import OperationalError

    from reports.management.commands import import_archive

    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server was lost")

    monkeypatch.setattr(import_archive, "import_documents", unreachable)

    with pytest.raises(CommandError, match="run the same import again to finish it"):
        call_command("import_archive", str(SEEDS / SEED_004))
