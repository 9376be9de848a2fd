from django.contrib.admin.apps import AdminConfig


class MonitorAdminConfig(AdminConfig):
    default_site = "monitor.admin_site.MonitorAdminSite"

    def ready(self):
        super().ready()
        from django.contrib.auth.signals import user_logged_in

        from .security import mark_seen

        user_logged_in.connect(mark_seen, dispatch_uid="monitor.security.mark_seen")
