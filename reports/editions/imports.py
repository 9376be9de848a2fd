"""Importing an edition: the lifecycle step through which an archive document joins a profile.

An import only ever adds an edition; it never changes one that exists. Who may do what:

    chosen state  who                                     the new edition
    draft         whoever may import and start drafts     an open draft: event "start"
    published     publishers; the command line (no actor,  its place in the published history
                  trusted as the system)                   by date: event "import"

- A draft carries the document's text and is based on the profile's edition of the same date
  when there is one, else on its current edition; it is refused while the profile has an open
  edition. It then goes through review like any other draft.
- A published import becomes the profile's current edition when no current one is newer (the
  previous current one is superseded, event "supersede"), or goes straight into the archive
  (superseded) when one is. The new text of the current edition's date (a corrected copy)
  becomes a new current edition that supersedes it; new text for an archived or withdrawn
  edition, or for an edition in progress, is refused: none of them changes, or comes back, by
  import.

The edition is created in its final state inside the gate (reports.editions.freeze), which
lets a published edition gain its content rows in the same transaction and nothing else.
Creating it as a draft first would collide with the profile's open edition (at most one per
profile), which an archive import must not wait for.

One revision holds everything a file brings, so the step has two halves around the content:
``execute()`` creates the edition (superseding the previous current one) while the caller holds
the profile's lock, the importer writes the content and records the revision, and
``record(revision)`` records the events, which refer to that revision, with the actor and the
comment "Imported from <file>", and tells the page cache once through the gate. No e-mail: the
one who imports is the edition's author.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ..models import Edition, EditionEvent, Profile
from . import signals, states
from .actions import START_PERMISSION, WorkflowError, may
from .freeze import lifecycle, public_change

State = states.State
IMPORT_PERMISSION = "reports.import_archive"
PUBLISH_PERMISSION = "reports.publish_edition"
IMPORTABLE = (State.PUBLISHED, State.DRAFT)


class ImportRefused(WorkflowError):
    """The import may not be made; the message says why, and nothing was written."""


def import_refusal(actor, state):
    """Why `actor` may not import editions in `state`, or None (None as actor: the system)."""
    if state not in IMPORTABLE:
        return "An import creates drafts or published editions."
    if actor is None:
        return None
    if not may(actor, IMPORT_PERMISSION):
        return "You may not import archive documents: your role does not allow it."
    if state == State.PUBLISHED and not may(actor, PUBLISH_PERMISSION):
        return (
            "Only publishers import straight to published. Choose “Draft”: the editions then "
            "go through review before they are published."
        )
    if state == State.DRAFT and not may(actor, START_PERMISSION):
        return "You may not start drafts: your role does not allow it."
    return None


@dataclass(frozen=True)
class Placement:
    """Where an imported edition goes: its state, the current edition it supersedes, and the
    edition it is based on."""

    state: str
    supersedes: object = None
    based_on: object = None

    def apply_to(self, editions, new):
        """Bring `editions` (a profile's, newest first) up to date with the import of `new`."""
        if self.supersedes is not None:
            self.supersedes.state = State.SUPERSEDED
        editions.insert(0, new)


def placement(label, editions, *, state, last_updated, replaces=None):
    """Where an edition dated `last_updated` imported in `state` goes among `editions` (the
    profile's); `replaces` is the edition of that date whose text the import changes. Raises
    ImportRefused with the reason when it may not be imported."""
    in_progress = next((e for e in editions if e.state in states.OPEN), None)
    current = next((e for e in editions if e.state in states.PUBLIC), None)
    if replaces is not None and replaces.state in states.OPEN:
        raise ImportRefused(
            f"{label} has an edition of this date in progress "
            f"({State(replaces.state).label.lower()}) with other text; an import never changes "
            "an existing edition, so make the change there."
        )
    if state == State.DRAFT:
        if in_progress is not None:
            raise ImportRefused(
                f"{label} already has an edition in progress "
                f"({State(in_progress.state).label.lower()}); continue that one."
            )
        return Placement(State.DRAFT, based_on=replaces or current)
    if replaces is not None and replaces.state in states.ARCHIVED:
        raise ImportRefused(
            f"{label}: the archived edition of this date has other text, and an archived "
            "edition never changes."
        )
    if replaces is not None and replaces.state == State.WITHDRAWN:
        raise ImportRefused(
            f"{label}: the edition of this date was withdrawn, and an import does not publish "
            "it again; import it as a draft to take it through review."
        )
    if current is not None and current.last_updated and current.last_updated > last_updated:
        return Placement(State.SUPERSEDED)
    return Placement(State.PUBLISHED, supersedes=current, based_on=replaces)


def profile_editions(profile_ids):
    """The editions of these profiles, newest first, by profile."""
    editions = {pk: [] for pk in profile_ids}
    for edition in Edition.objects.filter(profile_id__in=profile_ids).order_by("-id"):
        editions[edition.profile_id].append(edition)
    return editions


def lock_profiles(profile_ids):
    """Lock the profiles, in one order, before any of their editions (the lock order of every
    writer, see actions.lock); returns their editions as profile_editions does."""
    if not profile_ids:
        return {}
    list(Profile.objects.filter(pk__in=profile_ids).order_by("pk").select_for_update())
    return profile_editions(profile_ids)


class ImportEdition:
    """Import one dated edition of `profile` in `state` (published or draft); `source` names
    the file for the comments, `replaces` is the existing edition of that date with other text.
    """

    def __init__(self, profile, actor, *, source, state, last_updated, precision, replaces=None):
        self.profile = profile
        self.actor = actor
        self.state = state
        self.last_updated = last_updated
        self.precision = precision
        self.replaces = replaces
        self.comment = f"Imported from {source}"
        self.edition = None
        self.placement = None
        self.at = None

    def refusal(self, editions=None):
        """Why the import may not be made now, or None."""
        reason = import_refusal(self.actor, self.state)
        if reason:
            return reason
        try:
            self.place(editions)
        except ImportRefused as refused:
            return str(refused)
        return None

    def check(self, editions=None):
        reason = self.refusal(editions)
        if reason:
            raise ImportRefused(reason)

    def place(self, editions=None):
        if editions is None:
            editions = profile_editions([self.profile.pk])[self.profile.pk]
        return placement(
            str(self.profile),
            editions,
            state=self.state,
            last_updated=self.last_updated,
            replaces=self.replaces,
        )

    def execute(self, editions=None, **fields):
        """Create the edition in its place, with `fields` (summary, report, imported_from), and
        return it; its content is the caller's to write, then record().

        `editions`: the profile's, read by lock_profiles() in this transaction (they are
        brought up to date); without them the profile is locked and they are read here.
        """
        with lifecycle():
            if editions is None:
                editions = lock_profiles([self.profile.pk])[self.profile.pk]
            reason = import_refusal(self.actor, self.state)
            if reason:
                raise ImportRefused(reason)
            self.placement = place = self.place(editions)  # or ImportRefused
            self.at = timezone.now()
            if place.supersedes is not None:
                Edition.objects.filter(pk=place.supersedes.pk).update(
                    state=State.SUPERSEDED, updated_at=self.at
                )
            readable = place.state in states.READABLE
            self.edition = Edition.objects.create(
                profile=self.profile,
                state=place.state,
                last_updated=self.last_updated,
                last_updated_precision=self.precision,
                based_on=place.based_on,
                published_at=(
                    datetime.datetime.combine(self.last_updated, datetime.time(), datetime.UTC)
                    if readable
                    else None
                ),
                created_by=self.actor,
                **fields,
            )
            place.apply_to(editions, self.edition)
        return self.edition

    def record(self, revision):
        """Record the step's events, referring to `revision` (the edition's content)."""
        with lifecycle():
            edition, place = self.edition, self.placement
            action = "start" if place.state == State.DRAFT else "import"
            events = [
                EditionEvent(
                    edition=edition,
                    action=action,
                    from_state="",
                    to_state=place.state,
                    actor=self.actor,
                    at=self.at,
                    comment=self.comment,
                    revision=revision,
                )
            ]
            if place.supersedes is not None:
                events.append(
                    EditionEvent(
                        edition=place.supersedes,
                        action="supersede",
                        from_state=State.PUBLISHED,
                        to_state=State.SUPERSEDED,
                        actor=self.actor,
                        at=self.at,
                        comment=f"Superseded by #{edition.pk}: {self.comment}",
                    )
                )
                public_change(edition=place.supersedes)
            EditionEvent.objects.bulk_create(events)
            if place.state in states.READABLE:
                public_change(edition=edition)
            signals.transitioned.send(
                sender=type(self),
                edition=edition,
                action=action,
                from_state="",
                to_state=place.state,
                actor=self.actor,
                event=events[0],
            )
        return events
