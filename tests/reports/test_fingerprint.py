"""The content fingerprint: what an approval approved, compared again at publication."""

import datetime

import pytest
from django.db import connection

from reports.editions.fingerprint import (
    changed_since_approval,
    content_fingerprint,
    content_fingerprints,
    fingerprints_in_database,
    fingerprints_in_python,
)
from reports.editions.freeze import lifecycle
from reports.models import OverviewFact, Section
from sources.models import Citation, Footnote
from tests.builders import approve_as_fixture, make_edition, make_report, make_source

pytestmark = pytest.mark.django_db


def varied_editions():
    source, other = make_source(), make_source()
    editions = [
        make_edition(
            last_updated=datetime.date(2010, 5, 1),
            summary="Summary\x1fwith separators\x1e and « Unicode » — ẞ, 地雷",
            sections=(("", "Body without heading.[1]"), ("Héading", "Line one\nline two[2]")),
            footnotes=(("First note.", source, other), ("Second note.", other)),
        ),
        make_edition(sections=(), footnotes=(), overview=()),
        make_edition(report=make_report(), last_updated=datetime.date(987, 1, 2)),
    ]
    with lifecycle():
        Citation.objects.filter(footnote__edition=editions[0], source=other).update(
            locator="p. 862"
        )
    return editions


def test_every_part_of_the_content_changes_the_fingerprint():
    edition = make_edition(footnotes=(("A note.",),))
    seen = {content_fingerprint(edition)}

    def change_summary():
        edition.summary = "Changed"

    changes = [
        change_summary,
        lambda: OverviewFact.objects.filter(edition=edition).update(value="State Party"),
        lambda: Section.objects.filter(edition=edition).update(heading="Renamed"),
        lambda: Section.objects.filter(edition=edition).update(body="Other text.[1]"),
        lambda: Footnote.objects.filter(edition=edition).update(text="Another note."),
        lambda: Citation.objects.filter(footnote__edition=edition).update(locator="p. 3"),
        lambda: Citation.objects.filter(footnote__edition=edition).update(source=make_source()),
        lambda: Footnote.objects.filter(edition=edition).update(number=2),
    ]
    for change in changes:
        change()
        seen.add(content_fingerprint(edition))
    assert len(seen) == len(changes) + 1


def test_many_editions_are_fingerprinted_at_once_as_each_alone():
    editions = varied_editions()
    together = content_fingerprints(editions)
    assert together == {e.pk: content_fingerprint(e) for e in editions}
    assert len(set(together.values())) == len(editions)


@pytest.mark.postgres
def test_postgresql_computes_the_same_fingerprint_as_python():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the fingerprint computed in the database")
    editions = varied_editions()
    assert fingerprints_in_database(editions) == fingerprints_in_python(editions)


def test_an_edition_counts_as_changed_unless_its_latest_approval_saw_this_content():
    never, kept, changed, again = (make_edition(footnotes=(("A note.",),)) for _ in range(4))
    earlier = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for edition in (kept, changed, again):
        approve_as_fixture(edition, at=earlier)
    with lifecycle():
        Footnote.objects.filter(edition__in=[changed, again]).update(text="Changed after.")
    approve_as_fixture(again)  # approved once more, as it is now

    assert changed_since_approval([never, kept, changed, again]) == {never.pk, changed.pk}
    assert changed_since_approval([kept]) == set()
    assert changed_since_approval([]) == set()
