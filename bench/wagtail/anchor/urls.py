from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views

urlpatterns = [
    # The same pages behind Django's per-view cache: the "Wagtail with a page cache" anchor.
    re_path(r"^cached/(?P<path>[\w\-/]*)$", cache_page(3600)(wagtail_views.serve)),
    path("", include(wagtail_urls)),
]
