"""What the JSON API answers: every object as the public site shows it, with its address."""

import datetime

from ninja import Schema


class Message(Schema):
    detail: str


class Problem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(Schema):
    """A parameter out of its range or pattern: each problem, where it is."""

    detail: list[Problem]


class Country(Schema):
    name: str
    slug: str
    iso_code: str
    official_name: str
    region: str
    url: str

    @staticmethod
    def resolve_url(country):
        return country.get_absolute_url()


class Topic(Schema):
    name: str
    slug: str
    position: int
    series: str


class Report(Schema):
    title: str
    series: str
    series_slug: str
    year: int
    release_date: datetime.date | None
    url: str

    @staticmethod
    def resolve_url(report):
        return f"/reports/{report.series_slug}/{report.year}/"


class Profile(Schema):
    id: int
    country: str
    country_name: str
    topic: str
    topic_name: str
    region: str
    current_edition: int | None
    last_updated: datetime.date | None
    url: str

    @staticmethod
    def resolve_country(profile):
        return profile.country.slug

    @staticmethod
    def resolve_country_name(profile):
        return profile.country.name

    @staticmethod
    def resolve_topic(profile):
        return profile.topic.slug

    @staticmethod
    def resolve_topic_name(profile):
        return profile.topic.name

    @staticmethod
    def resolve_region(profile):
        return profile.country.region

    @staticmethod
    def resolve_url(profile):
        return profile.get_absolute_url()


class EditionSummary(Schema):
    id: int
    country: str
    country_name: str
    topic: str
    topic_name: str
    region: str
    current: bool
    last_updated: datetime.date | None
    last_updated_display: str
    report: str | None
    summary: str
    url: str

    @staticmethod
    def resolve_country(edition):
        return edition.profile.country.slug

    @staticmethod
    def resolve_country_name(edition):
        return edition.profile.country.name

    @staticmethod
    def resolve_topic(edition):
        return edition.profile.topic.slug

    @staticmethod
    def resolve_topic_name(edition):
        return edition.profile.topic.name

    @staticmethod
    def resolve_region(edition):
        return edition.profile.country.region

    @staticmethod
    def resolve_current(edition):
        return edition.state == edition.State.PUBLISHED

    @staticmethod
    def resolve_report(edition):
        return edition.report.title if edition.report_id else None

    @staticmethod
    def resolve_url(edition):
        return edition.get_absolute_url()


class OverviewFact(Schema):
    label: str
    value: str


class Section(Schema):
    position: int
    heading: str
    body: str


class Citation(Schema):
    source: int
    title: str
    locator: str

    @staticmethod
    def resolve_source(citation):
        return citation.source_id

    @staticmethod
    def resolve_title(citation):
        return citation.source.title


class Footnote(Schema):
    number: int
    text: str
    citations: list[Citation]

    @staticmethod
    def resolve_citations(footnote):
        return footnote.citations.all()


class Edition(EditionSummary):
    overview: list[OverviewFact]
    sections: list[Section]
    footnotes: list[Footnote]

    @staticmethod
    def resolve_overview(edition):
        return edition.overview_facts.all()

    @staticmethod
    def resolve_sections(edition):
        return edition.sections.all()

    @staticmethod
    def resolve_footnotes(edition):
        return edition.footnotes.all()


class Source(Schema):
    id: int
    kind: str
    title: str
    author: str
    date: datetime.date | None
    reference_number: str
    url: str
    report: str | None
    citation_count: int
    page: str

    @staticmethod
    def resolve_report(source):
        return source.report.title if source.report_id else None

    @staticmethod
    def resolve_page(source):
        return f"/sources/{source.pk}/"


class Cited(Schema):
    """Where a source is cited: a footnote of a published or archived edition."""

    edition: int
    country: str
    topic: str
    last_updated: datetime.date | None
    footnote: int
    locator: str
    url: str

    @staticmethod
    def resolve_edition(citation):
        return citation.footnote.edition_id

    @staticmethod
    def resolve_country(citation):
        return citation.footnote.edition.profile.country.slug

    @staticmethod
    def resolve_topic(citation):
        return citation.footnote.edition.profile.topic.slug

    @staticmethod
    def resolve_last_updated(citation):
        return citation.footnote.edition.last_updated

    @staticmethod
    def resolve_footnote(citation):
        return citation.footnote.number

    @staticmethod
    def resolve_url(citation):
        return f"{citation.footnote.edition.get_absolute_url()}#note-{citation.footnote.number}"


class SourceDetail(Source):
    cited_in: list[Cited]


class TreatyStatus(Schema):
    country: str
    country_slug: str | None
    iso_code: str
    treaty: str
    treaty_name: str
    status: str
    status_name: str
    signed_on: datetime.date | None
    consent_on: datetime.date | None
    consent_by: str
    note: str

    @staticmethod
    def resolve_country(status):
        return status.country.name

    @staticmethod
    def resolve_country_slug(status):
        # Only countries the public site names have a page to link to.
        return status.country.slug if status.country_is_public else None

    @staticmethod
    def resolve_iso_code(status):
        return status.country.iso_code

    @staticmethod
    def resolve_treaty_name(status):
        return status.get_treaty_display()

    @staticmethod
    def resolve_status_name(status):
        return status.get_status_display()
