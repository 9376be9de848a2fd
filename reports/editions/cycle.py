"""The yearly cycle of a report: which profiles its update may start, starting them, what a
release would do before it is confirmed, and the report's progress as it really is.

A report belongs to a series ("Landmine Monitor"); a topic names the series that publishes it.
A report's drafts are only ever of profiles whose topic its series publishes, each new draft
belongs to the report, and a profile that already has an edition in progress is reported and
skipped, never given a second one.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from ..models import Assignment, Profile, Report
from . import states
from .drafts import StartDrafts

State = states.State
# How many editions the confirmation page names in each group before linking to the list.
NAMED = 50


def eligible_profiles(report):
    """The profiles a report's update may start: those whose topic the report's series
    publishes."""
    return Profile.objects.filter(topic__series=report.series)


def choose_profiles(report, *, topics=(), regions=(), profiles=()):
    """The eligible profiles of the given topics, of countries in the given regions, and the
    listed profiles; every given criterion narrows the choice."""
    chosen = eligible_profiles(report)
    if topics:
        chosen = chosen.filter(topic__in=topics)
    if regions:
        chosen = chosen.filter(country__region__in=regions)
    if profiles:
        chosen = chosen.filter(pk__in=[getattr(p, "pk", p) for p in profiles])
    return chosen.select_related("country", "topic").order_by("country__name", "topic__position")


@dataclass
class UpdateStarted:
    drafts: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)  # {profile: reason}


def start_update(report, profiles, actor):
    """Open a draft of each profile for `report` (reports.editions.drafts.StartDrafts, one
    step in a fixed number of queries). A profile the report's series does not publish, or
    with an edition in progress, is skipped with the reason."""
    drafts, skipped = StartDrafts(report, profiles, actor).execute()
    return UpdateStarted(drafts=drafts, skipped=skipped)


def assign(profiles, report, researcher, due_on=None):
    """Assign the profiles to `researcher` for `report` (replacing an earlier assignment of
    the same profile); returns how many."""
    count = 0
    with transaction.atomic():
        for profile in profiles:
            Assignment.objects.update_or_create(
                report=report,
                profile=profile,
                defaults={"researcher": researcher, "due_on": due_on},
            )
            count += 1
    return count


@dataclass
class ReleasePlan:
    """What releasing `report` now would do: shown for confirmation before it is done."""

    report: Report
    publish: list  # approved editions: all go live, or none
    scheduled: list  # of those, the ones with a publication time (published now, ahead of it)
    unpublished: list  # [(state label, state, count, first editions)]: stay as they are

    @property
    def unpublished_count(self):
        return sum(count for _, _, count, _ in self.unpublished)


def release_plan(report):
    """The plan in two queries: the counts of the report's open editions by state, and the
    editions named (the first NAMED of each state)."""
    counts = dict(
        report.editions.open()
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    rows = list(
        report.editions.open()
        .select_related("profile__country", "profile__topic")
        .only(
            "pk",
            "state",
            "report",  # the related manager sets it on each row
            "publish_at",
            "profile__country__name",
            "profile__topic__name",
            "profile__topic__position",
        )
        .order_by("profile__country__name", "profile__topic__position", "pk")
    )
    by_state = defaultdict(list)
    for edition in rows:
        by_state[edition.state].append(edition)
    approved = by_state.pop(State.APPROVED, [])
    unpublished = [
        (label, value, counts[value], by_state[value][:NAMED])
        for value, label in State.choices
        if value in counts and value != State.APPROVED
    ]
    return ReleasePlan(
        report=report,
        publish=approved,
        scheduled=[edition for edition in approved if edition.publish_at],
        unpublished=unpublished,
    )


def open_editions_after_release(report):
    """{state label: count} of the report's editions still open (one query)."""
    counts = dict(
        report.editions.open()
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {label: counts[value] for value, label in State.choices if counts.get(value)}


def describe_open(counts):
    """ "draft: 2, in review: 1" from {state label: count}."""
    return ", ".join(f"{label.lower()}: {count}" for label, count in counts.items())


# --- the report's dashboard ------------------------------------------------------------------

NOT_STARTED = "not_started"
STATE_LABELS = {NOT_STARTED: "Not started", **dict(State.choices)}


@dataclass
class Tally:
    """Counts by state of one row of the dashboard (a topic, a region, a researcher)."""

    key: object
    name: str
    counts: dict = field(default_factory=dict)
    overdue: int = 0

    def add(self, state, count=1):
        self.counts[state] = self.counts.get(state, 0) + count

    @property
    def total(self):
        return sum(self.counts.values())


def report_dashboard(report, today):
    """Counts by state of the report's editions per topic, per region and per researcher
    (by the profiles assigned to them), and what is overdue: open editions after the
    report's target date, assigned profiles not done after their due date. Three queries
    whatever the report's size."""
    grouped = (
        report.editions.order_by()
        .values_list(
            "state", "profile__topic_id", "profile__topic__name", "profile__country__region"
        )
        .annotate(n=Count("pk"))
    )
    totals, topics, regions = Tally(None, "All"), {}, {}
    late = report.target_date is not None and today > report.target_date
    for state, topic_id, topic_name, region, count in grouped:
        for tally in (
            totals,
            topics.setdefault(topic_id, Tally(topic_id, topic_name)),
            regions.setdefault(region, Tally(region, region or "(no region)")),
        ):
            tally.add(state, count)
            if late and state in states.OPEN:
                tally.overdue += count
    state_of = dict(report.editions.order_by("pk").values_list("profile_id", "state"))
    researchers, overdue = {}, []
    assignments = report.assignments.select_related(
        "researcher", "profile__country", "profile__topic"
    ).order_by("due_on", "profile__country__name", "profile__topic__position")
    for assignment in assignments:
        researcher = assignment.researcher
        tally = researchers.setdefault(
            researcher.pk, Tally(researcher.pk, researcher.get_full_name() or researcher.username)
        )
        state = state_of.get(assignment.profile_id, NOT_STARTED)
        tally.add(state)
        due = assignment.due_on or report.target_date
        done = state not in states.OPEN and state != NOT_STARTED
        if due is not None and today > due and not done:
            tally.overdue += 1
            assignment.state_label = STATE_LABELS[state]
            assignment.due = due
            overdue.append(assignment)
    return {
        "columns": list(STATE_LABELS.items()),
        "totals": totals,
        "by_topic": sorted(topics.values(), key=lambda t: t.name or ""),
        "by_region": sorted(regions.values(), key=lambda t: t.name),
        "by_researcher": sorted(researchers.values(), key=lambda t: t.name),
        "overdue_assignments": overdue,
        "target_passed": late,
    }
