"""The edition queryset: each set of states by its one name, and the editorial lists."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import states

State = states.State
# How late a scheduled publication may be before the dashboard calls it overdue (cron runs
# every minute).
OVERDUE_GRACE = datetime.timedelta(minutes=5)


class EditionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=states.OPEN)

    def editable(self):
        return self.filter(state__in=states.EDITABLE)

    def public(self):
        """Each profile's current edition, the one the public site shows."""
        return self.filter(state__in=states.PUBLIC)

    def archived(self):
        return self.filter(state__in=states.ARCHIVED)

    def readable(self):
        """Everything the public site reads: current editions and the archive."""
        return self.filter(state__in=states.READABLE)

    def frozen(self):
        return self.filter(state__in=states.FROZEN)

    def due(self, now=None):
        """Approved editions whose scheduled publication time has come."""
        return self.filter(
            state=State.APPROVED, publish_at__isnull=False, publish_at__lte=now or timezone.now()
        )

    def overdue(self, now=None):
        """Scheduled editions still not live well after their time: the cron job stopped?"""
        return self.due((now or timezone.now()) - OVERDUE_GRACE)

    def awaiting_review_by(self, user):
        """Editions in review that `user` may review: not their own submission."""
        return self.filter(
            Q(state=State.IN_REVIEW) & (Q(submitted_by__isnull=True) | ~Q(submitted_by=user))
        )
