from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and profiles"

    def ready(self):
        from .editions import (
            freeze,  # noqa: F401  (the database's refusals reach Python as FrozenEdition)
            records,  # noqa: F401  (changes to records public pages show are announced)
            revisions,  # noqa: F401  (registers models with django-reversion)
        )
        from .public import (
            clock,  # noqa: F401  (public page cache invalidation)
            folding,  # noqa: F401  (accents folded in SQLite's search fallback)
        )

        freeze.connect_delete_guard()
