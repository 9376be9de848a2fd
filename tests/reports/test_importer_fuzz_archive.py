"""Hostile inputs to the importer: no crash, and no file half written (issue 14).

Slow: runs under CI (CI=true) and with FUZZ=1; FUZZ_EXAMPLES sets the number of parser cases
over text and HTML (default 1,000), FUZZ_ARCHIVES the number of zip archives imported into
the database (default 100), each a few generated documents, some broken. The issue asks for
10,000 parser cases; a run of that many did not finish within 150 s here (inputs grow as
hypothesis goes on, or one parses slowly), so CI runs the default until that is understood.
"""

import io
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.importer.archive import ArchiveRefused, read_zip
from reports.importer.parsing import parse_document
from reports.importer.service import ImportOptions, import_documents
from reports.models import Edition, EditionEvent
from sources.models import Footnote
from tests.conftest import IN_CI
from tests.reports.test_importer_fuzz import LINES, TEXT, html_pages

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (IN_CI or os.environ.get("FUZZ")), reason="slow: runs under CI or with FUZZ=1"
    ),
]
PARSER_CASES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
ARCHIVES = int(os.environ.get("FUZZ_ARCHIVES", "100"))
FAST = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]


@st.composite
def text_documents(draw):
    lines = draw(st.lists(TEXT, max_size=40))
    if draw(st.booleans()):  # a profile's usual opening, so deeper paths are reached too
        lines = ["Kazakhstan", "Mine Ban Policy", "Last updated: 18 December 2019", *lines]
    return "\n".join(lines)


DOCUMENTS = st.one_of(
    text_documents().map(lambda text: ("profile.txt", text.encode("utf-8", "surrogatepass"))),
    html_pages().map(lambda page: ("profile.html", page.encode("utf-8", "surrogatepass"))),
    st.binary(max_size=2000).map(lambda raw: ("noise.txt", raw)),
)


@settings(max_examples=PARSER_CASES, deadline=None, suppress_health_check=FAST)
@given(DOCUMENTS)
def test_the_parser_never_raises(document):
    name, raw = document
    parsed = parse_document(raw, name=name)
    assert (parsed.error is None) == bool(parsed.profiles)


@st.composite
def archives(draw):
    """A zip of a few documents: profiles of a known country, noise, a broken member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(draw(st.integers(1, 4))):
            name, raw = draw(DOCUMENTS)
            if draw(st.booleans()):
                raw = "\n".join(
                    [
                        "Kazakhstan",
                        draw(st.sampled_from(["Mine Ban Policy", "Impact"])),
                        "Last updated: 18 December 2019",
                        "Policy",
                        "The Republic of Kazakhstan has not acceded.[1]",
                        "[1] " + draw(TEXT),
                    ]
                ).encode("utf-8", "surrogatepass")
            archive.writestr(f"{index}/{name}", raw)
        if draw(st.booleans()):
            archive.writestr("../escape.txt", draw(st.sampled_from(LINES)))
    return buffer.getvalue()


@pytest.mark.django_db
@settings(max_examples=ARCHIVES, deadline=None, suppress_health_check=FAST)
@given(archives())
def test_an_archive_imports_whole_files_or_nothing_of_them(data):
    editions, events = Edition.objects.count(), EditionEvent.objects.count()
    notes = Footnote.objects.count()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            documents = list(read_zip(archive, "fuzz.zip"))
    except ArchiveRefused:  # refused whole (an unsafe path), before a document is read
        return
    report = import_documents(documents, ImportOptions())

    written = [entry for entry in report["files"] if entry["status"] in ("imported", "updated")]
    created = sum(
        1
        for entry in written
        for profile in entry["profiles"]
        if profile["outcome"] != "unchanged" and not profile["outcome"].startswith("not imported")
    )
    # Each file is all or nothing: an edition and its event for every profile it brought,
    # nothing at all of a file that was refused.
    assert Edition.objects.count() - editions == created
    assert EditionEvent.objects.count() - events >= created
    if not written:
        assert Footnote.objects.count() == notes
