from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources and citations"

    def ready(self):
        from . import revisions  # noqa: F401  (registers models with django-reversion)
