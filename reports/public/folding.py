"""Text folded for matching, accents and case aside ("Côte" → "cote"), in the database too.

On SQLite (the first run's search fallback) each connection gets a ``monitor_fold`` function
and text fields a ``folded`` transform that calls it: ``body__folded__contains="cote"``.
PostgreSQL folds in its text search configuration instead (migration reports.0011).
"""

import unicodedata

from django.db import models
from django.db.backends.signals import connection_created

FUNCTION = "monitor_fold"


def fold(text):
    """Lower case without accents, one character for one: positions in the folded text are
    those of the original."""
    return "".join(unicodedata.normalize("NFKD", char)[0].lower()[0] for char in text)


class Folded(models.Transform):
    lookup_name = "folded"
    function = FUNCTION
    output_field = models.TextField()


def register_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            FUNCTION, 1, lambda text: None if text is None else fold(text), deterministic=True
        )


models.CharField.register_lookup(Folded)
models.TextField.register_lookup(Folded)
connection_created.connect(register_function, dispatch_uid="monitor-fold")
