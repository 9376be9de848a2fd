import unicodedata

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.text import slugify

from .attachments import AttachmentPath, FileKindValidator
from .editions import states
from .editions.queryset import EditionQuerySet

FROZEN_MESSAGE = "A published edition never changes; start a new draft instead."
LOCKED_MESSAGE = (
    "This edition is not a draft: its content changes only after changes are requested."
)


def normalise_text(value):
    """Editorial text as stored: line endings LF (browsers post CRLF), no spaces at the end
    of a line or blank lines at the end, Unicode NFC. Saving text that differs only in these
    is then no change at all, and diffs show none."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = unicodedata.normalize("NFC", value).split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip("\n")


class _NormalisedFormField:
    def to_python(self, value):
        return normalise_text(super().to_python(value))


class NormalisedFormCharField(_NormalisedFormField, forms.CharField):
    pass


class NormalisedText:
    """A text field normalised (normalise_text) for every writer: save() and bulk_create()
    (pre_save), update() and filters (get_prep_value), and the admin's forms, so that a form
    posted back unchanged has no changed data. The column is the plain one it replaces, so
    migrations see no change."""

    def pre_save(self, model_instance, add):
        value = normalise_text(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return normalise_text(super().get_prep_value(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NormalisedFormCharField, **kwargs})

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        plain = type(self).__mro__[2]
        return name, f"django.db.models.{plain.__name__}", args, kwargs


class NormalisedTextField(NormalisedText, models.TextField):
    pass


class NormalisedCharField(NormalisedText, models.CharField):
    pass


class CountryQuerySet(models.QuerySet):
    """A country is named on the public site only once an edition of it is published or
    archived: drafts, editions in review and withdrawn ones leak nothing, not even its name."""

    def public(self):
        return self.filter(self._has_public_edition())

    def with_is_public(self):
        return self.annotate(is_public=self._has_public_edition())

    @staticmethod
    def _has_public_edition():
        return Exists(Edition.objects.readable().filter(profile__country=OuterRef("pk")))


class TopicQuerySet(models.QuerySet):
    def public(self):
        """Topics with an edition the public site reads (see CountryQuerySet)."""
        return self.filter(Exists(Edition.objects.readable().filter(profile__topic=OuterRef("pk"))))


class ReportQuerySet(models.QuerySet):
    def with_open_count(self):
        """Each report with `open_count`: its editions still in progress (a released report
        may have some, which a later release publishes once they are approved)."""
        return self.annotate(
            open_count=models.Count("editions", filter=Q(editions__state__in=states.OPEN))
        )


class Country(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    iso_code = models.CharField(
        "ISO code",
        max_length=3,
        blank=True,
        help_text="ISO 3166-1 alpha-3; empty for areas that are not states.",
    )
    official_name = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=80, blank=True, db_index=True)
    aliases = models.TextField(
        blank=True,
        help_text="Other names used in archive documents, one per line (e.g. Kyrgyz Republic).",
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        permissions = [
            ("import_country", "Can import countries from a file"),
            ("export_country", "Can export countries to a file"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["iso_code"], condition=~Q(iso_code=""), name="country_iso_code_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("public:country", args=[self.slug])

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class Topic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    series = models.CharField(
        max_length=120, blank=True, help_text="The monitor series that publishes this topic."
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        permissions = [
            ("import_topic", "Can import topics from a file"),
            ("export_topic", "Can export topics to a file"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Report(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        RELEASED = "released", "Released"

    series = models.CharField(max_length=120, help_text="e.g. Landmine Monitor")
    series_slug = models.SlugField(max_length=120)
    year = models.PositiveSmallIntegerField()
    title = models.CharField(
        max_length=200, blank=True, help_text="Defaults to “Series Report Year”."
    )
    release_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(
        null=True,
        blank=True,
        help_text="When the update's editions should be approved: open ones after it are overdue.",
    )
    overview = models.TextField(
        blank=True,
        help_text="The report's introduction on its public page; paragraphs separated by a "
        "blank line.",
    )
    key_findings = models.TextField(
        blank=True,
        help_text="One finding per line; the home page shows those of the latest report.",
    )
    pdf = models.FileField(
        "PDF",
        upload_to=AttachmentPath("reports"),
        max_length=255,
        blank=True,
        validators=[FileKindValidator("pdf")],
        help_text="The whole report as published, offered for download on its page once the "
        "report is published. PDF only.",
    )
    pdf_size = models.PositiveBigIntegerField("PDF size", null=True, blank=True, editable=False)
    scheduled_release_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PLANNED)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "series"]
        permissions = [
            ("import_report", "Can import reports from a file"),
            ("export_report", "Can export reports to a file"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="report_series_year_unique"),
            models.CheckConstraint(
                condition=Q(state__in=["planned", "in_progress", "released"]),
                name="report_state_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.series_slug:
            self.series_slug = slugify(self.series)
        if not self.title:
            self.title = f"{self.series} Report {self.year}"
        if not self.pdf:
            self.pdf_size = None
        elif not self.pdf._committed or self.pdf.name != getattr(self, "_stored_pdf", None):
            try:
                self.pdf_size = self.pdf.size
            except OSError:  # a name given without its file: no size to show
                self.pdf_size = None
        super().save(*args, **kwargs)
        self._stored_pdf = self.pdf.name

    @classmethod
    def from_db(cls, db, field_names, values):
        report = super().from_db(db, field_names, values)
        report._stored_pdf = report.__dict__.get("pdf")
        return report

    @property
    def state_summary(self):
        """The state as it really is: "Released, 3 editions still open" (needs
        ReportQuerySet.with_open_count(), else one query)."""
        open_count = getattr(self, "open_count", None)
        if open_count is None:
            open_count = self.editions.open().count()
        text = self.get_state_display()
        if open_count and self.state == self.State.RELEASED:
            text += f", {open_count} edition{'s' if open_count != 1 else ''} still open"
        return text

    def findings(self):
        return [line.strip() for line in self.key_findings.splitlines() if line.strip()]


class Profile(models.Model):
    """A country's profile on one topic: the stable identity behind its yearly editions."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="profiles")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="profiles")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country__name", "topic__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "topic"], name="profile_country_topic_unique"
            ),
        ]

    def __str__(self):
        return f"{self.country} — {self.topic}"

    def get_absolute_url(self):
        return reverse("public:profile", args=[self.country.slug, self.topic.slug])


class Assignment(models.Model):
    """Who updates a profile for a yearly report, and by when."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="assignments")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="assignments")
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    due_on = models.DateField(
        "due date", null=True, blank=True, help_text="Defaults to the report's target date."
    )

    class Meta:
        ordering = ["report", "profile__country__name", "profile__topic__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "profile"], name="assignment_one_per_report_profile"
            ),
        ]

    def __str__(self):
        return f"{self.profile} for {self.report}: {self.researcher}"


class Edition(models.Model):
    """One dated version of a profile's content.

    Copy-on-write: a published edition is frozen and changes start a new draft copied from it.
    """

    State = states.State

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        YEAR = "year", "Year only"

    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="editions")
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="editions", null=True, blank=True
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    last_updated = models.DateField(
        null=True,
        blank=True,
        help_text="Shown as “Last updated”. Publishing sets it to the publication date if empty.",
    )
    last_updated_precision = models.CharField(
        max_length=4, choices=Precision.choices, default=Precision.DAY
    )
    summary = NormalisedTextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every save; a form holding an older value is stale."
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derived_editions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last submitted it for review (nobody approves their own submission).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="Scheduled publication time of an approved edition."
    )
    imported_from = models.CharField(max_length=255, blank=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-last_updated", "-id"]
        get_latest_by = "last_updated"
        # The list filtered by state, in its order (last updated, then id) read from the index.
        indexes = [
            models.Index(fields=["state", "-last_updated", "-id"], name="edition_state_updated")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(state__in=["draft", "in_review", "changes_requested", "approved"]),
                name="edition_one_open_per_profile",
            ),
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(state="published"),
                name="edition_one_published_per_profile",
            ),
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "draft",
                        "in_review",
                        "changes_requested",
                        "approved",
                        "published",
                        "superseded",
                        "withdrawn",
                    ]
                ),
                name="edition_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(last_updated_precision__in=["day", "year"]),
                name="edition_precision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="edition_published_has_time",
            ),
        ]
        permissions = [
            ("submit_edition", "Can submit an edition for review"),
            ("review_edition", "Can approve an edition or request changes"),
            ("publish_edition", "Can publish, schedule and withdraw editions"),
            ("import_archive", "Can import legacy archive documents"),
        ]

    def __str__(self):
        return f"{self.profile} ({self.last_updated_display or self.get_state_display()})"

    def get_absolute_url(self):
        """Where the public reads it: its profile page when current (or undated), else its own
        archive address (a year may hold several editions). An edition the public cannot read
        has the staff preview instead."""
        profile = self.profile
        args = [profile.country.slug, profile.topic.slug]
        if self.state not in states.READABLE:
            return reverse("edition_preview", args=[self.pk])
        if self.state in states.PUBLIC or self.last_updated is None:
            return reverse("public:profile", args=args)
        return reverse("public:archived_edition", args=[*args, self.last_updated.year, self.pk])

    @property
    def is_open(self):
        return self.state in states.OPEN

    @property
    def is_editable(self):
        return self.state in states.EDITABLE

    @property
    def is_readable(self):
        return self.state in states.READABLE

    @property
    def is_frozen(self):
        return self.state in states.FROZEN

    @property
    def last_updated_display(self):
        if self.last_updated is None:
            return ""
        if self.last_updated_precision == self.Precision.YEAR:
            return str(self.last_updated.year)
        return f"{self.last_updated.day} {self.last_updated:%B %Y}"

    def clean(self):
        super().clean()
        if self.last_updated and self.last_updated_precision == self.Precision.YEAR:
            self.last_updated = self.last_updated.replace(month=1, day=1)


class EditionEvent(models.Model):
    """One step of the editorial workflow: who moved an edition from which state to which."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, choices=Edition.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=Edition.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(db_index=True)
    comment = models.TextField(blank=True)
    revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The content revision the step acted on.",
    )
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="A hash of the content the step acted on (what was approved).",
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["edition", "-at"], name="editionevent_edition_at")]

    def __str__(self):
        return f"{self.edition_id}: {self.from_state or '—'} → {self.to_state} ({self.action})"


class EditionContent(models.Model):
    """Rows that belong to an edition's content: editable only while their edition is.

    The database refuses every other write (reports.editions.freeze); clean() says so first,
    as a form error, for the edition a row is on and for the one it would move to.
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        row._stored_edition_id = row.__dict__.get("edition_id")
        return row

    def edition_refusal(self):
        """Why this row may not be written now, or None: judged on the edition it is on and
        the one it would move to (no query when the edition is the one the form loaded)."""
        stored = getattr(self, "_stored_edition_id", None)
        if stored in (None, self.edition_id) and type(self).edition.is_cached(self):
            return edition_refusal_for_state(self.edition.state)
        return edition_refusal({self.edition_id, stored})

    def clean(self):
        super().clean()
        refusal = self.edition_refusal()
        if refusal:
            raise ValidationError(refusal)


def edition_refusal(edition_ids):
    """Why content of these editions may not change now (outside the lifecycle), or None."""
    editions = Edition._base_manager.filter(pk__in=[pk for pk in edition_ids if pk])
    for state in editions.values_list("state", flat=True):
        refusal = edition_refusal_for_state(state)
        if refusal:
            return refusal
    return None


def edition_refusal_for_state(state):
    if state in states.FROZEN:
        return FROZEN_MESSAGE
    if state not in states.EDITABLE:
        return LOCKED_MESSAGE
    return None


class OverviewFact(EditionContent):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="overview_facts")
    position = models.PositiveSmallIntegerField()
    label = NormalisedCharField(max_length=255)
    value = NormalisedTextField(blank=True)

    class Meta:
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "position"], name="overviewfact_position_unique"
            ),
        ]
        permissions = [
            ("export_overviewfact", "Can export the current editions' overview facts"),
        ]

    def __str__(self):
        return f"{self.label}: {self.value}"


class Section(EditionContent):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    heading = NormalisedCharField(max_length=255, blank=True)
    body = NormalisedTextField(
        blank=True, help_text="Paragraphs separated by a blank line; footnote markers as [n]."
    )

    class Meta:
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "position"], name="section_position_unique"),
        ]

    def __str__(self):
        return self.heading or f"Section {self.position}"


class Figure(EditionContent):
    """A map or another image shown on an edition's page, with its caption and a text
    alternative. Edition content: versioned with its edition and frozen with it, so a map
    reaches the public site only in an approved, published edition (reports.attachments)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="figures")
    position = models.PositiveSmallIntegerField()
    image = models.ImageField(
        upload_to=AttachmentPath("figures"),
        max_length=255,
        width_field="width",
        height_field="height",
        validators=[FileKindValidator("png", "jpeg")],
        help_text="PNG or JPEG (SVG is not accepted: export the map as PNG).",
    )
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    alt_text = NormalisedCharField(
        "text alternative",
        max_length=500,
        help_text="What the image shows, for readers who cannot see it (required).",
    )
    caption = NormalisedTextField(blank=True, help_text="Shown under the image.")

    class Meta:
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "position"], name="figure_position_unique"),
            models.CheckConstraint(condition=~Q(alt_text=""), name="figure_has_alt_text"),
        ]

    def __str__(self):
        return self.caption.split("\n")[0][:80] or f"Figure {self.position}"

    def save(self, *args, **kwargs):
        # FieldFile.save() stores a file without measuring it (only assignment does): the
        # page gives every image its size, so that nothing moves as images arrive.
        if self.image and self.width is None:
            self.width, self.height = self.image.width, self.image.height
        super().save(*args, **kwargs)


class ChapterQuerySet(models.QuerySet):
    def public(self):
        """Published chapters of reports the public site shows (one with a readable
        edition)."""
        return self.filter(
            published=True,
            report__in=Edition.objects.readable().values("report"),
        )


class Chapter(models.Model):
    """A chapter of a yearly report about no one country (Major Findings, Ban Policy, an
    introduction). A record that the report's published pages show: changed by editors and
    up, every change a revision with an audit entry (reports.editions.records)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveSmallIntegerField(default=0)
    title = NormalisedCharField(max_length=255)
    slug = models.SlugField(max_length=120)
    body = NormalisedTextField(
        blank=True,
        help_text="Paragraphs separated by a blank line; bullet lines start with “• ” or “- ”.",
    )
    published = models.BooleanField(
        default=False,
        help_text="Shown on the report's public pages (once the report has a published "
        "profile). Leave unticked while the chapter is being written.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChapterQuerySet.as_manager()

    class Meta:
        ordering = ["report", "position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["report", "slug"], name="chapter_slug_unique"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:120]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "public:chapter", args=[self.report.series_slug, self.report.year, self.slug]
        )


class TreatyStatus(models.Model):
    class Treaty(models.TextChoices):
        MINE_BAN_TREATY = "mbt", "Mine Ban Treaty"
        CLUSTER_MUNITIONS = "ccm", "Convention on Cluster Munitions"
        CCW = "ccw", "Convention on Conventional Weapons"
        CCW_AMENDED_PROTOCOL_II = "ap2", "CCW Amended Protocol II"
        CCW_PROTOCOL_V = "p5", "CCW Protocol V"

    class Status(models.TextChoices):
        STATE_PARTY = "state_party", "State Party"
        SIGNATORY = "signatory", "Signatory"
        NOT_PARTY = "not_party", "Not a State Party"

    class Consent(models.TextChoices):
        RATIFICATION = "ratification", "Ratification"
        ACCESSION = "accession", "Accession"

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="treaty_statuses")
    treaty = models.CharField(max_length=3, choices=Treaty.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    signed_on = models.DateField("signature date", null=True, blank=True)
    consent_on = models.DateField("ratification or accession date", null=True, blank=True)
    consent_by = models.CharField("joined by", max_length=12, choices=Consent.choices, blank=True)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(
        auto_now=True, help_text="The treaty status table is “as of” the latest of these."
    )

    class Meta:
        ordering = ["country__name", "treaty"]
        verbose_name_plural = "treaty statuses"
        permissions = [
            ("import_treatystatus", "Can import treaty statuses from a file"),
            ("export_treatystatus", "Can export treaty statuses to a file"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["country", "treaty"], name="treatystatus_unique"),
            models.CheckConstraint(
                condition=Q(treaty__in=["mbt", "ccm", "ccw", "ap2", "p5"]),
                name="treatystatus_treaty_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["state_party", "signatory", "not_party"]),
                name="treatystatus_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_party") | Q(consent_on__isnull=True),
                name="treatystatus_not_party_has_no_consent",
            ),
        ]

    def __str__(self):
        return f"{self.country}: {self.get_treaty_display()} — {self.get_status_display()}"


class PublicationClock(models.Model):
    """One row whose tick moves in the same transaction as anything the public site shows.

    Cached public pages remember the tick they were rendered at; reading this one row is how
    every server process learns that its cached pages are out of date.
    """

    tick = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Publication clock at {self.tick}"


class PublicationScope(models.Model):
    """The tick of the publication clock at which the pages of one scope last changed: those of
    one profile (``profile:<id>``), or every page (``shared``: a record that any page may show,
    such as a country or a source). See reports.public.pagecache."""

    name = models.CharField(max_length=40, primary_key=True)
    tick = models.BigIntegerField()

    def __str__(self):
        return f"{self.name} changed at {self.tick}"


class SearchDocument(models.Model):
    """An edition's searchable text as one full-text document (PostgreSQL only).

    One row per published or superseded edition (several for a very long one: a tsvector keeps
    word positions only up to 16,383, so an edition is cut into parts). The ``document``
    tsvector column and the triggers that keep every row exact are added by migration
    reports.0006_search_documents: the database rewrites an edition's rows at the commit of any
    transaction that changed its text or state, whatever made the change (workflow, importer,
    a queryset update). The profile and date are copied here so that filters need no join.
    While the edition is current its vector is kept a second time in ``current_document``,
    stored in the row rather than out of line, for ranking (migration
    reports.0015_search_current_documents). Only reports.public.search reads it; on SQLite the
    table stays empty and search falls back to LIKE.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    part = models.PositiveSmallIntegerField()
    current = models.BooleanField(help_text="The edition is its profile's published one.")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    last_updated = models.DateField(null=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "part"], name="searchdocument_part_unique"),
        ]

    def __str__(self):
        return f"Search document {self.part} of edition {self.edition_id}"


class RecordChangeQuerySet(models.QuerySet):
    def for_record(self, record):
        return self.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
        )


class RecordChange(models.Model):
    """The audit entry of a change to a record that published pages show, made outside the
    edition workflow (see reports.editions.records). Written once, never changed."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField("record", max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(db_index=True)
    changes = models.JSONField(
        encoder=DjangoJSONEncoder, help_text="{field: {old, new}} for each changed field."
    )
    comment = models.TextField(blank=True)

    objects = RecordChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="recordchange_object"),
        ]
        default_permissions = ("view",)
        permissions = [("change_public_record", "Can change records shown on published pages")]

    def __str__(self):
        return f"{self.object_repr}: {', '.join(self.changes)}"


class MovedPathQuerySet(models.QuerySet):
    def move(self, old_prefix, new_prefix):
        """Send `old_prefix` and every path under it to `new_prefix`, keeping chains one step
        long: what pointed into the old place now points into the new one."""
        if old_prefix == new_prefix:
            return
        for moved in self.filter(new_prefix__startswith=old_prefix):
            moved.new_prefix = new_prefix + moved.new_prefix[len(old_prefix) :]
            if moved.new_prefix == moved.old_prefix:
                moved.delete()
            else:
                moved.save(update_fields=["new_prefix"])
        # The new place is live again, whatever was moved away from it before.
        self.filter(old_prefix=new_prefix).delete()
        self.update_or_create(old_prefix=old_prefix, defaults={"new_prefix": new_prefix})

    def target(self, path):
        """Where `path` moved to, by the longest moved prefix it starts with; None if none."""
        prefixes = [path[: index + 1] for index, char in enumerate(path) if char == "/"]
        moved = self.filter(old_prefix__in=prefixes).order_by(Length("old_prefix").desc()).first()
        if moved is None:
            return None
        return moved.new_prefix + path[len(moved.old_prefix) :]


class MovedPath(models.Model):
    """A public address that moved: a renamed country, a profile given another country or
    topic. Old links answer 301 to the new place (reports.public.moved)."""

    old_prefix = models.CharField(max_length=300, unique=True)
    new_prefix = models.CharField(max_length=300)

    objects = MovedPathQuerySet.as_manager()

    def __str__(self):
        return f"{self.old_prefix} → {self.new_prefix}"


class EditingLock(models.Model):
    """Who has an edition's edit page open, since when: a soft lock. It tells others, never
    refuses them (a stale save is still refused: reports.editions.admin.EditionForm). Renewed
    while the page is open, released on save, lapsed after settings.EDITING_LOCK_TIMEOUT; a
    publisher may take it over. See reports.editions.locks."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="editing_lock")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    renewed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.user} editing {self.edition_id} since {self.since:%Y-%m-%d %H:%M}"
