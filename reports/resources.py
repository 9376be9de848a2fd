"""Tabular import/export (django-import-export) of reference data, matched by natural keys."""

from django.core.exceptions import NON_FIELD_ERRORS
from import_export import fields, resources, widgets

from .editions.records import ChangePublicRecord, RecordChangeRefused
from .models import Country, Topic, TreatyStatus


class PublicRecordResource(resources.ModelResource):
    """Updates of existing rows are saved through ChangePublicRecord as the importing user."""

    actor = None
    file_name = ""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.actor = kwargs.get("user")
        self.file_name = kwargs.get("file_name") or "a file"

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            ChangePublicRecord(instance, self.actor).check()
        except RecordChangeRefused as refused:
            errors.setdefault(NON_FIELD_ERRORS, []).append(str(refused))
        super().validate_instance(instance, errors, validate_unique)

    def do_instance_save(self, instance, is_create):
        if is_create:
            super().do_instance_save(instance, is_create)
            return
        ChangePublicRecord(instance, self.actor, f"Imported from {self.file_name}").execute()


class CountryResource(PublicRecordResource):
    class Meta:
        model = Country
        import_id_fields = ["name"]
        fields = ["name", "slug", "iso_code", "official_name", "region", "aliases"]
        skip_unchanged = True
        report_skipped = True


class TopicResource(PublicRecordResource):
    class Meta:
        model = Topic
        import_id_fields = ["name"]
        fields = ["name", "slug", "position", "series"]
        skip_unchanged = True


class TreatyStatusResource(resources.ModelResource):
    country = fields.Field(
        column_name="country",
        attribute="country",
        widget=widgets.ForeignKeyWidget(Country, field="name"),
    )

    class Meta:
        model = TreatyStatus
        import_id_fields = ["country", "treaty"]
        fields = ["country", "treaty", "status", "signed_on", "consent_on", "consent_by", "note"]
        skip_unchanged = True
