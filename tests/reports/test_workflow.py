"""The editorial workflow service: every transition allowed or refused per role and state."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from reports.editions import workflow
from reports.editions.freeze import FrozenEdition, lifecycle
from reports.models import Edition, EditionEvent, Section
from sources.models import Citation, Footnote
from tests.builders import make_edition, make_profile, make_report

pytestmark = pytest.mark.django_db

S = Edition.State
ALL_STATES = list(S)

# The specification, written out here rather than read from the code under test.
ROLE_MAY = {
    "researcher": {"submit"},
    "editor": {"submit", "request_changes", "approve"},
    "publisher": {"submit", "request_changes", "approve", "publish", "schedule", "withdraw"},
    "superuser": {"submit", "request_changes", "approve", "publish", "schedule", "withdraw"},
    "staff_without_role": set(),
}
FROM_STATES = {
    "submit": {S.DRAFT, S.CHANGES_REQUESTED},
    "request_changes": {S.IN_REVIEW, S.APPROVED},
    "approve": {S.IN_REVIEW},
    "publish": {S.APPROVED},
    "schedule": {S.APPROVED},
    "withdraw": {S.PUBLISHED},
}
TO_STATE = {
    "submit": S.IN_REVIEW,
    "request_changes": S.CHANGES_REQUESTED,
    "approve": S.APPROVED,
    "publish": S.PUBLISHED,
    "schedule": S.APPROVED,
    "withdraw": S.WITHDRAWN,
}
COMMENT_TEXT = {
    "submit": "Submitted for review",
    "request_changes": "Changes requested: Please check",
    "approve": "Approved: Please check",
    "publish": "Published",
    "schedule": "Scheduled for publication at",
    "withdraw": "Withdrawn: Please check",
}


def do(action, edition, actor):
    comment = "" if action in ("submit", "publish") else "Please check"
    if action == "schedule":
        at = timezone.now() + datetime.timedelta(days=1)
        return workflow.schedule(edition, actor, at, comment)
    return workflow.run(action, edition, actor, comment)


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("action", list(FROM_STATES))
@pytest.mark.parametrize("role", list(ROLE_MAY))
def test_transition_table(request, make_user, role, action, state):
    actor = request.getfixturevalue(role)
    submitter = make_user("submitter")  # nobody else's own submission
    edition = make_edition(state=state, submitted_by=submitter)
    before = (edition.state, edition.version)
    events_before = EditionEvent.objects.filter(edition=edition).count()
    versions_before = Version.objects.count()
    allowed = action in ROLE_MAY[role] and state in FROM_STATES[action]

    if not allowed:
        with pytest.raises(workflow.WorkflowError):
            do(action, edition, actor)
        edition.refresh_from_db()
        assert (edition.state, edition.version) == before
        assert EditionEvent.objects.filter(edition=edition).count() == events_before
        assert Version.objects.count() == versions_before
        return

    do(action, edition, actor)
    edition.refresh_from_db()
    assert edition.state == TO_STATE[action]
    assert edition.version == before[1] + 1
    event = EditionEvent.objects.filter(edition=edition).exclude(action="restore").first()
    assert (event.from_state, event.to_state, event.actor) == (state, TO_STATE[action], actor)
    assert event.comment.startswith(COMMENT_TEXT[action])
    # A state change records its event; it does not copy the content into a new revision.
    assert Version.objects.count() == versions_before


def test_a_step_refers_to_the_content_revision_it_acted_on(researcher, editor):
    draft = workflow.start_draft(make_edition(state=S.PUBLISHED).profile, researcher)
    started = Version.objects.get_for_object(draft).get().revision
    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    steps = {e.action: e for e in draft.events.all()}
    assert steps["start"].revision == started
    assert steps["submit"].revision == started
    assert steps["approve"].revision == started
    assert len(steps["approve"].fingerprint) == 64


def test_workflow_offers_the_same_actions_the_table_allows(researcher, editor, publisher):
    draft = make_edition()
    assert [a.name for a in workflow.allowed_actions(draft, researcher)] == ["submit"]
    approved = make_edition(state=S.APPROVED)
    assert {a.name for a in workflow.allowed_actions(approved, publisher)} == {
        "request_changes",
        "publish",
        "schedule",
    }
    assert {a.name for a in workflow.allowed_actions(approved, editor)} == {"request_changes"}


def test_nobody_approves_their_own_submission(editor, superuser):
    edition = workflow.submit(make_edition(), editor)
    with pytest.raises(workflow.WorkflowError, match="someone else must approve"):
        workflow.approve(edition, editor)
    edition = workflow.submit(make_edition(), superuser)
    with pytest.raises(workflow.WorkflowError, match="someone else"):
        workflow.approve(edition, superuser)
    assert Edition.objects.get(pk=edition.pk).state == S.IN_REVIEW


def test_second_pair_of_eyes_can_be_switched_off(settings, editor):
    settings.REQUIRE_SECOND_PAIR_OF_EYES = False
    edition = workflow.approve(workflow.submit(make_edition(), editor), editor)
    assert edition.state == S.APPROVED


def test_requesting_changes_needs_a_comment(researcher, editor):
    edition = workflow.submit(make_edition(), researcher)
    with pytest.raises(workflow.WorkflowError, match="comment is required"):
        workflow.request_changes(edition, editor, "  ")
    assert Edition.objects.get(pk=edition.pk).state == S.IN_REVIEW


def test_approval_is_refused_while_citations_are_broken(researcher, editor):
    edition = make_edition(
        sections=[("Policy", "First.[1]\n\nSecond.[3]")],
        footnotes=[("One.",), ("Two.",)],
    )
    workflow.submit(edition, researcher)
    with pytest.raises(workflow.CitationErrors) as refused:
        workflow.approve(edition, editor)
    problems = {(p.kind, p.number, p.where) for p in refused.value.problems}
    assert problems == {
        ("missing_footnote", 3, "Section 1 “Policy”, paragraph 2"),
        ("uncited_footnote", 2, "Notes"),
    }
    assert Edition.objects.get(pk=edition.pk).state == S.IN_REVIEW


def test_start_draft_copies_the_published_edition(researcher):
    published = make_edition(
        state=S.PUBLISHED,
        summary="Key developments.",
        sections=[("Policy", "Text.[1]"), ("Use", "More.[2]")],
        footnotes=[("Letter one.",), ("Letter two.",)],
    )
    draft = workflow.start_draft(published.profile, researcher)
    assert draft.state == S.DRAFT
    assert draft.based_on == published
    assert draft.created_by == researcher
    assert draft.summary == "Key developments."
    assert draft.last_updated is None
    assert list(draft.sections.values_list("heading", "body")) == [
        ("Policy", "Text.[1]"),
        ("Use", "More.[2]"),
    ]
    assert list(draft.overview_facts.values_list("label", "value")) == list(
        published.overview_facts.values_list("label", "value")
    )
    copied = {f.number: f for f in draft.footnotes.all()}
    assert [c.source for c in copied[2].citations.all()] == list(
        published.footnotes.get(number=2).sources.all()
    )
    assert Citation.objects.filter(footnote__edition=published).count() == 2
    event = draft.events.get()
    assert (event.action, event.to_state, event.actor) == ("start", S.DRAFT, researcher)


def test_start_draft_of_a_new_profile_is_empty_and_only_one_is_open(researcher):
    profile = make_profile()
    draft = workflow.start_draft(profile, researcher)
    assert (draft.sections.count(), draft.footnotes.count(), draft.based_on) == (0, 0, None)
    with pytest.raises(workflow.WorkflowError, match="already has an open edition"):
        workflow.start_draft(profile, researcher)


def test_staff_without_a_role_cannot_start_a_draft(staff_without_role):
    with pytest.raises(workflow.WorkflowError):
        workflow.start_draft(make_profile(), staff_without_role)


def test_publishing_supersedes_the_previous_edition_and_sets_last_updated(
    researcher, editor, publisher
):
    old = make_edition(state=S.PUBLISHED)
    draft = workflow.start_draft(old.profile, researcher)
    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    workflow.publish(draft, publisher)

    old.refresh_from_db()
    draft.refresh_from_db()
    assert (old.state, draft.state) == (S.SUPERSEDED, S.PUBLISHED)
    assert draft.last_updated == timezone.localdate()
    assert draft.published_at is not None
    assert old.events.filter(action="supersede").exists()
    assert Edition.objects.filter(profile=old.profile, state=S.PUBLISHED).get() == draft


def test_publishing_keeps_a_last_updated_date_the_editor_set(editor, publisher):
    edition = make_edition(state=S.APPROVED, last_updated=datetime.date(2019, 12, 18))
    workflow.publish(edition, publisher)
    edition.refresh_from_db()
    assert edition.last_updated == datetime.date(2019, 12, 18)


def test_publishing_is_atomic(monkeypatch, publisher):
    old = make_edition(state=S.PUBLISHED)
    new = make_edition(profile=old.profile, state=S.APPROVED)

    def fail(*args, **kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(workflow.notifications, "published", fail)
    with pytest.raises(RuntimeError):
        workflow.publish(new, publisher)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, new.state) == (S.PUBLISHED, S.APPROVED)
    assert not EditionEvent.objects.exclude(action="approve").exists()


def test_publish_with_a_future_time_schedules(publisher):
    edition = make_edition(state=S.APPROVED)
    at = timezone.now() + datetime.timedelta(hours=2)
    workflow.publish(edition, publisher, at=at)
    edition.refresh_from_db()
    assert (edition.state, edition.publish_at) == (S.APPROVED, at)
    workflow.unschedule(edition, publisher)
    edition.refresh_from_db()
    assert edition.publish_at is None


def test_scheduling_in_the_past_is_refused(publisher):
    edition = make_edition(state=S.APPROVED)
    with pytest.raises(workflow.WorkflowError, match="future"):
        workflow.schedule(edition, publisher, timezone.now() - datetime.timedelta(minutes=1))


# --- the model layer ---------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.PUBLISHED, S.SUPERSEDED, S.WITHDRAWN])
def test_frozen_editions_and_their_content_refuse_every_change(state):
    edition = make_edition(state=state)
    section = edition.sections.get()
    footnote = edition.footnotes.get()
    citation = footnote.citations.get()
    edition.summary = "Changed"
    for attempt in [
        edition.save,
        edition.delete,
        section.save,
        section.delete,
        footnote.save,
        footnote.delete,
        citation.save,
        citation.delete,
        lambda: Section.objects.create(edition=edition, position=9, heading="New"),
        lambda: Footnote.objects.create(edition=edition, number=9, text="New"),
        lambda: Edition.objects.filter(pk=edition.pk).update(summary="Changed"),
        lambda: Edition.objects.filter(pk=edition.pk).update(state=S.DRAFT),
        lambda: Section.objects.filter(edition=edition).update(body="Changed"),
        lambda: Citation.objects.filter(pk=citation.pk).update(locator="p. 1"),
    ]:
        with pytest.raises(FrozenEdition), transaction.atomic():
            attempt()
    edition.refresh_from_db()
    assert edition.summary == ""
    assert edition.state == state


def test_the_lifecycle_gate_lets_a_frozen_edition_gain_rows_but_never_change_them():
    edition = make_edition(state=S.PUBLISHED)
    with lifecycle():
        Section.objects.create(edition=edition, position=2, heading="Written with it")
    assert edition.sections.count() == 2
    for attempt in [
        lambda: Section.objects.filter(edition=edition).update(body="Changed"),
        lambda: Section.objects.filter(edition=edition).delete(),
        lambda: Edition.objects.filter(pk=edition.pk).update(summary="Changed"),
        lambda: Edition.objects.filter(pk=edition.pk).delete(),
    ]:
        with pytest.raises(FrozenEdition), transaction.atomic(), lifecycle():
            attempt()
    assert edition.sections.count() == 2


@pytest.mark.parametrize("state", [S.DRAFT, S.CHANGES_REQUESTED])
def test_editable_editions_save_normally(state):
    edition = make_edition(state=state)
    section = edition.sections.get()
    section.body = "Changed."
    section.save()
    edition.summary = "Changed"
    edition.save()
    Section.objects.create(edition=edition, position=2, heading="Added")


@pytest.mark.parametrize("state", [S.IN_REVIEW, S.APPROVED])
def test_content_under_review_or_approved_changes_only_after_changes_are_requested(state):
    edition = make_edition(state=state)
    draft = make_edition()
    section = edition.sections.get()
    section.body = "Changed."
    moved = draft.sections.get()
    moved.edition = edition
    for attempt in [
        section.save,
        lambda: Section.objects.create(edition=edition, position=2, heading="Added"),
        moved.save,
        lambda: Edition.objects.filter(pk=edition.pk).update(summary="Changed"),
    ]:
        with pytest.raises(FrozenEdition, match="changes are requested"), transaction.atomic():
            attempt()
    assert edition.sections.get().body != "Changed."
    assert draft.sections.count() == 1


def test_an_edition_changes_state_only_through_the_lifecycle():
    edition = make_edition()
    refused = pytest.raises(FrozenEdition, match="only through the editorial workflow")
    with refused, transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(state=S.PUBLISHED)
    with pytest.raises(FrozenEdition, match="starts as a draft"), transaction.atomic():
        Edition.objects.create(profile=make_profile(), state=S.PUBLISHED)
    edition.refresh_from_db()
    assert edition.state == S.DRAFT


# --- revert ------------------------------------------------------------------------------


def test_revert_a_draft_to_an_earlier_revision(researcher, editor):
    import reversion

    draft = workflow.start_draft(make_profile(), researcher)
    Section.objects.create(edition=draft, position=1, heading="Policy", body="Original.")
    with reversion.create_revision():
        reversion.set_user(researcher)
        reversion.set_comment("First text")
        reversion.add_to_revision(draft)
    first = Version.objects.get_for_object(draft).first().revision

    section = draft.sections.get()
    section.body = "Rewritten badly."
    section.save()
    Section.objects.create(edition=draft, position=2, heading="Stray", body="Remove me.")
    draft.summary = "New summary"
    draft.save()
    workflow.submit(draft, researcher)
    workflow.request_changes(draft, editor, "Go back to the first text")
    version_before = Edition.objects.get(pk=draft.pk).version

    workflow.revert(draft, first.pk, researcher)
    draft.refresh_from_db()
    assert list(draft.sections.values_list("heading", "body")) == [("Policy", "Original.")]
    assert draft.summary == ""
    assert draft.state == S.CHANGES_REQUESTED  # a revert never moves the state
    assert draft.version == version_before + 1
    newest = Version.objects.get_for_object(draft).first().revision
    assert newest.comment.startswith("Reverted to the revision of")
    assert newest.user == researcher
    assert draft.events.filter(action="revert").exists()


def test_only_drafts_can_be_reverted(researcher, editor):
    edition = workflow.start_draft(make_profile(), researcher)
    workflow.submit(edition, researcher)
    revision = Version.objects.get_for_object(edition).first().revision
    with pytest.raises(workflow.WorkflowError, match="Only drafts"):
        workflow.revert(edition, revision, researcher)


# --- yearly reports ----------------------------------------------------------------------


def test_a_yearly_update_opens_drafts_and_its_release_publishes_the_approved_ones(
    researcher, editor, publisher
):
    report = make_report(year=2024)
    first, second = make_edition(state=S.PUBLISHED), make_edition(state=S.PUBLISHED)
    drafts, refused = workflow.start_report_update(
        report, [first.profile, second.profile], researcher
    )
    assert refused == {} and len(drafts) == 2
    assert all(d.report == report for d in drafts)
    report.refresh_from_db()
    assert report.state == "in_progress"
    assert workflow.report_progress(report)[0] == ("Draft", 2)

    workflow.submit(drafts[0], researcher)
    workflow.approve(drafts[0], editor)
    workflow.release_report(report, publisher)
    report.refresh_from_db()
    assert report.state == "released"
    assert Edition.objects.get(pk=drafts[0].pk).state == S.PUBLISHED
    assert Edition.objects.get(pk=drafts[1].pk).state == S.DRAFT


def test_a_release_can_be_scheduled(researcher, editor, publisher):
    report = make_report(year=2025)
    edition = make_edition(state=S.APPROVED, report=report)
    at = timezone.now() + datetime.timedelta(days=3)
    workflow.release_report(report, publisher, at=at)
    edition.refresh_from_db()
    assert edition.publish_at == at
    with pytest.raises(workflow.WorkflowError, match="not allow"):
        workflow.release_report(report, editor)
