from django.contrib.admin.apps import AdminConfig


class MonitorAdminConfig(AdminConfig):
    default_site = "monitor.admin_site.MonitorAdminSite"
