"""A large archive imported by several processes on PostgreSQL ends as it would one by one."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from reversion.models import Revision

from bench.generate_archive import generate
from reports.importer import parallel
from reports.importer.archive import Document
from reports.importer.service import (
    ImportOptions,
    Reference,
    import_documents,
    parse,
)
from reports.models import Edition
from sources.models import Citation
from tests.conftest import SEEDS
from tests.reports.test_importer import SEED_003

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (several processes writing at once)")


def archive(count):
    return [Document(name, raw=text.encode()) for name, text in generate(count, seed=7)]


def with_repeats(documents):
    """The archive with one seed three times: again as it was, then corrected."""
    raw = (SEEDS / SEED_003).read_bytes()
    corrected = raw.replace(b"has not acceded", b"has still not acceded")
    return [
        Document(SEED_003, raw=raw),
        *documents,
        Document(f"copy-{SEED_003}", raw=raw),
        Document(f"corrected-{SEED_003}", raw=corrected),
    ]


def imported_editions():
    """Every edition with its content and citations, keyed by what identifies it."""
    editions = Edition.objects.select_related("profile__country", "profile__topic", "report")
    return {
        (e.profile.country.name, e.profile.topic.name, e.last_updated): (
            e.state,
            e.version,
            e.summary,
            e.report and e.report.title,
            list(e.sections.order_by("position").values_list("heading", "body")),
            list(e.footnotes.order_by("number").values_list("number", "text")),
            list(
                Citation.objects.filter(footnote__edition=e)
                .order_by("footnote__number", "position")
                .values_list("footnote__number", "source__identity_key", "locator")
            ),
        )
        for e in editions
    }


def start_again():
    call_command("flush", "--noinput", verbosity=0)
    ContentType.objects.clear_cache()


def test_two_processes_give_the_report_and_editions_of_one():
    documents = with_repeats(archive(parallel.MIN_FILES + 10))
    assert parallel.possible(documents, ImportOptions(), workers=2)

    seen = []
    report = import_documents(documents, ImportOptions(), progress=seen.append, workers=2)
    together = imported_editions()
    revisions = Revision.objects.count()
    start_again()
    one_by_one = import_documents(documents, ImportOptions(), workers=1)

    assert report == one_by_one
    assert [entry["path"] for entry in report["files"]] == [d.path for d in documents]
    assert len(seen) == len(documents)
    statuses = [entry["status"] for entry in report["files"]]
    assert statuses[0] == "imported"
    assert statuses[-2:] == ["unchanged", "updated"]
    assert together == imported_editions()
    assert revisions == Revision.objects.count()
    published = Edition.objects.filter(state=Edition.State.PUBLISHED)
    assert published.count() == published.values("profile").distinct().count()


def test_one_countrys_files_go_through_one_process_in_file_order():
    documents = archive(parallel.MIN_FILES)
    reference = Reference.load()
    parsed = [parse(document, ImportOptions(), reference) for document in documents]

    groups = parallel.groups_by_country(parsed)

    assert sorted(i for group in groups for i in group) == list(range(len(documents)))
    assert 1 < len(groups) < len(documents)
    owners = {}
    for number, group in enumerate(groups):
        assert group == sorted(group)
        for index in group:
            for profile in parsed[index].profiles:
                if profile.country is None:
                    continue  # rejected: writes nothing
                assert owners.setdefault(profile.country, number) == number


def test_small_imports_dry_runs_and_open_transactions_stay_in_one_process():
    documents = archive(parallel.MIN_FILES)
    assert not parallel.possible(documents[:-1], ImportOptions(), workers=2)
    assert not parallel.possible(documents, ImportOptions(dry_run=True), workers=2)
    assert not parallel.possible(documents, ImportOptions(), workers=1)
    with transaction.atomic():
        assert not parallel.possible(documents, ImportOptions(), workers=2)


def test_the_command_imports_a_folder_with_two_processes(tmp_path, capsys):
    for document in archive(parallel.MIN_FILES):
        (tmp_path / document.path).write_bytes(document.raw)

    call_command("import_archive", str(tmp_path), "--workers", "2", "--json")

    report = json.loads(capsys.readouterr().out)
    # Every file imported (the command exits 1 if one was not).
    assert len(report["files"]) == parallel.MIN_FILES
    written = [e for e in report["files"] if e["status"] in ("imported", "updated")]
    assert Revision.objects.count() == len(written) > 0
