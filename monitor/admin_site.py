from django.contrib import admin
from django.urls import path, reverse


def import_archive_view(request):
    from reports.importer.admin_views import import_archive_view

    return import_archive_view(request)


def import_job_view(request, result_id):
    from reports.importer.admin_views import import_job_view

    return import_job_view(request, result_id)


class MonitorAdminSite(admin.AdminSite):
    """The Django admin plus the editorial pages that are not a model's change list."""

    site_header = "Monitor CMS"
    site_title = "Monitor CMS"
    index_title = "Editorial administration"

    def get_urls(self):
        return [
            path(
                "reports/import-archive/",
                self.admin_view(import_archive_view),
                name="reports_import_archive",
            ),
            path(
                "reports/import-archive/jobs/<uuid:result_id>/",
                self.admin_view(import_job_view),
                name="reports_import_job",
            ),
            *super().get_urls(),
        ]

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        if request.user.has_perm("reports.view_edition"):
            for app in app_list:
                if app["app_label"] == "reports":
                    app["models"].insert(
                        0,
                        {
                            "name": "Editorial dashboard",
                            "object_name": "EditorialDashboard",
                            "admin_url": reverse("admin:reports_edition_dashboard"),
                            "add_url": None,
                            "view_only": True,
                            "perms": {"view": True},
                        },
                    )
        if request.user.has_perm("reports.import_archive"):
            for app in app_list:
                if app["app_label"] == "reports":
                    app["models"].append(
                        {
                            "name": "Import archive",
                            "object_name": "ImportArchive",
                            "admin_url": reverse("admin:reports_import_archive"),
                            "add_url": None,
                            "view_only": False,
                            "perms": {"change": True},
                        }
                    )
        return app_list
