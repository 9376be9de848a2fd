"""Import work is bounded by what parsing costs (characters, lines, markers), not only bytes,
and staged uploads do not pile up."""

import io
import os
import time
import zipfile

import pytest
from django.core.management import call_command

from reports.importer import admin_views
from reports.importer.archive import Document, iter_documents
from reports.importer.service import ImportOptions, import_documents
from reports.models import Edition
from tests.conftest import SEEDS
from tests.reports import test_importer

pytestmark = pytest.mark.django_db

SEED = (SEEDS / test_importer.SEED_003).read_bytes()
UPLOAD = test_importer.TestAdminUpload()  # not imported by name: pytest would run it again


def padded(extra):
    """The seed document with `extra` appended (as text after its notes)."""
    return SEED + b"\n\n" + extra


@pytest.mark.parametrize(
    ("setting", "extra", "what"),
    [
        ("IMPORT_MAX_DOCUMENT_CHARS", b"x" * 50_000, "characters"),
        ("IMPORT_MAX_DOCUMENT_LINES", b"line\n" * 5_000, "lines"),
        ("IMPORT_MAX_DOCUMENT_MARKERS", b"[1] " * 5_000, "footnote markers"),
    ],
)
def test_a_document_past_a_cost_limit_is_refused_with_its_reason(settings, setting, extra, what):
    setattr(settings, setting, 4_000)
    report = import_documents([Document("big.txt", raw=padded(extra))], ImportOptions())
    [entry] = report["files"]
    assert entry["status"] == "rejected"
    assert f"Too large to import: more than 4,000 {what}" in entry["error"]
    assert not Edition.objects.exists()


def test_a_small_zip_of_many_large_texts_is_refused_file_by_file_at_once(tmp_path, settings):
    # The report's case scaled down: 40 texts, each past the limit, in a small zip.
    settings.IMPORT_MAX_DOCUMENT_CHARS = 100_000
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for number in range(40):
            out.writestr(f"report-{number}.txt", padded(b"word " * 40_000))
    assert archive.stat().st_size < 100_000
    started = time.process_time()
    report = import_documents(list(iter_documents([archive])), ImportOptions())
    assert time.process_time() - started < 2
    assert {entry["status"] for entry in report["files"]} == {"rejected"}
    assert not Edition.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_admin_import_runs_in_the_task_queue_with_a_progress_page(
    client, publisher, editor, tmp_path, settings
):
    settings.IMPORT_STAGING_DIR = tmp_path
    settings.IMPORT_MAX_REQUEST_CHARS = len(SEED) + 10
    client.force_login(publisher)

    queued = UPLOAD.upload(client, test_importer.SEED_003, test_importer.SEED_004)
    assert queued.status_code == 302 and "/import-archive/jobs/" in queued["Location"]
    waiting = client.get(queued["Location"])
    assert "Preparing the preview: ready" in waiting.text
    assert '<meta http-equiv="refresh" content="2">' in waiting.text
    assert not Edition.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # a real worker
    preview = client.get(queued["Location"])
    assert "Dry run" in preview.text and preview.text.count("new edition, published") == 2

    confirmed = client.post(UPLOAD.url, {"token": preview.context["token"], "confirm": "1"})
    assert confirmed.status_code == 302 and "/import-archive/jobs/" in confirmed["Location"]
    assert "Importing: ready" in client.get(confirmed["Location"]).text
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    done = client.get(confirmed["Location"])
    assert "Import finished" in done.text
    assert Edition.objects.public().count() == 2
    assert not any(tmp_path.iterdir())  # the staged upload is gone

    client.force_login(editor)  # a job is seen only by whoever started it
    assert client.get(confirmed["Location"]).status_code == 404


def test_expired_staged_uploads_are_swept_at_the_next_upload(client, publisher, tmp_path, settings):
    settings.IMPORT_STAGING_DIR = tmp_path
    old, recent = tmp_path / "old-preview", tmp_path / "recent-preview"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "0000-a.txt").write_bytes(SEED)
    hours_ago = time.time() - admin_views.TOKEN_MAX_AGE - 60
    os.utime(old, (hours_ago, hours_ago))
    client.force_login(publisher)
    UPLOAD.upload(client, test_importer.SEED_003)
    assert not old.exists() and recent.exists()


def test_a_preview_that_fails_leaves_no_staged_upload(
    client, publisher, tmp_path, settings, monkeypatch
):
    settings.IMPORT_STAGING_DIR = tmp_path
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(admin_views, "import_documents", broken)
    client.force_login(publisher)
    files = [io.BytesIO(SEED)]
    files[0].name = "a.txt"
    assert client.post(UPLOAD.url, {"files": files, "state": "published"}).status_code == 500
    assert not any(tmp_path.iterdir())
