"""Releasing a yearly report: all its approved editions published at once, as one step.

The rules are those of ``Publish`` for every edition (the actor's role, the edition approved,
its content still what was approved, the profile's current edition superseded, an event for
every edition and every superseded one, "last updated" defaulting to the day of publication),
but taken over the whole set in a fixed number of statements instead of some twenty per
edition: a release of 1,200 editions is one transaction of a few dozen queries, not 25,000.

All or nothing: one edition whose content changed since its approval refuses the whole
release, with a message naming every such edition, and nothing is written.

Locks: the report's profiles, in profile id order (two releases sharing profiles, or a release
and any single step, never wait on each other in a circle), then their editions; nothing else
until the gate's last statement moves the publication clock. Editors keep working on every
other profile while a release runs.
"""

from django.db import connection
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from reversion.models import Version

from ..models import Edition, EditionEvent, Profile, Report
from . import notifications, signals, states
from .actions import WorkflowError, may, supersede_current
from .fingerprint import changed_since_approval
from .freeze import lifecycle, public_change

State = states.State
PERMISSION = "reports.publish_edition"
# A refusal names this many editions, then says how many more there are.
NAMED = 20


class Release:
    """Publish every approved edition of `report` now; returns the editions published."""

    name = "release"

    def __init__(self, report, actor, comment=""):
        self.report = report
        self.actor = actor
        self.comment = (comment or "").strip() or f"Release of {report}"

    def refusal(self):
        if not may(self.actor, PERMISSION):
            return "You may not release a report: your role does not allow it."
        if not self.report.editions.filter(state=State.APPROVED).exists():
            return f"{self.report} has no approved edition to release."
        return None

    def execute(self):
        reason = self.refusal()
        if reason:
            raise WorkflowError(reason)
        with lifecycle():
            editions = self.lock()
            if not editions:
                raise WorkflowError(f"{self.report} has no approved edition to release.")
            self.check(editions)
            now = timezone.now()
            superseded = supersede_current({e.profile_id: e for e in editions}, self.actor, now)
            self.publish(editions, now, superseded)
            for edition in editions:
                public_change(edition=edition)
            release_date = self.report.release_date or timezone.localdate(now)
            Report.objects.filter(pk=self.report.pk).update(
                state=Report.State.RELEASED, release_date=release_date, scheduled_release_at=None
            )
            self.build_search_documents()
        # Only once it is done: a failure leaves the caller's report as it was, like the rows.
        self.report.state = Report.State.RELEASED
        self.report.release_date = release_date
        self.report.scheduled_release_at = None
        return editions

    # --- the steps ---------------------------------------------------------------------------

    def lock(self):
        """Lock the profiles of the report's approved editions in id order, then the editions
        still approved once their profile is locked (their state cannot change after that)."""
        approved = self.report.editions.filter(state=State.APPROVED)
        wanted = sorted(set(approved.values_list("profile_id", flat=True)))
        profile_ids = list(
            Profile.objects.filter(pk__in=wanted)
            .order_by("pk")
            .select_for_update()
            .values_list("pk", flat=True)
        )
        return list(
            approved.filter(profile_id__in=profile_ids)
            .select_related("profile__country", "profile__topic", "created_by", "submitted_by")
            .select_for_update(of=("self",))
            .order_by("profile_id", "pk")
        )

    def check(self, editions):
        unapproved = changed_since_approval(editions)
        changed = [e for e in editions if e.pk in unapproved]
        if not changed:
            return
        names = "; ".join(f"{e.profile} (#{e.pk})" for e in changed[:NAMED])
        if len(changed) > NAMED:
            names += f"; and {len(changed) - NAMED} more"
        count = f"{len(changed)} edition{'s' if len(changed) != 1 else ''}"
        raise WorkflowError(
            f"Nothing was released: the content of {count} is not what was approved "
            f"({names}). Request changes to {'them' if len(changed) != 1 else 'it'} "
            "and review again, or release once they are approved again."
        )

    def publish(self, editions, now, superseded):
        today = timezone.localdate(now)
        Edition.objects.filter(pk__in=[e.pk for e in editions]).update(
            state=State.PUBLISHED,
            published_at=now,
            publish_at=None,
            last_updated_precision=Case(
                When(last_updated__isnull=True, then=Value(Edition.Precision.DAY)),
                default=F("last_updated_precision"),
            ),
            last_updated=Coalesce("last_updated", Value(today)),
            version=F("version") + 1,
            updated_at=now,
        )
        revisions = latest_revision_ids(editions)
        text = f"Published: {self.comment}"
        events = [
            EditionEvent(
                edition=edition,
                action="publish",
                from_state=State.APPROVED,
                to_state=State.PUBLISHED,
                actor=self.actor,
                at=now,
                comment=text,
                revision_id=revisions.get(edition.pk),
            )
            for edition in editions
        ]
        # The superseded editions' events first, as they happened: one insert for all.
        EditionEvent.objects.bulk_create([*superseded, *events])
        for edition, event in zip(editions, events, strict=True):
            edition.state = State.PUBLISHED
            edition.published_at = now
            edition.publish_at = None
            if edition.last_updated is None:
                edition.last_updated = today
                edition.last_updated_precision = Edition.Precision.DAY
            edition.version += 1
            edition.updated_at = now
            signals.transitioned.send(
                sender=type(self),
                edition=edition,
                action="publish",
                from_state=State.APPROVED,
                to_state=State.PUBLISHED,
                actor=self.actor,
                event=event,
            )
            notifications.published(edition, self.actor)

    def build_search_documents(self):
        """Build the published editions' search documents now, while only the report's
        profiles are locked, rather than at commit, after the publication clock has moved:
        every other publication waits for the clock's row (reports/0006_search_documents)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS reports_search_refresh IMMEDIATE")


# --- the checks, over the whole set ----------------------------------------------------------


def latest_revision_ids(editions):
    """{edition id: the newest revision holding it} (one query), as latest_revision_id."""
    rows = (
        Version.objects.get_for_model(Edition)
        .filter(object_id__in=[str(e.pk) for e in editions])
        .values("object_id")
        .annotate(newest=Max("revision_id"))
        .values_list("object_id", "newest")
    )
    return {int(object_id): newest for object_id, newest in rows}
