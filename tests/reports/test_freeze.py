"""The freeze lives in the database: its triggers are there, and they hold for writers that
never call a model method."""

import pytest
from django.db import connection, transaction

from reports.editions.freeze import FrozenEdition, lifecycle
from reports.models import Edition
from tests.builders import make_edition

pytestmark = pytest.mark.django_db

S = Edition.State
GUARDED = ["reports_edition", "reports_section", "reports_overviewfact", "sources_footnote"]


def triggers_on(table):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("table", [*GUARDED, "sources_citation"])
def test_every_guarded_table_has_its_triggers(table):
    """A migration that rebuilds one of these tables on SQLite drops its triggers: this fails
    until the migration creates them again."""
    names = triggers_on(table)
    assert any("guard" in name or name.startswith(table) for name in names), names


def test_raw_sql_cannot_change_a_published_edition():
    edition = make_edition(state=S.PUBLISHED)
    for statement in [
        "UPDATE reports_section SET body = 'Raw.' WHERE edition_id = %s",
        "UPDATE reports_edition SET summary = 'Raw.' WHERE id = %s",
        "UPDATE reports_edition SET state = 'draft' WHERE id = %s",
    ]:
        with pytest.raises(FrozenEdition), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [edition.pk])
    edition.refresh_from_db()
    assert edition.state == S.PUBLISHED
    assert edition.sections.get().body != "Raw."


def test_the_gate_closes_with_its_block():
    edition = make_edition()
    with lifecycle():
        Edition.objects.filter(pk=edition.pk).update(state=S.IN_REVIEW)
    with pytest.raises(FrozenEdition), transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(state=S.DRAFT)
    assert Edition.objects.get(pk=edition.pk).state == S.IN_REVIEW


def test_a_refused_block_rolls_back_what_it_wrote_and_leaves_the_gate_shut():
    edition = make_edition()
    with pytest.raises(RuntimeError), lifecycle():
        Edition.objects.filter(pk=edition.pk).update(state=S.APPROVED)
        raise RuntimeError("refused halfway")
    assert Edition.objects.get(pk=edition.pk).state == S.DRAFT
    with pytest.raises(FrozenEdition), transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(state=S.APPROVED)
