"""Write parsed archive documents into the database.

Each file is imported as one django-reversion revision "Imported from <file>", all or nothing:
in a transaction of its own, or in a savepoint of its own within a batch of files that commit
together (import_in_batches). Its profiles are locked first; each is then planned against what
is locked (is its edition new, unchanged, or new text for an edition of the same date; see
plan_profile) and added through the lifecycle step reports.editions.imports.ImportEdition,
which never changes an existing edition. A dry run plans against what is committed and what
the run's earlier files would have added, and never writes.
"""

import datetime
import hashlib
import re
import time
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, transaction
from django.utils.text import slugify

from reports.editions import states
from reports.editions.freeze import lifecycle
from reports.editions.imports import (
    ImportEdition,
    ImportRefused,
    import_refusal,
    lock_profiles,
    placement,
    profile_editions,
)
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

from . import limits, parallel, statistics
from .countries import entry_for, lookup_entries
from .parsing import CountryLookup, ParsedProfile, parse_document

State = states.State
# The series of each standard topic (parsing.DEFAULT_TOPICS), for a Topic the import adds.
DEFAULT_TOPICS = {
    "Mine Ban Policy": "Landmine Monitor",
    "Cluster Munition Ban Policy": "Cluster Munition Monitor",
    "Mine Action": "Landmine Monitor",
    "Cluster Munition Remnants": "Cluster Munition Monitor",
    "Impact": "Landmine and Cluster Munition Monitor",
    "Casualties": "Landmine Monitor",
    "Casualties and Victim Assistance": "Landmine Monitor",
    "Victim Assistance": "Landmine Monitor",
    "Support for Mine Action": "Landmine Monitor",
    "Country report": "Landmine Monitor",
}
# A file whose write collides with another transaction is planned and written again, as a
# person would re-run it; a collision that persists is reported, with nothing written.
ATTEMPTS = 3
# Files written in one transaction at most (see import_in_batches).
BATCH_FILES = 50
BATCH_SECONDS = 0.25
RACE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure
REPORT_TITLE = re.compile(r"^(?P<series>.+?)(?:\s+Report)?\s+(?P<year>\d{4})$")

# What becomes of each profile of a file: a new edition (CREATE), nothing (UNCHANGED), a new
# edition carrying new text for the edition of the same date (UPDATE), or nothing, refused
# (SKIP). A file's status names the first of CREATE, UPDATE, UNCHANGED among its profiles.
CREATE, UNCHANGED, UPDATE, SKIP = "create", "unchanged", "update", "skip"
FILE_STATUS = {CREATE: "imported", UPDATE: "updated", UNCHANGED: "unchanged"}
# A file that is not a country profile (a global chapter, a press release): nothing written.
NOT_PROFILE = "not a profile"
# The statuses of a file that went as it should: an archive run with any other fails.
SUCCESSFUL = {"imported", "updated", "unchanged", "parsed"}


@dataclass
class ImportOptions:
    dry_run: bool = False
    state: str = State.PUBLISHED
    default_country: str | None = None
    default_year: int | None = None
    # Who imports: None for the command line, trusted as the system.
    actor: object = None


@dataclass
class ProfilePlan:
    parsed: ParsedProfile
    action: str
    reason: str = ""
    last_updated: datetime.date | None = None
    precision: str = Edition.Precision.DAY
    # The profile's editions, newest first, as planned against.
    editions: list = field(default_factory=list)
    # The edition of the same date whose text the import replaces (UPDATE).
    replaces: Edition | None = None
    place: object = None  # the reports.editions.imports.Placement of a new edition

    @property
    def outcome(self):
        """What becomes of the profile, in words (the report's `outcome`)."""
        if self.action == SKIP:
            return f"not imported: {self.reason}"
        if self.action == UNCHANGED:
            return "unchanged"
        state = self.place.state
        if self.action == UPDATE:
            if state == State.DRAFT:
                return "new text for the edition of this date: a new draft based on it"
            return (
                "new text for the edition of this date: published as a new edition, "
                "the earlier one archived"
            )
        if state == State.DRAFT:
            return "new draft"
        if state == State.SUPERSEDED:
            return "new edition, archived: a newer edition is current"
        return "new edition, published"


@dataclass
class Reference:
    """What the database holds that parsing needs: country names and topic names."""

    lookup: CountryLookup
    topics: list[str]
    countries: dict[str, Country] = field(default_factory=dict)
    topic_objects: dict[str, Topic] = field(default_factory=dict)
    profiles: dict[tuple[int, int], Profile] = field(default_factory=dict)
    reports: dict[tuple[str, int], Report] = field(default_factory=dict)
    # A dry run's view of each profile's editions, (country, topic) -> editions newest first:
    # what is committed and what the run's earlier files would have added (never saved).
    planned: dict[tuple[str, str], list] = field(default_factory=dict)

    @classmethod
    def load(cls):
        countries = {country.name: country for country in Country.objects.all()}
        entries = lookup_entries(
            (c.name, c.iso_code, c.official_name, c.alias_list) for c in countries.values()
        )
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

    def reload(self):
        """Read again what exists: rows cached during a transaction that rolled back are gone."""
        self.__dict__.update(Reference.load().__dict__)

    def profile_of(self, parsed):
        """The existing profile of a parsed profile, or None."""
        country = self.countries.get(parsed.country)
        topic = self.topic_objects.get(parsed.topic)
        return self.profiles.get((country.pk, topic.pk)) if country and topic else None


@dataclass
class PlannedEdition:
    """An edition a dry run would have added, for judging the run's later files."""

    state: str
    last_updated: datetime.date
    last_updated_precision: str
    text_fingerprint: str


def parse(document, options, reference):
    """The parsed document, or None when the file is unreadable or too costly to parse (its
    error is on the document)."""
    if not document.error:
        document.error = limits.document_refusal(document.raw)
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
    """Import one document (parsed already, or parsed here) in a transaction of its own;
    returns its entry of the report."""
    entry, parsed = prepare(document, options, reference, parsed)
    if parsed is None:
        return entry
    for attempt in range(1, ATTEMPTS + 1):
        try:
            if options.dry_run:
                plans = plan_dry_run(parsed.profiles, options, reference)
            else:
                plans = write_document(parsed.profiles, options, reference, document.path)
        except DatabaseError as exc:
            reference.reload()
            if attempt < ATTEMPTS and lost_a_race(exc):
                continue
            return not_written(entry, parsed, exc)
        break
    return finish(entry, plans, options)


def prepare(document, options, reference, parsed=None):
    """The document's entry of the report, and its parsed profiles to write, or None when the
    file is refused (the entry says why) or is not a country profile."""
    error = document.error or limits.document_refusal(document.raw)
    entry = {
        "path": document.path,
        "status": "rejected",
        "error": error,
        "stripped_lines": 0,
        "profiles": [],
    }
    if error:
        return entry, None
    if parsed is None:
        parsed = parse(document, options, reference)
    if parsed is None:
        return entry, None
    entry["stripped_lines"] = parsed.stripped_lines
    if parsed.error:
        entry["error"] = parsed.error
        if parsed.not_profile:
            entry["status"] = NOT_PROFILE
        return entry, None
    return entry, parsed


def finish(entry, plans, options):
    """The entry of a file once its `plans` are written (or, in a dry run, planned)."""
    entry["profiles"] = [profile_report(plan) for plan in plans]
    actions = {plan.action for plan in plans}
    if actions == {SKIP}:
        reasons = "; ".join(plan.reason for plan in plans)
        entry["error"] = f"No profile could be imported: {reasons}"
    elif options.dry_run:
        entry["status"] = "parsed"
    else:
        entry["status"] = next(
            FILE_STATUS[action] for action in (CREATE, UPDATE, UNCHANGED) if action in actions
        )
    return entry


def not_written(entry, parsed, exc):
    """The entry of a file whose transaction rolled back: nothing of it was written."""
    entry["status"] = "rejected"
    entry["error"] = f"Not imported, nothing written: {exc}"
    entry["profiles"] = [
        profile_report(ProfilePlan(profile, SKIP, reason="the file was not written"))
        for profile in parsed.profiles
    ]
    return entry


def import_in_batches(items, options, reference, progress=None):
    """Import `items`, (document, its parsed profiles or None) in file order, and return each
    file's entry of the report.

    Consecutive files share a transaction, a batch of at most BATCH_FILES files or
    BATCH_SECONDS, each file in a savepoint of its own: a file that fails leaves nothing
    written and the others go on, as with a transaction per file, while the commit, the
    lifecycle gate and the page cache's clock are paid once a batch. The batch's profile
    locks are held until its commit, so an editor of one of them waits at most that long.
    A file that collides with another transaction (lost_a_race) ends its batch: the files
    before it are committed, which releases what the other transaction may be waiting for,
    and the file is written again at the start of the next batch.
    """
    files, position, collisions = [], 0, 0
    while position < len(items):
        statistics.now_and_then()
        batch, written = [], []  # the batch's entries; the (entry, parsed) of files written
        try:
            with transaction.atomic(), clock_advanced_at_end(), lifecycle():
                deadline = time.monotonic() + BATCH_SECONDS
                while position + len(batch) < len(items) and len(batch) < BATCH_FILES:
                    if batch and time.monotonic() > deadline:
                        break
                    document, parsed = items[position + len(batch)]
                    entry, parsed = prepare(document, options, reference, parsed)
                    if parsed is None:
                        batch.append(entry)
                        continue
                    try:
                        plans = write_document(parsed.profiles, options, reference, document.path)
                    except DatabaseError as exc:
                        reference.reload()
                        collisions += 1
                        if lost_a_race(exc) and collisions < ATTEMPTS:
                            break
                        batch.append(not_written(entry, parsed, exc))
                        collisions = 0
                        continue
                    collisions = 0
                    batch.append(finish(entry, plans, options))
                    written.append((entry, parsed))
        except DatabaseError as exc:  # the commit failed: nothing of the batch was written
            reference.reload()
            for entry, parsed in written:
                not_written(entry, parsed, exc)
        position += len(batch)
        files += batch
        if progress is not None:
            for entry in batch:
                progress(entry)
    return files


def write_document(profiles, options, reference, path):
    """One transaction and one revision for everything the file brings; returns its plans.

    The whole file is inside the gate (a published edition gains its content in the
    transaction that creates it), which announces once what the file changed; the page
    cache's clock then moves once, at the end.
    """
    name = path.rsplit("/", 1)[-1]
    with transaction.atomic(), clock_advanced_at_end(), lifecycle():
        existing = {(p.country, p.topic): reference.profile_of(p) for p in profiles}
        locked = lock_profiles(sorted({p.pk for p in existing.values() if p is not None}))
        # (country, topic) -> the profile's editions, brought up to date by each import
        histories = {
            key: locked[profile.pk] if profile else [] for key, profile in existing.items()
        }
        plans, steps, written = [], [], []
        for parsed in profiles:
            plan = plan_profile(parsed, options, histories[(parsed.country, parsed.topic)])
            plans.append(plan)
            if plan.action in (CREATE, UPDATE):
                steps.append(apply_plan(plan, options, reference, path, written))
        if written:
            # Every edition written here is new, written with its whole content.
            revision = record_written_rows(
                written, comment=f"Imported from {name}", user=options.actor, whole_content=True
            )
            for step in steps:
                step.record(revision)
    return plans


def plan_dry_run(profiles, options, reference):
    """The file's plans against what is committed and what the run's earlier files added."""
    plans = []
    for parsed in profiles:
        key = (parsed.country, parsed.topic)
        if key not in reference.planned:
            profile = reference.profile_of(parsed)
            editions = profile_editions([profile.pk])[profile.pk] if profile else []
            reference.planned[key] = editions
        plan = plan_profile(parsed, options, reference.planned[key])
        if plan.action in (CREATE, UPDATE):
            new = PlannedEdition(
                plan.place.state, plan.last_updated, plan.precision, parsed_fingerprint(parsed)
            )
            # Only this run's own list is changed: its editions are never saved.
            plan.place.apply_to(reference.planned[key], new)
        plans.append(plan)
    return plans


def lost_a_race(exc):
    """Whether another transaction (a concurrent import or edit) made this file's write fail,
    so that planning it again against what is now committed can succeed."""
    if isinstance(exc, IntegrityError):
        # A unique row (topic, report, source, profile) that another import added first.
        return True
    return getattr(exc.__cause__, "sqlstate", None) in RACE_SQLSTATES


def plan_profile(parsed, options, editions):
    """What becomes of one parsed profile, given its profile's `editions` (newest first; none
    for a profile not yet there). Any edition of the same date with the same text, withdrawn
    ones included, leaves it unchanged: importing an archive again changes nothing."""
    plan = ProfilePlan(parsed, CREATE, editions=editions)
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
    same_date = [
        e
        for e in plan.editions
        if e.last_updated == plan.last_updated and e.last_updated_precision == plan.precision
    ]
    if any(same_text(edition, parsed) for edition in same_date):
        plan.action = UNCHANGED
        return plan
    if same_date:
        current = (e for e in same_date if e.state in states.PUBLIC)
        plan.action, plan.replaces = UPDATE, next(current, same_date[0])
    try:
        plan.place = placement(
            f"{parsed.country} — {parsed.topic}",
            plan.editions,
            state=options.state,
            last_updated=plan.last_updated,
            replaces=plan.replaces,
        )
    except ImportRefused as refused:
        plan.action, plan.reason = SKIP, str(refused)
    return plan


def same_text(edition, parsed):
    known = getattr(edition, "text_fingerprint", None) or edition_fingerprint(edition)
    return known == parsed_fingerprint(parsed)


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
    """Add one profile's edition through the lifecycle, adding every row written to `written`
    for the file's revision; returns the step, whose events are recorded with the revision."""
    parsed = plan.parsed
    step = ImportEdition(
        get_profile(parsed, reference, written),
        options.actor,
        source=path.rsplit("/", 1)[-1],
        state=options.state,
        last_updated=plan.last_updated,
        precision=plan.precision,
        replaces=plan.replaces,
    )
    edition = step.execute(
        plan.editions,
        report=get_report(parsed.report, reference, written),
        summary=parsed.summary,
        imported_from=path[-255:],
    )
    written.append(edition)
    write_content(edition, parsed, reference, written)
    return step


def get_profile(parsed, reference, written):
    country = reference.countries.get(parsed.country)
    if country is None:
        known = entry_for(parsed.country)
        iso_code = known.iso_code if known else ""
        if iso_code and any(other.iso_code == iso_code for other in reference.countries.values()):
            iso_code = ""  # taken by a country named otherwise: the editors merge them
        country = Country.objects.create(
            name=parsed.country,
            slug=slugify(parsed.country),
            iso_code=iso_code,
            official_name=known.official_name if known else "",
            aliases="\n".join(known.aliases) if known else "",
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
                source_id=sources[identity_of(citation)],
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
    """The id of the Source for each citation identity, matching the bibliography or adding to
    it."""
    wanted = {identity_of(citation): citation for citation in citations}
    found = dict(
        Source.objects.filter(identity_key__in=list(wanted)).values_list("identity_key", "pk")
    )
    unmatched = [identity for identity in wanted if identity not in found]
    if unmatched:
        found.update(
            SourceAlias.objects.filter(identity_key__in=unmatched).values_list(
                "identity_key", "source_id"
            )
        )
    missing = [citation for identity, citation in wanted.items() if identity not in found]
    created = Source.objects.bulk_create(
        new_source(citation, reference, written) for citation in missing
    )
    written += created
    found.update((source.identity_key, source.pk) for source in created)
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
        "outcome": plan.outcome,
        "country": parsed.country,
        "topic": parsed.topic,
        "report": parsed.report,
        "last_updated": parsed.last_updated,
        "date_from": parsed.date_from,
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
    (see reports.importer.parallel); the report is the same. Raises ImportRefused, before
    reading anything, when the actor may not import in the chosen state.
    """
    reason = import_refusal(options.actor, options.state)
    if reason:
        raise ImportRefused(reason)
    if parallel.possible(documents, options, workers):
        return parallel.import_documents(documents, options, progress, workers)
    reference = Reference.load()
    if options.dry_run:
        files = []
        for document in documents:
            files.append(import_document(document, options, reference))
            if progress is not None:
                progress(files[-1])
        return {"files": files}
    items = [(document, None) for document in documents]
    return {"files": import_in_batches(items, options, reference, progress)}


def summarise(report):
    counts = {
        "imported": 0,
        "unchanged": 0,
        "updated": 0,
        "parsed": 0,
        "rejected": 0,
        NOT_PROFILE: 0,
    }
    warnings = 0
    for entry in report["files"]:
        counts[entry["status"]] += 1
        warnings += sum(len(profile["warnings"]) for profile in entry["profiles"])
    return {**counts, "warnings": warnings}
