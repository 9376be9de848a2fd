"""Tabular import/export (django-import-export) of reference data, matched by natural keys."""

from import_export import fields, resources, widgets

from .models import Country, Topic, TreatyStatus


class CountryResource(resources.ModelResource):
    class Meta:
        model = Country
        import_id_fields = ["name"]
        fields = ["name", "slug", "iso_code", "official_name", "region", "aliases"]
        skip_unchanged = True
        report_skipped = True


class TopicResource(resources.ModelResource):
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
