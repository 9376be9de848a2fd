"""The sitemap: an index (/sitemap.xml) of parts (/sitemap-<section>.xml?p=N), which list every
public address: the static pages, countries, topics, current profiles, archived editions,
reports, their chapters, the pages of cited sources and the small pages edited in the admin
(About…).

A part holds at most ``PART`` addresses, a fifth of the protocol's 50,000, so that a part also
stays far below its 50 MB; the index lists as many parts of each section as it needs.
"""

from django.contrib.flatpages.models import FlatPage
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q, Value
from django.urls import reverse

from sources.models import Citation, Source

from ..editions.states import READABLE
from ..models import Chapter, Country, Edition, Report, Topic

PART = 10_000


class PublicSitemap(Sitemap):
    limit = PART


class StaticSitemap(PublicSitemap):
    def items(self):
        return ["public:home", "public:countries", "public:reports", "public:treaty_status"]

    def location(self, item):
        return reverse(item)


class CountrySitemap(PublicSitemap):
    def items(self):
        return Country.objects.public().only("slug").order_by("name")


class TopicSitemap(PublicSitemap):
    def items(self):
        return Topic.objects.public().only("slug").order_by("position", "name")

    def location(self, item):
        return reverse("public:topic", args=[item.slug])


class EditionSitemap(PublicSitemap):
    def items(self):
        return (
            Edition.objects.filter(state__in=READABLE)
            .select_related("profile__country", "profile__topic")
            .only(
                "state",
                "last_updated",
                "updated_at",
                "profile__country__slug",
                "profile__topic__slug",
            )
            .order_by("id")
        )

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # Django's default reads every item for their newest date: one aggregate instead.
        return Edition.objects.filter(state__in=READABLE).aggregate(latest=Max("updated_at"))[
            "latest"
        ]

    def priority(self, item):
        return 0.8 if item.state == Edition.State.PUBLISHED else 0.3


class ReportSitemap(PublicSitemap):
    """Public reports and their published chapters, in one query (one UNION): a section of
    its own would cost the index another."""

    def items(self):
        public = Exists(Edition.objects.filter(report=OuterRef("pk"), state__in=READABLE))
        reports = (
            Report.objects.filter(public)
            .annotate(chapter=Value(""))
            .values_list("series_slug", "year", "chapter")
            .order_by()
        )
        chapters = (
            Chapter.objects.public()
            .values_list("report__series_slug", "report__year", "slug")
            .order_by()
        )
        return reports.union(chapters, all=True).order_by("-year", "series_slug", "chapter")

    def location(self, item):
        series, year, chapter = item
        if chapter:
            return reverse("public:chapter", args=[series, year, chapter])
        return reverse("public:report", args=[series, year])


class SourceSitemap(PublicSitemap):
    """Sources that a published or archived note cites: the others have no page."""

    def items(self):
        cited = Citation.objects.filter(
            source=OuterRef("pk"), footnote__edition__state__in=READABLE
        )
        return Source.objects.filter(Exists(cited)).only("id").order_by("id")

    def location(self, item):
        return reverse("public:source", args=[item.pk])


class PageSitemap(PublicSitemap):
    """The small pages edited in the admin (About…), those open to everyone."""

    def items(self):
        return (
            FlatPage.objects.filter(registration_required=False)
            .filter(Q(url="/about/") | Q(url__startswith="/pages/"))
            .order_by("url")
        )

    def location(self, item):
        return item.url


SITEMAPS = {
    "static": StaticSitemap,
    "countries": CountrySitemap,
    "topics": TopicSitemap,
    "editions": EditionSitemap,
    "reports": ReportSitemap,
    "sources": SourceSitemap,
    "pages": PageSitemap,
}
