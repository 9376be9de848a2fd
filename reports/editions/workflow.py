"""The editorial workflow: the only code that changes an edition's state.

Each action checks the actor's role and the edition's state first, runs in one transaction,
records a django-reversion revision with a comment and an EditionEvent row, and refuses with
WorkflowError (nothing changes) when it may not run. The admin's buttons call these functions.

    researcher  start a draft, edit drafts, submit
    editor      also request changes, approve (not their own submission while
                settings.REQUIRE_SECOND_PAIR_OF_EYES)
    publisher   also publish, schedule, withdraw; release a yearly report
    superuser   everything
"""

import datetime
from dataclasses import dataclass

import reversion
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from reversion.models import Revision, Version

from sources.models import Citation, Footnote

from ..citations import citation_problems
from ..models import (
    Edition,
    EditionEvent,
    OverviewFact,
    Profile,
    Report,
    Section,
    importing,  # noqa: F401  (re-exported: reports.editions.workflow.importing())
)
from . import notifications

State = Edition.State


class WorkflowError(Exception):
    """An action that may not run; the message is shown to the user as it is."""


class CitationErrors(WorkflowError):
    def __init__(self, problems):
        self.problems = problems
        super().__init__(
            f"Approval refused: {len(problems)} citation problem"
            f"{'s' if len(problems) != 1 else ''} to fix first: "
            + "; ".join(str(p) for p in problems[:5])
            + ("; …" if len(problems) > 5 else "")
        )


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    from_states: tuple
    to_state: str
    permission: str
    comment_required: bool = False
    takes_time: bool = False
    verb: str = ""

    @property
    def phrase(self):
        return self.verb or self.label.lower()


ACTIONS = {
    action.name: action
    for action in [
        Action(
            "submit",
            "Submit for review",
            (State.DRAFT, State.CHANGES_REQUESTED),
            State.IN_REVIEW,
            "reports.submit_edition",
            verb="submit",
        ),
        Action(
            "request_changes",
            "Request changes",
            (State.IN_REVIEW, State.APPROVED),
            State.CHANGES_REQUESTED,
            "reports.review_edition",
            comment_required=True,
            verb="request changes to",
        ),
        Action("approve", "Approve", (State.IN_REVIEW,), State.APPROVED, "reports.review_edition"),
        Action(
            "publish",
            "Publish now",
            (State.APPROVED,),
            State.PUBLISHED,
            "reports.publish_edition",
            verb="publish",
        ),
        Action(
            "schedule",
            "Schedule publication",
            (State.APPROVED,),
            State.APPROVED,
            "reports.publish_edition",
            takes_time=True,
            verb="schedule",
        ),
        Action(
            "unschedule",
            "Cancel the schedule",
            (State.APPROVED,),
            State.APPROVED,
            "reports.publish_edition",
            verb="cancel the schedule of",
        ),
        Action(
            "withdraw", "Withdraw", (State.PUBLISHED,), State.WITHDRAWN, "reports.publish_edition"
        ),
    ]
}
START_PERMISSION = "reports.add_edition"
EDIT_PERMISSION = "reports.change_edition"


def _may(actor, permission):
    return actor is not None and actor.is_active and actor.has_perm(permission)


def refusal(action, edition, actor, comment=""):
    """Why `actor` may not run `action` on `edition` now, or None when they may."""
    if isinstance(action, str):
        action = ACTIONS[action]
    if not _may(actor, action.permission):
        return f"You may not {action.phrase} editions: your role does not allow it."
    if edition.state not in action.from_states:
        return (
            f"You cannot {action.phrase} an edition that is {edition.get_state_display().lower()}."
        )
    if action.comment_required and not (comment or "").strip():
        return f"{action.label}: a comment is required."
    if (
        action.name == "approve"
        and settings.REQUIRE_SECOND_PAIR_OF_EYES
        and edition.submitted_by_id == actor.pk
    ):
        return "You submitted this edition, so someone else must approve it."
    if action.name == "unschedule" and edition.publish_at is None:
        return "This edition is not scheduled."
    return None


def allowed_actions(edition, actor):
    """The actions `actor` may offer on `edition` (comments and citations checked on use)."""
    return [
        action
        for action in ACTIONS.values()
        if refusal(action, edition, actor, comment="-") is None
    ]


def may_edit(edition, actor):
    return edition.is_editable and _may(actor, EDIT_PERMISSION)


# --- recording ---------------------------------------------------------------------------


def _record(edition, actor, action, from_state, comment="", at=None):
    return EditionEvent.objects.create(
        edition=edition,
        action=action,
        from_state=from_state,
        to_state=edition.state,
        actor=actor,
        at=at or timezone.now(),
        comment=comment,
    )


def _revision(edition, actor, comment):
    """Add the edition (and its content) to the revision open in this block."""
    reversion.add_to_revision(edition)
    if actor is not None:
        reversion.set_user(actor)
    reversion.set_comment(comment)


def _comment(text, comment):
    comment = (comment or "").strip()
    return f"{text}: {comment}" if comment else text


def _locked(edition):
    return Edition.objects.select_for_update().select_related("profile").get(pk=edition.pk)


def _sync(edition, fresh):
    """Copy the transitioned row's values onto the caller's instance."""
    for field in Edition._meta.concrete_fields:
        setattr(edition, field.attname, getattr(fresh, field.attname))
    return edition


# --- starting drafts ---------------------------------------------------------------------


def start_draft(profile, actor, *, report=None, instance=None):
    """Open a draft for `profile`: a copy of its published edition, or empty for a new one.

    `instance` is an unsaved Edition (the admin's add form) to use for an empty draft.
    """
    if not _may(actor, START_PERMISSION):
        raise WorkflowError("You may not start a draft: your role does not allow it.")
    with transaction.atomic(), reversion.create_revision():
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        open_edition = profile.editions.filter(state__in=Edition.OPEN_STATES).first()
        if open_edition is not None:
            raise WorkflowError(
                f"{profile} already has an open edition "
                f"({open_edition.get_state_display().lower()}); continue that one."
            )
        current = profile.editions.filter(state=State.PUBLISHED).first()
        if instance is not None and current is not None:
            raise WorkflowError(
                f"{profile} has a published edition: start the new draft from it so it "
                "begins as a copy."
            )
        draft = instance or Edition(profile=profile)
        draft.profile = profile
        draft.state = State.DRAFT
        draft.created_by = actor
        draft.submitted_by = None
        draft.published_at = draft.publish_at = None
        if report is not None:
            draft.report = report
        if current is not None:
            draft.based_on = current
            draft.summary = current.summary
            draft.last_updated = None  # set by publishing unless the editor sets one
            draft.last_updated_precision = Edition.Precision.DAY
            if draft.report_id is None:
                draft.report_id = current.report_id
        draft.save()
        if current is not None:
            _copy_content(current, draft)
            text = f"Started a draft from the edition of {current.last_updated_display}"
        else:
            text = "Started a new draft"
        _revision(draft, actor, text)
        _record(draft, actor, "start", "", comment=text)
    return draft


def _copy_content(source, target):
    OverviewFact.objects.bulk_create(
        OverviewFact(edition=target, position=f.position, label=f.label, value=f.value)
        for f in source.overview_facts.all()
    )
    Section.objects.bulk_create(
        Section(edition=target, position=s.position, heading=s.heading, body=s.body)
        for s in source.sections.all()
    )
    old_notes = list(source.footnotes.prefetch_related("citations"))
    new_notes = Footnote.objects.bulk_create(
        Footnote(edition=target, number=n.number, text=n.text) for n in old_notes
    )
    Citation.objects.bulk_create(
        Citation(footnote=new, source_id=c.source_id, position=c.position, locator=c.locator)
        for old, new in zip(old_notes, new_notes, strict=True)
        for c in old.citations.all()
    )


# --- transitions -------------------------------------------------------------------------


def _transition(edition, actor, name, comment="", *, at=None):
    action = ACTIONS[name]
    with transaction.atomic(), reversion.create_revision():
        if name == "publish":
            Profile.objects.select_for_update().get(pk=edition.profile_id)
        locked = _locked(edition)
        reason = refusal(action, locked, actor, comment)
        if reason:
            raise WorkflowError(reason)
        from_state = locked.state
        if name == "approve":
            problems = citation_problems(locked)
            if problems:
                raise CitationErrors(problems)
        if name == "publish":
            _publish(locked, actor, comment)
        elif name == "withdraw":
            now = timezone.now()
            Edition.objects.filter(pk=locked.pk).update(
                state=State.WITHDRAWN, version=locked.version + 1, updated_at=now
            )
            locked.refresh_from_db()
            text = _comment("Withdrawn", comment)
            _revision(locked, actor, text)
            _record(locked, actor, name, from_state, comment=text)
            notifications.withdrawn(locked, actor)
        else:
            fields = ["state", "version", "updated_at"]
            locked.state = action.to_state
            locked.version += 1
            if name == "submit":
                locked.submitted_by = actor
                fields.append("submitted_by")
                text = _comment("Submitted for review", comment)
            elif name == "request_changes":
                locked.publish_at = None
                fields.append("publish_at")
                text = _comment("Changes requested", comment)
            elif name == "approve":
                text = _comment("Approved", comment)
            elif name == "schedule":
                locked.publish_at = at
                fields.append("publish_at")
                text = _comment(
                    f"Scheduled for publication at {timezone.localtime(at):%Y-%m-%d %H:%M %Z}",
                    comment,
                )
            else:  # unschedule
                locked.publish_at = None
                fields.append("publish_at")
                text = _comment("Schedule cancelled", comment)
            locked.save(update_fields=fields)
            _revision(locked, actor, text)
            _record(locked, actor, name, from_state, comment=text)
            getattr(notifications, name, lambda *a: None)(locked, actor, comment)
    return _sync(edition, locked)


def _publish(locked, actor, comment="", *, text=None):
    """Make `locked` (approved, row and profile locked) the current published edition."""
    now = timezone.now()
    from_state = locked.state
    previous = list(
        Edition.objects.select_for_update()
        .filter(profile_id=locked.profile_id, state=State.PUBLISHED)
        .exclude(pk=locked.pk)
    )
    if previous:
        Edition.objects.filter(pk__in=[p.pk for p in previous]).update(
            state=State.SUPERSEDED, updated_at=now
        )
        for old in previous:
            old.state = State.SUPERSEDED
            _record(old, actor, "supersede", State.PUBLISHED, f"Superseded by #{locked.pk}", now)
    locked.state = State.PUBLISHED
    locked.published_at = now
    locked.publish_at = None
    locked.version += 1
    if locked.last_updated is None:
        locked.last_updated = timezone.localdate(now)
        locked.last_updated_precision = Edition.Precision.DAY
    locked.save(
        update_fields=[
            "state",
            "published_at",
            "publish_at",
            "version",
            "last_updated",
            "last_updated_precision",
            "updated_at",
        ]
    )
    text = text or _comment("Published", comment)
    _revision(locked, actor, text)
    _record(locked, actor, "publish", from_state, comment=text, at=now)
    notifications.published(locked, actor)
    return locked


def submit(edition, actor, comment=""):
    return _transition(edition, actor, "submit", comment)


def request_changes(edition, actor, comment):
    return _transition(edition, actor, "request_changes", comment)


def approve(edition, actor, comment=""):
    return _transition(edition, actor, "approve", comment)


def publish(edition, actor, comment="", *, at=None):
    """Publish now, or schedule for `at` when it lies in the future."""
    if at is not None and at > timezone.now():
        return schedule(edition, actor, at, comment)
    return _transition(edition, actor, "publish", comment)


def schedule(edition, actor, at, comment=""):
    if at is None:
        raise WorkflowError("Give the date and time to publish at.")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at <= timezone.now():
        raise WorkflowError("The publication time must lie in the future; publish now instead.")
    return _transition(edition, actor, "schedule", comment, at=at)


def unschedule(edition, actor, comment=""):
    return _transition(edition, actor, "unschedule", comment)


def withdraw(edition, actor, comment=""):
    return _transition(edition, actor, "withdraw", comment)


def run(name, edition, actor, comment="", at=None):
    """Dispatch an action by name (the admin's buttons)."""
    if name not in ACTIONS:
        raise WorkflowError(f"Unknown action {name!r}.")
    if name == "schedule":
        return schedule(edition, actor, at, comment)
    return _transition(edition, actor, name, comment)


# --- scheduled publishing ----------------------------------------------------------------


def due_editions(now=None):
    return Edition.objects.filter(
        state=State.APPROVED, publish_at__isnull=False, publish_at__lte=now or timezone.now()
    )


def publish_due(now=None):
    """Publish every approved edition whose time has come; safe to run concurrently.

    Each edition is claimed with SELECT … FOR UPDATE SKIP LOCKED where the database has it, so
    two runs at once never publish the same edition twice; the loser simply skips it.
    """
    now = now or timezone.now()
    published = []
    for pk in list(due_editions(now).order_by("publish_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic(), reversion.create_revision():
            claim = due_editions(now).filter(pk=pk)
            if connection.features.has_select_for_update_skip_locked:
                claim = claim.select_for_update(skip_locked=True)
            else:
                claim = claim.select_for_update()
            edition = claim.first()
            if edition is None:
                continue  # published by a concurrent run, or being published by it
            Profile.objects.select_for_update().get(pk=edition.profile_id)
            edition = _locked(edition)
            if edition.state != State.APPROVED:
                continue
            scheduled_by = edition.events.filter(action="schedule").select_related("actor").first()
            who = scheduled_by.actor if scheduled_by else None
            text = "Published as scheduled" + (f" by {who}" if who else "")
            _publish(edition, None, text=text)
        published.append(edition)
    return published


def overdue_editions(now=None, grace=datetime.timedelta(minutes=5)):
    """Scheduled editions whose time passed more than `grace` ago and that are still not live."""
    return due_editions((now or timezone.now()) - grace)


# --- revisions -----------------------------------------------------------------------------


def edition_versions(edition):
    """The edition's own Version rows, newest first, with their revisions and authors."""
    return (
        Version.objects.get_for_object(edition)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def revert(edition, revision, actor):
    """Restore a draft's content to an earlier revision, recorded as a new revision."""
    if isinstance(revision, int):
        revision = Revision.objects.filter(pk=revision).first()
    if revision is None or not edition_versions(edition).filter(revision=revision).exists():
        raise WorkflowError("That revision is not one of this edition's.")
    if not _may(actor, EDIT_PERMISSION):
        raise WorkflowError("You may not revert: your role does not allow it.")
    with transaction.atomic(), reversion.create_revision():
        locked = _locked(edition)
        if not locked.is_editable:
            raise WorkflowError(
                f"Only drafts can be reverted; this edition is "
                f"{locked.get_state_display().lower()}."
            )
        keep = {
            name: getattr(locked, name)
            for name in (
                "state",
                "profile_id",
                "created_by_id",
                "submitted_by_id",
                "based_on_id",
                "published_at",
                "publish_at",
                "imported_from",
            )
        }
        revision.revert(delete=True)
        # Workflow fields are not content: the revert never moves the edition between states.
        Edition.objects.filter(pk=locked.pk).update(
            **keep, version=locked.version + 1, updated_at=timezone.now()
        )
        locked.refresh_from_db()
        when = timezone.localtime(revision.date_created)
        text = f"Reverted to the revision of {when:%Y-%m-%d %H:%M} (#{revision.pk})"
        _revision(locked, actor, text)
        _record(locked, actor, "revert", locked.state, comment=text)
    return _sync(edition, locked)


# --- yearly reports ----------------------------------------------------------------------


def start_report_update(report, profiles, actor):
    """Open a draft of each profile for `report`; returns (drafts, refusals by profile)."""
    if not _may(actor, START_PERMISSION):
        raise WorkflowError("You may not start drafts: your role does not allow it.")
    drafts, refused = [], {}
    for profile in profiles:
        try:
            drafts.append(start_draft(profile, actor, report=report))
        except WorkflowError as exc:
            refused[profile] = str(exc)
    if drafts and report.state == Report.State.PLANNED:
        Report.objects.filter(pk=report.pk).update(state=Report.State.IN_PROGRESS)
        report.state = Report.State.IN_PROGRESS
    return drafts, refused


def release_report(report, actor, at=None):
    """Publish all the report's approved editions at once, or schedule them all for `at`."""
    if not _may(actor, "reports.publish_edition"):
        raise WorkflowError("You may not release a report: your role does not allow it.")
    if timezone.is_naive(at) if at else False:
        at = timezone.make_aware(at)
    editions = list(report.editions.filter(state=State.APPROVED).order_by("pk"))
    if not editions:
        raise WorkflowError(f"{report} has no approved edition to release.")
    with transaction.atomic():
        if at is not None and at > timezone.now():
            for edition in editions:
                schedule(edition, actor, at, f"Release of {report}")
            Report.objects.filter(pk=report.pk).update(scheduled_release_at=at)
            report.scheduled_release_at = at
        else:
            for edition in editions:
                _transition(edition, actor, "publish", f"Release of {report}")
            report.state = Report.State.RELEASED
            report.release_date = report.release_date or timezone.localdate()
            Report.objects.filter(pk=report.pk).update(
                state=report.state, release_date=report.release_date, scheduled_release_at=None
            )
    return editions


def report_progress(report):
    """{state: count} of the report's editions (one query)."""
    from django.db.models import Count

    counts = dict(
        report.editions.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in State.choices]
