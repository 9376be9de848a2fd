import re

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Count, F, Lookup, Max, Min, Prefetch, Q
from django.db.models.lookups import IContains
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from import_export.admin import ExportMixin, ImportExportModelAdmin
from reversion.admin import VersionAdmin

from sources.models import Citation, Footnote

from .attachments import CheckedImageField, readable_size
from .editions import revisions  # noqa: F401  (explicit registration before VersionAdmin autoregisters)
from .editions.admin import (
    EditionContentAdminMixin,
    EditionWorkflowAdminMixin,
    ProfileStateFilter,
    ProfileUpdatedFilter,
    ProfileWorkflowAdminMixin,
    ReadOnlyWhenFrozenInline,
)
from .editions.record_admin import (
    TABULAR_FORMATS,
    PublicRecordAdminMixin,
    PublicRecordImportMixin,
    RecordChangeAdmin,
)
from .editions.records import ChangePublicRecord, is_public, record_change, shown_value
from .editions.report_admin import AssignmentAdmin, ProfileCycleAdminMixin, ReportCycleAdminMixin
from .models import (
    Assignment,
    Chapter,
    Country,
    Edition,
    Figure,
    OverviewFact,
    Profile,
    RecordChange,
    Report,
    Section,
    Topic,
    TreatyStatus,
)
from .resources import (
    CountryResource,
    OverviewFactResource,
    ReportResource,
    TopicResource,
    TreatyStatusResource,
)
from .treaty_admin import TreatyListAdminMixin


@admin.register(Country)
class CountryAdmin(
    PublicRecordImportMixin, PublicRecordAdminMixin, ImportExportModelAdmin, VersionAdmin
):
    resource_classes = [CountryResource]
    list_display = ["name", "iso_code", "region", "official_name", "profile_count"]
    list_filter = ["region"]
    search_fields = ["name", "official_name", "aliases", "iso_code"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(profile_count=Count("profiles"))

    @admin.display(description="profiles", ordering="profile_count")
    def profile_count(self, obj):
        return obj.profile_count


@admin.register(Topic)
class TopicAdmin(
    PublicRecordImportMixin, PublicRecordAdminMixin, ImportExportModelAdmin, VersionAdmin
):
    resource_classes = [TopicResource]
    list_display = ["name", "position", "series"]
    list_editable = ["position"]
    list_filter = ["series"]
    search_fields = ["name", "series"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Report)
class ReportAdmin(
    PublicRecordImportMixin,
    PublicRecordAdminMixin,
    ReportCycleAdminMixin,
    ImportExportModelAdmin,
    VersionAdmin,
):
    resource_classes = [ReportResource]
    list_display = [
        "title",
        "series",
        "year",
        "state_summary",
        "release_date",
        "target_date",
        "edition_count",
        "cycle_links",
    ]
    list_filter = ["state", "series", "year"]
    search_fields = ["title", "series", "year"]
    prepopulated_fields = {"series_slug": ["series"]}

    readonly_fields = ["pdf_and_chapters"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(edition_count=Count("editions"))

    @admin.display(description="editions", ordering="edition_count")
    def edition_count(self, obj):
        return obj.edition_count

    @admin.display(description="PDF and chapters")
    def pdf_and_chapters(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        pdf = "no PDF attached"
        if obj.pdf:
            url = reverse("public:report_pdf", args=[obj.series_slug, obj.year])
            pdf = format_html("<a href='{}'>the PDF ({})</a>", url, readable_size(obj.pdf_size))
        chapters = format_html_join(
            ", ",
            "<a href='{}'>{}</a>{}",
            (
                (
                    reverse("admin:reports_chapter_change", args=[chapter.pk]),
                    chapter.title,
                    "" if chapter.published else " (not published)",
                )
                for chapter in obj.chapters.order_by("position", "title")
            ),
        )
        add = reverse("admin:reports_chapter_add") + f"?report={obj.pk}"
        return format_html(
            "{}; chapters: {} (<a href='{}'>add a chapter</a>)", pdf, chapters or "none", add
        )


@admin.register(Chapter)
class ChapterAdmin(PublicRecordAdminMixin, VersionAdmin):
    """A report's chapters: editors and up write them (monitor.roles); once the report is on
    the public site every change is recorded (reports.editions.records), additions and
    deletions included."""

    list_display = ["title", "report", "position", "published", "updated_at"]
    list_filter = ["published", "report"]
    list_select_related = ["report"]
    search_fields = ["title", "body", "report__title"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["report", "position", "title", "slug", "published", "body", "record_comment"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and is_public(obj):
            shown = ChangePublicRecord(obj, request.user).shown_fields()
            changes = {f.name: {"old": None, "new": shown_value(obj, f)} for f in shown}
            record_change(obj, request.user, changes, "Added.")

    def delete_model(self, request, obj):
        if is_public(obj):
            shown = ChangePublicRecord(obj, request.user).shown_fields()
            changes = {f.name: {"old": shown_value(obj, f), "new": None} for f in shown}
            record_change(obj, request.user, changes, "Deleted.")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for chapter in queryset:
            self.delete_model(request, chapter)


@admin.register(Profile)
class ProfileAdmin(
    PublicRecordAdminMixin, ProfileCycleAdminMixin, ProfileWorkflowAdminMixin, VersionAdmin
):
    list_display = [
        "country",
        "topic",
        "region",
        "current_state",
        "current_last_updated",
        "edition_count",
    ]
    list_filter = [ProfileStateFilter, ProfileUpdatedFilter, "topic", "country__region"]
    list_select_related = ["country", "topic"]
    search_fields = ["country__name", "country__aliases", "topic__name"]
    autocomplete_fields = ["country", "topic"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(edition_count=Count("editions"))

    @admin.display(description="region", ordering="country__region")
    def region(self, obj):
        return obj.country.region

    @admin.display(description="editions", ordering="edition_count")
    def edition_count(self, obj):
        return obj.edition_count


class OverviewFactInline(ReadOnlyWhenFrozenInline, admin.TabularInline):
    model = OverviewFact
    extra = 0
    fields = ["position", "label", "value"]


class SectionInline(ReadOnlyWhenFrozenInline, admin.StackedInline):
    model = Section
    extra = 0
    fields = ["position", "heading", "body"]


class FigureInline(ReadOnlyWhenFrozenInline, admin.StackedInline):
    """Maps and other images of the edition: published with it, frozen with it."""

    model = Figure
    extra = 0
    fields = ["position", "image", "alt_text", "caption"]
    formfield_overrides = {models.ImageField: {"form_class": CheckedImageField}}


class FootnoteInline(ReadOnlyWhenFrozenInline, admin.TabularInline):
    model = Footnote
    extra = 0
    fields = ["number", "text", "cited_sources"]
    readonly_fields = ["cited_sources"]
    show_change_link = True

    def get_queryset(self, request):
        # Each source with how often it is cited: "(cited 12 times)" says it was matched.
        citations = Citation.objects.select_related("source").annotate(
            times=Count("source__citations")
        )
        return super().get_queryset(request).prefetch_related(Prefetch("citations", citations))

    @admin.display(description="sources")
    def cited_sources(self, footnote):
        if footnote.pk is None:
            return "—"
        return (
            format_html_join(
                "",
                "<div><a href='{}'>{}</a>{} <span class='cited-times'>({})</span></div>",
                (
                    (
                        reverse("admin:sources_source_change", args=[c.source_id]),
                        c.source,
                        f", {c.locator}" if c.locator else "",
                        "cited only here" if c.times == 1 else f"cited {c.times} times",
                    )
                    for c in footnote.citations.all()
                ),
            )
            or "none: cites no source"
        )


class LastUpdatedYearFilter(admin.SimpleListFilter):
    """The years of "last updated", newest first, under the parameter of Django's date
    hierarchy (its links and bookmarks keep working). The hierarchy read the MIN/MAX and then
    every distinct year of the filtered list on each page; the span here is two index reads."""

    title = "last updated"
    parameter_name = "last_updated__year"

    def lookups(self, request, model_admin):
        span = Edition.objects.aggregate(first=Min("last_updated"), last=Max("last_updated"))
        if span["first"] is None:
            return []
        years = range(span["last"].year, span["first"].year - 1, -1)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 9999):
            raise IncorrectLookupParameters(f"Not a year: {value!r}")
        return queryset.filter(last_updated__year=int(value))


class SummaryWords(Lookup):
    """The summary has words starting with the given ones ("clear" finds "clearance", "ban
    policy" the two words in a row), through the summary's full-text column and its GIN index
    on PostgreSQL (migrations 0004 and 0009). Elsewhere the summary contains the text."""

    prepare_rhs = False  # the words stay a string, also when the lookup is built directly

    def as_sql(self, compiler, connection):
        return IContains(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        words = re.findall(r"\w+", self.rhs)
        if not words:
            raise EmptyResultSet
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        query = " <-> ".join(f"'{word}':*" for word in words)
        return f"{table}.search_vector @@ to_tsquery('english', %s)", [query]


def search_words(search_term):
    """The words of a search, as the admin splits them (quotes keep a phrase together)."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        yield bit


@admin.register(Edition)
class EditionAdmin(EditionWorkflowAdminMixin, VersionAdmin):
    # Narrow enough for a 1,400 px window with the filters beside it.
    list_display = ["profile", "state", "last_updated_shown", "report", "updated_at"]
    list_filter = [
        "state",
        "profile__topic",
        "profile__country__region",
        "report__year",
        LastUpdatedYearFilter,
        "last_updated_precision",
    ]
    list_select_related = ["profile__country", "profile__topic", "report"]
    # What get_search_results matches each word against (also what the autocomplete needs).
    search_fields = ["profile__country__name", "profile__topic__name", "summary"]
    search_help_text = (
        "Each word is looked for in the country and topic names and among the summary's words."
    )
    # A filtered list counts its own rows only: "983 results (Show all)" rather than a second
    # count of all 22,800 editions on every page (Django counts them even when unfiltered).
    show_full_result_count = False
    # Each row costs the admin about a millisecond to render (its change link keeping the
    # list's filters, its dates): 50 rows keep a page of the list within 100 ms.
    list_per_page = 50
    autocomplete_fields = ["profile", "report", "based_on"]
    # States change only through the editorial workflow, never by editing the field.
    readonly_fields = ["state", "version", "created_by", "created_at", "updated_at", "published_at"]
    fieldsets = [
        (None, {"fields": ["profile", "report", "state", "summary"]}),
        ("Last updated", {"fields": ["last_updated", "last_updated_precision"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "based_on",
                    "publish_at",
                    "published_at",
                    "imported_from",
                    "version",
                    "created_by",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    inlines = [OverviewFactInline, SectionInline, FigureInline, FootnoteInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("profile__country", "profile__topic", "report")
        )

    @admin.display(description="last updated", ordering="last_updated")
    def last_updated_shown(self, obj):
        return obj.last_updated_display or "—"

    def get_search_results(self, request, queryset, search_term):
        # Django ORs the search fields across the joins to country and topic, which no index
        # can answer: the list's count and its page each read every summary. Here the profiles
        # a word names are looked up first (one query a word, a few among about a thousand), so
        # that the editions are found by two indexes, of their profile and of their summary's
        # words.
        # The mixins still narrow the queryset (the autocomplete's editable editions).
        queryset, may_have_duplicates = super().get_search_results(request, queryset, "")
        for word in search_words(search_term):
            named = Profile.objects.filter(
                Q(country__name__icontains=word) | Q(topic__name__icontains=word)
            )
            queryset = queryset.filter(
                Q(profile__in=list(named.values_list("pk", flat=True)))
                | SummaryWords(F("summary"), word)
            )
        return queryset, may_have_duplicates


class EditionContentAdmin(EditionContentAdminMixin, VersionAdmin):
    list_select_related = ["edition__profile__country", "edition__profile__topic"]
    list_filter = ["edition__state", "edition__profile__topic", "edition__profile__country__region"]
    autocomplete_fields = ["edition"]


@admin.register(Section)
class SectionAdmin(EditionContentAdmin):
    list_display = ["heading", "position", "edition"]
    search_fields = ["heading", "body", "edition__profile__country__name"]


@admin.register(OverviewFact)
class OverviewFactAdmin(ExportMixin, EditionContentAdmin):
    resource_classes = [OverviewFactResource]
    formats = TABULAR_FORMATS
    list_display = ["label", "value", "edition"]
    search_fields = ["label", "value", "edition__profile__country__name"]


@admin.register(TreatyStatus)
class TreatyStatusAdmin(
    TreatyListAdminMixin, PublicRecordImportMixin, ImportExportModelAdmin, VersionAdmin
):
    resource_classes = [TreatyStatusResource]
    list_display = ["country", "treaty", "status", "signed_on", "consent_on", "consent_by"]
    list_filter = ["treaty", "status", "country__region"]
    list_select_related = ["country"]
    search_fields = ["country__name", "note"]
    autocomplete_fields = ["country"]


admin.site.register(RecordChange, RecordChangeAdmin)
admin.site.register(Assignment, AssignmentAdmin)
