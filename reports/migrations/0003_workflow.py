import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATES = [
    ("draft", "Draft"),
    ("in_review", "In review"),
    ("changes_requested", "Changes requested"),
    ("approved", "Approved"),
    ("published", "Published"),
    ("superseded", "Superseded"),
    ("withdrawn", "Withdrawn"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who last submitted it for review (nobody approves their own submission).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.CreateModel(
            name="EditionEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("action", models.CharField(max_length=30)),
                ("from_state", models.CharField(blank=True, choices=STATES, max_length=20)),
                ("to_state", models.CharField(choices=STATES, max_length=20)),
                ("at", models.DateTimeField(db_index=True)),
                ("comment", models.TextField(blank=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "edition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="reports.edition",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["edition", "-at"], name="editionevent_edition_at")
                ],
            },
        ),
    ]
