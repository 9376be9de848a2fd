from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from import_export.admin import ExportMixin, ImportExportModelAdmin
from reversion.admin import VersionAdmin

from reports.editions.admin import EditionContentAdminMixin, ReadOnlyWhenFrozenInline
from reports.editions.record_admin import (
    TABULAR_FORMATS,
    PublicRecordAdminMixin,
    PublicRecordImportMixin,
)

from . import revisions  # noqa: F401  (explicit registration before VersionAdmin autoregisters)
from .merge import MergeRefused, merge_sources
from .models import Citation, Footnote, Source, SourceAlias
from .resources import FootnoteResource, SourceResource


class SourceAliasInline(admin.TabularInline):
    model = SourceAlias
    extra = 0
    fields = ["identity_key"]
    readonly_fields = ["identity_key"]
    can_delete = False
    verbose_name_plural = "identities merged into this source"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(
    PublicRecordImportMixin, PublicRecordAdminMixin, ImportExportModelAdmin, VersionAdmin
):
    actions = ["merge_selected"]
    inlines = [SourceAliasInline]
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

    def has_merge_permission(self, request):
        return request.user.has_perm("sources.merge_source")

    @admin.action(description="Merge selected sources", permissions=["merge"])
    def merge_selected(self, request, queryset):
        sources = list(queryset.order_by("-citation_count", "pk"))
        keep_id = request.POST.get("keep")
        if keep_id is None:
            return TemplateResponse(
                request,
                "admin/sources/source/merge.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Merge sources",
                    "sources": sources,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        keep = next((source for source in sources if str(source.pk) == keep_id), None)
        if keep is None:
            self.message_user(request, "Choose which source to keep.", messages.ERROR)
            return None
        try:
            keep, moved = merge_sources(keep, sources, actor=request.user)
        except MergeRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return None
        self.message_user(
            request,
            f"Merged {len(sources) - 1} source(s) into “{keep}”; {moved} citation(s) moved.",
            messages.SUCCESS,
        )
        return None


class CitationInline(ReadOnlyWhenFrozenInline, admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["position", "source", "locator"]
    autocomplete_fields = ["source"]


@admin.register(Footnote)
class FootnoteAdmin(ExportMixin, EditionContentAdminMixin, VersionAdmin):
    resource_classes = [FootnoteResource]
    formats = TABULAR_FORMATS
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
class CitationAdmin(EditionContentAdminMixin, VersionAdmin):
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
