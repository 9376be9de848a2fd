"""One full-text search document per published or superseded edition (PostgreSQL only).

Searching the 5 sections and 37 footnotes of every current edition row by row read and ranked
about 47,000 stored vectors per query. An edition's summary, sections and footnotes are now
also kept together as one tsvector (``reports_searchdocument.document``), with a GIN index over
all of them and a partial one over current editions, so a query ranks one document per
edition; the row vectors of migration 0004 stay for snippets and no longer need indexes.

The database keeps the documents exact, whatever writes the rows (admin, workflow, importer's
bulk_create, a queryset update):

- statement-level triggers on editions, sections and footnotes put the id of every published or
  superseded edition whose text or state changed into ``reports_searchqueue`` (once per
  transaction: the id is its primary key);
- a deferred constraint trigger on that queue rebuilds the edition's documents when the
  transaction commits, after all its rows are written, so an import pays once per edition;
- an edition moving between published and superseded with the same text only flips
  ``current``.

An edition's document is cut into parts of at most PART_CHARS characters of text: tsvector
positions stop at 16,383, and a part of that size has fewer words than that, so phrases are
found at the end of a long legacy report too.

A transaction that reads its own uncommitted changes runs
``SET CONSTRAINTS reports_search_refresh IMMEDIATE`` first (reports.public.search does, inside an
atomic block).
"""

import django.db.models.deletion
from django.db import migrations, models

PART_CHARS = 32000  # every word takes at least two characters: fewer than 16,383 positions
SEARCHABLE = "('published', 'superseded')"

FORWARD = [
    # Nullable so that loaddata of a full dumpdata goes through: its rows are rebuilt at commit.
    "ALTER TABLE reports_searchdocument ADD COLUMN document tsvector",
    "CREATE INDEX reports_searchdocument_gin ON reports_searchdocument USING gin (document)",
    "CREATE INDEX reports_searchdocument_current_gin ON reports_searchdocument "
    "USING gin (document) WHERE current",
    "DROP INDEX IF EXISTS reports_section_search_gin",
    "DROP INDEX IF EXISTS sources_footnote_search_gin",
    "DROP INDEX IF EXISTS reports_edition_search_gin",
    "CREATE TABLE reports_searchqueue (edition_id bigint PRIMARY KEY)",
    f"""
    CREATE FUNCTION reports_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        edition record;
        item record;
        part_vector tsvector := '';
        part_chars integer := 0;
        part_number integer := 0;
    BEGIN
        DELETE FROM reports_searchqueue WHERE edition_id = NEW.edition_id;
        DELETE FROM reports_searchdocument WHERE edition_id = NEW.edition_id;
        SELECT state, profile_id, last_updated INTO edition
        FROM reports_edition WHERE id = NEW.edition_id;
        IF NOT FOUND OR edition.state NOT IN {SEARCHABLE} THEN
            RETURN NULL;
        END IF;
        FOR item IN
            SELECT 0 AS kind, 0 AS place, search_vector AS vector, length(summary) AS chars
            FROM reports_edition WHERE id = NEW.edition_id
            UNION ALL
            SELECT 1, position, search_vector, length(heading) + length(body)
            FROM reports_section WHERE edition_id = NEW.edition_id
            UNION ALL
            SELECT 2, number, search_vector, length(text)
            FROM sources_footnote WHERE edition_id = NEW.edition_id
            ORDER BY 1, 2
        LOOP
            IF part_chars > 0 AND part_chars + item.chars > {PART_CHARS} THEN
                INSERT INTO reports_searchdocument
                    (edition_id, part, current, profile_id, last_updated, document)
                VALUES (NEW.edition_id, part_number, edition.state = 'published',
                        edition.profile_id, edition.last_updated, part_vector);
                part_number := part_number + 1;
                part_vector := '';
                part_chars := 0;
            END IF;
            part_vector := part_vector || item.vector;
            part_chars := part_chars + item.chars;
        END LOOP;
        INSERT INTO reports_searchdocument
            (edition_id, part, current, profile_id, last_updated, document)
        VALUES (NEW.edition_id, part_number, edition.state = 'published',
                edition.profile_id, edition.last_updated, part_vector);
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER reports_search_refresh AFTER INSERT ON reports_searchqueue
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_search_refresh()
    """,
    # Sections and footnotes: the editions whose rows changed, old rows included (a delete).
    f"""
    CREATE FUNCTION reports_search_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO reports_searchqueue (edition_id)
            SELECT DISTINCT n.edition_id FROM new_rows n
            JOIN reports_edition e ON e.id = n.edition_id WHERE e.state IN {SEARCHABLE}
            ON CONFLICT DO NOTHING;
        ELSIF TG_OP = 'UPDATE' THEN
            INSERT INTO reports_searchqueue (edition_id)
            SELECT DISTINCT c.edition_id
            FROM (SELECT edition_id FROM new_rows UNION SELECT edition_id FROM old_rows) c
            JOIN reports_edition e ON e.id = c.edition_id WHERE e.state IN {SEARCHABLE}
            ON CONFLICT DO NOTHING;
        ELSE
            INSERT INTO reports_searchqueue (edition_id)
            SELECT DISTINCT o.edition_id FROM old_rows o
            JOIN reports_edition e ON e.id = o.edition_id WHERE e.state IN {SEARCHABLE}
            ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION reports_search_edition_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO reports_searchqueue (edition_id)
            SELECT id FROM new_rows WHERE state IN {SEARCHABLE}
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END IF;
        -- Published <-> superseded, same summary and date: the documents stay, only the flag.
        UPDATE reports_searchdocument d SET current = (n.state = 'published')
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE d.edition_id = n.id AND n.state IN {SEARCHABLE} AND o.state IN {SEARCHABLE}
          AND n.state <> o.state AND n.summary = o.summary
          AND n.last_updated IS NOT DISTINCT FROM o.last_updated;
        INSERT INTO reports_searchqueue (edition_id)
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.state IN {SEARCHABLE} OR o.state IN {SEARCHABLE})
          AND (n.summary <> o.summary
               OR n.last_updated IS DISTINCT FROM o.last_updated
               OR (n.state IN {SEARCHABLE}) <> (o.state IN {SEARCHABLE}))
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
]
for table, function in [
    ("reports_section", "reports_search_content_changed"),
    ("sources_footnote", "reports_search_content_changed"),
    ("reports_edition", "reports_search_edition_changed"),
]:
    for event, tables in [
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ]:
        if table == "reports_edition" and event == "DELETE":
            continue  # its documents go with it (foreign key, cascaded by Django)
        FORWARD.append(
            f"CREATE TRIGGER {table}_search_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
FORWARD.append(
    f"INSERT INTO reports_searchqueue (edition_id) "
    f"SELECT id FROM reports_edition WHERE state IN {SEARCHABLE}"
)

REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_search_{event} ON {table}"
        for table in ("reports_section", "sources_footnote", "reports_edition")
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS reports_searchqueue",
    "DROP FUNCTION IF EXISTS reports_search_refresh()",
    "DROP FUNCTION IF EXISTS reports_search_content_changed()",
    "DROP FUNCTION IF EXISTS reports_search_edition_changed()",
    *(
        f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} USING gin (search_vector)"
        for table in ("reports_section", "sources_footnote", "reports_edition")
    ),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_publication_clock"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("part", models.PositiveSmallIntegerField()),
                (
                    "current",
                    models.BooleanField(help_text="The edition is its profile's published one."),
                ),
                ("last_updated", models.DateField(db_index=True, null=True)),
                (
                    "edition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reports.edition",
                    ),
                ),
                (
                    "profile",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reports.profile",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("edition", "part"), name="searchdocument_part_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, reverse, elidable=False),
    ]
