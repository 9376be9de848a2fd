"""Opening a draft and reverting one: the lifecycle steps that write content.

A draft's content is then edited in place (the admin's forms, while the edition is editable);
each save is a django-reversion revision. Both steps here are revisions too, recorded with
the actor, and events in the edition's history.
"""

import reversion
from django.utils import timezone
from reversion.models import Revision

from sources.models import Citation, Footnote

from ..models import Edition, EditionEvent, OverviewFact, Profile, Section
from . import signals, snapshot, states
from .actions import (
    EDIT_PERMISSION,
    START_PERMISSION,
    WorkflowError,
    latest_revision_id,
    lock,
    may,
)
from .freeze import lifecycle

State = states.State


def add_revision(edition, actor, comment):
    """Add the edition and its content to the revision open in this block."""
    reversion.add_to_revision(edition)
    if actor is not None:
        reversion.set_user(actor)
    reversion.set_comment(comment)


def _event(edition, actor, action, from_state, comment):
    """Record the step; called after its revision block, so it refers to that revision."""
    event = EditionEvent.objects.create(
        edition=edition,
        action=action,
        from_state=from_state,
        to_state=edition.state,
        actor=actor,
        at=timezone.now(),
        comment=comment,
        revision_id=latest_revision_id(edition),
    )
    signals.transitioned.send(
        sender=action,
        edition=edition,
        action=action,
        from_state=from_state,
        to_state=edition.state,
        actor=actor,
        event=event,
    )
    return event


class StartDraft:
    """Open a draft of a profile: a copy of its published edition, or empty for a new one.

    `instance` is an unsaved Edition (the admin's add form) to use for an empty draft.
    """

    name = "start"

    def __init__(self, profile, actor, *, report=None, instance=None):
        self.profile = profile
        self.actor = actor
        self.report = report
        self.instance = instance

    def refusal(self, profile=None):
        profile = profile or self.profile
        if not may(self.actor, START_PERMISSION):
            return "You may not start a draft: your role does not allow it."
        open_edition = profile.editions.open().first()
        if open_edition is not None:
            return (
                f"{profile} already has an open edition "
                f"({open_edition.get_state_display().lower()}); continue that one."
            )
        report = self._report()
        if report is not None and profile.topic.series != report.series:
            return (
                f"{profile} is not part of {report}: its topic is published by "
                f"{profile.topic.series or 'no series'}, not by {report.series}."
            )
        if self.instance is not None and profile.editions.public().exists():
            return (
                f"{profile} has a published edition: start the new draft from it so it "
                "begins as a copy."
            )
        return None

    def _report(self):
        if self.report is not None:
            return self.report
        return self.instance.report if self.instance is not None else None

    def check(self):
        reason = self.refusal()
        if reason:
            raise WorkflowError(reason)

    def execute(self):
        self.check()
        with lifecycle():
            profile = Profile.objects.select_for_update().get(pk=self.profile.pk)
            reason = self.refusal(profile)
            if reason:
                raise WorkflowError(reason)
            # Written before the revision opens: the revision then serializes the draft once,
            # with its content, rather than also when it is first saved, still empty.
            draft, text = self._open(profile)
            with reversion.create_revision():
                add_revision(draft, self.actor, text)
            _event(draft, self.actor, self.name, "", text)
        return draft

    def _open(self, profile):
        current = profile.editions.public().first()
        draft = self.instance or Edition(profile=profile)
        draft.profile = profile
        draft.state = State.DRAFT
        draft.created_by = self.actor
        draft.submitted_by = None
        draft.published_at = draft.publish_at = None
        if self.report is not None:
            draft.report = self.report
        if current is None:
            draft.save()
            return draft, "Started a new draft"
        draft.based_on = current
        draft.summary = current.summary
        draft.last_updated = None  # set by publishing unless the editor sets one
        draft.last_updated_precision = Edition.Precision.DAY
        # The new draft belongs to the report it was started for (or to none yet), never to
        # the report of the edition it copies: that is last year's.
        draft.save()
        copy_content(current, draft)
        return draft, f"Started a draft from the edition of {current.last_updated_display}"


def copy_content(source, target):
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


def restore(edition, version):
    """Put the content stored in `version` (the "edition" format) back on the edition."""
    content = snapshot.content_of_version(version)
    fields = version.field_dict
    Citation.objects.filter(footnote__edition=edition).delete()
    for rows in (edition.footnotes, edition.sections, edition.overview_facts):
        rows.all().delete()
    Edition.objects.filter(pk=edition.pk).update(
        **{name: fields.get(name) for name in ("summary", "last_updated", "report_id")},
        last_updated_precision=fields.get("last_updated_precision") or Edition.Precision.DAY,
    )
    OverviewFact.objects.bulk_create(
        OverviewFact(edition=edition, position=position, label=label, value=value)
        for position, label, value in content["overview"]
    )
    Section.objects.bulk_create(
        Section(edition=edition, position=position, heading=heading, body=body)
        for position, heading, body in content["sections"]
    )
    notes = Footnote.objects.bulk_create(
        Footnote(edition=edition, number=number, text=text)
        for number, text, _ in content["footnotes"]
    )
    Citation.objects.bulk_create(
        Citation(footnote=note, position=position, source_id=source_id, locator=locator)
        for note, (_, _, cited) in zip(notes, content["footnotes"], strict=True)
        for position, source_id, locator in cited
    )


# Workflow fields are not content: a revert never moves the edition between states.
WORKFLOW_FIELDS = (
    "state",
    "profile_id",
    "created_by_id",
    "submitted_by_id",
    "based_on_id",
    "published_at",
    "publish_at",
    "imported_from",
)


class Revert:
    """Restore an editable edition's content to one of its earlier revisions, recorded as a
    new revision."""

    name = "revert"

    def __init__(self, edition, revision, actor):
        self.edition = edition
        self.revision = revision
        self.actor = actor

    def refusal(self, edition=None):
        edition = edition or self.edition
        if not may(self.actor, EDIT_PERMISSION):
            return "You may not revert: your role does not allow it."
        if not edition.is_editable:
            return (
                "Only drafts can be reverted; this edition is "
                f"{edition.get_state_display().lower()}."
            )
        return None

    def execute(self):
        from .workflow import edition_versions

        revision = self.revision
        if isinstance(revision, int):
            revision = Revision.objects.filter(pk=revision).first()
        versions = edition_versions(self.edition)
        if revision is None or not versions.filter(revision=revision).exists():
            raise WorkflowError("That revision is not one of this edition's.")
        reason = self.refusal()
        if reason:
            raise WorkflowError(reason)
        with lifecycle():
            locked = lock(self.edition)
            reason = self.refusal(locked)
            if reason:
                raise WorkflowError(reason)
            with reversion.create_revision():
                keep = {name: getattr(locked, name) for name in WORKFLOW_FIELDS}
                version = versions.get(revision=revision)
                if version.format == snapshot.FORMAT:
                    restore(locked, version)
                else:  # a revision from before editions were stored whole
                    revision.revert(delete=True)
                Edition.objects.filter(pk=locked.pk).update(
                    **keep, version=locked.version + 1, updated_at=timezone.now()
                )
                locked.refresh_from_db()
                when = timezone.localtime(revision.date_created)
                text = f"Reverted to the revision of {when:%Y-%m-%d %H:%M} (#{revision.pk})"
                add_revision(locked, self.actor, text)
            _event(locked, self.actor, self.name, locked.state, text)
        for field in Edition._meta.concrete_fields:
            setattr(self.edition, field.attname, getattr(locked, field.attname))
        return self.edition
