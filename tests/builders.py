"""Small builders for test data: each returns saved objects with sensible defaults."""

import datetime
import io
import itertools

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.editions.fingerprint import content_fingerprint
from reports.editions.freeze import lifecycle
from reports.models import (
    Assignment,
    Chapter,
    Country,
    Edition,
    EditionEvent,
    Figure,
    OverviewFact,
    Profile,
    RecordChange,
    Report,
    Section,
    Topic,
    TreatyStatus,
)
from sources.models import Citation, Footnote, Source

_counter = itertools.count(1)


def unique(prefix):
    return f"{prefix} {next(_counter)}"


def make_country(name=None, **fields):
    return Country.objects.create(name=name or unique("Country"), **fields)


def make_topic(name=None, **fields):
    fields.setdefault("series", "Landmine Monitor")  # the series make_report's reports are of
    return Topic.objects.create(name=name or unique("Topic"), **fields)


def make_report(series="Landmine Monitor", year=None, **fields):
    return Report.objects.create(series=series, year=year or 1900 + next(_counter), **fields)


def make_profile(country=None, topic=None):
    return Profile.objects.create(country=country or make_country(), topic=topic or make_topic())


def make_source(title=None, **fields):
    return Source.objects.create(title=title or unique("Letter from the Ministry"), **fields)


def make_edition(
    profile=None,
    state=Edition.State.DRAFT,
    sections=(("Policy", "The State has not acceded to the treaty.[1]"),),
    footnotes=(("Letter from the Ministry of Foreign Affairs, 30 April 2010.",),),
    overview=(("Mine Ban Treaty status", "Not a State Party"),),
    **fields,
):
    """An edition in any state with its content, written as a fixture (through the gate, as
    an import would); each footnote is (text, *sources) and cites new sources when none are
    given. An approved edition comes with its approval, so that it can be published."""
    if state in (Edition.State.PUBLISHED, Edition.State.SUPERSEDED):
        fields.setdefault("published_at", timezone.now())
        fields.setdefault("last_updated", datetime.date(2019, 12, 18))
    with lifecycle():
        edition = Edition.objects.create(profile=profile or make_profile(), state=state, **fields)
        for position, (label, value) in enumerate(overview, start=1):
            OverviewFact.objects.create(
                edition=edition, position=position, label=label, value=value
            )
        for position, (heading, body) in enumerate(sections, start=1):
            Section.objects.create(edition=edition, position=position, heading=heading, body=body)
        for number, (text, *cited) in enumerate(footnotes, start=1):
            footnote = Footnote.objects.create(edition=edition, number=number, text=text)
            for position, source in enumerate(cited or [make_source(text)]):
                Citation.objects.create(footnote=footnote, source=source, position=position)
        if state == Edition.State.APPROVED:
            approve_as_fixture(edition)
    return edition


def approve_as_fixture(edition, at=None):
    """Record the approval of the edition's content as it stands (what publishing checks)."""
    return EditionEvent.objects.create(
        edition=edition,
        action="approve",
        from_state=Edition.State.IN_REVIEW,
        to_state=Edition.State.APPROVED,
        at=at or timezone.now(),
        comment="Approved (fixture)",
        fingerprint=content_fingerprint(edition),
    )


def make_treaty_status(country=None, treaty=TreatyStatus.Treaty.MINE_BAN_TREATY, **fields):
    fields.setdefault("status", TreatyStatus.Status.NOT_PARTY)
    return TreatyStatus.objects.create(country=country or make_country(), treaty=treaty, **fields)


def make_record_change(record, actor=None, **changes):
    """An audit entry of a change to `record` (by default, of its name)."""
    return RecordChange.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        object_repr=str(record),
        actor=actor,
        at=timezone.now(),
        changes=changes or {"name": {"old": "Old name", "new": str(record)}},
    )


def make_many(count):
    """`count` rows of every editorial model, built in bulk, for query-count tests."""
    with lifecycle():
        _make_many(count)


def _make_many(count):
    tag = next(_counter)
    countries = Country.objects.bulk_create(
        Country(name=f"Bulk country {tag}-{i}", slug=f"bulk-country-{tag}-{i}", region=f"R{i % 5}")
        for i in range(count)
    )
    topics = Topic.objects.bulk_create(
        Topic(name=f"Bulk topic {tag}-{i}", slug=f"bulk-topic-{tag}-{i}", position=i)
        for i in range(count)
    )
    reports = Report.objects.bulk_create(
        Report(
            series=f"Bulk series {tag}",
            series_slug=f"bulk-series-{tag}",
            year=2000 + i,
            title=f"Bulk report {tag}-{i}",
        )
        for i in range(count)
    )
    profiles = Profile.objects.bulk_create(
        Profile(country=country, topic=topic)
        for country, topic in zip(countries, topics, strict=True)
    )
    now = timezone.now()
    editions = Edition.objects.bulk_create(
        Edition(
            profile=profile,
            report=report,
            state=Edition.State.PUBLISHED,
            published_at=now,
            last_updated=datetime.date(2020, 1, 1),
        )
        for profile, report in zip(profiles, reports, strict=True)
    )
    Section.objects.bulk_create(
        Section(edition=edition, position=1, heading="Policy", body="Text.[1]")
        for edition in editions
    )
    OverviewFact.objects.bulk_create(
        OverviewFact(edition=edition, position=1, label="Status", value="Not a State Party")
        for edition in editions
    )
    footnotes = Footnote.objects.bulk_create(
        Footnote(edition=edition, number=1, text="Letter.") for edition in editions
    )
    sources = Source.objects.bulk_create(
        Source(title=f"Bulk source {tag}-{i}", report=report) for i, report in enumerate(reports)
    )
    Citation.objects.bulk_create(
        Citation(footnote=footnote, source=source)
        for footnote, source in zip(footnotes, sources, strict=True)
    )
    TreatyStatus.objects.bulk_create(
        TreatyStatus(country=country, treaty="mbt", status="not_party") for country in countries
    )
    Chapter.objects.bulk_create(
        Chapter(report=report, title="Major Findings", slug="major-findings", published=True)
        for report in reports
    )
    researcher = get_user_model().objects.create(username=f"bulk-researcher-{tag}")
    Assignment.objects.bulk_create(
        Assignment(report=report, profile=profile, researcher=researcher)
        for profile, report in zip(profiles, reports, strict=True)
    )
    country_type = ContentType.objects.get_for_model(Country)
    RecordChange.objects.bulk_create(
        RecordChange(
            content_type=country_type,
            object_id=str(country.pk),
            object_repr=country.name,
            at=now,
            changes={"name": {"old": "Old name", "new": country.name}},
        )
        for country in countries
    )


def png_bytes(width=4, height=3, colour=(20, 90, 160)):
    """A small PNG image of our own making."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n% A test file of our own: only its signature matters here.\n%%EOF\n"


def make_figure(edition, position=1, *, alt_text="Map of the mined areas", caption="", png=None):
    """A figure on `edition`, whatever its state (written through the lifecycle gate)."""
    with lifecycle():
        figure = Figure(edition=edition, position=position, alt_text=alt_text, caption=caption)
        figure.image.save("map.png", ContentFile(png or png_bytes()), save=False)
        figure.save()
    return figure


def make_chapter(report, title="Major Findings", *, published=True, position=1, body=None):
    return Chapter.objects.create(
        report=report,
        title=title,
        position=position,
        published=published,
        body=body if body is not None else f"{title}: the first paragraph.\n\nThe second.",
    )
