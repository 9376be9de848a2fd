"""What django-reversion records: one revision of an edition holds its whole content, as one
Version in the "edition" format (reports.editions.snapshot)."""

import json

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router
from django.utils import timezone
from reversion.models import Revision, Version

from sources.models import Citation, Footnote

from ..models import (
    Chapter,
    Country,
    Edition,
    Figure,
    OverviewFact,
    Profile,
    Report,
    Section,
    Topic,
    TreatyStatus,
)
from . import snapshot

# Rows an edition's own Version holds: written with it, they need no Version of their own.
CONTENT = (OverviewFact, Section, Footnote, Citation)

reversion.register(Country)
reversion.register(Topic)
reversion.register(Report)
reversion.register(Profile)
reversion.register(TreatyStatus)
reversion.register(Edition, format=snapshot.FORMAT)
reversion.register(Section)
reversion.register(OverviewFact)
reversion.register(Figure)
reversion.register(Chapter)


def record_written_rows(rows, comment, user=None, *, whole_content=False):
    """Save `rows`, all written earlier in the current transaction, as one revision.

    reversion.create_revision() first re-selects every row it was given, one query per model,
    so that rows deleted inside the block are left out, then serializes the rows one by one.
    Rows inserted moments ago in the same transaction cannot have gone, and for the archive
    importer those steps were a third of the time spent on each file. The versions written
    here are the ones reversion would write (same tables, formats and fields), so history,
    diffs and revert read them like any other revision. Content rows are in their edition's
    Version; each is left out when written alongside its edition. With `whole_content`,
    the content rows given are the whole content of each edition given (an edition created
    with them, as the importer does), and its Version is made from them without reading them
    back.
    """
    unique = {}
    for row in rows:
        if not reversion.is_registered(type(row)):
            raise TypeError(f"{type(row).__name__} is not registered with django-reversion.")
        if not isinstance(row, CONTENT):
            unique.setdefault((type(row), row.pk), row)
    revision = Revision.objects.create(date_created=timezone.now(), user=user, comment=comment)
    plain = [row for (model, _), row in unique.items() if model is not Edition]
    serialized = dict(
        zip(
            [(type(row), row.pk) for row in plain],
            (
                ("json", json.dumps([data], cls=DjangoJSONEncoder))
                for data in serializers.get_serializer("python")().serialize(plain)
            ),
            strict=True,
        )
    )
    editions = [row for (model, _), row in unique.items() if model is Edition]
    if whole_content:
        contents = snapshot.content_from_rows(editions, rows)
        python = serializers.get_serializer("python")()
        for edition, data in zip(editions, python.serialize(editions), strict=True):
            data["content"] = contents[edition.pk]
            serialized[(Edition, edition.pk)] = (
                snapshot.FORMAT,
                json.dumps([data], cls=DjangoJSONEncoder),
            )
    else:
        for edition in editions:
            serialized[(Edition, edition.pk)] = (
                snapshot.FORMAT,
                serializers.serialize(snapshot.FORMAT, [edition]),
            )
    Version.objects.bulk_create(
        Version(
            revision=revision,
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(pk),
            db=router.db_for_write(model),
            format=serialized[(model, pk)][0],
            serialized_data=serialized[(model, pk)][1],
            object_repr=str(row),
        )
        for (model, pk), row in unique.items()
    )
    return revision
