"""The documents of current editions kept a second time, in the row itself (PostgreSQL only).

A document is about 8 kB, so PostgreSQL stores it out of line (TOAST): reading it for ts_rank
fetches its chunks through the TOAST table's index, which is most of what ranking the ~1,200
current editions costs. ``current_document`` holds the same tsvector while the edition is its
profile's published one (NULL otherwise), with storage MAIN: PostgreSQL moves such a column out
of the row only when the row would not fit a page (``document`` goes out first), so most current
documents are read with their row, twice as fast. The archive's rows stay narrow (their
``document`` out of line as before), so a search that scans the matches of the whole archive
reads few pages.
``document`` keeps every edition's vector and the GIN indexes; search matches on it and ranks on
``coalesce(current_document, document)``.

The triggers of migration 0006 are redefined to keep the copy: written with a current edition's
documents, dropped (NULL) when the edition is superseded, taken from ``document`` when it
becomes current again with the same text.
"""

import importlib

from django.db import migrations

SEARCHABLE = "('published', 'superseded')"
PART_CHARS = 32000  # as in 0006

REFRESH = f"""
CREATE OR REPLACE FUNCTION reports_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
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
                (edition_id, part, current, profile_id, last_updated, document,
                 current_document)
            VALUES (NEW.edition_id, part_number, edition.state = 'published',
                    edition.profile_id, edition.last_updated, part_vector,
                    CASE WHEN edition.state = 'published' THEN part_vector END);
            part_number := part_number + 1;
            part_vector := '';
            part_chars := 0;
        END IF;
        part_vector := part_vector || item.vector;
        part_chars := part_chars + item.chars;
    END LOOP;
    INSERT INTO reports_searchdocument
        (edition_id, part, current, profile_id, last_updated, document, current_document)
    VALUES (NEW.edition_id, part_number, edition.state = 'published',
            edition.profile_id, edition.last_updated, part_vector,
            CASE WHEN edition.state = 'published' THEN part_vector END);
    RETURN NULL;
END $$
"""

EDITION_CHANGED = f"""
CREATE OR REPLACE FUNCTION reports_search_edition_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO reports_searchqueue (edition_id)
        SELECT id FROM new_rows WHERE state IN {SEARCHABLE}
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    -- Published <-> superseded, same summary and date: the documents stay, only the flag and
    -- the current edition's copy change.
    UPDATE reports_searchdocument d
    SET current = (n.state = 'published'),
        current_document = CASE WHEN n.state = 'published' THEN d.document END
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
"""

FORWARD = [
    "ALTER TABLE reports_searchdocument ADD COLUMN current_document tsvector",
    "ALTER TABLE reports_searchdocument ALTER COLUMN current_document SET STORAGE MAIN",
    REFRESH,
    EDITION_CHANGED,
    "UPDATE reports_searchdocument SET current_document = document WHERE current",
]


def reverse_statements():
    """0006's own functions again, and the table as it left it."""
    original = importlib.import_module("reports.migrations.0006_search_documents").FORWARD
    functions = [
        statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
        for statement in original
        if "CREATE FUNCTION reports_search_refresh()" in statement
        or "CREATE FUNCTION reports_search_edition_changed()" in statement
    ]
    assert len(functions) == 2
    return [
        *functions,
        "ALTER TABLE reports_searchdocument DROP COLUMN current_document",
    ]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in reverse_statements():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0014_public_site"),
    ]

    operations = [
        migrations.RunPython(forward, reverse, elidable=False),
    ]
