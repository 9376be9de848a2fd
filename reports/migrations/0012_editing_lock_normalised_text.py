"""The soft lock of edit pages (EditingLock); and the editorial text already stored normalised
as every save now does (reports.models.normalise_text): LF line endings, no spaces at the end
of a line or blank lines at the end, Unicode NFC; published editions included, so that a
draft copied from one and saved unchanged shows no difference. Only the way the text is
stored changes.

The freeze's triggers (0007_lifecycle) refuse any change to a frozen edition's content, so
they are switched off for the tables rewritten here, and on again before the migration ends
(on SQLite, which cannot switch a trigger off, dropped and created again from their stored
SQL). An approval of content that only changes here stays valid: its fingerprint is
recomputed.
"""

import hashlib
import unicodedata

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FIELDS = {
    ("reports", "Edition"): ("summary",),
    ("reports", "Section"): ("heading", "body"),
    ("reports", "OverviewFact"): ("label", "value"),
    ("sources", "Footnote"): ("text",),
}
GUARDS = {
    "reports_edition": "reports_edition_guard",
    "reports_section": "reports_section_guard",
    "reports_overviewfact": "reports_overviewfact_guard",
    "sources_footnote": "sources_footnote_guard",
}


def normalise_text(value):
    """reports.models.normalise_text as of this migration."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = unicodedata.normalize("NFC", value).split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip("\n")


def _guards_off(connection):
    """Switch the guards off; returns how to switch them on again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table with pending (deferred) trigger events cannot be altered: run the
            # deferred checks now, and again before switching the guards back on.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in GUARDS.items():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            return [
                "SET CONSTRAINTS ALL IMMEDIATE",
                *(f"ALTER TABLE {t} ENABLE TRIGGER {g}" for t, g in GUARDS.items()),
                "SET CONSTRAINTS ALL DEFERRED",
            ]
        if connection.vendor != "sqlite":
            return []
        tables = ", ".join(f"'{table}'" for table in GUARDS)
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({tables})"
        )
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f"DROP TRIGGER {name}")
        return [sql for _, sql in triggers]


def _fingerprint(apps, edition):
    """reports.editions.fingerprint.content_fingerprint as of this migration (the live one
    would read the live models, whose columns a later migration may add)."""
    Citation = apps.get_model("sources", "Citation")
    digest = hashlib.sha256()

    def add(*values):
        digest.update("\x1f".join("" if v is None else str(v) for v in values).encode())
        digest.update(b"\x1e")

    add(edition.summary, edition.last_updated, edition.last_updated_precision, edition.report_id)
    facts = edition.overview_facts.order_by("position")
    for row in facts.values_list("position", "label", "value"):
        add("fact", *row)
    for row in edition.sections.order_by("position").values_list("position", "heading", "body"):
        add("section", *row)
    for row in edition.footnotes.order_by("number").values_list("number", "text"):
        add("note", *row)
    citations = (
        Citation.objects.filter(footnote__edition=edition)
        .order_by("footnote__number", "position")
        .values_list("footnote__number", "position", "source_id", "locator")
    )
    for row in citations:
        add("citation", *row)
    return digest.hexdigest()


def _valid_approvals(apps):
    """{approve event: edition} of approvals whose fingerprint is the content's now."""
    Edition = apps.get_model("reports", "Edition")
    EditionEvent = apps.get_model("reports", "EditionEvent")
    valid = {}
    for edition in Edition.objects.filter(state="approved"):
        event = (
            EditionEvent.objects.filter(edition=edition, action="approve")
            .order_by("-at", "-pk")
            .first()
        )
        if event is not None and event.fingerprint == _fingerprint(apps, edition):
            valid[event] = edition
    return valid


def forward(apps, schema_editor):
    connection = schema_editor.connection
    approvals = _valid_approvals(apps)
    restore = _guards_off(connection)
    try:
        for (app, name), fields in FIELDS.items():
            model = apps.get_model(app, name)
            for pk, *values in model.objects.values_list("pk", *fields).iterator():
                normalised = [normalise_text(value) for value in values]
                if normalised != values:
                    model.objects.filter(pk=pk).update(**dict(zip(fields, normalised, strict=True)))
    finally:
        with connection.cursor() as cursor:
            for statement in restore:
                cursor.execute(statement)
    Edition = apps.get_model("reports", "Edition")
    for event, edition in approvals.items():
        event.fingerprint = _fingerprint(apps, Edition.objects.get(pk=edition.pk))
        event.save(update_fields=["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0011_country_aliases"),
        ("sources", "0002_source_alias"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EditingLock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("since", models.DateTimeField()),
                ("renewed_at", models.DateTimeField()),
                (
                    "edition",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="editing_lock",
                        to="reports.edition",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
