"""The public site as a publication: a report's overview, key findings and PDF; the CCW's
Amended Protocol II and Protocol V in the treaty status table, with the date each status was
last changed ("as of"); the Site of the sitemap and feeds and an About page (flat pages);
and search that folds accents and knows trigrams (PostgreSQL only).

Search:

- ``monitor_english``: the 'english' text search configuration with ``unaccent`` before the
  stemmer, so "Cote d'Ivoire" finds "Côte d'Ivoire" and "Sao Tome" finds "São Tomé". The stored
  ``search_vector`` columns of migration 0004 are generated again with it (a generated column's
  expression cannot be altered: it is dropped and added), the admin's summary index of 0010 with
  them, and every searchable edition's document is rebuilt at commit (the queue of 0006).
- ``pg_trgm``: "did you mean" compares the query with country names by trigram similarity.

Both extensions are trusted (PostgreSQL 13 and later): the database owner may create them.
reports.public.search reads with the same configuration (``CONFIG``).
"""

from django.conf import settings
from django.db import migrations, models

CONFIG = "monitor_english"
SEARCHABLE = "('published', 'superseded')"


def columns(config):
    return [
        (
            "reports_section",
            f"setweight(to_tsvector('{config}'::regconfig, coalesce(heading, '')), 'A') || "
            f"setweight(to_tsvector('{config}'::regconfig, coalesce(body, '')), 'B')",
        ),
        (
            "sources_footnote",
            f"setweight(to_tsvector('{config}'::regconfig, coalesce(text, '')), 'C')",
        ),
        (
            "reports_edition",
            f"setweight(to_tsvector('{config}'::regconfig, coalesce(summary, '')), 'A')",
        ),
    ]


def regenerate(config):
    statements = ["DROP INDEX IF EXISTS reports_edition_search_gin"]
    for table, expression in columns(config):
        statements += [
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector",
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED",
        ]
    statements += [
        "CREATE INDEX IF NOT EXISTS reports_edition_search_gin ON reports_edition "
        "USING gin (search_vector)",
        f"INSERT INTO reports_searchqueue (edition_id) "
        f"SELECT id FROM reports_edition WHERE state IN {SEARCHABLE} ON CONFLICT DO NOTHING",
    ]
    return statements


FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english)",
    f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    *regenerate(CONFIG),
]
REVERSE = [*regenerate("english"), f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


ABOUT = """<p>This is the About page of the publication. Editors change it in the admin, under
Flat pages: who writes the profiles, how they are researched and reviewed, how to cite them
and whom to write to.</p>"""


def site_and_about(apps, schema_editor):
    """The Site the sitemap and feeds name (from PUBLICATION_DOMAIN and PUBLICATION_NAME), and
    an About page for editors to fill in, so that the link on every page leads somewhere."""
    Site = apps.get_model("sites", "Site")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    publication = settings.PUBLICATION
    site, _ = Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "example.com", "name": "example.com"}
    )
    site.domain = publication["domain"] or "127.0.0.1:8000"
    site.name = publication["name"]
    site.save()
    if not FlatPage.objects.filter(url="/about/").exists():
        about = FlatPage.objects.create(url="/about/", title="About", content=ABOUT)
        about.sites.add(site)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0013_yearly_cycle_and_tabular_permissions"),
        ("sources", "0002_source_alias"),
        ("sites", "0002_alter_domain_unique"),
        ("flatpages", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="treatystatus",
            name="treatystatus_treaty_valid",
        ),
        migrations.AddField(
            model_name="report",
            name="key_findings",
            field=models.TextField(
                blank=True,
                help_text="One finding per line; the home page shows those of the latest report.",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="overview",
            field=models.TextField(
                blank=True,
                help_text="The report's introduction on its public page; paragraphs separated by a blank line.",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="pdf",
            field=models.FileField(
                blank=True,
                help_text="The whole report as published, offered for download on its page.",
                upload_to="reports/",
                verbose_name="PDF",
            ),
        ),
        migrations.AddField(
            model_name="treatystatus",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, help_text="The treaty status table is “as of” the latest of these."
            ),
        ),
        migrations.AlterField(
            model_name="treatystatus",
            name="treaty",
            field=models.CharField(
                choices=[
                    ("mbt", "Mine Ban Treaty"),
                    ("ccm", "Convention on Cluster Munitions"),
                    ("ccw", "Convention on Conventional Weapons"),
                    ("ap2", "CCW Amended Protocol II"),
                    ("p5", "CCW Protocol V"),
                ],
                max_length=3,
            ),
        ),
        migrations.AddConstraint(
            model_name="treatystatus",
            constraint=models.CheckConstraint(
                condition=models.Q(("treaty__in", ["mbt", "ccm", "ccw", "ap2", "p5"])),
                name="treatystatus_treaty_valid",
            ),
        ),
        migrations.RunPython(forward, reverse, elidable=False),
        migrations.RunPython(site_and_about, migrations.RunPython.noop, elidable=False),
    ]
