"""The read-only JSON API at /api/ (django-ninja), with its OpenAPI description at
/api/openapi.json and interactive docs at /api/docs.

Only what the public site shows, ever: published and archived (superseded) editions, and the
countries, topics, reports, profiles and sources they show; drafts, editions in review or
approved, and withdrawn ones never appear, not even as a count. Treaty statuses are data about
treaties, public like the treaty status page. Lists are paginated and take a fixed number of
queries whatever their length. Responses are cached and revalidated like the public pages
(reports.public.pagecache: ETag, Last-Modified, 304), the page being the path and its query.
"""

import hashlib
from functools import wraps
from typing import Annotated

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.pagination import PaginationBase, paginate

from sources.models import Citation, Footnote, Source

from ..editions import states
from ..models import Country, Edition, Profile, Report, Topic, TreatyStatus
from ..public import pagecache
from . import schemas

MAX_ID = 2**31 - 1
LISTED = [
    "/countries",
    "/topics",
    "/reports",
    "/profiles",
    "/editions",
    "/sources",
    "/treaty-status",
]
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
Slug = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")]
Text = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^\x00]+$")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

api = NinjaAPI(
    title="Monitor API",
    version="1",
    description=(
        "Read-only: the published country profiles of the Monitor, their editions with "
        "sections, overview facts and footnotes, the sources they cite and where, and the "
        "treaty status table. Only published content."
    ),
    urls_namespace="api",
)


class Page(PaginationBase):
    """`page` and `page_size` (at most 200); the answer says how many there are in all."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        count: int
        page: int
        page_size: int
        items: list

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination, request=None, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
            "items": list(queryset[offset : offset + pagination.page_size]),
        }


# --- filters --------------------------------------------------------------------------------


class PlaceFilters(Schema):
    country: Slug | None = Field(None, description="A country's slug.")
    topic: Slug | None = Field(None, description="A topic's slug.")
    region: Text | None = Field(None, description="A region, as the countries list names it.")


class EditionFilters(PlaceFilters):
    year: int | None = Field(None, ge=1, le=9999, description="The year of “last updated”.")
    current: bool | None = Field(
        None, description="true: only current editions; false: only the archive."
    )


class SourceFilters(PlaceFilters):
    year: int | None = Field(
        None, ge=1, le=9999, description="Cited by editions last updated in this year."
    )
    kind: Annotated[str, Field(pattern="^(" + "|".join(Source.Kind.values) + ")$")] | None = None


class TreatyFilters(Schema):
    country: Slug | None = None
    region: Text | None = None
    treaty: Annotated[str, Field(pattern="^(mbt|ccm|ccw)$")] | None = None
    status: Annotated[str, Field(pattern="^(state_party|signatory|not_party)$")] | None = None


def _place(filters, prefix=""):
    q = Q()
    if filters.country:
        q &= Q(**{f"{prefix}country__slug": filters.country})
    if filters.topic:
        q &= Q(**{f"{prefix}topic__slug": filters.topic})
    if filters.region:
        q &= Q(**{f"{prefix}country__region": filters.region})
    return q


def readable_editions():
    return Edition.objects.readable()


def public_citations():
    return Citation.objects.filter(footnote__edition__state__in=states.READABLE)


# --- caching like the public pages ---------------------------------------------------------


def cached(view):
    """Serve the answer from the page cache while nothing public changed (any change to
    public content makes it stale: the API's lists span profiles)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        query = hashlib.sha1(request.GET.urlencode().encode(), usedforsecurity=False)

        def build():
            return view(request, *args, **kwargs), timezone.now(), None

        return pagecache.cached_page(request, f"api-{query.hexdigest()}", build)

    return wrapper


# --- the endpoints -------------------------------------------------------------------------


class Index(Schema):
    docs: str
    openapi: str
    endpoints: list[str]


@api.get("/", response=Index, tags=["index"])
def index(request):
    """Where the description, the docs and each list are."""
    return {
        "docs": "/api/docs",
        "openapi": "/api/openapi.json",
        "endpoints": [f"/api{path}" for path in LISTED],
    }


@api.get("/countries", response={200: list[schemas.Country], 422: schemas.Invalid}, tags=["places"])
@paginate(Page)
def countries(request, region: Annotated[Text | None, Query(None)] = None):
    """Countries with a published profile, by name."""
    rows = Country.objects.public().order_by("name")
    return rows.filter(region=region) if region else rows


@api.get(
    "/countries/{slug}",
    response={200: schemas.Country, 404: schemas.Message, 422: schemas.Invalid},
    tags=["places"],
)
def country(request, slug: Annotated[str, Path(max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")]):
    return get_object_or_404(Country.objects.public(), slug=slug)


@api.get("/topics", response={200: list[schemas.Topic], 422: schemas.Invalid}, tags=["places"])
@paginate(Page)
def topics(request):
    """Topics with a published profile, in their order."""
    return Topic.objects.public().order_by("position", "name")


@api.get("/reports", response={200: list[schemas.Report], 422: schemas.Invalid}, tags=["reports"])
@paginate(Page)
def reports(request, year: Annotated[int | None, Query(None, ge=1, le=9999)] = None):
    """Yearly reports with a published or archived edition, newest first."""
    rows = Report.objects.filter(
        Exists(readable_editions().filter(report=OuterRef("pk")))
    ).order_by("-year", "series")
    return rows.filter(year=year) if year else rows


@api.get(
    "/profiles", response={200: list[schemas.Profile], 422: schemas.Invalid}, tags=["editions"]
)
@paginate(Page)
def profiles(request, filters: Query[PlaceFilters]):
    """Profiles (a country on a topic) with a published or archived edition."""
    current = Edition.objects.public().filter(profile=OuterRef("pk"))
    return (
        Profile.objects.filter(Exists(readable_editions().filter(profile=OuterRef("pk"))))
        .filter(_place(filters))
        .select_related("country", "topic")
        .annotate(
            current_edition=Subquery(current.values("pk")[:1]),
            last_updated=Subquery(current.values("last_updated")[:1]),
        )
        .order_by("country__name", "topic__position", "pk")
    )


def _editions(filters):
    rows = (
        readable_editions()
        .filter(_place(filters, "profile__"))
        .select_related("profile__country", "profile__topic", "report")
    )
    if filters.year:
        rows = rows.filter(last_updated__year=filters.year)
    if filters.current is not None:
        rows = rows.filter(state__in=states.PUBLIC if filters.current else states.ARCHIVED)
    return rows


@api.get(
    "/editions",
    response={200: list[schemas.EditionSummary], 422: schemas.Invalid},
    tags=["editions"],
)
@paginate(Page)
def editions(request, filters: Query[EditionFilters]):
    """Published editions (current and archived), newest first."""
    return _editions(filters).order_by("-last_updated", "-pk")


@api.get(
    "/editions/{edition_id}",
    response={200: schemas.Edition, 404: schemas.Message, 422: schemas.Invalid},
    tags=["editions"],
)
def edition(request, edition_id: Id):
    """One published or archived edition with its overview, sections and footnotes."""
    rows = (
        readable_editions()
        .select_related("profile__country", "profile__topic", "report")
        .prefetch_related(
            "overview_facts",
            "sections",
            Prefetch(
                "footnotes",
                Footnote.objects.order_by("number").prefetch_related(
                    Prefetch(
                        "citations",
                        Citation.objects.select_related("source").order_by("position"),
                    )
                ),
            ),
        )
    )
    return get_object_or_404(rows, pk=edition_id)


def _sources(filters):
    cited = public_citations()
    place = _place(filters, "footnote__edition__profile__")
    if filters.year:
        place &= Q(footnote__edition__last_updated__year=filters.year)
    rows = (
        Source.objects.filter(Exists(cited.filter(place, source=OuterRef("pk"))))
        .select_related("report")
        .annotate(
            citation_count=Count(
                "citations",
                filter=Q(citations__footnote__edition__state__in=states.READABLE),
            )
        )
    )
    return rows.filter(kind=filters.kind) if filters.kind else rows


@api.get("/sources", response={200: list[schemas.Source], 422: schemas.Invalid}, tags=["sources"])
@paginate(Page)
def sources(request, filters: Query[SourceFilters]):
    """Sources cited by published or archived editions."""
    return _sources(filters).order_by("title", "pk")


@api.get(
    "/sources/{source_id}",
    response={200: schemas.SourceDetail, 404: schemas.Message, 422: schemas.Invalid},
    tags=["sources"],
)
def source(request, source_id: Id):
    """A source and every footnote of a published or archived edition that cites it."""
    rows = _sources(SourceFilters()).prefetch_related(
        Prefetch(
            "citations",
            public_citations()
            .select_related(
                "footnote__edition__profile__country", "footnote__edition__profile__topic"
            )
            .order_by("-footnote__edition__last_updated", "footnote__number", "pk"),
            to_attr="public_citations",
        )
    )
    found = get_object_or_404(rows, pk=source_id)
    found.cited_in = found.public_citations
    return found


@api.get(
    "/treaty-status",
    response={200: list[schemas.TreatyStatus], 422: schemas.Invalid},
    tags=["treaties"],
)
@paginate(Page)
def treaty_status(request, filters: Query[TreatyFilters]):
    """Each country's status under each treaty."""
    rows = TreatyStatus.objects.select_related("country").annotate(
        country_is_public=Exists(Country.objects.public().filter(pk=OuterRef("country_id")))
    )
    if filters.country:
        rows = rows.filter(country__slug=filters.country)
    if filters.region:
        rows = rows.filter(country__region=filters.region)
    if filters.treaty:
        rows = rows.filter(treaty=filters.treaty)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.order_by("country__name", "treaty")


def urlpatterns():
    """The API's URLs, each answer cached like a public page (the docs page aside)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name != "openapi-view":
            pattern.callback = cached(pattern.callback)
    return patterns, app_name, namespace
