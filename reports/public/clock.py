"""Move the publication clock whenever something a public page shows changes.

Editions: the lifecycle API announces, with its ``public_changed`` signal, every transaction
that changes what the public site shows (a publish, a withdraw, an import into the archive),
as the last statement of that transaction; nothing else can change a published edition (see
reports.editions.freeze). Records that published pages show (countries, topics, reports,
profiles, sources) move it when they are saved or deleted. The clock then commits together
with the change (see reports.public.pagecache).
"""

from django.db.models.signals import post_delete, post_save

from sources.models import Source

from ..editions.signals import public_changed
from ..models import Country, Profile, Report, Topic
from .pagecache import advance_clock

SHOWN_ON_PUBLIC_PAGES = (Country, Topic, Report, Profile, Source)

public_changed.connect(advance_clock, dispatch_uid="clock-lifecycle")
for model in SHOWN_ON_PUBLIC_PAGES:
    post_save.connect(advance_clock, sender=model, dispatch_uid=f"clock-save-{model.__name__}")
    post_delete.connect(advance_clock, sender=model, dispatch_uid=f"clock-del-{model.__name__}")
