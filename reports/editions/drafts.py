"""Opening a draft and reverting one: the lifecycle steps that write content.

A draft's content is then edited in place (the admin's forms, while the edition is editable);
each save is a django-reversion revision. Both steps here are revisions too, recorded with
the actor, and events in the edition's history.
"""

import json
from collections import defaultdict

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, router
from django.db.models import F
from django.utils import timezone
from reversion.models import Revision, Version

from sources.models import Citation, Footnote

from ..citations import MARKER
from ..models import Edition, EditionEvent, Figure, OverviewFact, Profile, Report, Section
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


def newest_content(profile):
    """The edition a new draft of the profile is copied from when none is chosen: the current
    one, else the newest edition published once (a withdrawn one included: a profile taken
    offline must not start again from nothing)."""
    current = profile.editions.public().first()
    if current is not None:
        return current
    return (
        profile.editions.frozen()
        .order_by(
            F("last_updated").desc(nulls_last=True), F("published_at").desc(nulls_last=True), "-pk"
        )
        .first()
    )


class StartDraft:
    """Open a draft of a profile: a copy of an edition published once (`base`; by default the
    current one, else the newest: see newest_content), or empty for a profile never published.

    `instance` is an unsaved Edition (the admin's add form) to use for an empty draft.
    """

    name = "start"

    def __init__(self, profile, actor, *, report=None, instance=None, base=None):
        self.profile = profile
        self.actor = actor
        self.report = report
        self.instance = instance
        self.base = base

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
        if self.instance is not None and profile.editions.frozen().exists():
            return (
                f"{profile} has a published edition: start the new draft from it so it "
                "begins as a copy."
            )
        base = self.base
        if base is not None and (base.profile_id != profile.pk or not base.is_frozen):
            return "A draft is copied from an edition of the same profile that was published."
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
        current = self.base or newest_content(profile)
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
    copy_figures({source.pk: [target.pk]})


def copy_figures(copies):
    """Copy the figures of editions: `copies` is {edition copied: [new editions]}. The copies
    point at the same stored files, which never change (reports.attachments). Returns each
    new edition's figures as snapshot.content_of reads them."""
    columns = snapshot.FIGURE_COLUMNS
    figures = (
        Figure.objects.filter(edition__in=copies)
        .order_by("edition_id", "position")
        .values("edition_id", *columns)
    )
    Figure.objects.bulk_create(
        Figure(edition_id=new, **{name: row[name] for name in columns})
        for row in figures
        for new in copies[row["edition_id"]]
    )
    copied = defaultdict(list)
    for row in figures:
        for new in copies[row["edition_id"]]:
            copied[new].append([row[name] for name in columns])
    return copied


def content_of_revision(revision, edition_id):
    """(fields, content) of the edition as `revision` holds it, in the form of
    snapshot.content_of; only this edition's rows, whatever else the revision holds (the demo
    data, a multi-profile archive file). None when the revision does not hold the edition."""
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(Edition, Section, OverviewFact, Footnote, Citation)
    by_type = {ct.pk: model for model, ct in types.items()}
    fields = None
    rows = {model: [] for model in types}
    for version in revision.version_set.filter(content_type__in=by_type):
        model = by_type[version.content_type_id]
        if model is Edition:
            if str(version.object_id) == str(edition_id):
                fields = version.field_dict
                if version.format == snapshot.FORMAT:
                    return fields, snapshot.content_of_version(version)
            continue
        # A revision from before editions were stored whole: each row a Version of its own.
        rows[model].append((version.object_id, version.field_dict))
    if fields is None:
        return None
    notes = {str(pk): data for pk, data in rows[Footnote] if data.get("edition_id") == edition_id}
    cited = {}
    for _, data in rows[Citation]:
        if str(data.get("footnote_id")) in notes:
            cited.setdefault(str(data["footnote_id"]), []).append(
                [data.get("position", 0), data["source_id"], data.get("locator", "")]
            )
    return fields, {
        "overview": sorted(
            [d["position"], d["label"], d["value"]]
            for _, d in rows[OverviewFact]
            if d.get("edition_id") == edition_id
        ),
        "sections": sorted(
            [d["position"], d["heading"], d["body"]]
            for _, d in rows[Section]
            if d.get("edition_id") == edition_id
        ),
        "footnotes": sorted(
            [d["number"], d["text"], sorted(cited.get(pk, []))] for pk, d in notes.items()
        ),
    }


def restore(edition, fields, content):
    """Put `content` (as snapshot.content_of gives it) and the content fields back on the
    edition: its own rows only, replaced whole, so no stored row id or position can clash."""
    Citation.objects.filter(footnote__edition=edition).delete()
    # A revision from before figures were stored with the content leaves them as they are.
    figures = content.get("figures")
    kinds = (edition.footnotes, edition.sections, edition.overview_facts)
    for rows in (*kinds, edition.figures) if figures is not None else kinds:
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
    Figure.objects.bulk_create(
        Figure(edition=edition, **dict(zip(snapshot.FIGURE_COLUMNS, row, strict=True)))
        for row in figures or ()
    )


class Revert:
    """Restore an editable edition's content to one of its earlier revisions, recorded as a
    new revision. Only the edition's own rows change, whatever else the revision holds; the
    workflow fields (state, authors, dates of publication) are not content and stay."""

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

    def stored(self):
        """(revision, fields, content) to revert to, or WorkflowError."""
        from .workflow import edition_versions

        revision = self.revision
        if not isinstance(revision, Revision):
            revision = Revision.objects.filter(pk=revision).first()
        if (
            revision is None
            or not edition_versions(self.edition).filter(revision=revision).exists()
        ):
            raise WorkflowError("That revision is not one of this edition's.")
        found = content_of_revision(revision, self.edition.pk)
        if found is None:
            raise WorkflowError("That revision does not hold this edition.")
        return revision, *found

    def execute(self):
        revision, fields, content = self.stored()
        reason = self.refusal()
        if reason:
            raise WorkflowError(reason)
        try:
            with lifecycle():
                locked = lock(self.edition)
                reason = self.refusal(locked)
                if reason:
                    raise WorkflowError(reason)
                with reversion.create_revision():
                    restore(locked, fields, content)
                    Edition.objects.filter(pk=locked.pk).update(
                        version=locked.version + 1, updated_at=timezone.now()
                    )
                    locked.refresh_from_db()
                    when = timezone.localtime(revision.date_created)
                    text = f"Reverted to the revision of {when:%Y-%m-%d %H:%M} (#{revision.pk})"
                    add_revision(locked, self.actor, text)
                _event(locked, self.actor, self.name, locked.state, text)
        except IntegrityError as exc:
            # A stored row that no longer fits (a source deleted since, say): nothing changed.
            raise WorkflowError(
                f"The revision #{revision.pk} cannot be restored as it was stored ({exc}); "
                "nothing was changed."
            ) from exc
        for field in Edition._meta.concrete_fields:
            setattr(self.edition, field.attname, getattr(locked, field.attname))
        return self.edition


class Renumber:
    """Number an editable edition's footnotes 1, 2, 3… in the order their markers first
    appear (summary, then sections in order, a heading before its body), rewriting the markers
    with them so each stays paired with its note; notes no marker cites follow, in their old
    order. Recorded as a revision. A note is inserted between two others in one step: give it
    any unused number, put its marker where it belongs, and renumber."""

    name = "renumber"

    def __init__(self, edition, actor):
        self.edition = edition
        self.actor = actor

    def refusal(self, edition=None):
        edition = edition or self.edition
        if not may(self.actor, EDIT_PERMISSION):
            return "You may not renumber notes: your role does not allow it."
        if not edition.is_editable:
            return (
                "Only a draft's notes can be renumbered; this edition is "
                f"{edition.get_state_display().lower()}."
            )
        return None

    @staticmethod
    def numbering(summary, sections, numbers):
        """{old number: new number} for content given as plain values, or WorkflowError when
        a marker has no note (renumbering would pair it with another one)."""
        numbers = list(numbers)
        order = []
        for text in [summary, *(part for section in sections for part in section)]:
            for match in MARKER.finditer(text or ""):
                number = int(match.group(1))
                if number not in numbers:
                    raise WorkflowError(
                        f"Marker [{number}] has no footnote: add the note or remove the marker "
                        "before renumbering."
                    )
                if number not in order:
                    order.append(number)
        order += [number for number in sorted(numbers) if number not in order]
        return {old: new for new, old in enumerate(order, start=1)}

    def execute(self):
        reason = self.refusal()
        if reason:
            raise WorkflowError(reason)
        with lifecycle():
            locked = lock(self.edition)
            reason = self.refusal(locked)
            if reason:
                raise WorkflowError(reason)
            sections = list(locked.sections.order_by("position"))
            notes = list(locked.footnotes.all())
            mapping = self.numbering(
                locked.summary, [(s.heading, s.body) for s in sections], [n.number for n in notes]
            )

            def renumbered(text):
                return MARKER.sub(lambda m: f"[{mapping[int(m.group(1))]}]", text or "")

            with reversion.create_revision():
                # Numbers are unique per edition: park every note past the end first.
                parked = max(mapping, default=0) + len(mapping) + 1
                for note in notes:
                    Footnote.objects.filter(pk=note.pk).update(number=parked + note.number)
                for note in notes:
                    Footnote.objects.filter(pk=note.pk).update(number=mapping[note.number])
                for section in sections:
                    heading, body = renumbered(section.heading), renumbered(section.body)
                    if (heading, body) != (section.heading, section.body):
                        Section.objects.filter(pk=section.pk).update(heading=heading, body=body)
                Edition.objects.filter(pk=locked.pk).update(
                    summary=renumbered(locked.summary),
                    version=locked.version + 1,
                    updated_at=timezone.now(),
                )
                locked.refresh_from_db()
                moved = sum(1 for old, new in mapping.items() if old != new)
                text = f"Renumbered the notes in order of first appearance ({moved} moved)"
                add_revision(locked, self.actor, text)
        for field in Edition._meta.concrete_fields:
            setattr(self.edition, field.attname, getattr(locked, field.attname))
        self.moved = moved
        return self.edition


class StartDrafts:
    """Open drafts of many profiles for a yearly report as one step, in a fixed number of
    queries (as a release publishes them): each draft what StartDraft would open, a copy of
    the profile's published edition (or empty), with its revision and its event.

    A profile that the report's series does not publish, or that has an edition in progress,
    is skipped with the reason; a report still planned is in progress once a draft is open.
    Locks: the profiles in id order, as a release takes them.
    """

    name = "start"

    def __init__(self, report, profiles, actor):
        self.report = report
        self.profile_ids = sorted({getattr(p, "pk", p) for p in profiles})
        self.actor = actor

    def execute(self):
        """Returns (the drafts opened, {profile: why it was skipped})."""
        if not may(self.actor, START_PERMISSION):
            raise WorkflowError("You may not start drafts: your role does not allow it.")
        with lifecycle():
            profiles = list(
                Profile.objects.filter(pk__in=self.profile_ids)
                .select_related("country", "topic")
                .order_by("pk")
                .select_for_update(of=("self",))
            )
            skipped = self._skipped(profiles)
            wanted = [profile for profile in profiles if profile not in skipped]
            if not wanted:
                return [], skipped
            current = {
                edition.profile_id: edition
                for edition in Edition.objects.public().filter(profile__in=wanted)
            }
            now = timezone.now()
            drafts = Edition.objects.bulk_create(
                self._draft(profile, current.get(profile.pk)) for profile in wanted
            )
            content = copy_contents(
                {draft.pk: current[draft.profile_id].pk for draft in drafts if draft.based_on_id}
            )
            revision = self._revision(drafts, content, now)
            self._events(drafts, current, revision, now)
            if self.report.state == Report.State.PLANNED:
                Report.objects.filter(pk=self.report.pk).update(state=Report.State.IN_PROGRESS)
        if self.report.state == Report.State.PLANNED:
            self.report.state = Report.State.IN_PROGRESS
        return drafts, skipped

    def _skipped(self, profiles):
        skipped = {}
        series = self.report.series
        busy = dict(
            Edition.objects.open().filter(profile__in=profiles).values_list("profile_id", "state")
        )
        for profile in profiles:
            if profile.topic.series != series:
                skipped[profile] = (
                    f"{profile} is not part of {self.report}: its topic is published by "
                    f"{profile.topic.series or 'no series'}, not by {series}."
                )
            elif profile.pk in busy:
                state = State(busy[profile.pk]).label.lower()
                skipped[profile] = (
                    f"{profile} already has an open edition ({state}); continue that one."
                )
        return skipped

    def _draft(self, profile, current):
        draft = Edition(
            profile=profile,
            report=self.report,
            state=State.DRAFT,
            created_by=self.actor,
            last_updated_precision=Edition.Precision.DAY,
        )
        if current is not None:
            draft.based_on = current
            draft.summary = current.summary
        return draft

    def _revision(self, drafts, content, now):
        """One revision holding every draft, each Version as StartDraft's would be (the
        "edition" format, its content included), written from what was just copied."""
        revision = Revision.objects.create(
            date_created=now, user=self.actor, comment=f"Started drafts for {self.report}"
        )
        empty = {"overview": [], "sections": [], "footnotes": [], "figures": []}
        fields = serializers.get_serializer("python")().serialize(drafts)
        content_type = ContentType.objects.get_for_model(Edition)
        Version.objects.bulk_create(
            Version(
                revision=revision,
                content_type=content_type,
                object_id=str(draft.pk),
                db=router.db_for_write(Edition),
                format=snapshot.FORMAT,
                serialized_data=json.dumps(
                    [{**data, "content": content.get(draft.pk, empty)}], cls=DjangoJSONEncoder
                ),
                object_repr=str(draft),
            )
            for draft, data in zip(drafts, fields, strict=True)
        )
        return revision

    def _events(self, drafts, current, revision, now):
        texts = {}
        for draft in drafts:
            based_on = current.get(draft.profile_id)
            texts[draft.pk] = (
                f"Started a draft from the edition of {based_on.last_updated_display}"
                if based_on is not None
                else "Started a new draft"
            )
        events = EditionEvent.objects.bulk_create(
            EditionEvent(
                edition=draft,
                action=self.name,
                from_state="",
                to_state=State.DRAFT,
                actor=self.actor,
                at=now,
                comment=texts[draft.pk],
                revision=revision,
            )
            for draft in drafts
        )
        for draft, event in zip(drafts, events, strict=True):
            signals.transitioned.send(
                sender=self.name,
                edition=draft,
                action=self.name,
                from_state="",
                to_state=State.DRAFT,
                actor=self.actor,
                event=event,
            )


def copy_contents(based_on):
    """Copy the content of many editions at once: `based_on` is {new edition id: edition it
    copies}. Returns each new edition's content as snapshot.content_of reads it (eight
    queries whatever the number, and one more for the figures)."""
    if not based_on:
        return {}
    copies = defaultdict(list)  # the edition copied: the new editions copying it
    for new, old in based_on.items():
        copies[old].append(new)
    content = {
        new: {"overview": [], "sections": [], "footnotes": [], "figures": []} for new in based_on
    }
    facts = OverviewFact.objects.filter(edition__in=copies).order_by("edition_id", "position")
    OverviewFact.objects.bulk_create(
        OverviewFact(edition_id=new, position=f.position, label=f.label, value=f.value)
        for f in facts
        for new in copies[f.edition_id]
    )
    sections = Section.objects.filter(edition__in=copies).order_by("edition_id", "position")
    Section.objects.bulk_create(
        Section(edition_id=new, position=s.position, heading=s.heading, body=s.body)
        for s in sections
        for new in copies[s.edition_id]
    )
    for new, figures in copy_figures(copies).items():
        content[new]["figures"] = figures
    for f in facts:
        for new in copies[f.edition_id]:
            content[new]["overview"].append([f.position, f.label, f.value])
    for s in sections:
        for new in copies[s.edition_id]:
            content[new]["sections"].append([s.position, s.heading, s.body])
    old_notes = list(Footnote.objects.filter(edition__in=copies).order_by("edition_id", "number"))
    pairs = [(old, new) for old in old_notes for new in copies[old.edition_id]]
    new_notes = Footnote.objects.bulk_create(
        Footnote(edition_id=new, number=old.number, text=old.text) for old, new in pairs
    )
    cited = defaultdict(list)
    for citation in Citation.objects.filter(footnote__in=old_notes).order_by("position", "pk"):
        cited[citation.footnote_id].append(citation)
    Citation.objects.bulk_create(
        Citation(footnote=note, source_id=c.source_id, position=c.position, locator=c.locator)
        for (old, _), note in zip(pairs, new_notes, strict=True)
        for c in cited[old.pk]
    )
    for (old, new), note in zip(pairs, new_notes, strict=True):
        content[new]["footnotes"].append(
            [
                note.number,
                note.text,
                [[c.position, c.source_id, c.locator] for c in cited[old.pk]],
            ]
        )
    return content
