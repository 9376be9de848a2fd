"""Tabular import/export (django-import-export) of reference data, matched by natural keys.

Every import is all or nothing: each row is validated through the model
(``clean_model_instances``), a row that fails is reported with its number and nothing of the
file is written. A file that imports is one django-reversion revision, "Imported from <file>"
by the importing user, and one entry in the audit log (``RecordChange``) naming every row it
added, changed or deleted; rows that published pages show are saved through
ChangePublicRecord, which refuses what the importer may not change and records each change.
"""

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.results import RowResult

from .editions import states
from .editions.records import SHOWN_FIELDS, ChangePublicRecord, RecordChangeRefused
from .models import Country, OverviewFact, RecordChange, Report, Topic, TreatyStatus
from .public.pagecache import clock_advanced_at_end

WRITTEN = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE, RowResult.IMPORT_TYPE_DELETE)


def import_comment(file_name):
    return f"Imported from {file_name or 'a file'}"


class TabularResource(resources.ModelResource):
    """The base of every importable resource (see the module docstring)."""

    actor = None
    file_name = ""

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def import_data(self, dataset, *args, **kwargs):
        # A row that fails validation rolls the whole file back, whoever calls.
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.actor = kwargs.get("user")
        self.file_name = kwargs.get("file_name") or "a file"

    def import_data_inner(self, dataset, dry_run, *args, **kwargs):
        if dry_run:
            return super().import_data_inner(dataset, dry_run, *args, **kwargs)
        user, file_name = kwargs.get("user"), kwargs.get("file_name")
        # One revision for the file, and the publication clock moved once for all its rows.
        with clock_advanced_at_end(), reversion.create_revision():
            reversion.set_comment(import_comment(file_name))
            if user is not None and user.is_authenticated:
                reversion.set_user(user)
            result = super().import_data_inner(dataset, dry_run, *args, **kwargs)
            if not (result.has_errors() or result.has_validation_errors()):
                self.record_import(result, user, file_name)
        return result

    def record_import(self, result, user, file_name):
        written = {
            f"row {number}: {row.object_repr}": {"old": "", "new": row.import_type}
            for number, row in enumerate(result.rows, start=1)
            if row.import_type in WRITTEN
        }
        return record_import(self._meta.model, user, file_name, written)


def record_import(model, user, file_name, written):
    """The audit entry of a whole file: `written` is {row: {"old": "", "new": what it
    became}} for each row written; none when nothing was."""
    if not written:
        return None
    return RecordChange.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id="",
        object_repr=f"{import_comment(file_name)} ({model._meta.verbose_name_plural})"[:200],
        actor=user if user is not None and user.is_authenticated else None,
        at=timezone.now(),
        changes=written,
        comment=import_comment(file_name),
    )


class PublicRecordResource(TabularResource):
    """Updates of existing rows are saved through ChangePublicRecord as the importing user."""

    class Meta(TabularResource.Meta):
        pass

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            ChangePublicRecord(instance, self.actor).check()
        except RecordChangeRefused as refused:
            errors.setdefault(NON_FIELD_ERRORS, []).append(str(refused))
        super().validate_instance(instance, errors, validate_unique)

    def do_instance_save(self, instance, is_create):
        if is_create or type(instance) not in SHOWN_FIELDS:
            super().do_instance_save(instance, is_create)
            return
        ChangePublicRecord(instance, self.actor, import_comment(self.file_name)).execute()


class CountryResource(PublicRecordResource):
    class Meta(PublicRecordResource.Meta):
        model = Country
        import_id_fields = ["name"]
        fields = ["name", "slug", "iso_code", "official_name", "region", "aliases"]


class TopicResource(PublicRecordResource):
    class Meta(PublicRecordResource.Meta):
        model = Topic
        import_id_fields = ["name"]
        fields = ["name", "slug", "position", "series"]


class ReportResource(PublicRecordResource):
    # A report's state changes only by starting and releasing it: exported, never imported.
    state = fields.Field(attribute="state", column_name="state", readonly=True)
    # Text of any length: a spreadsheet's empty cell is an empty text, not a missing one.
    overview = fields.Field(
        attribute="overview", column_name="overview", widget=widgets.CharWidget()
    )
    key_findings = fields.Field(
        attribute="key_findings", column_name="key_findings", widget=widgets.CharWidget()
    )

    class Meta(PublicRecordResource.Meta):
        model = Report
        import_id_fields = ["series", "year"]
        fields = [
            "series",
            "series_slug",
            "year",
            "title",
            "overview",
            "key_findings",
            "release_date",
            "target_date",
            "scheduled_release_at",
            "state",
        ]


class TreatyStatusResource(TabularResource):
    country = fields.Field(
        column_name="country",
        attribute="country",
        widget=widgets.ForeignKeyWidget(Country, field="name"),
    )

    class Meta(TabularResource.Meta):
        model = TreatyStatus
        import_id_fields = ["country", "treaty"]
        fields = ["country", "treaty", "status", "signed_on", "consent_on", "consent_by", "note"]


class OverviewFactResource(resources.ModelResource):
    """Read-only: the overview facts of every current (published) edition."""

    country = fields.Field(attribute="edition__profile__country__name", column_name="country")
    topic = fields.Field(attribute="edition__profile__topic__name", column_name="topic")
    last_updated = fields.Field(attribute="edition__last_updated", column_name="last_updated")

    class Meta:
        model = OverviewFact
        fields = ["edition", "country", "topic", "last_updated", "position", "label", "value"]
        export_order = ["edition", "country", "topic", "last_updated", "position", "label", "value"]

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.filter(edition__state__in=states.PUBLIC)
            .select_related("edition__profile__country", "edition__profile__topic")
            .order_by("edition__profile__country__name", "edition__profile__topic__position")
        )

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("Overview facts are exported, never imported.")
