import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from monitor.roles import sync_roles


def grant_public_record_permissions(apps, schema_editor):
    sync_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0007_lifecycle"),
        ("sources", "0002_source_alias"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MovedPath",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("old_prefix", models.CharField(max_length=300, unique=True)),
                ("new_prefix", models.CharField(max_length=300)),
            ],
        ),
        migrations.CreateModel(
            name="RecordChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_id", models.CharField(max_length=64)),
                ("object_repr", models.CharField(max_length=200, verbose_name="record")),
                ("at", models.DateTimeField(db_index=True)),
                (
                    "changes",
                    models.JSONField(
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        help_text="{field: {old, new}} for each changed field.",
                    ),
                ),
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
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "permissions": [
                    ("change_public_record", "Can change records shown on published pages")
                ],
                "default_permissions": ("view",),
                "indexes": [
                    models.Index(fields=["content_type", "object_id"], name="recordchange_object")
                ],
            },
        ),
        migrations.RunPython(grant_public_record_permissions, migrations.RunPython.noop),
    ]
