from django.contrib.flatpages import views as flatpage_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.decorators.http import require_safe

from reports.public.sources import source

from . import files, views
from .feeds import CountryFeed, TopicFeed, UpdatesFeed
from .sitemaps import SITEMAPS

app_name = "public"

# Every public address only reads: a POST (or any other change method) is refused with 405,
# as by the views that say so themselves.
feed, country_feed, topic_feed = (require_safe(f()) for f in (UpdatesFeed, CountryFeed, TopicFeed))

urlpatterns = [
    path("", views.home, name="home"),
    path("countries/", views.countries, name="countries"),
    path("countries/<slug:country>/", views.country, name="country"),
    path("countries/<slug:country>/<slug:topic>/", views.profile, name="profile"),
    path("countries/<slug:country>/<slug:topic>/changes/", views.changes, name="changes"),
    path("countries/<slug:country>/<slug:topic>/pdf/", views.profile_pdf, name="profile_pdf"),
    path(
        "countries/<slug:country>/<slug:topic>/figures/<int:figure_id>/",
        files.figure,
        name="figure",
    ),
    path("countries/<slug:country>/<slug:topic>/<int:year>/", views.archived, name="archived"),
    path(
        "countries/<slug:country>/<slug:topic>/<int:year>/<int:edition_id>/",
        views.archived_edition,
        name="archived_edition",
    ),
    path(
        "countries/<slug:country>/<slug:topic>/<int:year>/<int:edition_id>/pdf/",
        views.archived_pdf,
        name="archived_pdf",
    ),
    path("reports/", views.reports, name="reports"),
    path("reports/<slug:series>/<int:year>/", views.report, name="report"),
    path("reports/<slug:series>/<int:year>/pdf/", files.report_pdf, name="report_pdf"),
    path("reports/<slug:series>/<int:year>/chapters/<slug:slug>/", views.chapter, name="chapter"),
    path("sources/<int:source_id>/", source, name="source"),
    path("search/", views.search, name="search"),
    path("treaty-status/", views.treaty_status, name="treaty_status"),
    path("treaty-status/map.svg", views.treaty_map, name="treaty_map"),
    path("topics/<slug:topic>/", views.topic, name="topic"),
    path("feeds/updates/", feed, name="feed"),
    path("feeds/countries/<slug:country>/", country_feed, name="country_feed"),
    path("feeds/topics/<slug:topic>/", topic_feed, name="topic_feed"),
    path(
        "sitemap.xml",
        require_safe(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "public:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        require_safe(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    # Small pages edited in the admin (Flat pages), each at its URL: /about/, /pages/….
    path("about/", require_safe(flatpage_views.flatpage), {"url": "/about/"}, name="about"),
    path("pages/<path:url>", views.page, name="page"),
]
