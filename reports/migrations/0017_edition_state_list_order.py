"""The admin Editions list filtered by state, read in its order from the index.

The list is ordered by last updated, then id; the state index held only the first, so with a
state filter the planner walked the list's own order index (reports 0010) instead and
skipped every edition of the other states on the way: at 16× the benchmark data set, the
18,240 current editions before the first superseded one (BENCHMARKS.md, "Growth").
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0016_attachments_and_chapters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="edition",
            name="edition_state_updated",
        ),
        migrations.AddIndex(
            model_name="edition",
            index=models.Index(
                fields=["state", "-last_updated", "-id"], name="edition_state_updated"
            ),
        ),
    ]
