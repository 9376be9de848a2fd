"""Eight people working one profile at once, on PostgreSQL (issue 10, hole 7: deadlocks).

Researchers save the edition form and stand-alone section pages, editors review, publishers
publish, schedule and withdraw, a cron run publishes what is due, and people read: all at once
on ONE profile, each thread on its own connection, the admin posted as a browser posts it.
Every writer takes the same row locks in the same order (the profile, then the edition:
reports.editions.actions.lock), so no two of them wait on each other in a circle: nobody
deadlocks or gets a server error, every save lands or is answered with a message (a stale
form is a conflict), nothing that landed is lost, nothing refused is half-saved, and the
profile's invariants hold at the end.

Run it alone, with its figures (``CONTENTION_SECONDS`` sets how long the threads work, 10 s
by default):

    DATABASE_URL=postgres://…/monitor .venv/bin/python -m pytest -s -k eight_people tests/reports
"""

import collections
import datetime
import os
import random
import sys
import threading
import time
import traceback

import pytest
import reversion
from django.contrib.messages import get_messages
from django.core.signals import got_request_exception
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from monitor.roles import EDITOR, PUBLISHER, RESEARCHER
from reports.editions import states, workflow
from reports.editions.fingerprint import changed_since_approval
from reports.models import Edition, Section
from tests.builders import make_profile, make_source

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = Edition.State
SECONDS = float(os.environ.get("CONTENTION_SECONDS", "10"))
OUTCOMES = ("landed", "refused", "conflict", "idle", "deadlock", "unhandled")
BODY = "The State has not acceded to the treaty.[1]"
DEADLOCK = "40P01"


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and deadlock detection across connections)")


def sqlstates(exc):
    """Every SQLSTATE in the exception's cause chain (psycopg's errors carry one)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield getattr(exc, "sqlstate", None)
        exc = exc.__cause__ or exc.__context__


# The test client's own exception capture is a global signal: with eight clients, one
# thread's server error would be raised in another's. Each thread keeps its own instead.
_request_errors = threading.local()


def _keep_request_error(sender, request=None, **kwargs):
    _request_errors.last = sys.exc_info()[1]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.defaultdict(collections.Counter)
        self.failures = []  # (operation, outcome, description), the first few
        self.saves = []  # (marker, outcome) of every attempted content save
        self.reasons = collections.Counter()  # (operation, message) of refusals
        self.seconds = collections.Counter()  # time spent, by operation

    def add(self, operation, outcome, detail=None):
        with self.lock:
            self.counts[operation][outcome] += 1
            if outcome in ("refused", "conflict") and detail:
                self.reasons[operation, detail[:90]] += 1
            if outcome in ("deadlock", "unhandled") and len(self.failures) < 10:
                self.failures.append((operation, outcome, detail))

    def took(self, operation, seconds):
        with self.lock:
            self.seconds[operation] += seconds

    def total(self, outcome):
        return sum(counts[outcome] for counts in self.counts.values())

    def table(self):
        width = max(len(op) for op in self.counts) + 2
        lines = [f"{'operation':<{width}}" + "".join(f"{o:>10}" for o in OUTCOMES) + "  ms each"]
        for operation in sorted(self.counts):
            counts = self.counts[operation]
            each = 1000 * self.seconds[operation] / max(sum(counts.values()), 1)
            lines.append(
                f"{operation:<{width}}"
                + "".join(f"{counts[o]:>10}" for o in OUTCOMES)
                + f"{each:>10.0f}"
            )
        lines.append(f"{'total':<{width}}" + "".join(f"{self.total(o):>10}" for o in OUTCOMES))
        operations = sum(sum(c.values()) for c in self.counts.values())
        lines.append(
            f"{operations} operations in {SECONDS:g} s by {len(PEOPLE)} threads on one profile: "
            f"{self.total('landed')} landed, "
            f"{self.total('refused') + self.total('conflict')} conflicts/refusals "
            f"({self.total('conflict')} stale forms), {self.total('deadlock')} deadlocks, "
            f"{self.total('unhandled')} unhandled errors"
        )
        return "\n".join(lines)


def form_fields(html, form_id):
    """What a browser posts back from the form, unchanged."""
    form = HTMLParser(html).css_first(f"form#{form_id}")
    if form is None:
        return None
    data = {}
    for node in form.css("input, textarea, select"):
        name = node.attributes.get("name")
        if not name or "__prefix__" in name:
            continue
        if node.tag == "textarea":
            data[name] = node.text(deep=True)
        elif node.tag == "select":
            chosen = node.css("option[selected]") or node.css("option")[:1]
            data[name] = (chosen[0].attributes.get("value") or "") if chosen else ""
        else:
            kind = (node.attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in node.attributes:
                continue
            data[name] = node.attributes.get("value") or ("on" if kind == "checkbox" else "")
    return data


class Person:
    """One thread: a user with a browser (a test client) doing their share of the work."""

    def __init__(self, name, user, profile, tally, weights, seed):
        self.name = name
        self.user = user
        self.profile = profile
        self.tally = tally
        self.weights = weights
        self.rng = random.Random(seed)
        self.count = 0

    # --- what the person finds -------------------------------------------------------------

    def editions(self):
        return Edition.objects.filter(profile_id=self.profile.pk)

    def open_edition(self):
        return self.editions().open().first()

    def marker(self):
        self.count += 1
        return f"mark-{self.name}-{self.count}-end"  # no marker is the start of another

    def messages(self, response):
        return [str(m) for m in get_messages(response.wsgi_request)]

    def post(self, url, data):
        # The page a browser is sent back to shows the last step's messages; what this
        # response says is only what this request queued.
        self.client.cookies.pop("messages", None)
        _request_errors.last = None
        response = self.client.post(url, data)
        if response.status_code >= 500:
            raise ServerError(response, _request_errors.last)
        return response

    def button_outcome(self, response, done):
        """A workflow button: back to the page with a success message or a refusal."""
        messages = self.messages(response)
        if response.status_code != 302 or not messages:
            raise Unexpected(f"{response.status_code}, messages {messages}")
        if any(done in m for m in messages):
            return "landed"
        return "refused", " / ".join(messages)

    def form_outcome(self, response, marker):
        """An admin form: saved (redirect), stale (the conflict page), or refused."""
        reason = None
        if response.status_code == 302:
            messages = self.messages(response)
            # Django's own answer for a row gone meanwhile (a revert made the draft's rows
            # anew): nothing was saved either.
            refusals = [m for m in messages if "Nothing was saved" in m or "doesn’t exist" in m]
            outcome, reason = ("refused", refusals[0]) if refusals else ("landed", None)
        elif response.status_code == 200 and "Someone else saved this edition" in response.text:
            outcome, reason = "conflict", "someone else saved this edition"
        elif response.status_code == 200 and "errorlist" in response.text:
            errors = HTMLParser(response.text).css("ul.errorlist li")
            outcome, reason = "refused", " / ".join(e.text() for e in errors)
        else:
            raise Unexpected(f"{response.status_code} {response.text[:300]!r}")
        self.tally.saves.append((marker, outcome))
        return outcome, reason

    # --- the operations ----------------------------------------------------------------------

    def edit_form(self):
        edition = self.open_edition()
        if edition is None:
            return "idle"
        url = reverse("admin:reports_edition_change", args=[edition.pk])
        data = form_fields(self.client.get(url).text, "edition_form")
        if not data or "version_token" not in data:
            return "idle"  # read-only: the edition is not editable at the moment
        time.sleep(self.rng.uniform(0, 0.05))  # typing
        response = self.save_form(url, data)
        outcome = self.form_outcome(response, self.marker_sent)
        if outcome[0] != "conflict":
            return outcome
        # The conflict page shows what the colleague changed and keeps the input on a form
        # loaded anew: saving again deliberately keeps it, as the page says (a second save,
        # counted as one).
        self.tally.add("edit_form", *outcome)
        data = form_fields(response.text, "edition_form")
        return self.form_outcome(self.save_form(url, data), self.marker_sent)

    def save_form(self, url, data):
        self.marker_sent = marker = self.marker()
        data["summary"] = f"Summary {marker}"
        if "sections-0-body" in data:
            data["sections-0-body"] = f"{BODY} {marker}"
        return self.post(url, data)

    def section_save(self):
        edition = self.open_edition()
        section = edition and edition.sections.order_by("position").first()
        if section is None or not edition.is_editable:
            return "idle"
        marker = self.marker()
        url = reverse("admin:reports_section_change", args=[section.pk])
        data = {
            "edition": edition.pk,
            "position": section.position,
            "heading": section.heading,
            "body": f"{BODY} {marker}",
        }
        return self.form_outcome(self.post(url, data), marker)

    def button(self, action, edition, done, **data):
        if edition is None:
            return "idle"
        url = reverse("admin:reports_edition_workflow", args=[edition.pk, action])
        return self.button_outcome(self.post(url, data), done)

    def submit(self):
        return self.button("submit", self.open_edition(), ": done.")

    def approve(self):
        return self.button("approve", self.open_edition(), ": done.")

    def request_changes(self):
        return self.button(
            "request_changes", self.open_edition(), ": done.", comment="Check the dates."
        )

    def publish(self):
        return self.button("publish", self.open_edition(), ": done.")

    def schedule(self):
        at = timezone.now() + datetime.timedelta(seconds=self.rng.uniform(0.2, 1.5))
        return self.button("schedule", self.open_edition(), ": done.", at=at.isoformat())

    def unschedule(self):
        return self.button("unschedule", self.open_edition(), ": done.")

    def withdraw(self):
        return self.button(
            "withdraw", self.editions().public().first(), ": done.", comment="Wrong figures."
        )

    def start_draft(self):
        edition = self.editions().order_by("-pk").first()
        url = reverse("admin:reports_edition_start_draft", args=[edition.pk])
        return self.button_outcome(self.post(url, {}), "A new draft was started")

    def revert(self):
        edition = self.open_edition()
        if edition is None or not edition.is_editable:
            return "idle"
        revisions = list(
            workflow.edition_versions(edition).values_list("revision_id", flat=True)[:5]
        )
        if len(revisions) < 2:
            return "idle"
        revision = self.rng.choice(revisions[1:])
        url = reverse("admin:reports_edition_revert", args=[edition.pk, revision])
        return self.button_outcome(self.post(url, {}), "was reverted")

    def wait(self):
        """Nothing to do for this person now: they look again in a moment."""
        time.sleep(0.05)

    def publish_due(self):
        return "landed" if workflow.publish_due() else "idle"

    def read(self):
        edition = self.editions().order_by("-pk").first()
        url = self.rng.choice(
            [
                self.profile.get_absolute_url(),
                reverse("admin:reports_edition_change", args=[edition.pk]),
                reverse("admin:reports_edition_history", args=[edition.pk]),
            ]
        )
        _request_errors.last = None
        response = self.client.get(url)
        if response.status_code >= 500:
            raise ServerError(response, _request_errors.last)
        return "landed"

    # --- the thread --------------------------------------------------------------------------

    def pick(self):
        """A step that what the person sees makes worth taking; now and then one from a page
        loaded a while ago, which the edition has moved on from since."""
        if self.rng.random() < READS:
            return "read"
        operations = list(self.weights)
        if self.rng.random() > STALE_CLICKS:
            edition = self.open_edition()
            seen = {
                "state": edition.state if edition else None,
                "scheduled": bool(edition and edition.publish_at),
                "published": self.editions().public().exists(),
            }
            operations = [op for op in operations if WORTH_TRYING[op](seen)] or ["wait"]
        weights = [self.weights.get(op, 1) for op in operations]
        return self.rng.choices(operations, weights)[0]

    def run(self, barrier, deadline_after):
        try:
            self.client = Client(raise_request_exception=False)
            self.client.force_login(self.user)
            barrier.wait(timeout=30)
            deadline = time.monotonic() + deadline_after
            while time.monotonic() < deadline:
                operation = self.pick()
                started = time.monotonic()
                try:
                    outcome = getattr(self, operation)()
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    cause = exc.error if isinstance(exc, ServerError) else exc
                    deadlocked = DEADLOCK in sqlstates(cause)
                    detail = "".join(traceback.format_exception(cause or exc))
                    self.tally.add(operation, "deadlock" if deadlocked else "unhandled", detail)
                else:
                    if outcome is None:
                        continue  # waited: not an operation
                    outcome, reason = outcome if isinstance(outcome, tuple) else (outcome, None)
                    self.tally.add(operation, outcome, reason)
                finally:
                    self.tally.took(operation, time.monotonic() - started)
        finally:
            connections.close_all()


class ServerError(Exception):
    def __init__(self, response, error):
        self.response = response
        self.error = error
        super().__init__(f"HTTP {response.status_code}: {error!r}")


class Unexpected(Exception):
    """A response that is neither a save, a conflict nor a refusal with a message."""


def _editable(seen):
    return seen["state"] in states.EDITABLE


READS = 0.2  # of a person's operations, the share that only reads a page
STALE_CLICKS = 0.15  # of the others, the share taken from a page loaded a while ago
WORTH_TRYING = {
    "edit_form": _editable,
    "section_save": _editable,
    "revert": _editable,
    "submit": _editable,
    "approve": lambda seen: seen["state"] == S.IN_REVIEW,
    "request_changes": lambda seen: seen["state"] in (S.IN_REVIEW, S.APPROVED),
    "publish": lambda seen: seen["state"] == S.APPROVED,
    "schedule": lambda seen: seen["state"] == S.APPROVED and not seen["scheduled"],
    "unschedule": lambda seen: seen["scheduled"],
    "start_draft": lambda seen: seen["state"] is None,
    "withdraw": lambda seen: seen["published"],
    "publish_due": lambda seen: seen["scheduled"],
}

# Who does what, and how often: each role its own steps, as in an editorial office.
PEOPLE = [
    ("researcher", RESEARCHER, {"edit_form": 4, "section_save": 3, "revert": 2, "submit": 1,
                                "start_draft": 1}),
    ("researcher2", RESEARCHER, {"edit_form": 4, "section_save": 3, "revert": 1, "submit": 1,
                                 "start_draft": 1}),
    ("editor", EDITOR, {"approve": 4, "request_changes": 1, "section_save": 1}),
    ("editor2", EDITOR, {"approve": 3, "request_changes": 1, "edit_form": 1}),
    ("publisher", PUBLISHER, {"publish": 3, "schedule": 2, "unschedule": 1, "withdraw": 1,
                              "start_draft": 1}),
    ("publisher2", PUBLISHER, {"publish": 2, "withdraw": 1, "schedule": 1, "edit_form": 1,
                               "revert": 1}),
    ("admin", None, {"edit_form": 2, "section_save": 2, "revert": 1, "approve": 1,
                     "request_changes": 1, "publish": 1, "withdraw": 1, "start_draft": 1}),
    ("cron", None, {"publish_due": 1}),
]  # fmt: skip


def published_twice(profile, researcher, editor, publisher):
    """The profile as the office finds it: an edition superseded, one published, a draft open;
    every one of them made through the workflow, so each has its events and revisions."""
    for _ in range(2):
        draft = workflow.start_draft(profile, researcher)
        if not draft.sections.exists():
            with reversion.create_revision():
                draft.sections.create(position=1, heading="Policy", body=BODY)
                draft.sections.create(position=2, heading="Stockpile", body="Not reported.")
                footnote = draft.footnotes.create(number=1, text="Letter, 30 April 2010.")
                footnote.citations.create(source=make_source(), position=0)
                reversion.add_to_revision(draft)
                reversion.set_user(researcher)
        workflow.submit(draft, researcher)
        workflow.approve(draft, editor)
        workflow.publish(draft, publisher)
    return workflow.start_draft(profile, researcher)


def test_eight_people_on_one_profile_never_deadlock_and_every_save_lands_or_is_refused(
    make_user,
):
    users = {}
    for name, role, _ in PEOPLE:
        users[name] = make_user(name, role, superuser=role is None)
    profile = make_profile()
    published_twice(profile, users["researcher"], users["editor"], users["publisher"])

    tally = Tally()
    barrier = threading.Barrier(len(PEOPLE))
    people = [
        Person(name, users[name], profile, tally, weights, seed)
        for seed, (name, _, weights) in enumerate(PEOPLE)
    ]
    got_request_exception.connect(_keep_request_error, dispatch_uid="contention-errors")
    try:
        threads = [threading.Thread(target=p.run, args=(barrier, SECONDS)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 120)
        assert not any(thread.is_alive() for thread in threads), "a thread hangs"
    finally:
        got_request_exception.disconnect(dispatch_uid="contention-errors")

    print("\n" + tally.table())
    for (operation, reason), count in sorted(tally.reasons.items()):
        print(f"{count:>5}  {operation}: {reason}")
    for operation, outcome, detail in tally.failures:
        print(f"--- {operation}: {outcome}\n{detail}")

    assert tally.total("deadlock") == 0, tally.table()
    assert tally.total("unhandled") == 0, tally.table()
    # The office got work done (how much depends on the machine's speed).
    assert tally.total("landed") - tally.counts["read"]["landed"] > 0, tally.table()

    # Every save that landed is in the history; a refused or stale one left no trace.
    for marker, outcome in tally.saves:
        kept = Version.objects.filter(serialized_data__contains=marker).exists()
        assert kept == (outcome == "landed"), (marker, outcome)

    assert_invariants(profile)


def assert_invariants(profile):
    editions = list(Edition.objects.filter(profile=profile).order_by("pk"))
    assert len([e for e in editions if e.state in states.OPEN]) <= 1
    assert len([e for e in editions if e.state in states.PUBLIC]) <= 1
    for edition in editions:
        last = edition.events.order_by("-pk").first()
        assert last is not None and last.to_state == edition.state, (edition.pk, edition.state)
        if edition.state in states.READABLE:
            assert edition.published_at is not None, edition.pk
        if edition.events.filter(action="publish").exists():
            # What went live is what an editor approved (undated: publishing dated it).
            edition.last_updated = None
            edition.last_updated_precision = Edition.Precision.DAY
            assert not changed_since_approval([edition]), edition.pk


# --- the two races behind it, one at a time ------------------------------------------------


def waiting_for_a_lock():
    """How many other connections to the test database wait for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Holding(threading.Thread):
    """A colleague's save in progress on another connection: it holds the edition's locks,
    as every writer takes them (lock()), until released, then runs `then` and commits."""

    def __init__(self, edition, then=None):
        super().__init__()
        self.edition = edition
        self.then = then
        self.holding = threading.Event()
        self.release = threading.Event()
        self.error = None

    def run(self):
        from django.db import transaction

        from reports.editions.actions import lock

        try:
            with transaction.atomic():
                lock(self.edition)
                self.holding.set()
                self.release.wait(timeout=20)
                if self.then:
                    self.then()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            self.error = exc
        finally:
            self.holding.set()
            connections.close_all()

    def __enter__(self):
        self.start()
        self.holding.wait(timeout=10)
        return self

    def __exit__(self, *exc_info):
        self.release.set()
        self.join(timeout=20)


@pytest.mark.parametrize("page", ["section change", "draft delete"])
def test_a_content_page_waits_for_the_edition_form_being_saved(make_user, page):
    """The deadlocks of the section page and of deleting a draft: they wrote content rows,
    then waited for the edition that the edition form held while that form waited to write
    the same rows."""
    researcher = make_user("researcher", RESEARCHER)
    deleter = make_user("root", superuser=True)  # whose role may delete a draft
    edition = workflow.start_draft(make_profile(), researcher)
    section = edition.sections.create(position=1, heading="Policy", body=BODY)
    url, data = {
        "section change": (
            reverse("admin:reports_section_change", args=[section.pk]),
            {"edition": edition.pk, "position": 1, "heading": "Policy", "body": "Mine."},
        ),
        "draft delete": (
            reverse("admin:reports_edition_delete", args=[edition.pk]),
            {"post": "yes"},
        ),
    }[page]
    answers = []

    def post_the_page():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(deleter if page == "draft delete" else researcher)
            answers.append(client.post(url, data).status_code)
        finally:
            connections.close_all()

    def write_the_inline_rows():  # the edition form's inlines, saved after its locks
        Section.objects.filter(pk=section.pk).update(body="Theirs.")

    with Holding(edition, then=write_the_inline_rows) as colleague:
        other = threading.Thread(target=post_the_page)
        other.start()
        wait_until(lambda: waiting_for_a_lock() >= 1 or not other.is_alive())
    other.join(timeout=20)

    assert colleague.error is None, colleague.error
    assert answers == [302]  # done after the colleague's save, not a server error
    if page == "section change":
        assert Section.objects.get(pk=section.pk).body == "Mine."
    else:
        assert not Edition.objects.filter(pk=edition.pk).exists()


def test_a_save_that_waits_too_long_for_its_lock_is_a_message_not_a_server_error(researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    client = Client()
    client.force_login(researcher)
    url = reverse("admin:reports_edition_change", args=[edition.pk])
    data = form_fields(client.get(url).text, "edition_form")
    data["summary"] = "Typed while a colleague held the edition."

    with Holding(edition):
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            response = client.post(url, data)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")

    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "Nothing was saved: someone else was changing the same edition at that moment. Try again."
    ]
    assert Edition.objects.get(pk=edition.pk).summary == ""
