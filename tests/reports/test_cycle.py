"""The yearly cycle: start a report's drafts, track them, confirm and release, release again."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.editions import cycle, workflow
from reports.editions.signals import transitioned
from reports.models import Edition, EditionEvent, Report
from reports.public import pagecache
from tests.builders import (
    make_country,
    make_edition,
    make_figure,
    make_profile,
    make_report,
    make_source,
    make_topic,
)
from tests.reports.test_workflow_admin import messages_of

pytestmark = pytest.mark.django_db

S = Edition.State
RELEASE = "admin:reports_report_release"


def update_in_every_state(report):
    """A report's update with editions in every open state, each of a profile with a published
    edition; returns {state: edition}."""
    editions = {}
    for state in (S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED):
        profile = make_profile()
        make_edition(profile, state=S.PUBLISHED)
        editions[state] = make_edition(profile, state=state, report=report)
    scheduled = make_profile()
    make_edition(scheduled, state=S.PUBLISHED)
    editions["scheduled"] = make_edition(
        scheduled,
        state=S.APPROVED,
        report=report,
        publish_at=timezone.now() + datetime.timedelta(days=2),
    )
    return editions


# --- the confirmation page and the report's state --------------------------------------------


def test_release_shows_what_will_and_will_not_be_published_before_doing_anything(client, publisher):
    report = make_report(year=2025)
    editions = update_in_every_state(report)
    client.force_login(publisher)

    page = client.get(reverse(RELEASE, args=[report.pk]))

    assert page.status_code == 200
    plan = page.context["plan"]
    assert {e.pk for e in plan.publish} == {editions[S.APPROVED].pk, editions["scheduled"].pk}
    assert [e.pk for e in plan.scheduled] == [editions["scheduled"].pk]
    assert [(label, count) for label, _, count, _ in plan.unpublished] == [
        ("Draft", 1),
        ("In review", 1),
        ("Changes requested", 1),
    ]
    text = page.text
    assert "Will be published: 2 approved editions" in text
    assert "Not approved, will stay unpublished: 3" in text
    for state in (S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED):
        link = f"?report__id__exact={report.pk}&amp;state__exact={state}"
        assert link in text
        assert reverse("admin:reports_edition_change", args=[editions[state].pk]) in text
        # the link lists those editions
        listing = client.get(
            reverse("admin:reports_edition_changelist")
            + f"?report__id__exact={report.pk}&state__exact={state}"
        )
        assert [e.pk for e in listing.context["cl"].result_list] == [editions[state].pk]
    assert "1</strong> of them is scheduled" in text
    # Nothing happened yet.
    assert Edition.objects.filter(report=report, state=S.APPROVED).count() == 2
    assert Report.objects.get(pk=report.pk).state == Report.State.PLANNED


def test_confirming_publishes_every_approved_edition_and_says_what_stays_open(client, publisher):
    report = make_report(year=2025)
    editions = update_in_every_state(report)
    client.force_login(publisher)

    done = client.post(reverse(RELEASE, args=[report.pk]), {"when": "now"}, follow=True)

    (message,) = messages_of(done)
    assert message == (
        f"{report}: 2 edition(s) published. 3 edition(s) of the report are not approved and "
        "stay unpublished (draft: 1, in review: 1, changes requested: 1); release again once "
        "they are approved."
    )
    assert Edition.objects.get(pk=editions[S.APPROVED].pk).state == S.PUBLISHED
    assert Edition.objects.get(pk=editions["scheduled"].pk).state == S.PUBLISHED
    assert Edition.objects.get(pk=editions[S.DRAFT].pk).state == S.DRAFT
    # The report's state tells the truth, on its page and in the list.
    report.refresh_from_db()
    assert report.state_summary == "Released, 3 editions still open"
    assert "Released, 3 editions still open" in done.text  # the report's own page
    listing = client.get(reverse("admin:reports_report_changelist"))
    assert "Released, 3 editions still open" in listing.text


def test_a_later_release_publishes_the_rest(client, researcher, editor, publisher):
    report = make_report(year=2025)
    editions = update_in_every_state(report)
    workflow.release_report(report, publisher)
    late = editions[S.IN_REVIEW]
    workflow.approve(late, editor)

    released = workflow.release_report(Report.objects.get(pk=report.pk), publisher)

    assert [e.pk for e in released] == [late.pk]
    assert Edition.objects.get(pk=late.pk).state == S.PUBLISHED
    report = Report.objects.with_open_count().get(pk=report.pk)
    assert report.state_summary == "Released, 2 editions still open"


def test_the_scheduled_release_time_is_offered_and_used(client, publisher):
    at = timezone.now() + datetime.timedelta(days=5)
    report = make_report(year=2025, scheduled_release_at=at)
    approved = make_edition(state=S.APPROVED, report=report)
    client.force_login(publisher)

    page = client.get(reverse(RELEASE, args=[report.pk]))
    assert "Schedule them for" in page.text
    client.post(reverse(RELEASE, args=[report.pk]), {"when": "scheduled"})

    approved.refresh_from_db()
    assert (approved.state, approved.publish_at) == (S.APPROVED, at)


def test_the_release_action_leads_to_the_confirmation_of_one_report(client, publisher):
    first, second = make_report(year=2025), make_report(year=2026)
    make_edition(state=S.APPROVED, report=first)
    client.force_login(publisher)
    changelist = reverse("admin:reports_report_changelist")

    one = client.post(changelist, {"action": "release", "_selected_action": [first.pk]})
    both = client.post(
        changelist, {"action": "release", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    assert one["Location"] == reverse(RELEASE, args=[first.pk])
    assert "Choose one report to release." in messages_of(both)
    assert not Edition.objects.filter(state=S.PUBLISHED).exists()


@pytest.mark.parametrize("role", ["researcher", "editor"])
def test_only_publishers_see_or_post_the_release_page(client, request, role):
    report = make_report(year=2025)
    make_edition(state=S.APPROVED, report=report)
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(RELEASE, args=[report.pk])).status_code == 403
    assert client.post(reverse(RELEASE, args=[report.pk]), {"when": "now"}).status_code == 403
    assert Edition.objects.get(report=report).state == S.APPROVED


def test_the_confirmation_page_takes_a_fixed_number_of_queries(client, publisher):
    def queries(count):
        report = make_report()
        for _ in range(count):
            update_in_every_state(report)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(RELEASE, args=[report.pk])).status_code == 200
        return len(captured)

    client.force_login(publisher)
    queries(1)
    assert queries(1) == queries(4)


# --- all or nothing ---------------------------------------------------------------------------


def test_a_failure_in_the_middle_of_a_release_leaves_everything_as_it_was(publisher):
    report = make_report(year=2025)
    editions = update_in_every_state(report)
    approved = [editions[S.APPROVED], editions["scheduled"]]
    before = {e.pk: (e.state, e.version, e.publish_at) for e in Edition.objects.all()}
    events = EditionEvent.objects.count()
    tick = pagecache.current_tick()
    seen = []

    def fail_on_the_second(sender, action, edition, **kwargs):
        seen.append(edition.pk)
        if len(seen) == 2:
            raise RuntimeError("the disk is full")

    transitioned.connect(fail_on_the_second)
    try:
        with pytest.raises(RuntimeError, match="disk is full"):
            workflow.release_report(report, publisher)
    finally:
        transitioned.disconnect(fail_on_the_second)

    assert len(seen) == 2  # the first edition had been published when it failed
    assert {e.pk: (e.state, e.version, e.publish_at) for e in Edition.objects.all()} == before
    assert EditionEvent.objects.count() == events
    assert Edition.objects.filter(pk__in=[e.pk for e in approved], state=S.APPROVED).count() == 2
    assert Report.objects.get(pk=report.pk).state == Report.State.PLANNED
    assert report.state == Report.State.PLANNED  # the caller's object too
    assert pagecache.current_tick() == tick


# --- starting the year's drafts ---------------------------------------------------------------


def test_start_drafts_only_for_topics_the_reports_series_publishes(researcher):
    report = make_report("Landmine Monitor", year=2025)
    mine_ban = make_topic("Mine Ban Policy", series="Landmine Monitor")
    cluster = make_topic("Cluster Munition Ban Policy", series="Cluster Munition Monitor")
    country = make_country("Andorra")
    ours, theirs = make_profile(country, mine_ban), make_profile(country, cluster)

    drafts, skipped = workflow.start_report_update(report, [ours, theirs], researcher)

    assert [d.profile for d in drafts] == [ours]
    assert skipped == {
        theirs: "Andorra — Cluster Munition Ban Policy is not part of Landmine Monitor Report "
        "2025: its topic is published by Cluster Munition Monitor, not by Landmine Monitor."
    }
    assert not theirs.editions.exists()
    assert list(cycle.eligible_profiles(report)) == [ours]


def test_a_new_draft_belongs_to_the_report_it_was_started_for_not_last_years(researcher):
    last_year, this_year = make_report(year=2024), make_report(year=2025)
    published = make_edition(state=S.PUBLISHED, report=last_year)

    (draft,), _ = workflow.start_report_update(this_year, [published.profile], researcher)
    assert draft.report == this_year

    workflow.submit(draft, researcher)  # a draft started alone is of no report yet
    other = make_edition(state=S.PUBLISHED, report=last_year)
    alone = workflow.start_draft(other.profile, researcher)
    assert Edition.objects.get(pk=alone.pk).report is None


def test_a_profile_with_an_open_edition_is_reported_and_skipped_never_duplicated(researcher):
    report = make_report(year=2025)
    busy = make_edition(state=S.IN_REVIEW).profile
    free = make_edition(state=S.PUBLISHED).profile

    drafts, skipped = workflow.start_report_update(report, [busy, free], researcher)
    again, skipped_again = workflow.start_report_update(report, [free], researcher)

    assert [d.profile for d in drafts] == [free] and again == []
    assert "already has an open edition (in review)" in skipped[busy]
    assert "already has an open edition (draft)" in skipped_again[free]
    assert busy.editions.open().count() == free.editions.open().count() == 1


def test_the_start_drafts_page_chooses_by_topic_region_or_list(client, researcher):
    report = make_report("Landmine Monitor", year=2025)
    policy = make_topic("Policy", series="Landmine Monitor")
    action = make_topic("Action", series="Landmine Monitor")
    cluster = make_topic("Cluster", series="Cluster Munition Monitor")
    europe, africa = (
        make_country("Andorra", region="Europe"),
        make_country("Angola", region="Africa"),
    )
    profiles = {
        (c.name, t.name): make_profile(c, t)
        for c in (europe, africa)
        for t in (policy, action, cluster)
    }
    busy = profiles[("Andorra", "Policy")]
    make_edition(busy, state=S.DRAFT)
    url = reverse("admin:reports_report_start_drafts", args=[report.pk])
    client.force_login(researcher)

    page = client.get(url)
    offered = set(page.context["form"].fields["profiles"].queryset)
    assert offered == {p for (_, topic), p in profiles.items() if topic != "Cluster"}
    assert [t.name for t in page.context["form"].fields["topics"].queryset] == ["Action", "Policy"]

    done = client.post(url, {"topics": [policy.pk]}, follow=True)
    assert set(
        Edition.objects.filter(report=report).values_list(
            "profile__country__name", "profile__topic__name"
        )
    ) == {("Angola", "Policy")}
    assert "Started 1 draft(s)." in messages_of(done)
    assert any("Andorra — Policy already has an open edition" in m for m in messages_of(done))

    client.post(url, {"regions": ["Europe"]})
    assert Edition.objects.filter(report=report, profile=profiles[("Andorra", "Action")]).exists()
    assert not Edition.objects.filter(
        report=report, profile__country=africa, profile__topic=action
    ).exists()

    client.post(url, {"profiles": [profiles[("Angola", "Action")].pk]})
    assert Edition.objects.filter(report=report).count() == 3
    refused = client.post(url, {})
    assert "Choose topics, regions or profiles to start." in refused.text
    cluster_profile = profiles[("Angola", "Cluster")]
    invalid = client.post(url, {"profiles": [cluster_profile.pk]})
    assert invalid.status_code == 200 and not cluster_profile.editions.exists()


# --- the dashboard ------------------------------------------------------------------------------


def test_the_dashboard_counts_by_topic_region_and_researcher_with_overdue(
    client, make_user, editor
):
    today = timezone.localdate()
    report = make_report(year=2025, target_date=today - datetime.timedelta(days=1))
    policy, action = make_topic("Policy"), make_topic("Action")
    europe, africa = (
        make_country("Andorra", region="Europe"),
        make_country("Angola", region="Africa"),
    )
    ana, ben = make_user("ana"), make_user("ben")
    p1, p2, p3 = (
        make_profile(europe, policy),
        make_profile(africa, policy),
        make_profile(africa, action),
    )
    make_edition(p1, state=S.DRAFT, report=report)
    make_edition(p2, state=S.APPROVED, report=report)
    make_edition(p3, state=S.PUBLISHED, report=report)
    unstarted = make_profile(europe, action)
    cycle.assign([p1, p2], report, ana, today + datetime.timedelta(days=10))
    cycle.assign([p3, unstarted], report, ben)  # due on the report's target date: passed

    board = cycle.report_dashboard(report, today)

    by_topic = {t.name: t.counts for t in board["by_topic"]}
    assert by_topic == {"Policy": {S.DRAFT: 1, S.APPROVED: 1}, "Action": {S.PUBLISHED: 1}}
    by_region = {t.name: (t.counts, t.overdue) for t in board["by_region"]}
    assert by_region == {
        "Europe": ({S.DRAFT: 1}, 1),
        "Africa": ({S.APPROVED: 1, S.PUBLISHED: 1}, 1),
    }
    by_researcher = {t.name: (t.counts, t.overdue) for t in board["by_researcher"]}
    assert by_researcher == {
        "ana": ({S.DRAFT: 1, S.APPROVED: 1}, 0),
        "ben": ({S.PUBLISHED: 1, cycle.NOT_STARTED: 1}, 1),
    }
    assert [a.profile for a in board["overdue_assignments"]] == [unstarted]
    assert board["totals"].overdue == 2

    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_dashboard", args=[report.pk]))
    assert page.status_code == 200
    assert "2 editions still open after the target date" in page.text
    topic_link = (
        f"?report__id__exact={report.pk}&amp;profile__topic__id__exact={policy.pk}"
        "&amp;state__exact=draft"
    )
    assert topic_link in page.text


def test_the_dashboard_takes_a_fixed_number_of_queries(client, make_user, editor):
    report = make_report(year=2025, target_date=timezone.localdate())
    client.force_login(editor)
    url = reverse("admin:reports_report_dashboard", args=[report.pk])

    def queries(count):
        researcher = make_user(f"r{Edition.objects.count()}")
        for state in [S.DRAFT, S.APPROVED, S.PUBLISHED] * count:
            profile = make_profile(make_country(region=f"R{count}"))
            make_edition(profile, state=state, report=report)
            cycle.assign([profile], report, researcher)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries(1)
    assert queries(1) == queries(5)


def test_profiles_are_assigned_from_the_profiles_list(client, make_user, editor):
    report = make_report(year=2025)
    ana = make_user("ana")
    profiles = [make_profile(), make_profile()]
    client.force_login(editor)
    client.post(
        reverse("admin:reports_profile_changelist"),
        {
            "action": "assign",
            "report": report.pk,
            "researcher": ana.pk,
            "due_on": "2025-06-30",
            "_selected_action": [p.pk for p in profiles],
        },
    )
    assignments = report.assignments.order_by("profile_id")
    assert [(a.profile, a.researcher, a.due_on) for a in assignments] == [
        (p, ana, datetime.date(2025, 6, 30)) for p in profiles
    ]


def test_a_years_drafts_are_what_starting_each_alone_makes_in_a_fixed_number_of_queries(
    researcher,
):
    from reports.editions import snapshot

    report = make_report(year=2026)
    letter = make_source("Letter")
    current = make_edition(
        state=S.PUBLISHED,
        summary="Key developments",
        footnotes=[("One.", letter), ("Two.", letter, make_source())],
        sections=[("Policy", "Text.[1]"), ("Use", "More.[2]")],
        overview=[("Status", "State Party"), ("Signed", "1997")],
    )
    make_figure(current, caption="The mined areas in 2025.")
    new_profile = make_profile()

    (copy, empty), skipped = workflow.start_report_update(
        report, [current.profile, new_profile], researcher
    )

    assert skipped == {}
    assert snapshot.content_of(copy) == snapshot.content_of(current)
    for draft, based_on in [(copy, current), (empty, None)]:
        draft = Edition.objects.get(pk=draft.pk)
        assert (draft.state, draft.report, draft.based_on, draft.created_by) == (
            S.DRAFT,
            report,
            based_on,
            researcher,
        )
        assert draft.last_updated is None
        (version,) = workflow.edition_versions(draft)
        assert snapshot.content_of_version(version) == snapshot.content_of(draft)
        assert version.revision.user == researcher
        (event,) = draft.events.all()
        assert (event.action, event.to_state, event.revision_id) == (
            "start",
            S.DRAFT,
            version.revision_id,
        )
    assert copy.summary == "Key developments"
    assert copy.events.get().comment == "Started a draft from the edition of 18 December 2019"

    def queries(count):
        profiles = [make_edition(state=S.PUBLISHED).profile for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            drafts, _ = workflow.start_report_update(make_report(), profiles, researcher)
        assert len(drafts) == count
        return len(captured)

    assert queries(2) == queries(9)


def test_a_draft_of_the_years_update_reverts_to_its_start(researcher):
    report = make_report(year=2026)
    current = make_edition(state=S.PUBLISHED, sections=[("Policy", "As published.")])
    (draft,), _ = workflow.start_report_update(report, [current.profile], researcher)
    start = workflow.edition_versions(draft).get().revision
    draft.sections.update(body="Edited.")

    workflow.revert(draft, start, researcher)

    assert draft.sections.get().body == "As published."
