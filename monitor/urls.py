from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from reports.public.preview import edition_preview

urlpatterns = [
    path("admin/", admin.site.urls),
    path("preview/<int:edition_id>/", edition_preview, name="edition_preview"),
    path("", include("reports.public.urls")),
    # Development only (empty unless DEBUG): in production the web server serves MEDIA_ROOT.
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

handler500 = "reports.public.views.server_error"
