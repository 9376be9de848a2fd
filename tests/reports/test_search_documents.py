"""Search finds exactly what is published, however the content or its state changed."""

import datetime

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.editions import workflow
from reports.editions.freeze import lifecycle
from reports.importer.archive import Document
from reports.importer.service import ImportOptions, import_documents
from reports.models import Edition, SearchDocument
from reports.public import search as search_module
from reports.public.search import Filters, _snippet, _stem_spans, _term_spans, plain, search
from sources.models import Footnote
from tests.builders import make_edition
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db

S = Edition.State


def found(q, **filters):
    return [hit.edition for hit in search(Filters(q=q, **filters))]


def on_postgres():
    return connection.vendor == "postgresql"


def test_publishing_finds_the_new_text_and_keeps_the_old_in_the_archive(
    researcher, editor, publisher
):
    old = make_edition(
        state=S.PUBLISHED, sections=(("Policy", "The zephyrine stockpile was destroyed.[1]"),)
    )
    draft = workflow.start_draft(old.profile, researcher)
    section = draft.sections.get()
    section.body = "The quixotical stockpile was destroyed.[1]"
    section.save()
    assert found("quixotical") == []  # drafts are never searched

    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    workflow.publish(draft, publisher)

    assert found("quixotical") == [draft]
    assert found("zephyrine") == []
    assert found("zephyrine", archive=True) == [old]
    assert found("stockpile") == [draft]


def test_a_withdrawn_edition_is_no_longer_found(publisher):
    edition = make_edition(state=S.PUBLISHED, sections=(("Use", "Allegations of mulberrine."),))
    assert found("mulberrine") == [edition]

    workflow.withdraw(edition, publisher, "Published by mistake")

    assert found("mulberrine") == []
    assert found("mulberrine", archive=True) == []


def test_rows_written_with_a_published_edition_in_a_later_statement_are_found():
    edition = make_edition(state=S.PUBLISHED, footnotes=(("Interview with Arkadiusz.",),))
    with lifecycle():
        Footnote.objects.create(edition=edition, number=2, text="Interview with Bartholomew.")

    assert [(hit.edition, hit.where) for hit in search(Filters(q="Bartholomew"))] == [
        (edition, "Note 2")
    ]


def test_a_phrase_at_the_end_of_a_very_long_edition_is_found():
    # Far beyond the 16,383 word positions a single tsvector can hold.
    filler = " ".join(["The mine action centre surveyed another district."] * 40)
    notes = [(f"Report {n}: {filler}",) for n in range(60)]
    notes.append(("Statement of the State Border Guard Service, 3 May 2024.",))
    edition = make_edition(state=S.PUBLISHED, footnotes=notes)

    hits = search(Filters(q='"State Border Guard Service"'))

    assert [hit.edition for hit in hits] == [edition]
    assert hits[0].where == "Note 61"
    assert "<mark>Border</mark>" in hits[0].snippet
    if on_postgres():
        assert SearchDocument.objects.filter(edition=edition).count() > 1


def test_a_re_imported_edition_with_new_wording_is_found_by_it():
    seed = SEEDS / "003_fa6237349ec68be0.txt"
    import_documents([Document(seed.name, raw=seed.read_bytes())], ImportOptions())
    changed = seed.read_text(encoding="utf-8").replace("Kushchubekov", "Zarathustrov")
    report = import_documents(
        [Document("changed.txt", raw=changed.encode("utf-8"))], ImportOptions()
    )
    assert report["files"][0]["status"] == "updated", report

    assert [str(e.profile) for e in found("Zarathustrov")] == ["Kyrgyzstan — Mine Ban Policy"]
    assert found("Kushchubekov") == []
    # The edition it replaced is the archive now, unchanged: found there by its own wording.
    archived = found("Kushchubekov", archive=True)
    assert [e.state for e in archived] == [S.SUPERSEDED]
    assert found("Zarathustrov", archive=True) == found("Zarathustrov")


def test_filters_narrow_the_documents(make_user):
    first = make_edition(state=S.PUBLISHED, sections=(("Use", "Tellurian mines."),))
    second = make_edition(state=S.PUBLISHED, sections=(("Use", "Tellurian mines."),))
    country = first.profile.country
    country.region = "Central Asia"
    country.save()

    assert set(found("tellurian")) == {first, second}
    assert found("tellurian", country=country.slug) == [first]
    assert found("tellurian", region="Central Asia") == [first]
    assert found("tellurian", topic=second.profile.topic.slug) == [second]
    assert set(found("tellurian", year=2019)) == {first, second}
    assert found("tellurian", year=2018) == []


def test_snippets_mark_every_form_of_the_words_searched():
    text = "Kazakhstan destroyed stockpiles. Its stockpile of mines was declared in 2009."
    spans = _stem_spans(text, {"stockpil", "mine"})
    assert [text[a:b] for a, b, _ in spans] == ["stockpiles", "stockpile", "mines"]
    snippet = plain(_snippet(text, spans))
    assert snippet == text
    assert str(_snippet(text, spans)).count("<mark>") == 3


def test_the_snippet_is_cut_where_most_of_the_words_meet():
    text = (
        ("Mines were laid. " * 30)
        + "Border guards laid mines near the border. "
        + ("Nothing else. " * 30)
    )
    snippet = str(_snippet(text, _stem_spans(text, {"border", "guard", "mine"}), width=80))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>Border</mark> <mark>guards</mark>" in snippet
    assert len(plain(snippet)) < 100


def test_snippets_escape_the_text_and_keep_whole_words():
    text = "<b>Letter</b> from the Ministry of Foreign Affairs & Defence, 30 April 2010"
    snippet = str(_snippet(text, _term_spans(text, ["ministry"]), width=40))
    assert "<b>" not in snippet and "&lt;b&gt;Letter&lt;/b&gt;" in snippet
    assert "<mark>Ministry</mark>" in snippet
    assert plain(snippet) == "<b>Letter</b> from the Ministry of Foreign…"


def test_the_search_form_keeps_the_filters_chosen(client):
    edition = make_edition(state=S.PUBLISHED, sections=(("Use", "Tellurian mines.[1]"),))
    country = edition.profile.country
    country.name, country.region = "Côte <d'Ivoire>", "West Africa"
    country.save()
    make_edition(state=S.PUBLISHED)

    page = client.get(
        "/search/",
        {"q": "tellurian", "country": country.slug, "region": "West Africa"},
    ).text
    doc = HTMLParser(page)

    chosen = {
        select.attributes["name"]: [o.text() for o in select.css("option[selected]")]
        for select in doc.css("select")
    }
    assert chosen == {"topic": [], "country": ["Côte <d'Ivoire>"], "region": ["West Africa"]}
    assert "<d'Ivoire>" not in page  # the label is escaped
    assert len(doc.css("select[name=country] option")) == 3  # "All countries" and two


@pytest.mark.django_db(transaction=True)
def test_documents_are_written_at_commit_and_rebuilt_after_a_dump_is_loaded(tmp_path):
    # What dumpdata of both apps writes, SearchDocument rows included (without their vector).
    if not on_postgres():
        pytest.skip("search documents are PostgreSQL's (SQLite searches the rows themselves)")
    edition = make_edition(state=S.PUBLISHED, sections=(("Use", "Vermilion mines.[1]"),))
    # Each write above committed on its own: the documents exist with nothing pending.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_searchqueue")
        assert cursor.fetchone() == (0,)
    assert SearchDocument.objects.filter(edition=edition, current=True).exists()
    assert found("vermilion") == [edition]

    dump = tmp_path / "content.json"
    rows = [
        row
        for app in ("reports", "sources")
        for model in apps.get_app_config(app).get_models()
        for row in model._default_manager.order_by("pk")
    ]
    dump.write_text(serializers.serialize("json", rows))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reports_edition, reports_searchdocument CASCADE")
    assert found("vermilion") == []
    call_command("loaddata", str(dump), verbosity=0)

    assert found("vermilion") == [edition]


def current_copies(edition):
    """Whether each of the edition's documents holds the row's copy of a current edition."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS reports_search_refresh IMMEDIATE")  # built at commit
        cursor.execute("SET CONSTRAINTS reports_search_refresh DEFERRED")
        cursor.execute(
            "SELECT current, current_document IS NOT NULL, current_document = document "
            "FROM reports_searchdocument WHERE edition_id = %s ORDER BY part",
            [edition.pk],
        )
        return cursor.fetchall()


def test_a_current_edition_s_documents_keep_their_copy_in_the_row(researcher, editor, publisher):
    if not on_postgres():
        pytest.skip("search documents are PostgreSQL's")
    old = make_edition(state=S.PUBLISHED, sections=(("Policy", "Cerulean stockpiles.[1]"),))
    assert current_copies(old) == [(True, True, True)]

    draft = workflow.start_draft(old.profile, researcher)
    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    workflow.publish(draft, publisher)

    assert current_copies(old) == [(False, False, None)]  # the archive's rows stay narrow
    assert current_copies(draft) == [(True, True, True)]
    workflow.withdraw(draft, publisher, "Published by mistake")
    assert current_copies(draft) == []


def test_a_quoted_phrase_finds_the_words_together_only():
    if not on_postgres():
        pytest.skip("the SQLite fallback matches the words of a phrase wherever they stand")
    together = make_edition(
        state=S.PUBLISHED, sections=(("Use", "The border guard service laid mines."),)
    )
    apart = make_edition(
        state=S.PUBLISHED, sections=(("Use", "The guard at the border laid mines."),)
    )
    archived = make_edition(
        state=S.SUPERSEDED, sections=(("Use", "An earlier border guard report."),)
    )

    assert found('"border guard"') == [together]
    assert set(found('"border guard"', archive=True)) == {together, archived}
    assert set(found("border guard")) == {together, apart}


def test_beyond_the_candidates_the_newest_editions_are_ranked_and_all_counted(monkeypatch):
    if not on_postgres():
        pytest.skip("the SQLite fallback ranks every row it finds")
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    editions = [
        make_edition(
            state=S.SUPERSEDED,
            last_updated=datetime.date(2010 + n, 6, 1),
            sections=(("Use", "Cobalt " * (5 - n) + "mines."),),
        )
        for n in range(4)
    ]

    results = search(Filters(q="cobalt", archive=True))

    assert results.total == 4
    # The two newest, the better ranked (more occurrences) first.
    assert [hit.edition for hit in results] == [editions[2], editions[3]]


def test_the_hits_editions_are_those_the_orm_loads(django_assert_num_queries):
    edition = make_edition(state=S.PUBLISHED, sections=(("Use", "Saffron mines.[1]"),))

    # PostgreSQL: the one statement, after bringing the test transaction's documents up to
    # date; SQLite: summaries, sections, notes and the editions.
    with django_assert_num_queries(2 if on_postgres() else 4):
        [hit] = search(Filters(q="saffron"))
        shown = hit.edition
        names = (shown.profile.country.name, shown.profile.topic.name, shown.get_absolute_url())

    loaded = Edition.objects.select_related("profile__country", "profile__topic").get(pk=edition.pk)
    for ours, orms in [
        (shown, loaded),
        (shown.profile, loaded.profile),
        (shown.profile.country, loaded.profile.country),
        (shown.profile.topic, loaded.profile.topic),
    ]:
        assert [getattr(ours, f.attname) for f in ours._meta.concrete_fields] == [
            getattr(orms, f.attname) for f in orms._meta.concrete_fields
        ]
    assert names == (
        loaded.profile.country.name,
        loaded.profile.topic.name,
        loaded.get_absolute_url(),
    )
    # Built from the statement's columns, as they come: a field that converts them would need
    # the ORM's converters.
    assert not [
        f
        for model, _ in search_module.SHOWN
        for f in model._meta.concrete_fields
        if hasattr(f, "from_db_value")
    ]


def test_the_page_says_when_only_the_newest_of_an_archive_search_were_ranked(client, monkeypatch):
    if not on_postgres():
        pytest.skip("the SQLite fallback ranks every row it finds")
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    for n in range(3):
        make_edition(
            state=S.SUPERSEDED,
            last_updated=datetime.date(2010 + n, 6, 1),
            sections=(("Use", "Cobalt mines."),),
        )

    page = client.get("/search/", {"q": "cobalt", "archive": "1"}).text
    narrowed = client.get("/search/", {"q": "cobalt", "archive": "1", "year": "2011"}).text

    assert "3 profiles</strong> found" in page
    assert "best first among the newest 2: choose a topic, a country or a year" in page
    assert "among the newest" not in narrowed
