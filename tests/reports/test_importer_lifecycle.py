"""Importing through the edition lifecycle: only publishers (and the command line) import
straight to published, the chosen state is honoured, an import never changes an existing
edition, and every import leaves its workflow events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Revision

from reports.editions import workflow
from reports.editions.fingerprint import content_fingerprint
from reports.editions.imports import ImportRefused
from reports.importer.archive import Document
from reports.importer.service import ImportOptions, import_documents
from reports.models import Edition, EditionEvent
from reports.public.pagecache import current_tick
from sources.models import Citation
from tests.conftest import SEEDS
from tests.reports.test_importer import SEED_003, database_rows

pytestmark = pytest.mark.django_db

S = Edition.State
ORIGINAL = (SEEDS / SEED_003).read_bytes()  # Kyrgyzstan, Mine Ban Policy, 18 December 2019
CORRECTED = ORIGINAL.replace(b"has not acceded", b"has still not acceded")
NEWER = ORIGINAL.replace(b"18 December 2019", b"20 October 2021").replace(
    b"has not acceded", b"has not yet acceded"
)


def run(name, raw, **options):
    return import_documents([Document(name, raw=raw)], ImportOptions(**options))["files"][0]


def kyrgyzstan():
    """The profile's editions, oldest first."""
    return list(
        Edition.objects.filter(profile__country__name="Kyrgyzstan").order_by("last_updated", "pk")
    )


def stored(edition):
    """Everything stored of an edition and its content, to show that it did not change."""
    return (
        Edition.objects.filter(pk=edition.pk).values().get(),
        list(edition.sections.order_by("pk").values()),
        list(edition.overview_facts.order_by("pk").values()),
        list(edition.footnotes.order_by("pk").values()),
        list(Citation.objects.filter(footnote__edition=edition).order_by("pk").values()),
        content_fingerprint(edition),
    )


def stored_content(edition):
    """As stored(), without the workflow fields that superseding it changes."""
    row, *content = stored(edition)
    return {k: v for k, v in row.items() if k not in ("state", "updated_at")}, *content


def text_of(edition):
    return " ".join(edition.sections.values_list("body", flat=True))


def events(edition):
    return [
        (e.action, e.from_state, e.to_state, e.actor, e.comment)
        for e in edition.events.order_by("pk")
    ]


# --- publishing by import --------------------------------------------------------------------


def test_a_publishers_import_publishes_and_supersedes_with_their_events(publisher):
    run("2019.txt", ORIGINAL)
    (old,) = kyrgyzstan()

    entry = run("2021.txt", NEWER, actor=publisher)

    assert entry["status"] == "imported"
    assert entry["profiles"][0]["outcome"] == "new edition, published"
    old, new = kyrgyzstan()
    assert (old.state, new.state) == (S.SUPERSEDED, S.PUBLISHED)
    assert events(new) == [("import", "", S.PUBLISHED, publisher, "Imported from 2021.txt")]
    assert events(old)[-1] == (
        "supersede",
        S.PUBLISHED,
        S.SUPERSEDED,
        publisher,
        f"Superseded by #{new.pk}: Imported from 2021.txt",
    )
    revision = Revision.objects.get(comment="Imported from 2021.txt")
    assert revision.user == publisher
    assert new.events.get().revision == revision
    assert new.created_by == publisher


def test_the_command_line_imports_as_the_system():
    run("2019.txt", ORIGINAL)
    (edition,) = kyrgyzstan()
    assert events(edition) == [("import", "", S.PUBLISHED, None, "Imported from 2019.txt")]


def test_an_older_archive_imported_after_a_newer_one_lands_archived_with_its_event(publisher):
    run("2021.txt", NEWER)
    current = kyrgyzstan()[0]
    before = stored(current)

    entry = run("2019.txt", ORIGINAL, actor=publisher)

    assert entry["profiles"][0]["outcome"] == "new edition, archived: a newer edition is current"
    older, newer = kyrgyzstan()
    assert (older.state, newer.state) == (S.SUPERSEDED, S.PUBLISHED)
    assert events(older) == [("import", "", S.SUPERSEDED, publisher, "Imported from 2019.txt")]
    assert stored(newer) == before
    assert newer.events.count() == 1  # its own import only: nothing superseded it


def test_an_archive_import_leaves_the_draft_in_progress_alone(researcher):
    run("2019.txt", ORIGINAL)
    draft = workflow.start_draft(kyrgyzstan()[0].profile, researcher)
    before = stored(draft)

    entry = run("2021.txt", NEWER)

    assert entry["status"] == "imported"
    assert [e.state for e in kyrgyzstan() if e.pk != draft.pk] == [S.SUPERSEDED, S.PUBLISHED]
    assert stored(draft) == before


def test_an_editor_may_not_import_straight_to_published(editor):
    before = database_rows()
    with pytest.raises(ImportRefused, match="Only publishers import straight to published"):
        run("2019.txt", ORIGINAL, actor=editor)
    assert database_rows() == before


def test_a_researcher_may_not_import(researcher):
    with pytest.raises(ImportRefused, match="may not import archive documents"):
        run("2019.txt", ORIGINAL, actor=researcher, state=S.DRAFT)
    assert not Edition.objects.exists()


def test_an_import_into_a_live_profile_moves_the_publication_clock_once():
    run("2019.txt", ORIGINAL)
    before = current_tick()
    with CaptureQueriesContext(connection) as queries:
        run("2021.txt", NEWER)
    clock_updates = [q for q in queries if "UPDATE" in q["sql"] and "clock" in q["sql"]]
    assert len(clock_updates) == 1
    assert current_tick() == before + 1


# --- drafts ----------------------------------------------------------------------------------


def test_a_draft_import_opens_a_draft_with_its_start_event(editor):
    entry = run("2019.txt", ORIGINAL, actor=editor, state=S.DRAFT)

    assert (entry["status"], entry["profiles"][0]["outcome"]) == ("imported", "new draft")
    (draft,) = kyrgyzstan()
    assert draft.state == S.DRAFT
    assert draft.published_at is None
    assert events(draft) == [("start", "", S.DRAFT, editor, "Imported from 2019.txt")]
    assert draft.events.get().revision == Revision.objects.get(user=editor)


def test_a_draft_import_dated_like_the_published_edition_never_rewrites_it(editor):
    run("2019.txt", ORIGINAL)
    (published,) = kyrgyzstan()
    before = stored(published)

    entry = run("corrected.txt", CORRECTED, actor=editor, state=S.DRAFT)

    assert entry["status"] == "updated"
    assert entry["profiles"][0]["outcome"] == (
        "new text for the edition of this date: a new draft based on it"
    )
    assert stored(published) == before
    draft = Edition.objects.get(state=S.DRAFT)
    assert draft.based_on == published
    assert draft.last_updated == published.last_updated
    assert "has still not acceded" in text_of(draft)
    assert events(draft) == [("start", "", S.DRAFT, editor, "Imported from corrected.txt")]


def test_a_draft_import_while_an_edition_is_in_progress_is_refused_with_its_reason(editor):
    run("2019.txt", ORIGINAL)
    run("corrected.txt", CORRECTED, actor=editor, state=S.DRAFT)
    before = database_rows()
    editions = [stored(edition) for edition in kyrgyzstan()]

    entry = run("2021.txt", NEWER, actor=editor, state=S.DRAFT)

    assert entry["status"] == "rejected"
    assert entry["error"] == (
        "No profile could be imported: Kyrgyzstan — Mine Ban Policy already has an edition "
        "in progress (draft); continue that one."
    )
    assert database_rows() == before
    assert [stored(edition) for edition in kyrgyzstan()] == editions


# --- the same edition with new text ----------------------------------------------------------


def test_new_text_for_the_current_edition_becomes_a_new_current_edition(publisher):
    run("2019.txt", ORIGINAL)
    (old,) = kyrgyzstan()
    content = stored_content(old)

    entry = run("corrected.txt", CORRECTED, actor=publisher)

    assert entry["status"] == "updated"
    assert entry["profiles"][0]["outcome"] == (
        "new text for the edition of this date: published as a new edition, "
        "the earlier one archived"
    )
    old, new = kyrgyzstan()
    assert (old.state, new.state) == (S.SUPERSEDED, S.PUBLISHED)
    assert stored_content(old) == content
    assert new.last_updated == old.last_updated and new.based_on == old
    assert "has still not acceded" in text_of(new)
    assert events(new) == [("import", "", S.PUBLISHED, publisher, "Imported from corrected.txt")]
    assert events(old)[-1][:3] == ("supersede", S.PUBLISHED, S.SUPERSEDED)

    # Both texts are known now: importing either again changes nothing.
    assert run("corrected.txt", CORRECTED)["status"] == "unchanged"
    assert run("2019.txt", ORIGINAL)["status"] == "unchanged"
    assert len(kyrgyzstan()) == 2


def test_new_text_for_an_archived_edition_is_refused_and_nothing_written():
    run("2019.txt", ORIGINAL)
    run("2021.txt", NEWER)
    before = database_rows()
    editions = [stored(edition) for edition in kyrgyzstan()]

    entry = run("corrected.txt", CORRECTED)

    assert entry["status"] == "rejected"
    assert "the archived edition of this date has other text" in entry["error"]
    assert database_rows() == before
    assert [stored(edition) for edition in kyrgyzstan()] == editions


def test_new_text_for_an_edition_in_progress_is_refused(editor):
    run("2019.txt", ORIGINAL, actor=editor, state=S.DRAFT)
    (draft,) = kyrgyzstan()
    before = stored(draft)

    entry = run("corrected.txt", CORRECTED)

    assert entry["status"] == "rejected"
    assert "has an edition of this date in progress (draft) with other text" in entry["error"]
    assert stored(draft) == before


def test_a_withdrawn_edition_is_not_published_again_by_importing_it_again(publisher):
    run("2019.txt", ORIGINAL)
    (edition,) = kyrgyzstan()
    workflow.withdraw(edition, publisher, "Legal review", restore_previous=False)
    before = database_rows()

    assert run("2019.txt", ORIGINAL)["status"] == "unchanged"
    entry = run("corrected.txt", CORRECTED)

    assert entry["status"] == "rejected"
    assert "the edition of this date was withdrawn" in entry["error"]
    assert database_rows() == before
    assert not Edition.objects.public().exists()


# --- dry runs --------------------------------------------------------------------------------


def test_a_dry_run_says_what_each_file_would_do_and_writes_nothing(editor):
    run("2019.txt", ORIGINAL)
    before = database_rows()
    documents = [
        Document("corrected.txt", raw=CORRECTED),
        Document("2021.txt", raw=NEWER),
    ]

    published = import_documents(documents, ImportOptions(dry_run=True))
    drafts = import_documents(documents, ImportOptions(dry_run=True, state=S.DRAFT, actor=editor))

    assert [f["profiles"][0]["outcome"] for f in published["files"]] == [
        "new text for the edition of this date: published as a new edition, "
        "the earlier one archived",
        "new edition, published",
    ]
    # The second draft would find the first one open, as the import itself would.
    assert [f["status"] for f in drafts["files"]] == ["parsed", "rejected"]
    assert "already has an edition in progress (draft)" in drafts["files"][1]["error"]
    assert database_rows() == before
    assert EditionEvent.objects.count() == 1
