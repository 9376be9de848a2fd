"""The freeze and the workflow's state changes enforced by the database (see
reports.editions.freeze): triggers on editions and their content rows that refuse what only
the lifecycle API may do, on PostgreSQL and on SQLite alike; on SQLite, deletes are guarded
in Python instead (its flush deletes rows one statement a table, which triggers would refuse).

On SQLite, rebuilding a table (Django does it for most ALTERs) drops its triggers: a migration
that alters one of these tables must create them again (tests/reports/test_freeze.py checks
that they are present).
"""

import django.db.models.deletion
from django.db import migrations, models

EDITABLE = "('draft', 'changes_requested')"
FROZEN = "('published', 'superseded', 'withdrawn')"
FROZEN_MESSAGE = "A published edition never changes; start a new draft instead."
LOCKED_MESSAGE = (
    "This edition is not a draft: its content changes only after changes are requested."
)
STATE_MESSAGE = "An edition changes state only through the editorial workflow."
NEW_MESSAGE = "A new edition starts as a draft."
DELETE_MESSAGE = "Only a draft can be deleted; withdraw a published edition instead."
EDITION_CONTENT = ("reports_section", "reports_overviewfact", "sources_footnote")

POSTGRES = [
    """
    CREATE FUNCTION reports_lifecycle_open() RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT coalesce(current_setting('monitor.lifecycle', true), '') = 'on'
    $$
    """,
    """
    CREATE FUNCTION reports_refuse(message text) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = 'monitor-lifecycle: ' || message, ERRCODE = 'P0001';
    END
    $$
    """,
    f"""
    CREATE FUNCTION reports_edition_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.state <> 'draft' AND NOT reports_lifecycle_open() THEN
                PERFORM reports_refuse('{NEW_MESSAGE}');
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' THEN
            IF OLD.state IN {FROZEN} OR (OLD.state <> 'draft' AND NOT reports_lifecycle_open())
            THEN
                PERFORM reports_refuse('{DELETE_MESSAGE}');
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.state IN {FROZEN} AND (
            NEW.summary, NEW.last_updated, NEW.last_updated_precision, NEW.profile_id,
            NEW.report_id, NEW.based_on_id, NEW.published_at
        ) IS DISTINCT FROM (
            OLD.summary, OLD.last_updated, OLD.last_updated_precision, OLD.profile_id,
            OLD.report_id, OLD.based_on_id, OLD.published_at
        ) THEN
            PERFORM reports_refuse('{FROZEN_MESSAGE}');
        END IF;
        IF NOT reports_lifecycle_open() THEN
            IF NEW.state <> OLD.state THEN
                PERFORM reports_refuse('{STATE_MESSAGE}');
            END IF;
            IF OLD.state IN {FROZEN} THEN
                PERFORM reports_refuse('{FROZEN_MESSAGE}');
            END IF;
            IF OLD.state NOT IN {EDITABLE} THEN
                PERFORM reports_refuse('{LOCKED_MESSAGE}');
            END IF;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER reports_edition_guard BEFORE INSERT OR UPDATE OR DELETE ON reports_edition
    FOR EACH ROW EXECUTE FUNCTION reports_edition_guard()
    """,
    # The content rows: `edition_of` finds the edition a row belongs to.
    f"""
    CREATE FUNCTION reports_content_check(edition bigint, removing boolean) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
        edition_state text;
    BEGIN
        SELECT state INTO edition_state FROM reports_edition WHERE id = edition;
        IF NOT FOUND OR edition_state IN {EDITABLE} THEN
            RETURN;
        END IF;
        IF removing AND edition_state IN {FROZEN} THEN
            PERFORM reports_refuse('{FROZEN_MESSAGE}');
        END IF;
        IF NOT reports_lifecycle_open() THEN
            IF edition_state IN {FROZEN} THEN
                PERFORM reports_refuse('{FROZEN_MESSAGE}');
            END IF;
            PERFORM reports_refuse('{LOCKED_MESSAGE}');
        END IF;
    END
    $$
    """,
    """
    CREATE FUNCTION reports_content_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM reports_content_check(OLD.edition_id, true);
        END IF;
        IF TG_OP = 'INSERT' OR NEW.edition_id <> OLD.edition_id THEN
            PERFORM reports_content_check(NEW.edition_id, false);
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_guard BEFORE INSERT OR UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION reports_content_guard()
        """
        for table in EDITION_CONTENT
    ),
    # A citation belongs to its footnote's edition. Merging sources points a frozen edition's
    # citation at the source kept: the only change a frozen citation ever takes.
    """
    CREATE FUNCTION reports_citation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_edition bigint;
        new_edition bigint;
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            SELECT edition_id INTO old_edition FROM sources_footnote WHERE id = OLD.footnote_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT edition_id INTO new_edition FROM sources_footnote WHERE id = NEW.footnote_id;
        END IF;
        IF TG_OP = 'UPDATE' AND reports_lifecycle_open()
            AND (NEW.footnote_id, NEW.position, NEW.locator)
                = (OLD.footnote_id, OLD.position, OLD.locator) THEN
            RETURN NEW;
        END IF;
        IF TG_OP <> 'INSERT' THEN
            PERFORM reports_content_check(old_edition, true);
        END IF;
        IF TG_OP = 'INSERT' OR new_edition IS DISTINCT FROM old_edition THEN
            PERFORM reports_content_check(new_edition, false);
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER sources_citation_guard BEFORE INSERT OR UPDATE OR DELETE ON sources_citation
    FOR EACH ROW EXECUTE FUNCTION reports_citation_guard()
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER sources_citation_guard ON sources_citation",
    *(f"DROP TRIGGER {table}_guard ON {table}" for table in EDITION_CONTENT),
    "DROP TRIGGER reports_edition_guard ON reports_edition",
    "DROP FUNCTION reports_citation_guard()",
    "DROP FUNCTION reports_content_guard()",
    "DROP FUNCTION reports_content_check(bigint, boolean)",
    "DROP FUNCTION reports_edition_guard()",
    "DROP FUNCTION reports_refuse(text)",
    "DROP FUNCTION reports_lifecycle_open()",
]


def _sqlite():
    gate_open = "EXISTS (SELECT 1 FROM reports_lifecycle_gate)"
    shut = f"NOT {gate_open}"

    def refuse(message):
        return f"SELECT RAISE(ABORT, 'monitor-lifecycle: {message}');"

    def state_of(edition_id):
        return f"(SELECT state FROM reports_edition WHERE id = {edition_id})"

    def content(name, table, op, edition_old, edition_new):
        """The triggers of one content table for one operation."""
        statements = []
        if op == "UPDATE":
            old_state = state_of(edition_old)
            merge = ""
            if table == "sources_citation":
                merge = (
                    f" AND NOT ({gate_open} AND NEW.footnote_id = OLD.footnote_id"
                    " AND NEW.position = OLD.position AND NEW.locator = OLD.locator)"
                )
            statements.append(
                f"""CREATE TRIGGER {name}_{op.lower()}_frozen BEFORE {op} ON {table}
                WHEN {old_state} IN {FROZEN}{merge}
                BEGIN {refuse(FROZEN_MESSAGE)} END"""
            )
            statements.append(
                f"""CREATE TRIGGER {name}_{op.lower()}_locked BEFORE {op} ON {table}
                WHEN {old_state} NOT IN {EDITABLE} AND {shut}
                BEGIN {refuse(LOCKED_MESSAGE)} END"""
            )
        if op in ("INSERT", "UPDATE"):
            statements.append(
                f"""CREATE TRIGGER {name}_{op.lower()}_target BEFORE {op} ON {table}
                WHEN {state_of(edition_new)} NOT IN {EDITABLE} AND {shut}
                BEGIN {refuse(LOCKED_MESSAGE)} END"""
            )
        return statements

    statements = [
        "CREATE TABLE reports_lifecycle_gate (opened integer NOT NULL)",
        f"""CREATE TRIGGER reports_edition_insert BEFORE INSERT ON reports_edition
        WHEN NEW.state <> 'draft' AND {shut}
        BEGIN {refuse(NEW_MESSAGE)} END""",
        f"""CREATE TRIGGER reports_edition_frozen BEFORE UPDATE ON reports_edition
        WHEN OLD.state IN {FROZEN} AND (
            NEW.summary IS NOT OLD.summary OR NEW.last_updated IS NOT OLD.last_updated
            OR NEW.last_updated_precision IS NOT OLD.last_updated_precision
            OR NEW.profile_id IS NOT OLD.profile_id OR NEW.report_id IS NOT OLD.report_id
            OR NEW.based_on_id IS NOT OLD.based_on_id
            OR NEW.published_at IS NOT OLD.published_at
            OR {shut})
        BEGIN {refuse(FROZEN_MESSAGE)} END""",
        f"""CREATE TRIGGER reports_edition_state BEFORE UPDATE ON reports_edition
        WHEN NEW.state <> OLD.state AND {shut}
        BEGIN {refuse(STATE_MESSAGE)} END""",
        f"""CREATE TRIGGER reports_edition_locked BEFORE UPDATE ON reports_edition
        WHEN OLD.state NOT IN {EDITABLE} AND {shut}
        BEGIN {refuse(LOCKED_MESSAGE)} END""",
    ]
    for table in EDITION_CONTENT:
        for op in ("INSERT", "UPDATE"):
            statements += content(table, table, op, "OLD.edition_id", "NEW.edition_id")
    footnote_edition = "(SELECT edition_id FROM sources_footnote WHERE id = {}.footnote_id)"
    for op in ("INSERT", "UPDATE"):
        statements += content(
            "sources_citation",
            "sources_citation",
            op,
            footnote_edition.format("OLD"),
            footnote_edition.format("NEW"),
        )
    return statements


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES, "sqlite": _sqlite()}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES_REVERSE:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND ("
                "name LIKE 'reports_edition_%' OR name LIKE 'reports_section_%' OR "
                "name LIKE 'reports_overviewfact_%' OR name LIKE 'sources_footnote_%' OR "
                "name LIKE 'sources_citation_%')"
            )
            names = [row[0] for row in cursor.fetchall()]
        for name in names:
            schema_editor.execute(f"DROP TRIGGER {name}")
        schema_editor.execute("DROP TABLE reports_lifecycle_gate")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_search_documents"),
        ("sources", "0002_source_alias"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.AddField(
            model_name="editionevent",
            name="revision",
            field=models.ForeignKey(
                blank=True,
                help_text="The content revision the step acted on.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="reversion.revision",
            ),
        ),
        migrations.AddField(
            model_name="editionevent",
            name="fingerprint",
            field=models.CharField(
                blank=True,
                help_text="A hash of the content the step acted on (what was approved).",
                max_length=64,
            ),
        ),
        migrations.RunPython(forward, reverse, elidable=False),
    ]
