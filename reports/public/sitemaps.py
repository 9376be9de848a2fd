"""sitemap.xml: static pages, countries, current profiles, archived editions, reports."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..editions.states import READABLE
from ..models import Country, Edition, Report


class StaticSitemap(Sitemap):
    def items(self):
        return ["public:home", "public:countries", "public:reports", "public:treaty_status"]

    def location(self, item):
        return reverse(item)


class CountrySitemap(Sitemap):
    def items(self):
        return Country.objects.public().order_by("name")


class EditionSitemap(Sitemap):
    limit = 10000

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

    def priority(self, item):
        return 0.8 if item.state == Edition.State.PUBLISHED else 0.3


class ReportSitemap(Sitemap):
    def items(self):
        return Report.objects.filter(editions__state__in=READABLE).distinct().order_by("-year")

    def location(self, item):
        return reverse("public:report", args=[item.series_slug, item.year])


SITEMAPS = {
    "static": StaticSitemap,
    "countries": CountrySitemap,
    "editions": EditionSitemap,
    "reports": ReportSitemap,
}
