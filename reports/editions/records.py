"""Changing a record that published pages show, outside the edition workflow.

A published edition is frozen, but its pages also show shared records that stay editable:
the sources its notes cite, its profile's country and topic, its report. Changing what those
pages show is an editorial act like publishing, so every writer of these records (the admin's
change forms and list_editable, the tabular import, the source merge) saves them through
ChangePublicRecord, in the style of Wagtail's actions: ``check()`` gives the refusal (also
used by the admin to say which fields are locked) and ``execute()`` makes the change.

- A record is *public* while a published or superseded edition shows it (``is_public``).
- Changing one of its *shown* fields (``SHOWN_FIELDS``) needs ``reports.change_public_record``
  (Editors, Publishers). Researchers keep editing records that no published page shows, and
  the fields that no page shows.
- Such a change is recorded: a django-reversion revision with its actor and comment, and a
  ``RecordChange`` audit entry with the old and new values. A change that gives a public page
  a new address (a country's slug, a profile's country or topic, a topic's slug, a report's
  series or year) leaves ``MovedPath`` rows, so the old links answer 301
  (reports.public.moved).
"""

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from sources.models import Citation, Source

from ..models import (
    Chapter,
    Country,
    Edition,
    MovedPath,
    Profile,
    RecordChange,
    Report,
    Topic,
    TreatyStatus,
)
from . import freeze, signals
from .states import READABLE

PERMISSION = "reports.change_public_record"

SHOWN_FIELDS = {
    Country: ("name", "slug", "official_name", "region", "iso_code"),
    Topic: ("name", "slug", "position"),
    Report: ("title", "series_slug", "year", "release_date", "overview", "key_findings", "pdf"),
    Chapter: ("report", "position", "title", "slug", "body", "published"),
    Profile: ("country", "topic"),
    Source: ("kind", "title", "author", "date", "reference_number", "url", "report"),
}


class RecordChangeRefused(PermissionDenied):
    """The actor may not make this change; str() is the message to show them."""


def may_change_public_records(actor):
    # Code that runs for no person (commands, data migrations) is trusted like the shell
    # that starts it.
    return actor is None or actor.has_perm(PERMISSION)


def is_public(record):
    """Whether a published or superseded edition shows `record` as it is stored."""
    if record.pk is None:
        return False
    public_citations = Citation.objects.filter(footnote__edition__state__in=READABLE)
    if isinstance(record, Source):
        return public_citations.filter(source=record.pk).exists()
    editions = Edition.objects.readable()
    if isinstance(record, Chapter):
        return editions.filter(report=record.report_id).exists()
    if isinstance(record, Report):
        # A source page names the Monitor report a source is.
        return (
            editions.filter(report=record.pk).exists()
            or public_citations.filter(source__report=record.pk).exists()
        )
    lookup = {Country: "profile__country", Topic: "profile__topic", Profile: "profile"}
    return editions.filter(**{lookup[type(record)]: record.pk}).exists()


def record_change(record, actor, changes, comment=""):
    """Write the audit entry of a change to `record`: ``{field: {"old": …, "new": …}}``."""
    return RecordChange.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        object_repr=str(record)[:200],
        actor=actor,
        at=timezone.now(),
        changes=changes,
        comment=comment,
    )


def _editable_fields(model):
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def shown_value(record, field):
    value = getattr(record, field.attname)
    if isinstance(value, FieldFile):
        return value.name
    if field.is_relation and value is not None:
        return str(getattr(record, field.name))
    return value


class ChangePublicRecord:
    """Save `record` (an instance holding the new values) as `actor`, with `comment`.

    The change is what differs from the stored row, or from `before` when the stored row was
    already overwritten (reversion's revert writes it before the form is saved).
    """

    def __init__(self, record, actor, comment="", *, before=None):
        self.record = record
        self.actor = actor
        self.comment = comment
        self.before = before
        self.model = type(record)
        self.shown = SHOWN_FIELDS[self.model]

    def _stored(self, lock=False):
        if self.record.pk is None:
            return None
        rows = self.model._base_manager.all()
        if lock:
            # Only the record's own row: a default ordering may join others.
            rows = rows.select_for_update(of=("self",))
        stored = rows.filter(pk=self.record.pk).order_by().first()
        return stored if self.before is None else self.before

    def _changed(self, stored):
        if stored is None:
            return []
        return [
            field
            for field in _editable_fields(self.model)
            if getattr(stored, field.attname) != getattr(self.record, field.attname)
        ]

    def _refusal(self, stored, fields):
        names = ", ".join(str(field.verbose_name) for field in fields)
        return (
            f"{capfirst(self.model._meta.verbose_name)} “{stored}” is shown on published "
            f"pages: changing its {names} is for editors and publishers (permission “Can "
            "change records shown on published pages”). Nothing was saved."
        )

    def _check(self, stored):
        """(changed fields, whether published pages show them) or RecordChangeRefused."""
        changed = self._changed(stored)
        shown = [field for field in changed if field.name in self.shown]
        public = bool(shown) and is_public(stored)
        if public and not may_change_public_records(self.actor):
            raise RecordChangeRefused(self._refusal(stored, shown))
        return changed, public

    def check(self):
        """Raise RecordChangeRefused when the actor may not make this change."""
        self._check(self._stored())

    def shown_fields(self):
        return [self.model._meta.get_field(name) for name in self.shown]

    def locked_fields(self):
        """The shown fields this actor may not change on this record as it is stored."""
        if may_change_public_records(self.actor) or not is_public(self.record):
            return []
        return self.shown_fields()

    def execute(self):
        """Save the record in one transaction; return its RecordChange, or None when no
        published page changed."""
        with transaction.atomic(), reversion.create_revision():
            stored = self._stored(lock=True)
            changed, public = self._check(stored)
            self.record.save()
            if self.actor is not None:
                reversion.set_user(self.actor)
            if self.comment or not reversion.get_comment():
                names = ", ".join(field.name for field in changed)
                reversion.set_comment(self.comment or (f"Changed {names}." if names else ""))
            if not public:
                return None
            entry = record_change(
                self.record,
                self.actor,
                {
                    field.name: {
                        "old": shown_value(stored, field),
                        "new": shown_value(self.record, field),
                    }
                    for field in changed
                },
                self.comment,
            )
            for old, new in self._moved_paths(stored):
                MovedPath.objects.move(old, new)
        return entry

    def _moved_paths(self, before):
        after = self.record
        if isinstance(after, Country) and before.slug != after.slug:
            yield (
                reverse("public:country", args=[before.slug]),
                reverse("public:country", args=[after.slug]),
            )
        elif isinstance(after, Profile) and (before.country_id, before.topic_id) != (
            after.country_id,
            after.topic_id,
        ):
            yield (
                reverse("public:profile", args=[before.country.slug, before.topic.slug]),
                after.get_absolute_url(),
            )
        elif isinstance(after, Topic) and before.slug != after.slug:
            countries = (
                Country.objects.filter(
                    profiles__topic=after, profiles__editions__state__in=READABLE
                )
                .distinct()
                .values_list("slug", flat=True)
            )
            for country in countries:
                yield (
                    reverse("public:profile", args=[country, before.slug]),
                    reverse("public:profile", args=[country, after.slug]),
                )
        elif isinstance(after, Chapter) and before.published and after.published:
            if before.get_absolute_url() != after.get_absolute_url():
                yield before.get_absolute_url(), after.get_absolute_url()
        elif isinstance(after, Report) and (before.series_slug, before.year) != (
            after.series_slug,
            after.year,
        ):
            yield (
                reverse("public:report", args=[before.series_slug, before.year]),
                reverse("public:report", args=[after.series_slug, after.year]),
            )


def _shown_record_changed(sender, instance, **kwargs):
    """Any save or delete of a record that public pages show is announced like a lifecycle
    step's change: at the end of the gate when inside one, at once otherwise."""
    if freeze.is_open():
        freeze.public_change()
    else:
        signals.public_changed.send(sender=sender, editions=set(), profiles=set())


# The treaty status table is data about treaties, shown on the treaty status and country pages
# and in the API: a change of it is a change of shared records too.
for _model in [*SHOWN_FIELDS, TreatyStatus]:
    post_save.connect(_shown_record_changed, sender=_model, dispatch_uid=f"shown-{_model.__name__}")
    post_delete.connect(
        _shown_record_changed, sender=_model, dispatch_uid=f"gone-{_model.__name__}"
    )
