"""Hostile inputs to the importer: no crash, no hang (each document is given a few seconds),
and no file half written (issue 14).

Slow: runs under CI (CI=true) and with FUZZ=1, on SQLite only (the parser does not touch the
database, and the archive imports check what one database keeps). Over 10,000 generated cases
in all, each count set from the environment:

- FUZZ_EXAMPLES (default 8,000): text, HTML and raw bytes parsed as a document;
- FUZZ_ZIPS (default 1,500): zip archives read (or refused whole) and each member parsed;
- FUZZ_ARCHIVES (default 500): zip archives imported into the database, each file whole or
  not at all.

An input that once made the parser loop for ever (a piped line set apart below the status
lines) is kept as a fast test in test_importer_fuzz.py.
"""

import io
import os
import zipfile

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.importer.archive import ArchiveRefused, read_zip
from reports.importer.parsing import parse_document
from reports.importer.service import ImportOptions, import_documents
from reports.models import Edition, EditionEvent, Profile, Section
from sources.models import Citation, Footnote, Source
from tests.conftest import IN_CI
from tests.reports.test_importer_fuzz import LINES, TEXT, at_most, html_pages

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (IN_CI or os.environ.get("FUZZ")), reason="slow: runs under CI or with FUZZ=1"
    ),
    # Zips with two members of one name are among the hostile inputs, on purpose.
    pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning"),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="slow: run once, in the SQLite run of the suite"
    ),
]
PARSER_CASES = int(os.environ.get("FUZZ_EXAMPLES", "8000"))
ZIPS = int(os.environ.get("FUZZ_ZIPS", "1500"))
ARCHIVES = int(os.environ.get("FUZZ_ARCHIVES", "500"))
# A few kB take milliseconds: a document still parsing after this long is a hang to report.
PARSE_SECONDS = 5
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
    with at_most(PARSE_SECONDS):
        parsed = parse_document(raw, name=name)
    assert (parsed.error is None) == bool(parsed.profiles)


@st.composite
def archives(draw):
    """A zip of a few documents: profiles of a known country, noise, a broken member, and
    sometimes a member whose path must make the whole zip refused."""
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
            folder = draw(st.sampled_from(["", f"{index}/", "lm/2019/", "a/b/c/"]))
            archive.writestr(folder + name, raw)
        if draw(st.booleans()):
            archive.writestr(draw(st.sampled_from(["notes.pdf", "image.png", "folder/"])), b"x")
        if draw(st.booleans()):
            unsafe = draw(st.sampled_from(["../escape.txt", "/etc/escape.txt", "a\\..\\b.txt"]))
            archive.writestr(unsafe, draw(st.sampled_from(LINES)))
    return buffer.getvalue()


def documents_of(data):
    """The zip's documents, or None when it is refused whole (an unsafe path or a limit),
    before a document is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return list(read_zip(archive, "fuzz.zip"))
    except ArchiveRefused:
        return None


@settings(max_examples=ZIPS, deadline=None, suppress_health_check=FAST)
@given(archives())
def test_an_archive_is_read_whole_or_refused_and_each_member_parses(data):
    documents = documents_of(data)
    if documents is None:
        return
    for document in documents:
        assert document.raw is not None or document.error
        if document.raw is not None:
            with at_most(PARSE_SECONDS):
                parsed = parse_document(document.raw, name=document.path)
            assert (parsed.error is None) == bool(parsed.profiles)


WRITTEN = (Edition, EditionEvent, Section, Footnote, Citation, Source, Profile)


@pytest.mark.django_db
@settings(max_examples=ARCHIVES, deadline=None, suppress_health_check=FAST)
@given(archives())
def test_an_archive_imports_whole_files_or_nothing_of_them(data):
    before = {model: model.objects.count() for model in WRITTEN}
    documents = documents_of(data)
    if documents is None:
        assert {model: model.objects.count() for model in WRITTEN} == before
        return
    with at_most(PARSE_SECONDS * len(documents) + 10):
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
    assert Edition.objects.count() - before[Edition] == created
    assert EditionEvent.objects.count() - before[EditionEvent] >= created
    if not written:
        assert {model: model.objects.count() for model in WRITTEN} == before
