"""Cache invalidation for what public pages show from outside the editions themselves.

Editions need no hook: a page's cache key is built from the state of the editions it shows
(see reports.pagecache). A changed or deleted country, topic, report, profile or source (a
rename, a source merge) replaces the cache generation, so no page shows the old name. Creating
one does not: nothing cached can show a row that did not exist.
"""

from django.db.models.signals import post_delete, post_save

from sources.models import Source

from .models import Country, Profile, Report, Topic
from .pagecache import bump_generation

WATCHED = (Country, Topic, Report, Profile, Source)


def _changed(sender, created=False, **kwargs):
    if not created:
        bump_generation()


def _deleted(sender, **kwargs):
    bump_generation()


for model in WATCHED:
    post_save.connect(_changed, sender=model, dispatch_uid=f"public-cache-save-{model.__name__}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"public-cache-del-{model.__name__}")
