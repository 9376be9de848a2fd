"""Full-text search columns for the public site (PostgreSQL only).

Adds a stored generated ``search_vector`` tsvector column with a GIN index to sections, footnotes
and editions (summary). The database computes them on every insert and update, whatever writes
the row (admin, workflow, the importer's bulk_create), so the index never lags. The columns are
not Django fields: only reports.public.search reads them, with raw SQL.

On SQLite nothing happens (reports.public.search falls back to LIKE).

Note for later migrations: PostgreSQL refuses to change the type of a column a generated
column uses (Section.heading/body, Footnote.text, Edition.summary). Such a migration must drop
the search_vector column first and re-create it (run REVERSE then FORWARD below).
"""

from django.db import migrations

COLUMNS = [
    (
        "reports_section",
        "setweight(to_tsvector('english'::regconfig, coalesce(heading, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')",
    ),
    (
        "sources_footnote",
        "setweight(to_tsvector('english'::regconfig, coalesce(text, '')), 'C')",
    ),
    (
        "reports_edition",
        "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'A')",
    ),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, expression in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} USING gin (search_vector)"
        )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _ in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_workflow"),
        ("sources", "0002_source_alias"),
    ]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
