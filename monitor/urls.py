from django.contrib import admin
from django.urls import include, path

from reports.api.views import urlpatterns as api_urls
from reports.public.preview import edition_preview

urlpatterns = [
    path("admin/", admin.site.urls),
    path("preview/<int:edition_id>/", edition_preview, name="edition_preview"),
    path("api/", api_urls()),
    path("", include("reports.public.urls")),
]
