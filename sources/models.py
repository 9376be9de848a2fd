from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q

from reports.models import (
    EditionContent,
    NormalisedTextField,
    edition_refusal,
    edition_refusal_for_state,
)

# A source's address becomes a link on public pages: only the web's own schemes, never
# javascript:, data: or anything else a browser would run or open unasked.
WEB_SCHEMES = ["http", "https"]
web_url = URLValidator(schemes=WEB_SCHEMES, message="Enter a web address (http:// or https://).")


class Source(models.Model):
    """One cited item in the shared bibliography, cited from any number of footnotes."""

    class Kind(models.TextChoices):
        LETTER = "letter", "Letter"
        INTERVIEW = "interview", "Interview"
        STATEMENT = "statement", "Statement"
        RESOLUTION = "resolution", "UN resolution"
        MEDIA = "media", "Media report"
        REPORT = "report", "Report"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    title = models.TextField(help_text="The source as described in footnotes.")
    author = models.CharField("author or body", max_length=255, blank=True)
    date = models.DateField(null=True, blank=True)
    reference_number = models.CharField(max_length=120, blank=True)
    url = models.URLField("URL", max_length=500, blank=True, validators=[web_url])
    report = models.ForeignKey(
        "reports.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citing_sources",
        help_text="Set when the source is an earlier Monitor report.",
    )
    identity_key = models.CharField(
        max_length=500,
        blank=True,
        help_text="Normalised identity used to recognise the same source when importing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["identity_key"],
                condition=~Q(identity_key=""),
                name="source_identity_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "letter",
                        "interview",
                        "statement",
                        "resolution",
                        "media",
                        "report",
                        "other",
                    ]
                ),
                name="source_kind_valid",
            ),
            # What every writer that skips validation (a queryset update, raw SQL) still meets.
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_web_scheme",
            ),
        ]
        permissions = [
            ("merge_source", "Can merge two sources"),
            ("import_source", "Can import sources from a file"),
            ("export_source", "Can export sources to a file"),
        ]

    def __str__(self):
        return self.title if len(self.title) <= 120 else f"{self.title[:117]}…"

    def save(self, *args, **kwargs):
        self._lowercase_scheme()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self._lowercase_scheme()

    def _lowercase_scheme(self):
        # "HTTPS://…" passes the validator; the database's check wants the scheme as browsers
        # write it.
        scheme, separator, rest = self.url.partition("://")
        if separator and scheme.lower() in WEB_SCHEMES:
            self.url = f"{scheme.lower()}://{rest}"


class Footnote(EditionContent):
    edition = models.ForeignKey(
        "reports.Edition", on_delete=models.CASCADE, related_name="footnotes"
    )
    number = models.PositiveIntegerField()
    text = NormalisedTextField(help_text="The note as printed.")
    sources = models.ManyToManyField(Source, through="Citation", related_name="footnotes")

    class Meta:
        ordering = ["edition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="footnote_number_unique"),
        ]
        permissions = [("export_footnote", "Can export footnotes with their sources")]

    def __str__(self):
        return f"[{self.number}] {self.text[:80]}"

    @property
    def is_ibid(self):
        return self.text.strip().lower().startswith("ibid")


class Citation(models.Model):
    """Links a footnote to one source it cites, with where in the source (a locator)."""

    footnote = models.ForeignKey(Footnote, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    position = models.PositiveSmallIntegerField(default=0)
    locator = models.CharField(max_length=120, blank=True, help_text="e.g. p. 862")

    class Meta:
        ordering = ["footnote", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["footnote", "position"], name="citation_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.source}{', ' + self.locator if self.locator else ''}"

    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        row._stored_footnote_id = row.__dict__.get("footnote_id")
        return row

    def clean(self):
        super().clean()
        stored = getattr(self, "_stored_footnote_id", None)
        if stored in (None, self.footnote_id) and Citation.footnote.is_cached(self):
            # The footnote the form loaded (an inline's parent): its edition is read once.
            refusal = edition_refusal_for_state(self.footnote.edition.state)
        else:
            refusal = edition_refusal(
                Footnote._base_manager.filter(
                    pk__in=[pk for pk in (self.footnote_id, stored) if pk]
                ).values_list("edition_id", flat=True)
            )
        if refusal:
            raise ValidationError(refusal)


class SourceAlias(models.Model):
    """An identity that now means another source, kept when sources are merged so that later
    imports citing the merged-away source find the one that remains."""

    identity_key = models.CharField(max_length=500, unique=True)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name_plural = "source aliases"

    def __str__(self):
        return self.identity_key
