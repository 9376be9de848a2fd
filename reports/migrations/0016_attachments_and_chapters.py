"""Files and chapters: a report's PDF stored under an unguessable name with its size; figures
(maps) as edition content, guarded by the freeze's triggers like sections (migration 0007); a
report's chapters; the roles' permissions on both (monitor.roles)."""

import django.db.models.deletion
from django.db import migrations, models

import reports.attachments
from monitor.roles import sync_roles

EDITABLE = "('draft', 'changes_requested')"
FROZEN = "('published', 'superseded', 'withdrawn')"
FROZEN_MESSAGE = "A published edition never changes; start a new draft instead."
LOCKED_MESSAGE = (
    "This edition is not a draft: its content changes only after changes are requested."
)
TABLE = "reports_figure"


def _sqlite_triggers():
    shut = "NOT EXISTS (SELECT 1 FROM reports_lifecycle_gate)"

    def refuse(message):
        return f"SELECT RAISE(ABORT, 'monitor-lifecycle: {message}');"

    def state_of(edition_id):
        return f"(SELECT state FROM reports_edition WHERE id = {edition_id})"

    return [
        f"""CREATE TRIGGER {TABLE}_update_frozen BEFORE UPDATE ON {TABLE}
        WHEN {state_of("OLD.edition_id")} IN {FROZEN}
        BEGIN {refuse(FROZEN_MESSAGE)} END""",
        f"""CREATE TRIGGER {TABLE}_update_locked BEFORE UPDATE ON {TABLE}
        WHEN {state_of("OLD.edition_id")} NOT IN {EDITABLE} AND {shut}
        BEGIN {refuse(LOCKED_MESSAGE)} END""",
        *(
            f"""CREATE TRIGGER {TABLE}_{op.lower()}_target BEFORE {op} ON {TABLE}
            WHEN {state_of("NEW.edition_id")} NOT IN {EDITABLE} AND {shut}
            BEGIN {refuse(LOCKED_MESSAGE)} END"""
            for op in ("INSERT", "UPDATE")
        ),
    ]


def guard_figures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_guard BEFORE INSERT OR UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION reports_content_guard()"
        )
    elif vendor == "sqlite":
        for statement in _sqlite_triggers():
            schema_editor.execute(statement)


def unguard_figures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER {TABLE}_guard ON {TABLE}")
    elif vendor == "sqlite":
        for op in ("update_frozen", "update_locked", "insert_target", "update_target"):
            schema_editor.execute(f"DROP TRIGGER {TABLE}_{op}")


def grant_permissions(apps, schema_editor):
    sync_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0015_search_current_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="pdf_size",
            field=models.PositiveBigIntegerField(
                blank=True, editable=False, null=True, verbose_name="PDF size"
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="pdf",
            field=models.FileField(
                blank=True,
                help_text="The whole report as published, offered for download on its page once the report is published. PDF only.",
                max_length=255,
                upload_to=reports.attachments.AttachmentPath("reports"),
                validators=[reports.attachments.FileKindValidator("pdf")],
                verbose_name="PDF",
            ),
        ),
        migrations.CreateModel(
            name="Chapter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("title", models.CharField(max_length=255)),
                ("slug", models.SlugField(max_length=120)),
                (
                    "body",
                    models.TextField(
                        blank=True,
                        help_text="Paragraphs separated by a blank line; bullet lines start with “• ” or “- ”.",
                    ),
                ),
                (
                    "published",
                    models.BooleanField(
                        default=False,
                        help_text="Shown on the report's public pages (once the report has a published profile). Leave unticked while the chapter is being written.",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="chapters",
                        to="reports.report",
                    ),
                ),
            ],
            options={
                "ordering": ["report", "position", "title"],
                "constraints": [
                    models.UniqueConstraint(fields=("report", "slug"), name="chapter_slug_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="Figure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                (
                    "image",
                    models.ImageField(
                        height_field="height",
                        help_text="PNG or JPEG (SVG is not accepted: export the map as PNG).",
                        max_length=255,
                        upload_to=reports.attachments.AttachmentPath("figures"),
                        validators=[reports.attachments.FileKindValidator("png", "jpeg")],
                        width_field="width",
                    ),
                ),
                ("width", models.PositiveIntegerField(editable=False, null=True)),
                ("height", models.PositiveIntegerField(editable=False, null=True)),
                (
                    "alt_text",
                    models.CharField(
                        help_text="What the image shows, for readers who cannot see it (required).",
                        max_length=500,
                        verbose_name="text alternative",
                    ),
                ),
                ("caption", models.TextField(blank=True, help_text="Shown under the image.")),
                (
                    "edition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="figures",
                        to="reports.edition",
                    ),
                ),
            ],
            options={
                "ordering": ["edition", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("edition", "position"), name="figure_position_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("alt_text", ""), _negated=True),
                        name="figure_has_alt_text",
                    ),
                ],
            },
        ),
        migrations.RunPython(guard_figures, unguard_figures, elidable=False),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
