from import_export import fields, resources

from reports.resources import PublicRecordResource

from .models import Footnote, Source


class SourceResource(PublicRecordResource):
    class Meta(PublicRecordResource.Meta):
        model = Source
        fields = [
            "id",
            "kind",
            "title",
            "author",
            "date",
            "reference_number",
            "url",
            "report",
            "identity_key",
        ]


class FootnoteResource(resources.ModelResource):
    """Read-only: each footnote as printed, with its edition and the sources it cites."""

    country = fields.Field(attribute="edition__profile__country__name", column_name="country")
    topic = fields.Field(attribute="edition__profile__topic__name", column_name="topic")
    state = fields.Field(attribute="edition__state", column_name="edition_state")
    sources = fields.Field(column_name="sources")
    source_ids = fields.Field(column_name="source_ids")

    class Meta:
        model = Footnote
        fields = ["edition", "country", "topic", "state", "number", "text", "sources", "source_ids"]
        export_order = [
            "edition",
            "country",
            "topic",
            "state",
            "number",
            "text",
            "sources",
            "source_ids",
        ]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(
            "edition__profile__country", "edition__profile__topic"
        ).prefetch_related("citations__source")

    def dehydrate_sources(self, footnote):
        return " | ".join(
            f"{citation.source.title}{', ' + citation.locator if citation.locator else ''}"
            for citation in footnote.citations.all()
        )

    def dehydrate_source_ids(self, footnote):
        return " ".join(str(citation.source_id) for citation in footnote.citations.all())

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("Footnotes are exported, never imported.")
