"""What django-reversion records: one revision of an edition holds its whole content."""

import json

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router
from django.utils import timezone
from reversion.models import Revision, Version

from ..models import Country, Edition, OverviewFact, Profile, Report, Section, Topic, TreatyStatus

reversion.register(Country)
reversion.register(Topic)
reversion.register(Report)
reversion.register(Profile)
reversion.register(TreatyStatus)
reversion.register(Edition, follow=("sections", "overview_facts", "footnotes"))
reversion.register(Section)
reversion.register(OverviewFact)


def record_written_rows(rows, comment, user=None):
    """Save `rows`, all written earlier in the current transaction, as one revision.

    reversion.create_revision() first re-selects every row it was given, one query per model,
    so that rows deleted inside the block are left out, then serializes the rows one by one.
    Rows inserted moments ago in the same transaction cannot have gone, and for the archive
    importer those steps were a third of the time spent on each file. The versions written
    here are the ones reversion would write (same tables, JSON format and fields: every model
    above is registered with the default options), so history, diffs and revert read them
    like any other revision.
    """
    unique = {}
    for row in rows:
        if not reversion.is_registered(type(row)):
            raise TypeError(f"{type(row).__name__} is not registered with django-reversion.")
        unique.setdefault((type(row), row.pk), row)
    revision = Revision.objects.create(date_created=timezone.now(), user=user, comment=comment)
    serialized = serializers.get_serializer("python")().serialize(unique.values())
    Version.objects.bulk_create(
        Version(
            revision=revision,
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(pk),
            db=router.db_for_write(model),
            format="json",
            serialized_data=json.dumps([data], cls=DjangoJSONEncoder),
            object_repr=str(row),
        )
        for ((model, pk), row), data in zip(unique.items(), serialized, strict=True)
    )
    return revision
