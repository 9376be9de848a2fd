"""Merging duplicate sources in the shared bibliography."""

import reversion
from django.db import transaction
from django.urls import reverse

from reports.editions.freeze import lifecycle
from reports.editions.records import (
    ChangePublicRecord,
    RecordChangeRefused,
    is_public,
    may_change_public_records,
    record_change,
)
from reports.models import MovedPath

from .models import Citation, Source, SourceAlias

FILLABLE_FIELDS = ["author", "date", "reference_number", "url", "report"]


class MergeRefused(Exception):
    pass


def merge_sources(keep, duplicates, actor=None):
    """Move every citation of `duplicates` to `keep` and delete the duplicates.

    One transaction; the merge revision holds the kept source and the moved citations, and the
    revision just before it the duplicates as they were, so nothing is lost from history. Fields
    empty on the kept source are filled from the duplicates; their identities become aliases.

    Merging sources that published notes cite changes published pages: it needs the permission
    to change records shown on them (reports.editions.records), it is recorded as a change of
    each of those sources, and the page of a merged-away source redirects to the kept one.
    """
    duplicates = [source for source in duplicates if source.pk != keep.pk]
    if not duplicates:
        raise MergeRefused("Choose at least two different sources to merge.")
    public = [source for source in (keep, *duplicates) if is_public(source)]
    if public and not may_change_public_records(actor):
        raise MergeRefused(
            f"These sources are shown on published pages ({len(public)} of "
            f"{len(duplicates) + 1}): merging them is for editors and publishers (permission "
            "“Can change records shown on published pages”)."
        )
    summary = f"“{keep}”: " + "; ".join(str(source) for source in duplicates)
    comment = f"Merged {len(duplicates)} source(s) into {summary}"
    # Merging points frozen editions' citations at the source kept: a lifecycle step.
    with transaction.atomic(), lifecycle():
        # django-reversion keeps versions only of objects that still exist when a revision is
        # saved, so the duplicates are recorded as they were in a revision of their own first.
        with reversion.create_revision():
            reversion.set_comment(f"Before merging {len(duplicates)} source(s) into {summary}")
            if actor is not None:
                reversion.set_user(actor)
            for source in duplicates:
                reversion.add_to_revision(source)
        with reversion.create_revision():
            reversion.set_comment(comment)
            if actor is not None:
                reversion.set_user(actor)
            locked = Source.objects.select_for_update().get(pk=keep.pk)
            try:
                moved = _merge(locked, duplicates, ChangePublicRecord(locked, actor, comment))
            except RecordChangeRefused as refused:
                raise MergeRefused(str(refused)) from refused
            for source in public:
                if source.pk != keep.pk:
                    record_change(
                        source, actor, {"merged into": {"old": str(source), "new": str(locked)}}
                    )
                    MovedPath.objects.move(
                        reverse("public:source", args=[source.pk]),
                        reverse("public:source", args=[keep.pk]),
                    )
    return locked, moved


def _merge(keep, duplicates, change):
    for source in duplicates:
        for name in FILLABLE_FIELDS:
            if not getattr(keep, name) and getattr(source, name):
                setattr(keep, name, getattr(source, name))
    moved = list(Citation.objects.filter(source__in=duplicates).values_list("pk", flat=True))
    # Only the source changes: the one change the freeze lets a frozen edition's citation take.
    Citation.objects.filter(pk__in=moved).update(source=keep)
    SourceAlias.objects.filter(source__in=duplicates).update(source=keep)
    SourceAlias.objects.bulk_create(
        SourceAlias(identity_key=source.identity_key, source=keep)
        for source in duplicates
        if source.identity_key
    )
    for citation in Citation.objects.filter(pk__in=moved):
        reversion.add_to_revision(citation)
    Source.objects.filter(pk__in=[source.pk for source in duplicates]).delete()
    change.execute()
    return len(moved)
