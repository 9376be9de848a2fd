"""The production URL conf plus /bench/bare/<country>/<topic>/: a bare Django view returning
the same bytes as the profile page, kept in process memory (what the 70 % target compares to)."""

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

# The production error page: a database that is away answers 503, not Django's plain 500.
from monitor.urls import handler500  # noqa: F401
from monitor.urls import urlpatterns as production
from reports.public.views import profile

_BYTES = {}


def bare(request, country, topic):
    body = _BYTES.get((country, topic))
    if body is None:
        page = profile(RequestFactory().get(f"/countries/{country}/{topic}/"), country, topic)
        body = _BYTES[(country, topic)] = page.content
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/<slug:country>/<slug:topic>/", bare), *production]
