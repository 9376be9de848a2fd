from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from import_export.admin import ImportExportModelAdmin
from reversion.admin import VersionAdmin

from reports import revisions  # noqa: F401  (explicit registration before VersionAdmin autoregisters)

from .models import Citation, Footnote, Source
from .resources import SourceResource


@admin.register(Source)
class SourceAdmin(ImportExportModelAdmin, VersionAdmin):
    resource_classes = [SourceResource]
    list_display = ["__str__", "kind", "author", "date", "reference_number", "citation_count"]
    list_filter = ["kind", "report__year"]
    list_select_related = ["report"]
    search_fields = ["title", "author", "reference_number", "identity_key"]
    autocomplete_fields = ["report"]
    date_hierarchy = "date"
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["position", "source", "locator"]
    autocomplete_fields = ["source"]


@admin.register(Footnote)
class FootnoteAdmin(VersionAdmin):
    list_display = ["number", "short_text", "edition", "citation_count"]
    list_filter = ["edition__state", "edition__profile__topic", "edition__profile__country__region"]
    list_select_related = ["edition__profile__country", "edition__profile__topic"]
    search_fields = ["text", "edition__profile__country__name"]
    autocomplete_fields = ["edition"]
    inlines = [CitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 100 else f"{obj.text[:97]}…"

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Citation)
class CitationAdmin(VersionAdmin):
    list_display = ["source", "locator", "footnote", "edition"]
    list_filter = ["source__kind", "footnote__edition__profile__topic"]
    list_select_related = [
        "source",
        "footnote__edition__profile__country",
        "footnote__edition__profile__topic",
    ]
    search_fields = ["source__title", "footnote__text", "locator"]
    autocomplete_fields = ["footnote", "source"]

    @admin.display(description="edition", ordering="footnote__edition")
    def edition(self, obj):
        return obj.footnote.edition
