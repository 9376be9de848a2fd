"""Indexes for the admin Editions list (reports.admin.EditionAdmin).

- ``reports_edition_list_order`` (both databases): the list's order, last updated newest first
  and then id, so a page is read from the index instead of sorting every edition; it also
  answers the year filter's first and last year and a year's date range.
- ``reports_edition_search_gin`` (PostgreSQL only): the GIN index over the summary's full-text
  column ``search_vector`` (migration 0004 made both; 0006 dropped the index when the public
  search moved to one document per edition). The admin search matches summary words through
  it (reports.admin.SummaryWords) instead of reading every summary with ``LIKE``.
  On SQLite there is no such column: the admin search reads the summaries, which is fine at
  the size of a development database.

Neither is a Django field index: like the search columns of 0004 and 0006 they live in SQL only,
so the models and their state are unchanged.
"""

from django.db import migrations

ORDER = (
    "CREATE INDEX IF NOT EXISTS reports_edition_list_order "
    "ON reports_edition (last_updated DESC, id DESC)"
)
SEARCH = (
    "CREATE INDEX IF NOT EXISTS reports_edition_search_gin "
    "ON reports_edition USING gin (search_vector)"
)


def forward(apps, schema_editor):
    schema_editor.execute(ORDER)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH)


def reverse(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS reports_edition_list_order")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS reports_edition_search_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0009_publication_scope"),
    ]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
