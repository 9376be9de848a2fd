"""The lifecycle API as functions: what the admin, the commands and the importer call.

Each function runs one step class of reports.editions.actions or .drafts (check, then
execute); the yearly report's steps and scheduled publishing run several in one gate.
Every change to what the public sees goes through here.
"""

from django.db.models import Count
from django.utils import timezone
from reversion.models import Version

from ..models import Edition, Report
from . import (
    cycle,
    notifications,  # noqa: F401  (tests replace its functions)
    states,
)
from .actions import (
    EDIT_PERMISSION,
    START_PERMISSION,
    TRANSITIONS,
    CitationErrors,
    Publish,
    Schedule,
    WorkflowError,
    allowed_actions,
    lock,
    may,
)
from .drafts import Renumber, Revert, StartDraft
from .freeze import lifecycle
from .release import Release

State = states.State
ACTIONS = TRANSITIONS

__all__ = [
    "ACTIONS",
    "EDIT_PERMISSION",
    "START_PERMISSION",
    "CitationErrors",
    "WorkflowError",
    "allowed_actions",
]


def start_draft(profile, actor, *, report=None, instance=None, base=None):
    return StartDraft(profile, actor, report=report, instance=instance, base=base).execute()


def run(name, edition, actor, comment="", at=None, **options):
    """Take the step called `name` (the admin's buttons)."""
    if name not in TRANSITIONS:
        raise WorkflowError(f"Unknown action {name!r}.")
    return TRANSITIONS[name](edition, actor, comment, at=at, **options).execute()


def submit(edition, actor, comment=""):
    return run("submit", edition, actor, comment)


def request_changes(edition, actor, comment):
    return run("request_changes", edition, actor, comment)


def approve(edition, actor, comment=""):
    return run("approve", edition, actor, comment)


def publish(edition, actor, comment="", *, at=None):
    """Publish now, or schedule for `at` when it lies in the future."""
    if at is not None and at > timezone.now():
        return schedule(edition, actor, at, comment)
    return run("publish", edition, actor, comment)


def schedule(edition, actor, at, comment=""):
    return run("schedule", edition, actor, comment, at=at)


def unschedule(edition, actor, comment=""):
    return run("unschedule", edition, actor, comment)


def withdraw(edition, actor, comment="", *, restore_previous=True):
    return run("withdraw", edition, actor, comment, restore_previous=restore_previous)


def may_edit(edition, actor):
    return edition.is_editable and may(actor, EDIT_PERMISSION)


def edition_versions(edition):
    """The edition's own Version rows, newest first, with their revisions and authors."""
    return (
        Version.objects.get_for_object(edition)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def revert(edition, revision, actor):
    return Revert(edition, revision, actor).execute()


def renumber(edition, actor):
    return Renumber(edition, actor).execute()


# --- scheduled publishing ----------------------------------------------------------------


def publish_due(now=None):
    """Publish every approved edition whose time has come; safe to run concurrently.

    Each edition is claimed by locking its profile and itself with SKIP LOCKED where the
    database has it: two runs at once never publish the same edition twice, the loser skips.
    """
    now = now or timezone.now()
    published = []
    for edition in list(Edition.objects.due(now).order_by("publish_at", "pk")):
        with lifecycle():
            locked = lock(edition, skip_locked=True)
            if locked is None or locked.state != State.APPROVED or locked.publish_at is None:
                continue  # published by a concurrent run, or being published by it
            scheduled_by = locked.events.filter(action="schedule").select_related("actor").first()
            who = scheduled_by.actor if scheduled_by else None
            text = "Published as scheduled" + (f" by {who}" if who else "")
            try:
                Publish(locked, None, text=text).execute()
            except WorkflowError:
                continue
        published.append(locked)
    return published


# --- yearly reports ----------------------------------------------------------------------


def start_report_update(report, profiles, actor):
    """Open a draft of each profile for `report`; returns (drafts, refusals by profile).
    See reports.editions.cycle: only profiles the report's series publishes, never a second
    open edition."""
    started = cycle.start_update(report, profiles, actor)
    return started.drafts, started.skipped


def release_report(report, actor, at=None):
    """Publish all the report's approved editions at once (reports.editions.release), or
    schedule them all for `at`.

    All or nothing: one refusal (content changed since approval, say) releases none.
    """
    if not may(actor, "reports.publish_edition"):
        raise WorkflowError("You may not release a report: your role does not allow it.")
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at is None or at <= timezone.now():
        return Release(report, actor).execute()
    # Profiles in one order: two releases sharing profiles lock them the same way round.
    editions = list(report.editions.filter(state=State.APPROVED).order_by("profile_id", "pk"))
    if not editions:
        raise WorkflowError(f"{report} has no approved edition to release.")
    with lifecycle():
        for edition in editions:
            Schedule(edition, actor, f"Release of {report}", at=at).execute()
        Report.objects.filter(pk=report.pk).update(scheduled_release_at=at)
        report.scheduled_release_at = at
    return editions


def report_progress(report):
    """[(state label, count)] of the report's editions (one query)."""
    counts = dict(
        report.editions.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in State.choices]
