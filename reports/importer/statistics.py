"""The statistics of the tables an import grows, kept current as it goes (PostgreSQL).

Statements, the triggers' among them, are planned from the tables' statistics, and a session
keeps a trigger's plan until they change. An import into nearly empty tables grows them by
orders of magnitude in minutes, faster than autovacuum analyses them, and not at all where it
is off: a plan made while ``reports_edition`` was empty (read it all: a few rows) stayed while
it grew, every statement of every file read every edition, and the import slowed with the
size of what it had written (BENCHMARKS.md, "Imports at 4× and 16×"). As autovacuum would, a
table is analysed once the rows changed since its last analysis are half as many as it holds.
"""

import time

from django.db import connection
from reversion.models import Version

from sources.models import Citation, Footnote, Source

from ..models import Edition, EditionEvent, OverviewFact, Profile, Section

GROWN = [Edition, Section, OverviewFact, Footnote, Citation, Source, Profile, EditionEvent, Version]
# Below this many changed rows a table is left to autovacuum: analysing costs more than it saves.
MIN_CHANGED = 1000
SHARE = 0.5
# How often an import looks (the files of a parallel import come in many small groups).
EVERY_SECONDS = 2
_looked_at = None


def now_and_then():
    """analyse_grown_tables(), at most once every EVERY_SECONDS in this process."""
    global _looked_at
    now = time.monotonic()
    if _looked_at is not None and now - _looked_at < EVERY_SECONDS:
        return []
    _looked_at = now
    return analyse_grown_tables()


def analyse_grown_tables():
    """ANALYZE the tables in GROWN that grew by SHARE since their last analysis; their names."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
            "AND relname = ANY(%s) AND n_mod_since_analyze > greatest(%s, n_live_tup * %s)",
            [[model._meta.db_table for model in GROWN], MIN_CHANGED, SHARE],
        )
        grown = sorted(row[0] for row in cursor.fetchall())
        for table in grown:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return grown
