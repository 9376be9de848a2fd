"""Concurrency on PostgreSQL: two people (or two cron runs) publishing at the same moment."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from monitor.roles import PUBLISHER
from reports.editions import workflow
from reports.editions.freeze import lifecycle
from reports.models import Edition, EditionEvent
from tests.builders import make_edition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = Edition.State


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across two connections)")


def at_once(*jobs):
    """Run each job in its own thread and connection, released together."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", job())
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_publishers_publishing_the_same_profile_at_once(publisher, make_user):
    second = make_user("publisher2", PUBLISHER)
    old = make_edition(state=S.PUBLISHED)
    new = make_edition(profile=old.profile, state=S.APPROVED)

    results = at_once(
        lambda: workflow.publish(Edition.objects.get(pk=new.pk), publisher),
        lambda: workflow.publish(Edition.objects.get(pk=new.pk), second),
    )

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, workflow.WorkflowError)
    assert "cannot publish an edition that is published" in str(error)
    # The invariants hold: one current edition, the old one superseded, one publication.
    assert list(Edition.objects.filter(profile=old.profile, state=S.PUBLISHED)) == [new]
    assert Edition.objects.get(pk=old.pk).state == S.SUPERSEDED
    assert EditionEvent.objects.filter(edition=new, action="publish").count() == 1


def test_two_cron_runs_at_once_publish_each_edition_once(publisher):
    editions = [make_edition(state=S.APPROVED) for _ in range(6)]
    for edition in editions:
        workflow.schedule(edition, publisher, timezone.now() + datetime.timedelta(minutes=1))
    with lifecycle():  # time passes
        Edition.objects.update(publish_at=timezone.now() - datetime.timedelta(seconds=1))

    results = at_once(workflow.publish_due, workflow.publish_due)

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    published = [e.pk for _, run in results for e in run]
    assert sorted(published) == sorted(e.pk for e in editions)
    assert Edition.objects.filter(state=S.PUBLISHED).count() == 6
    assert EditionEvent.objects.filter(action="publish").count() == 6


def test_a_step_locks_only_its_own_profile_and_edition_not_the_country_or_topic():
    """Two editors' steps on two profiles of one topic (or one country) never wait on each
    other: lock() takes the profile's and the edition's rows, not the rows they join."""
    from reports.editions.actions import lock

    edition = make_edition()
    profile = edition.profile
    with lifecycle():
        lock(edition)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
                for table, pk in (
                    ("reports_topic", profile.topic_id),
                    ("reports_country", profile.country_id),
                ):
                    cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])
                    assert cursor.fetchone() == (pk,)
                cursor.execute(
                    "SELECT id FROM reports_profile WHERE id = %s FOR UPDATE SKIP LOCKED",
                    [profile.pk],
                )
                assert cursor.fetchone() is None, "the profile itself stays locked"
        finally:
            other.close()
