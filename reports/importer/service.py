"""Write parsed archive documents into the database.

Each file is planned (read-only: which country, profile and edition it maps to, and whether that
edition is new, unchanged or changed) and then applied in its own transaction as one
django-reversion revision. A dry run stops after planning, so it never writes.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, transaction
from django.utils.text import slugify

from reports.editions import states
from reports.editions.freeze import lifecycle
from reports.editions.revisions import record_written_rows
from reports.models import (
    Country,
    Edition,
    OverviewFact,
    Profile,
    Report,
    Section,
    Topic,
)
from reports.public.pagecache import clock_advanced_at_end
from sources.models import Citation, Footnote, Source, SourceAlias

from . import parallel
from .parsing import DEFAULT_COUNTRIES, CountryLookup, ParsedProfile, parse_document

DEFAULT_TOPICS = {
    "Mine Ban Policy": "Landmine Monitor",
    "Cluster Munition Ban Policy": "Cluster Munition Monitor",
    "Mine Action": "Landmine Monitor",
    "Casualties": "Landmine Monitor",
    "Casualties and Victim Assistance": "Landmine Monitor",
    "Support for Mine Action": "Landmine Monitor",
    "Country report": "Landmine Monitor",
}
# A file whose write collides with another transaction is planned and written again, as a
# person would re-run it; a collision that persists is reported, with nothing written.
ATTEMPTS = 3
RACE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure
REPORT_TITLE = re.compile(r"^(?P<series>.+?)(?:\s+Report)?\s+(?P<year>\d{4})$")

CREATE, UNCHANGED, UPDATE, SKIP = "create", "unchanged", "update", "skip"
FILE_STATUS = {CREATE: "imported", UPDATE: "updated", UNCHANGED: "unchanged"}
OUTCOMES = {
    CREATE: "new edition",
    UPDATE: "new revision of an existing edition",
    UNCHANGED: "unchanged",
    SKIP: "not imported",
}


@dataclass
class ImportOptions:
    dry_run: bool = False
    state: str = Edition.State.PUBLISHED
    default_country: str | None = None
    default_year: int | None = None
    actor: object = None


@dataclass
class ProfilePlan:
    parsed: ParsedProfile
    action: str
    reason: str = ""
    last_updated: datetime.date | None = None
    precision: str = Edition.Precision.DAY
    existing: Edition | None = None
    current: Edition | None = None


@dataclass
class Reference:
    """What the database holds that parsing needs: country names and topic names."""

    lookup: CountryLookup
    topics: list[str]
    countries: dict[str, Country] = field(default_factory=dict)
    topic_objects: dict[str, Topic] = field(default_factory=dict)
    profiles: dict[tuple[int, int], Profile] = field(default_factory=dict)
    reports: dict[tuple[str, int], Report] = field(default_factory=dict)
    # What a dry run would have written so far, so later files in the run are judged against it.
    planned: dict[tuple, str] = field(default_factory=dict)

    @classmethod
    def load(cls):
        countries = {country.name: country for country in Country.objects.all()}
        entries = {name: list(aliases) for name, aliases in DEFAULT_COUNTRIES.items()}
        for country in countries.values():
            names = [*country.alias_list, country.official_name]
            entries[country.name] = [name for name in names if name]
        topic_objects = {topic.name: topic for topic in Topic.objects.all()}
        topics = list(dict.fromkeys([*topic_objects, *DEFAULT_TOPICS]))
        return cls(
            CountryLookup(entries),
            topics,
            countries,
            topic_objects,
            {(p.country_id, p.topic_id): p for p in Profile.objects.all()},
            {(r.series, r.year): r for r in Report.objects.all()},
        )


def parse(document, options, reference):
    """The parsed document, or None when the file is unreadable (its error is on the document)."""
    if document.error:
        return None
    return parse_document(
        document.raw,
        name=document.path,
        countries=reference.lookup,
        topics=reference.topics,
        default_country=options.default_country,
        default_year=options.default_year,
    )


def import_document(document, options, reference, parsed=None):
    """Import one document (parsed already, or parsed here); returns its entry of the report."""
    entry = {"path": document.path, "status": "rejected", "error": document.error, "profiles": []}
    if parsed is None:
        parsed = parse(document, options, reference)
    if parsed is None:
        return entry
    if parsed.error:
        entry["error"] = parsed.error
        return entry
    for attempt in range(1, ATTEMPTS + 1):
        plans = [plan_profile(profile, options, reference) for profile in parsed.profiles]
        entry["profiles"] = [profile_report(plan) for plan in plans]
        runnable = [plan for plan in plans if plan.action != SKIP]
        if not runnable:
            reasons = "; ".join(plan.reason for plan in plans)
            entry["error"] = f"No profile could be imported: {reasons}"
            return entry
        if options.dry_run:
            entry["status"] = "parsed"
            return entry
        try:
            write_document(runnable, options, reference, document.path)
        except DatabaseError as exc:
            # The transaction rolled back: nothing of this file was written, and rows cached
            # during it no longer exist.
            reference.__dict__.update(Reference.load().__dict__)
            if attempt < ATTEMPTS and lost_a_race(exc):
                continue
            entry["error"] = f"Not imported, nothing written: {exc}"
            return entry
        break
    actions = {plan.action for plan in runnable}
    entry["status"] = next(
        FILE_STATUS[action] for action in (CREATE, UPDATE, UNCHANGED) if action in actions
    )
    return entry


def write_document(plans, options, reference, path):
    """One transaction and one revision for everything the file brings."""
    # Archive editions are created already published: the documented escape hatch.
    with transaction.atomic(), lifecycle(), clock_advanced_at_end():
        written = []
        for plan in plans:
            apply_plan(plan, options, reference, path, written)
        if written:
            record_written_rows(
                written, comment=f"Imported from {path.rsplit('/', 1)[-1]}", user=options.actor
            )


def lost_a_race(exc):
    """Whether another transaction (a concurrent import or edit) made this file's write fail,
    so that planning it again against what is now committed can succeed."""
    if isinstance(exc, (ConcurrentChange, IntegrityError)):
        # A unique row (topic, report, source, profile) that another import added first.
        return True
    return getattr(exc.__cause__, "sqlstate", None) in RACE_SQLSTATES


def plan_profile(parsed, options, reference):
    plan = ProfilePlan(parsed=parsed, action=CREATE)
    if parsed.country is None:
        plan.action, plan.reason = SKIP, f"unknown country {parsed.country_hint or '(not named)'}"
        return plan
    if not parsed.last_updated:
        plan.action, plan.reason = (
            SKIP,
            (f"{parsed.country}, {parsed.topic}: no date (give the report year with --year)"),
        )
        return plan
    plan.last_updated, plan.precision = parse_last_updated(parsed.last_updated)
    if options.dry_run:
        key = (parsed.country, parsed.topic, plan.last_updated, plan.precision)
        fingerprint = parsed_fingerprint(parsed)
        if key in reference.planned:
            plan.action = UNCHANGED if reference.planned[key] == fingerprint else UPDATE
            return plan
        reference.planned[key] = fingerprint
    country = reference.countries.get(parsed.country)
    topic = reference.topic_objects.get(parsed.topic)
    profile = reference.profiles.get((country.pk, topic.pk)) if country and topic else None
    if profile is None:
        return plan
    editions = list(profile.editions.exclude(state=Edition.State.WITHDRAWN).order_by("-id"))
    plan.current = next((e for e in editions if e.state == Edition.State.PUBLISHED), None)
    plan.existing = next(
        (
            e
            for e in editions
            if e.last_updated == plan.last_updated and e.last_updated_precision == plan.precision
        ),
        None,
    )
    if plan.existing is not None:
        same = edition_fingerprint(plan.existing) == parsed_fingerprint(parsed)
        plan.action = UNCHANGED if same else UPDATE
    elif options.state == Edition.State.DRAFT and any(e.state in states.OPEN for e in editions):
        plan.action = SKIP
        plan.reason = f"{parsed.country}, {parsed.topic} already has an edition in progress"
    return plan


def parse_last_updated(value):
    if len(value) == 4:
        return datetime.date(int(value), 1, 1), Edition.Precision.YEAR
    return datetime.date.fromisoformat(value), Edition.Precision.DAY


def _fingerprint(summary, overview, bodies, footnotes):
    # Headings are left out: archive copies of one edition differ in headings only (seeds 000
    # and 002), and the words under them are what identifies the text.
    digest = hashlib.sha256()
    for part in [summary, *(f"{label}\x1f{value}" for label, value in overview), *bodies]:
        digest.update(" ".join(part.split()).encode() + b"\x1e")
    for number, text in footnotes:
        digest.update(f"{number}\x1f{' '.join(text.split())}".encode() + b"\x1e")
    return digest.hexdigest()


def parsed_fingerprint(parsed):
    return _fingerprint(
        parsed.summary,
        parsed.overview,
        [section.text for section in parsed.sections if section.text.strip()],
        [(note.number, note.text) for note in parsed.footnotes],
    )


def edition_fingerprint(edition):
    return _fingerprint(
        edition.summary,
        edition.overview_facts.values_list("label", "value"),
        [body for body in edition.sections.values_list("body", flat=True) if body.strip()],
        edition.footnotes.values_list("number", "text"),
    )


def apply_plan(plan, options, reference, path, written):
    """Write one profile's edition, adding every row written to `written` for its revision."""
    if plan.action == UNCHANGED:
        return
    parsed = plan.parsed
    if plan.action == UPDATE:
        edition = plan.existing
        edition.sections.all().delete()
        edition.overview_facts.all().delete()
        edition.footnotes.all().delete()
        edition.summary = parsed.summary
        edition.version += 1
        edition.imported_from = path[-255:]
        edition.save()
    else:
        profile = get_profile(parsed, reference, written)
        edition = create_edition(profile, plan, options, reference, path, written)
    written.append(edition)
    write_content(edition, parsed, reference, written)


def get_profile(parsed, reference, written):
    country = reference.countries.get(parsed.country)
    if country is None:
        aliases = DEFAULT_COUNTRIES.get(parsed.country, [])
        country = Country.objects.create(
            name=parsed.country, slug=slugify(parsed.country), aliases="\n".join(aliases)
        )
        written.append(country)
        reference.countries[country.name] = country
    topic = reference.topic_objects.get(parsed.topic)
    if topic is None:
        topic = Topic.objects.create(
            name=parsed.topic,
            slug=slugify(parsed.topic),
            series=DEFAULT_TOPICS.get(parsed.topic, ""),
        )
        written.append(topic)
        reference.topic_objects[topic.name] = topic
    profile = reference.profiles.get((country.pk, topic.pk))
    if profile is None:
        profile = Profile.objects.create(country=country, topic=topic)
        written.append(profile)
        reference.profiles[(country.pk, topic.pk)] = profile
    return profile


def get_report(title, reference, written):
    match = REPORT_TITLE.match(title or "")
    if not match:
        return None
    key = (match["series"], int(match["year"]))
    report = reference.reports.get(key)
    if report is None:
        report = Report.objects.create(
            series=key[0], year=key[1], title=title, state=Report.State.RELEASED
        )
        written.append(report)
        reference.reports[key] = report
    return report


class ConcurrentChange(DatabaseError):
    pass


def create_edition(profile, plan, options, reference, path, written):
    """A new edition; a published import takes its place in the profile's history by date."""
    state = options.state
    current = plan.current
    if state == Edition.State.PUBLISHED and current is not None:
        if current.last_updated and current.last_updated > plan.last_updated:
            state = Edition.State.SUPERSEDED
        elif not Edition.objects.filter(pk=current.pk, state=Edition.State.PUBLISHED).update(
            state=Edition.State.SUPERSEDED
        ):
            raise ConcurrentChange(f"{profile} changed while importing; import the file again.")
    archived = state in (Edition.State.PUBLISHED, Edition.State.SUPERSEDED)
    return Edition.objects.create(
        profile=profile,
        report=get_report(plan.parsed.report, reference, written),
        state=state,
        last_updated=plan.last_updated,
        last_updated_precision=plan.precision,
        summary=plan.parsed.summary,
        published_at=(
            datetime.datetime.combine(plan.last_updated, datetime.time(), datetime.UTC)
            if archived
            else None
        ),
        imported_from=path[-255:],
        created_by=options.actor,
    )


def write_content(edition, parsed, reference, written):
    facts = OverviewFact.objects.bulk_create(
        OverviewFact(edition=edition, position=position, label=label[:255], value=value)
        for position, (label, value) in enumerate(parsed.overview, start=1)
    )
    sections = Section.objects.bulk_create(
        Section(
            edition=edition, position=position, heading=section.heading[:255], body=section.text
        )
        for position, section in enumerate(parsed.sections, start=1)
    )
    # Numbering errors were reported as warnings; a repeated number keeps its first note so
    # the edition stays valid and the editor sees the warning.
    notes = {}
    for note in parsed.footnotes:
        notes.setdefault(note.number, note)
    footnotes = Footnote.objects.bulk_create(
        Footnote(edition=edition, number=number, text=note.text) for number, note in notes.items()
    )
    sources = sources_for(
        [c for note in notes.values() for c in note.citations], reference, written
    )
    citations = {
        footnote.pk: [
            Citation(
                footnote=footnote,
                source=sources[identity_of(citation)],
                position=position,
                locator=citation.locator[:120],
            )
            for position, citation in enumerate(note.citations)
        ]
        for footnote, note in zip(footnotes, notes.values(), strict=True)
    }
    written += facts
    written += sections
    written += footnotes
    written += Citation.objects.bulk_create(c for group in citations.values() for c in group)


def identity_of(citation):
    return citation.identity[: Source._meta.get_field("identity_key").max_length]


def sources_for(citations, reference, written):
    """The Source for each citation identity, matching the bibliography or adding to it."""
    wanted = {identity_of(citation): citation for citation in citations}
    found = {
        source.identity_key: source
        for source in Source.objects.filter(identity_key__in=list(wanted))
    }
    unmatched = [identity for identity in wanted if identity not in found]
    if unmatched:
        aliases = SourceAlias.objects.filter(identity_key__in=unmatched).select_related("source")
        found.update((alias.identity_key, alias.source) for alias in aliases)
    missing = [citation for identity, citation in wanted.items() if identity not in found]
    created = Source.objects.bulk_create(
        new_source(citation, reference, written) for citation in missing
    )
    written += created
    found.update((source.identity_key, source) for source in created)
    return found


def new_source(citation, reference, written):
    report = None
    if citation.report_year and citation.report_series:
        report = get_report(
            f"{citation.report_series} Report {citation.report_year}", reference, written
        )
    return Source(
        kind=citation.kind,
        title=citation.title or citation.text,
        author=citation.author[:255],
        date=iso_date(citation.date),
        reference_number=citation.reference[:120],
        report=report,
        identity_key=identity_of(citation),
    )


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def profile_report(plan):
    parsed = plan.parsed
    warnings = [{"line": w.line, "message": w.message} for w in parsed.warnings]
    if plan.action == SKIP and not any(plan.reason in w["message"] for w in warnings):
        warnings.append({"line": parsed.start_line, "message": f"Not imported: {plan.reason}"})
    return {
        "outcome": OUTCOMES[plan.action] + (f": {plan.reason}" if plan.reason else ""),
        "country": parsed.country,
        "topic": parsed.topic,
        "report": parsed.report,
        "last_updated": parsed.last_updated,
        "summary": parsed.summary,
        "overview": [[label, value] for label, value in parsed.overview],
        "sections": [{"heading": s.heading, "text": s.text} for s in parsed.sections],
        "footnotes": [
            {"number": note.number, "text": note.text, "sources": list(note.sources)}
            for note in parsed.footnotes
        ],
        "warnings": warnings,
    }


def import_documents(documents, options, progress=None, workers=1):
    """Import every document; one failing file never stops the others.

    With `workers` above one, a large archive on PostgreSQL is imported by that many processes
    (see reports.importer.parallel); the report is the same.
    """
    if parallel.possible(documents, options, workers):
        return parallel.import_documents(documents, options, progress, workers)
    reference = Reference.load()
    files = []
    for document in documents:
        files.append(import_document(document, options, reference))
        if progress is not None:
            progress(files[-1])
    return {"files": files}


def documented_report(report):
    """The report as documented for scripts: the per-profile outcome is for the admin page."""
    return {
        "files": [
            {
                **entry,
                "profiles": [
                    {key: value for key, value in profile.items() if key != "outcome"}
                    for profile in entry["profiles"]
                ],
            }
            for entry in report["files"]
        ]
    }


def summarise(report):
    counts = {"imported": 0, "unchanged": 0, "updated": 0, "parsed": 0, "rejected": 0}
    warnings = 0
    for entry in report["files"]:
        counts[entry["status"]] += 1
        warnings += sum(len(profile["warnings"]) for profile in entry["profiles"])
    return {**counts, "warnings": warnings}
