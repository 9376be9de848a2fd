"""A long import analyses the tables it grows, so that plans made while they were empty go."""

import pytest
from django.db import connection

from reports.importer.statistics import MIN_CHANGED, analyse_grown_tables
from sources.models import Source

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (its statistics views)")


def last_analysed(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # this session's counts, now
        cursor.execute(
            "SELECT last_analyze, n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()


def test_a_table_the_import_grew_is_analysed_once_and_not_again_until_it_grows_again():
    table = Source._meta.db_table
    Source.objects.bulk_create(
        Source(kind="letter", title=f"Letter {n}", identity_key=f"grown-{n}")
        for n in range(MIN_CHANGED + 500)
    )
    before, changed = last_analysed(table)
    assert changed >= MIN_CHANGED

    assert table in analyse_grown_tables()
    after, changed = last_analysed(table)
    assert after is not None and after != before and changed == 0
    assert table not in analyse_grown_tables()
