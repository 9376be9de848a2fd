from django.contrib.sitemaps.views import sitemap
from django.urls import path

from reports.public.sources import source

from . import views
from .feeds import UpdatesFeed
from .sitemaps import SITEMAPS

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("countries/", views.countries, name="countries"),
    path("countries/<slug:country>/", views.country, name="country"),
    path("countries/<slug:country>/<slug:topic>/", views.profile, name="profile"),
    path("countries/<slug:country>/<slug:topic>/changes/", views.changes, name="changes"),
    path("countries/<slug:country>/<slug:topic>/<int:year>/", views.archived, name="archived"),
    path(
        "countries/<slug:country>/<slug:topic>/<int:year>/<int:edition_id>/",
        views.archived_edition,
        name="archived_edition",
    ),
    path("reports/", views.reports, name="reports"),
    path("reports/<slug:series>/<int:year>/", views.report, name="report"),
    path("sources/<int:source_id>/", source, name="source"),
    path("search/", views.search, name="search"),
    path("treaty-status/", views.treaty_status, name="treaty_status"),
    path("feeds/updates/", UpdatesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
