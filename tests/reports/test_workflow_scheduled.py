"""Scheduled publishing through `manage.py publish_scheduled`, safe to run again and again."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports.editions import workflow
from reports.editions.freeze import lifecycle
from reports.models import Edition
from tests.builders import make_edition

pytestmark = pytest.mark.django_db

S = Edition.State


def run_command():
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()


def test_due_editions_go_live_once_and_the_second_run_does_nothing(
    publisher, researcher, django_capture_on_commit_callbacks
):
    old = make_edition(state=S.PUBLISHED)
    due = make_edition(profile=old.profile, state=S.APPROVED, created_by=researcher)
    workflow.schedule(due, publisher, timezone.now() + datetime.timedelta(minutes=10))
    later = make_edition(state=S.APPROVED)
    workflow.schedule(later, publisher, timezone.now() + datetime.timedelta(days=1))
    with lifecycle():  # time passes
        Edition.objects.filter(pk=due.pk).update(publish_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        first = run_command()
    second = run_command()

    assert f"edition #{due.pk}" in first
    assert second == ""
    due.refresh_from_db()
    old.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, old.state, later.state) == (S.PUBLISHED, S.SUPERSEDED, S.APPROVED)
    assert due.publish_at is None
    event = due.events.get(action="publish")
    assert event.actor is None
    assert event.comment == f"Published as scheduled by {publisher}"
    assert due.events.filter(action="publish").count() == 1
    assert [m.to for m in mail.outbox] == [[researcher.email]]


def test_overdue_schedules_show_on_the_dashboard(client, publisher):
    edition = make_edition(state=S.APPROVED)
    workflow.schedule(edition, publisher, timezone.now() + datetime.timedelta(minutes=1))
    with lifecycle():  # time passes
        Edition.objects.filter(pk=edition.pk).update(
            publish_at=timezone.now() - datetime.timedelta(hours=1)
        )
    assert list(Edition.objects.overdue()) == [edition]
    client.force_login(publisher)
    response = client.get(reverse("admin:reports_edition_dashboard"))
    assert "should be live by now" in response.text
    assert "overdue" in response.text
