"""The soft lock of an edition's edit page: who else has it open, and since when.

The first change typed on the edit page of an editable edition takes the lock when nobody
else holds it (or their hold lapsed: settings.EDITING_LOCK_TIMEOUT without renewal), and the
open page renews it (a small script, static admin-editorial/editing-lock.js); saving releases
it. Someone else opening the page meanwhile is told who is editing and since when; a
publisher may take the lock over. It never refuses a save: two saves from the same version
are still caught by the edition form's version check, the safety net (and without
JavaScript, the only one).
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import EditingLock

BREAK_PERMISSION = "reports.publish_edition"


def _lapsed(lock, now):
    timeout = datetime.timedelta(seconds=settings.EDITING_LOCK_TIMEOUT)
    return lock.renewed_at < now - timeout


def holder(edition, user=None, now=None):
    """The live lock of someone other than `user`, or None."""
    now = now or timezone.now()
    lock = EditingLock.objects.filter(edition=edition).select_related("user").first()
    if lock is None or _lapsed(lock, now) or (user is not None and lock.user_id == user.pk):
        return None
    return lock


def acquire(edition, user, *, take_over=False, now=None):
    """Hold (or keep holding) the lock; returns (lock, None), or (None, the other's lock)
    when someone else holds it and `take_over` is not given."""
    now = now or timezone.now()
    with transaction.atomic():
        lock = EditingLock.objects.select_for_update().filter(edition=edition).first()
        if lock is None:
            try:
                with transaction.atomic():
                    lock = EditingLock.objects.create(
                        edition=edition, user=user, since=now, renewed_at=now
                    )
            except IntegrityError:  # opened at the same moment by someone else
                return None, holder(edition, user, now)
            return lock, None
        if lock.user_id == user.pk:
            lock.renewed_at = now
            lock.save(update_fields=["renewed_at"])
            return lock, None
        if not take_over and not _lapsed(lock, now):
            return None, lock
        lock.user, lock.since, lock.renewed_at = user, now, now
        lock.save(update_fields=["user", "since", "renewed_at"])
        return lock, None


def release(edition, user):
    EditingLock.objects.filter(edition=edition, user=user).delete()


def may_break(user):
    return user.is_active and user.has_perm(BREAK_PERMISSION)
