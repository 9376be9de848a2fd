"""Releasing a yearly report: every approved edition published at once, or none."""

import datetime
import threading
import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from reports.editions import workflow
from reports.editions.freeze import lifecycle
from reports.editions.release import Release
from reports.editions.signals import public_changed, transitioned
from reports.models import Edition, EditionEvent, Report, Section
from reports.public import pagecache
from tests.builders import make_edition, make_profile, make_report

pytestmark = pytest.mark.django_db

S = Edition.State


def approved_update(report, count, *, with_previous=True):
    """`count` profiles, each with an approved edition of `report` (and a published one)."""
    editions = []
    for _ in range(count):
        profile = make_profile()
        if with_previous:
            make_edition(profile, state=S.PUBLISHED)
        editions.append(make_edition(profile, state=S.APPROVED, report=report))
    return editions


def test_a_release_publishes_every_approved_edition_and_supersedes_the_current_ones(publisher):
    report = make_report(year=2024)
    editions = approved_update(report, 3)
    previous = {e.profile_id: e.profile.editions.get(state=S.PUBLISHED) for e in editions}
    new_profile = make_edition(state=S.APPROVED, report=report)  # a profile's first edition

    released = workflow.release_report(report, publisher)

    assert sorted(e.pk for e in released) == sorted(e.pk for e in [*editions, new_profile])
    for edition in [*editions, new_profile]:
        edition.refresh_from_db()
        assert edition.state == S.PUBLISHED and edition.published_at is not None
        event = edition.events.get(action="publish")
        assert (event.from_state, event.to_state, event.actor) == (
            S.APPROVED,
            S.PUBLISHED,
            publisher,
        )
        assert event.comment == f"Published: Release of {report}"
    for profile_id, old in previous.items():
        old.refresh_from_db()
        assert old.state == S.SUPERSEDED
        new = next(e for e in editions if e.profile_id == profile_id)
        event = old.events.get(action="supersede")
        assert (event.from_state, event.to_state) == (S.PUBLISHED, S.SUPERSEDED)
        assert event.comment == f"Superseded by #{new.pk}"
    report.refresh_from_db()
    assert report.state == Report.State.RELEASED and report.release_date is not None


def test_a_release_leaves_editions_of_other_states_and_other_reports_alone(researcher, publisher):
    report, other = make_report(year=2024), make_report(year=2023)
    released = approved_update(report, 1)[0]
    draft = make_edition(state=S.DRAFT, report=report)
    in_review = make_edition(state=S.IN_REVIEW, report=report)
    elsewhere = make_edition(state=S.APPROVED, report=other)

    workflow.release_report(report, publisher)

    assert Edition.objects.get(pk=released.pk).state == S.PUBLISHED
    assert Edition.objects.get(pk=draft.pk).state == S.DRAFT
    assert Edition.objects.get(pk=in_review.pk).state == S.IN_REVIEW
    assert Edition.objects.get(pk=elsewhere.pk).state == S.APPROVED


def test_publishing_dates_an_undated_edition_and_keeps_a_given_date(publisher):
    report = make_report(year=2024)
    undated = make_edition(state=S.APPROVED, report=report)
    dated = make_edition(
        state=S.APPROVED,
        report=report,
        last_updated=datetime.date(2004, 1, 1),
        last_updated_precision=Edition.Precision.YEAR,
    )

    workflow.release_report(report, publisher)

    undated.refresh_from_db()
    dated.refresh_from_db()
    assert undated.last_updated == undated.published_at.date()
    assert undated.last_updated_precision == Edition.Precision.DAY
    assert (dated.last_updated, dated.last_updated_precision) == (datetime.date(2004, 1, 1), "year")
    assert undated.version == dated.version == 2


def test_one_edition_changed_since_approval_releases_nothing_and_is_named(publisher):
    report = make_report(year=2024)
    editions = approved_update(report, 3)
    changed = editions[1]
    with lifecycle():  # behind every guard: only the fingerprint can notice
        Section.objects.filter(edition=changed).update(body="Text nobody approved.")
    tick = pagecache.current_tick()

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.release_report(report, publisher)

    message = str(refused.value)
    assert message.startswith("Nothing was released: the content of 1 edition is not what")
    assert f"{changed.profile} (#{changed.pk})" in message
    assert all(f"#{e.pk})" not in message for e in editions if e != changed)
    assert {e.state for e in Edition.objects.filter(report=report)} == {S.APPROVED}
    assert Edition.objects.filter(state=S.PUBLISHED).count() == 3  # the previous ones
    assert not EditionEvent.objects.filter(action__in=("publish", "supersede")).exists()
    assert Report.objects.get(pk=report.pk).state != Report.State.RELEASED
    assert pagecache.current_tick() == tick


def test_a_refusal_names_at_most_twenty_editions_and_counts_the_rest(publisher):
    report = make_report(year=2024)
    editions = approved_update(report, 22, with_previous=False)
    with lifecycle():
        Section.objects.filter(edition__in=editions).update(body="Changed.")

    with pytest.raises(workflow.WorkflowError, match="of 22 editions") as refused:
        workflow.release_report(report, publisher)

    assert str(refused.value).count("(#") == 20 and "and 2 more" in str(refused.value)


def test_only_publishers_release(editor):
    report = make_report(year=2024)
    approved_update(report, 1)
    with pytest.raises(workflow.WorkflowError, match="not allow"):
        Release(report, editor).execute()
    assert Edition.objects.filter(report=report, state=S.APPROVED).count() == 1


def test_a_report_without_approved_editions_is_refused(publisher):
    report = make_report(year=2024)
    make_edition(state=S.IN_REVIEW, report=report)
    with pytest.raises(workflow.WorkflowError, match="no approved edition to release"):
        workflow.release_report(report, publisher)


def test_the_site_hears_of_the_release_once_with_every_edition_and_profile(publisher):
    report = make_report(year=2024)
    editions = approved_update(report, 3)
    heard = []

    def listener(**kwargs):
        heard.append((set(kwargs["editions"]), set(kwargs["profiles"])))

    public_changed.connect(listener)
    try:
        workflow.release_report(report, publisher)
    finally:
        public_changed.disconnect(listener)

    assert heard == [({e.pk for e in editions}, {e.profile_id for e in editions})]


def test_a_release_takes_a_fixed_number_of_queries_whatever_its_size(publisher):
    def queries(count):
        report = make_report()
        approved_update(report, count)
        with CaptureQueriesContext(connection) as captured:
            workflow.release_report(report, publisher)
        return len(captured)

    queries(1)  # the actor's permissions and content types, read once
    assert queries(2) == queries(7)


@pytest.mark.django_db(transaction=True)
def test_editors_keep_working_on_other_profiles_while_a_release_runs(researcher, editor, publisher):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks seen from a second connection")
    report = make_report(year=2024)
    first = approved_update(report, 3)[0].profile
    # Other profiles of the same country and of the same topic as one in the release: a draft
    # of the same yearly update, and an edition to publish alone.
    draft = make_edition(make_profile(country=first.country), state=S.DRAFT, report=report)
    ready = make_edition(make_profile(topic=first.topic), state=S.APPROVED)
    inside, finished = threading.Event(), threading.Event()
    waits = {}

    def editors():
        """A second connection, while the release holds its locks; a lock it waits for longer
        than lock_timeout is an error."""
        try:
            assert inside.wait(timeout=60)
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            started = time.monotonic()
            workflow.submit(Edition.objects.get(pk=draft.pk), researcher)
            waits["submit"] = time.monotonic() - started
            started = time.monotonic()
            workflow.publish(Edition.objects.get(pk=ready.pk), publisher)
            waits["publish"] = time.monotonic() - started
        except Exception as exc:  # noqa: BLE001 - reported to the test
            waits["error"] = exc
        finally:
            connections.close_all()
            finished.set()

    def pause_inside_the_release(sender, action, edition, **kwargs):
        if action == "publish" and edition.report_id == report.pk and not inside.is_set():
            inside.set()
            finished.wait(timeout=60)

    thread = threading.Thread(target=editors)
    thread.start()
    transitioned.connect(pause_inside_the_release)
    try:
        released = workflow.release_report(report, publisher)
    finally:
        transitioned.disconnect(pause_inside_the_release)
        inside.set()
        thread.join(timeout=60)

    assert "error" not in waits, waits
    assert waits["submit"] < 2 and waits["publish"] < 2, waits
    assert Edition.objects.get(pk=draft.pk).state == S.IN_REVIEW
    assert Edition.objects.get(pk=ready.pk).state == S.PUBLISHED
    assert {e.state for e in Edition.objects.filter(pk__in=[e.pk for e in released])} == {
        S.PUBLISHED
    }
