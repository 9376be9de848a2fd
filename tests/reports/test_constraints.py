"""The database itself refuses rows that break the domain's invariants."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reports.editions.freeze import lifecycle
from reports.models import Country, Edition, OverviewFact, Profile, Report, Section, TreatyStatus
from sources.models import Citation, Footnote, Source
from tests.builders import (
    make_country,
    make_edition,
    make_profile,
    make_report,
    make_source,
    make_topic,
    make_treaty_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _through_the_lifecycle(db):
    """These are the constraints behind the lifecycle: rows are written as it would."""
    with lifecycle():
        yield


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_one_profile_per_country_and_topic():
    profile = make_profile()
    refused(lambda: Profile.objects.create(country=profile.country, topic=profile.topic))


@pytest.mark.parametrize(
    "first, second",
    [
        (Edition.State.DRAFT, Edition.State.IN_REVIEW),
        (Edition.State.IN_REVIEW, Edition.State.APPROVED),
        (Edition.State.CHANGES_REQUESTED, Edition.State.DRAFT),
        (Edition.State.APPROVED, Edition.State.DRAFT),
    ],
)
def test_at_most_one_open_edition_per_profile(first, second):
    profile = make_profile()
    Edition.objects.create(profile=profile, state=first)
    refused(lambda: Edition.objects.create(profile=profile, state=second))


def test_at_most_one_published_edition_per_profile():
    profile = make_profile()
    Edition.objects.create(profile=profile, state="published", published_at=timezone.now())
    refused(
        lambda: Edition.objects.create(
            profile=profile, state="published", published_at=timezone.now()
        )
    )


def test_open_published_and_many_superseded_editions_coexist():
    profile = make_profile()
    for state in ["superseded", "superseded", "withdrawn", "withdrawn", "published", "draft"]:
        Edition.objects.create(profile=profile, state=state, published_at=timezone.now())
    assert profile.editions.count() == 6


def test_unknown_edition_state_is_refused():
    refused(lambda: Edition.objects.create(profile=make_profile(), state="lost"))


def test_unknown_date_precision_is_refused():
    refused(lambda: Edition.objects.create(profile=make_profile(), last_updated_precision="week"))


def test_published_edition_records_when_it_was_published():
    refused(lambda: Edition.objects.create(profile=make_profile(), state="published"))


def test_footnote_numbers_are_unique_within_an_edition():
    edition = make_edition()
    refused(lambda: Footnote.objects.create(edition=edition, number=1, text="Again."))
    Footnote.objects.create(edition=make_edition(footnotes=()), number=1, text="Elsewhere.")


def test_section_positions_are_unique_within_an_edition():
    edition = make_edition()
    refused(lambda: Section.objects.create(edition=edition, position=1, heading="Twice"))


def test_overview_positions_are_unique_within_an_edition():
    edition = make_edition()
    refused(lambda: OverviewFact.objects.create(edition=edition, position=1, label="Twice"))


def test_citation_positions_are_unique_within_a_footnote():
    footnote = make_edition().footnotes.get()
    refused(lambda: Citation.objects.create(footnote=footnote, source=make_source(), position=0))


def test_a_source_cited_somewhere_cannot_be_deleted():
    source = make_edition().footnotes.get().sources.get()
    with pytest.raises(Exception, match="protected"):
        source.delete()


def test_source_identity_is_unique_but_may_be_empty():
    make_source(identity_key="letter:011-14/809:2010-04-30")
    refused(lambda: make_source(identity_key="letter:011-14/809:2010-04-30"))
    make_source(identity_key="")
    make_source(identity_key="")
    assert Source.objects.filter(identity_key="").count() == 2


def test_unknown_source_kind_is_refused():
    refused(lambda: make_source(kind="rumour"))


def test_report_series_and_year_are_unique():
    make_report(series="Landmine Monitor", year=2004)
    refused(lambda: Report.objects.create(series="Landmine Monitor", year=2004))


def test_iso_codes_are_unique_but_areas_without_one_coexist():
    make_country("Kazakhstan", iso_code="KAZ")
    refused(lambda: make_country("Kazakstan", iso_code="KAZ"))
    make_country("Nagorno-Karabakh", iso_code="")
    make_country("Somaliland", iso_code="")
    assert Country.objects.filter(iso_code="").count() == 2


def test_one_status_per_country_and_treaty():
    status = make_treaty_status()
    refused(lambda: make_treaty_status(country=status.country, treaty=status.treaty))


def test_a_country_that_is_not_party_has_no_ratification_date():
    refused(
        lambda: make_treaty_status(status=TreatyStatus.Status.NOT_PARTY, consent_on="2009-01-01")
    )


def test_topic_names_are_unique():
    make_topic("Mine Ban Policy")
    refused(lambda: make_topic("Mine Ban Policy", slug="other"))
