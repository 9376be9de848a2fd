from django.contrib import admin
from django.urls import include, path

from reports.public.preview import edition_preview

urlpatterns = [
    path("admin/", admin.site.urls),
    path("preview/<int:edition_id>/", edition_preview, name="edition_preview"),
    path("", include("reports.public.urls")),
]

handler500 = "reports.public.views.server_error"
