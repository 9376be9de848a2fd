from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from health_check.views import HealthCheckView

from reports.api.views import urlpatterns as api_urls
from reports.public.preview import edition_preview

urlpatterns = [
    path("admin/", admin.site.urls),
    path("preview/<int:edition_id>/", edition_preview, name="edition_preview"),
    # For the load balancer and monitoring: 200 when the database and the cache answer, 500
    # with the failing check named otherwise (JSON with Accept: application/json).
    path(
        "health/",
        HealthCheckView.as_view(
            checks=["health_check.checks.Database", "health_check.checks.Cache"]
        ),
        name="health",
    ),
    path("api/", api_urls()),
    path("", include("reports.public.urls")),
    # Development only (empty unless DEBUG): in production the web server serves MEDIA_ROOT.
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

handler500 = "monitor.errors.server_error"
