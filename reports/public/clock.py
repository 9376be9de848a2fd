"""Move the publication clock whenever something a public page shows changes.

Receivers run inside the saving transaction, so the clock and the change commit together (see
reports.public.pagecache). Draft editions are not public: saving one leaves the clock alone, and so
does a workflow step between unpublished states (submit, approve, request changes, schedule),
which would otherwise invalidate every cached page on each editorial action.
"""

from django.db.models.signals import post_delete, post_save

from sources.models import Source

from ..models import Country, Edition, EditionEvent, Profile, Report, Topic
from .pagecache import advance_clock

SHOWN_ON_PUBLIC_PAGES = (Country, Topic, Report, Profile, Source)
PUBLIC_STATES = {Edition.State.PUBLISHED, Edition.State.SUPERSEDED, Edition.State.WITHDRAWN}


def _edition_saved(sender, instance, **kwargs):
    if instance.state in PUBLIC_STATES:
        advance_clock()


def _edition_event_recorded(sender, instance, **kwargs):
    # Withdrawing and superseding change the state with a queryset update, which sends no
    # post_save for the edition: their event is what moves the clock.
    if {instance.from_state, instance.to_state} & PUBLIC_STATES:
        advance_clock()


for model in SHOWN_ON_PUBLIC_PAGES:
    post_save.connect(advance_clock, sender=model, dispatch_uid=f"clock-save-{model.__name__}")
    post_delete.connect(advance_clock, sender=model, dispatch_uid=f"clock-del-{model.__name__}")
post_save.connect(_edition_saved, sender=Edition, dispatch_uid="clock-save-edition")
post_delete.connect(_edition_saved, sender=Edition, dispatch_uid="clock-del-edition")
post_save.connect(_edition_event_recorded, sender=EditionEvent, dispatch_uid="clock-edition-event")
