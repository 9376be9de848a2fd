"""One class per lifecycle step of an edition, in the style of Wagtail's actions.

``refusal()`` says why the actor may not take the step now (None when they may): the admin
uses it to show or hide a button and as the message. ``execute()`` takes the step or raises
WorkflowError with that message, changing nothing. It runs in one transaction inside the
gate (reports.editions.freeze), locks the profile and then the edition (the one lock order of
every writer: ``lock()``), checks again on the locked rows, changes them, records an
EditionEvent that refers to the content revision it acted on (a state change does not copy
the content into a new revision), sends the ``transitioned`` signal and its notification.

    researcher  start a draft, edit drafts, submit
    editor      also request changes, approve (with settings.REQUIRE_SECOND_PAIR_OF_EYES, not
                an edition they submitted or whose content they changed since it was last
                started or sent back)
    publisher   also publish, schedule, withdraw; release a yearly report
    superuser   everything (but still not approving their own work)
"""

from collections import namedtuple

from django.conf import settings
from django.db import connection
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from reversion.models import Version

from ..citations import citation_problems
from ..models import Edition, EditionEvent, Profile
from . import notifications, signals, states
from .fingerprint import changed_since_approval, content_fingerprint
from .freeze import lifecycle, public_change

State = states.State
START_PERMISSION = "reports.add_edition"
EDIT_PERMISSION = "reports.change_edition"


class WorkflowError(Exception):
    """A step that may not be taken; the message is shown to the user as it is."""


class CitationErrors(WorkflowError):
    def __init__(self, problems):
        self.problems = problems
        super().__init__(
            f"Approval refused: {len(problems)} content or citation problem"
            f"{'s' if len(problems) != 1 else ''} to fix first: "
            + "; ".join(str(p) for p in problems[:5])
            + ("; …" if len(problems) > 5 else "")
        )


def may(actor, permission):
    return actor is not None and actor.is_active and actor.has_perm(permission)


def lock(edition, *, skip_locked=False, with_revision=False):
    """Lock the edition's profile, then the edition, until the transaction ends.

    Every writer that changes an edition takes the locks in this order, so two of them never
    wait on each other in a circle. With `skip_locked`, None when another transaction holds
    either row. With `with_revision`, the locked edition's ``latest_revision`` is
    latest_revision_id(), read by the same query.
    """
    # No ordering: the profile's default one joins its country and topic, and FOR UPDATE
    # would lock their rows too, making every step on that topic wait for this one.
    profiles = Profile.objects.filter(pk=edition.profile_id).order_by()
    # With its author, whom the step's e-mail goes to.
    rows = Edition.objects.select_related(
        "profile__country", "profile__topic", "created_by"
    ).filter(pk=edition.pk)
    if with_revision:
        newest = Version.objects.get_for_model(Edition).filter(
            object_id=Cast(OuterRef("pk"), CharField())
        )
        rows = rows.annotate(
            latest_revision=Subquery(newest.order_by("-revision_id").values("revision_id")[:1])
        )
    if skip_locked and connection.features.has_select_for_update_skip_locked:
        profiles = profiles.select_for_update(skip_locked=True)
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    else:
        profiles = profiles.select_for_update()
        rows = rows.select_for_update(of=("self",))
    if not list(profiles):
        return None
    return rows.first()


def lock_editions(editions):
    """lock() each of several editions (a content row moved from one to another), ordered by
    profile, then edition: two writers locking the same ones take them the same way round."""
    return [lock(edition) for edition in sorted(editions, key=lambda e: (e.profile_id, e.pk))]


def latest_revision_id(edition):
    """The newest django-reversion revision holding the edition (its current content)."""
    return (
        Version.objects.get_for_object(edition)
        .order_by("-revision_id")
        .values_list("revision_id", flat=True)
        .first()
    )


def _comment(text, comment):
    comment = (comment or "").strip()
    return f"{text}: {comment}" if comment else text


class EditionAction:
    """A step taken on one edition by one actor (None: the system, e.g. scheduled publishing)."""

    name = ""
    label = ""
    verb = ""
    permission = ""
    from_states = ()
    to_state = None
    comment_required = False
    takes_time = False
    # The public site shows the edition before or after the step: the page cache must know.
    public = False
    # Templates list the classes themselves (the buttons): read, never instantiated.
    do_not_call_in_templates = True
    # Say why the step is not offered to someone whose role may take it (the edit page),
    # where its absence would puzzle them.
    explain_when_withheld = False

    def __init__(self, edition, actor, comment="", **options):
        self.edition = edition
        self.actor = actor
        self.comment = (comment or "").strip()
        self.options = options

    @property
    def phrase(self):
        return self.verb or self.label.lower()

    # --- the check -------------------------------------------------------------------------

    def refusal(self, edition=None, *, offering=False):
        """Why the step may not be taken now, or None. `edition` defaults to the one given;
        `offering` asks whether to offer the step at all, before a comment or time is given."""
        edition = edition or self.edition
        if self.actor is not None and not may(self.actor, self.permission):
            return f"You may not {self.phrase} editions: your role does not allow it."
        if edition.state not in self.from_states:
            return (
                f"You cannot {self.phrase} an edition that is "
                f"{edition.get_state_display().lower()}."
            )
        if not offering and self.comment_required and not self.comment:
            return f"{self.label}: a comment is required."
        return self.refuse_more(edition, offering)

    def refuse_more(self, edition, offering):
        """A step's own conditions beyond role, state and comment."""
        return None

    def check(self):
        reason = self.refusal()
        if reason:
            raise WorkflowError(reason)

    # --- the step --------------------------------------------------------------------------

    def execute(self):
        # Checked once, on the locked rows: a check before locking could be stale by then.
        with lifecycle():
            locked = lock(self.edition, with_revision=True)
            if locked is None:
                raise WorkflowError("This edition no longer exists.")
            reason = self.refusal(locked)
            if reason:
                raise WorkflowError(reason)
            from_state = locked.state
            text = self.apply(locked)
            event = self.record(locked, from_state, text)
            if self.public or from_state in states.READABLE:
                public_change(edition=locked)
            signals.transitioned.send(
                sender=type(self),
                edition=locked,
                action=self.name,
                from_state=from_state,
                to_state=locked.state,
                actor=self.actor,
                event=event,
            )
            self.notify(locked)
        for field in Edition._meta.concrete_fields:
            setattr(self.edition, field.attname, getattr(locked, field.attname))
        return self.edition

    def apply(self, edition):
        """Change the locked edition; returns the event's comment."""
        raise NotImplementedError

    def save(self, edition, *fields):
        edition.version += 1
        Edition.objects.filter(pk=edition.pk).update(
            version=edition.version,
            updated_at=timezone.now(),
            **{name: getattr(edition, name) for name in ("state", *fields)},
        )

    def record(self, edition, from_state, text, **fields):
        event = self.event(edition, from_state, text, **fields)
        event.save(force_insert=True)
        return event

    def event(self, edition, from_state, text, **fields):
        """The step's event, unsaved; it refers to the revision holding the content it acted
        on (the edition as lock(with_revision=True) read it)."""
        return EditionEvent(
            edition=edition,
            action=self.name,
            from_state=from_state,
            to_state=edition.state,
            actor=self.actor,
            at=fields.pop("at", None) or timezone.now(),
            comment=text,
            revision_id=edition.latest_revision,
            **fields,
        )

    def notify(self, edition):
        handler = getattr(notifications, self.name, None)
        if handler is not None:
            handler(edition, self.actor, self.comment)


class Submit(EditionAction):
    name, label, verb = "submit", "Submit for review", "submit"
    permission = "reports.submit_edition"
    from_states = states.EDITABLE
    to_state = State.IN_REVIEW

    def apply(self, edition):
        edition.state = self.to_state
        edition.submitted_by = self.actor
        self.save(edition, "submitted_by")
        return _comment("Submitted for review", self.comment)


class RequestChanges(EditionAction):
    name, label, verb = "request_changes", "Request changes", "request changes to"
    permission = "reports.review_edition"
    from_states = (State.IN_REVIEW, State.APPROVED)
    to_state = State.CHANGES_REQUESTED
    comment_required = True

    def apply(self, edition):
        edition.state = self.to_state
        edition.publish_at = None
        self.save(edition, "publish_at")
        return _comment("Changes requested", self.comment)


def content_changed_by(edition, actor):
    """Whether `actor` saved content of the edition since it was last started or sent back."""
    reset = (
        edition.events.filter(action__in=("start", "request_changes"))
        .order_by("-at", "-pk")
        .values_list("revision_id", flat=True)
        .first()
    )
    versions = Version.objects.get_for_object(edition).filter(revision__user=actor)
    if reset is not None:
        versions = versions.filter(revision_id__gt=reset)
    return versions.exists()


class Approve(EditionAction):
    name, label = "approve", "Approve"
    permission = "reports.review_edition"
    from_states = (State.IN_REVIEW,)
    to_state = State.APPROVED
    explain_when_withheld = True

    def refuse_more(self, edition, offering):
        if not settings.REQUIRE_SECOND_PAIR_OF_EYES or self.actor is None:
            return None
        if edition.submitted_by_id == self.actor.pk:
            return "You submitted this edition, so someone else must approve it."
        if content_changed_by(edition, self.actor):
            return (
                "You changed this edition's content since it was last started or sent back, "
                "so someone else must approve it."
            )
        return None

    def apply(self, edition):
        problems = citation_problems(edition)
        if problems:
            raise CitationErrors(problems)
        self.fingerprint = content_fingerprint(edition)
        edition.state = self.to_state
        self.save(edition)
        return _comment("Approved", self.comment)

    def record(self, edition, from_state, text, **fields):
        return super().record(edition, from_state, text, fingerprint=self.fingerprint)


class Publish(EditionAction):
    """Make an approved edition its profile's current one, superseding the previous one.

    Refused when the content is not what was approved (its fingerprint differs).
    """

    name, label, verb = "publish", "Publish now", "publish"
    permission = "reports.publish_edition"
    from_states = (State.APPROVED,)
    to_state = State.PUBLISHED
    public = True

    def apply(self, edition):
        if changed_since_approval([edition]):
            raise WorkflowError(
                "The content is not what was approved: request changes and review it again."
            )
        now = timezone.now()
        self.at = now
        self.superseded = supersede_current({edition.profile_id: edition}, self.actor, now)
        edition.state = State.PUBLISHED
        edition.published_at = now
        edition.publish_at = None
        fields = ["published_at", "publish_at"]
        if edition.last_updated is None:
            edition.last_updated = timezone.localdate(now)
            edition.last_updated_precision = Edition.Precision.DAY
            fields += ["last_updated", "last_updated_precision"]
        self.save(edition, *fields)
        return self.options.get("text") or _comment("Published", self.comment)

    def record(self, edition, from_state, text, **fields):
        # With the superseded edition's event: one insert.
        event = self.event(edition, from_state, text, at=self.at)
        EditionEvent.objects.bulk_create([*self.superseded, event])
        return event

    def notify(self, edition):
        notifications.published(edition, self.actor)


def supersede_current(new_by_profile, actor, now):
    """Mark the current edition of each profile in {profile id: new edition} superseded by
    the new one (one statement); returns their events, unsaved, for the caller to write with
    its own in one insert."""
    return [
        EditionEvent(
            edition_id=old.pk,
            action="supersede",
            from_state=State.PUBLISHED,
            to_state=State.SUPERSEDED,
            actor=actor,
            at=now,
            comment=f"Superseded by #{new_by_profile[old.profile_id].pk}",
        )
        for old in _supersede(list(new_by_profile), now)
    ]


Superseded = namedtuple("Superseded", "pk profile_id")


def _supersede(profile_ids, now):
    """Mark the current editions of the profiles superseded; returns their (pk, profile_id)."""
    if not connection.features.can_return_columns_from_insert:  # UPDATE … RETURNING too
        current = Edition.objects.public().filter(profile_id__in=profile_ids)
        previous = list(current.values_list("pk", "profile_id", named=True))
        Edition.objects.filter(pk__in=[old.pk for old in previous]).update(
            state=State.SUPERSEDED, updated_at=now
        )
        return previous
    # One statement where a query and an update were two (Edition.objects.public()'s states).
    updated_at = Edition._meta.get_field("updated_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Edition._meta.db_table} SET state = %s, updated_at = %s "
            f"WHERE state IN ({', '.join(['%s'] * len(states.PUBLIC))}) "
            f"AND profile_id IN ({', '.join(['%s'] * len(profile_ids))}) "
            "RETURNING id, profile_id",
            [str(State.SUPERSEDED), updated_at, *map(str, states.PUBLIC), *profile_ids],
        )
        return [Superseded(pk, profile_id) for pk, profile_id in cursor.fetchall()]


class Schedule(EditionAction):
    name, label, verb = "schedule", "Schedule publication", "schedule"
    permission = "reports.publish_edition"
    from_states = (State.APPROVED,)
    to_state = State.APPROVED
    takes_time = True

    def refuse_more(self, edition, offering):
        at = self.options.get("at")
        if offering:
            return None
        if at is None:
            return "Give the date and time to publish at."
        if timezone.is_naive(at):
            at = self.options["at"] = timezone.make_aware(at)
        if at <= timezone.now():
            return "The publication time must lie in the future; publish now instead."
        return None

    def apply(self, edition):
        edition.publish_at = self.options["at"]
        self.save(edition, "publish_at")
        when = timezone.localtime(edition.publish_at)
        return _comment(f"Scheduled for publication at {when:%Y-%m-%d %H:%M %Z}", self.comment)


class Unschedule(EditionAction):
    name, label, verb = "unschedule", "Cancel the schedule", "cancel the schedule of"
    permission = "reports.publish_edition"
    from_states = (State.APPROVED,)
    to_state = State.APPROVED

    def refuse_more(self, edition, offering):
        return "This edition is not scheduled." if edition.publish_at is None else None

    def apply(self, edition):
        edition.publish_at = None
        self.save(edition, "publish_at")
        return _comment("Schedule cancelled", self.comment)


class Withdraw(EditionAction):
    """Take a published edition offline, with a reason; by default the edition it superseded
    becomes current again (``restore_previous=False`` leaves the profile offline: 410)."""

    name, label = "withdraw", "Withdraw"
    permission = "reports.publish_edition"
    from_states = (State.PUBLISHED,)
    to_state = State.WITHDRAWN
    comment_required = True
    public = True

    def apply(self, edition):
        edition.state = self.to_state
        self.save(edition)
        text = _comment("Withdrawn", self.comment)
        if self.options.get("restore_previous", True):
            previous = (
                Edition.objects.archived()
                .filter(profile_id=edition.profile_id)
                .order_by("-last_updated", "-published_at", "-pk")
                .first()
            )
            if previous is not None:
                Edition.objects.filter(pk=previous.pk).update(
                    state=State.PUBLISHED, updated_at=timezone.now()
                )
                EditionEvent.objects.create(
                    edition=previous,
                    action="restore",
                    from_state=State.SUPERSEDED,
                    to_state=State.PUBLISHED,
                    actor=self.actor,
                    at=timezone.now(),
                    comment=f"Current again: #{edition.pk} was withdrawn",
                )
                text += f" (#{previous.pk} is current again)"
        return text

    def notify(self, edition):
        notifications.withdrawn(edition, self.actor, self.comment)


TRANSITIONS = {
    action.name: action
    for action in (Submit, RequestChanges, Approve, Publish, Schedule, Unschedule, Withdraw)
}


def allowed_actions(edition, actor):
    """The steps `actor` may offer on `edition` (comments and citations checked on use)."""
    return [
        action
        for action in TRANSITIONS.values()
        if action(edition, actor).refusal(offering=True) is None
    ]
