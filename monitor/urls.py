from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Monitor CMS"
admin.site.site_title = "Monitor CMS"
admin.site.index_title = "Editorial administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
]
