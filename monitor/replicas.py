"""Public reads from read replicas (DATABASE_REPLICA_URLS), everything else from the primary.

Only what anonymous readers ask for is read from a replica: GET and HEAD requests without a
session cookie outside the admin and the staff preview (``PublicReads``). Staff, who have just
changed something and must see it, every write, the admin, commands and the publication clock
(``reports.public.pagecache`` reads it with raw SQL on the primary's connection) stay on the
primary.

A replica lags behind the primary. A page is cached under the clock's tick it was rendered at,
so a page rendered from a replica that has not yet replayed a publish or a withdraw would be
kept as current. So a request's first public read asks the replica's clock first: a replica
whose tick is behind the tick the page cache works with is not used for that request, which
reads from the primary instead (so does a replica that does not answer).
"""

import random
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections
from django.urls import reverse

_UNDECIDED = object()
# For the current request: None (primary), or {"alias": _UNDECIDED | alias}.
_public = ContextVar("public_reads", default=None)
# Read from the primary whatever the request: what must be fresh, what only staff use.
PRIMARY_APPS = {"auth", "sessions", "admin", "axes", "reversion"}
PRIMARY_MODELS = {"reports.publicationclock", "reports.publicationscope"}


class PublicReads:
    """Marks anonymous reads of the public site as ones a replica may answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        token = _public.set({"alias": _UNDECIDED})
        try:
            return self.get_response(request)
        finally:
            _public.reset(token)

    @staticmethod
    def applies(request):
        return (
            settings.DATABASE_REPLICAS
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith((reverse("admin:index"), "/preview/"))
        )


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _public.get()
        if state is None or _primary_only(model):
            return "default"
        if state["alias"] is _UNDECIDED:
            state["alias"] = _fresh_replica()
        return state["alias"]

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # replicas replay the primary's migrations


def _primary_only(model):
    return model._meta.app_label in PRIMARY_APPS or model._meta.label_lower in PRIMARY_MODELS


def _fresh_replica():
    """A replica that has replayed at least the clock tick pages are cached at, or the primary."""
    from reports.public import pagecache

    alias = random.choice(settings.DATABASE_REPLICAS)
    tick = replica_tick(alias)
    return alias if tick is not None and tick >= pagecache.known_tick() else "default"


def replica_tick(alias):
    """The publication clock as the replica has replayed it; None if it does not answer."""
    from reports.models import PublicationClock
    from reports.public import pagecache

    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                f"SELECT tick FROM {PublicationClock._meta.db_table} "
                f"WHERE id = {int(pagecache.CLOCK_ID)}"
            )
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return row[0] if row else 0
