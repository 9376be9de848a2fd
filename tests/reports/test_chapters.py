"""A yearly report's chapters about no one country: shown with the published report, each at
its own address and in the sitemap, changed by editors only, every change recorded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.models import Chapter, Edition, RecordChange, Report
from tests.builders import make_chapter, make_edition

from .public_helpers import make_site, whole_sitemap

pytestmark = pytest.mark.django_db

S = Edition.State
REPORT = ["landmine-monitor", 2019]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return HTMLParser(response.text)


def test_the_report_page_lists_its_published_chapters_before_the_profiles(client):
    site = make_site()
    make_chapter(site["report"], "Ban Policy", position=2)
    make_chapter(site["report"], "Major Findings", position=1)
    make_chapter(site["report"], "Still being written", position=3, published=False)
    doc = page(client, reverse("public:report", args=REPORT))
    contents = doc.css_first("nav.jump")
    assert [a.text() for a in contents.css("ol.chapters a")] == ["Major Findings", "Ban Policy"]
    assert contents.css_first("ol.chapters a").attributes["href"] == reverse(
        "public:chapter", args=[*REPORT, "major-findings"]
    )
    headings = [h.text() for h in contents.css("h3")]
    assert headings == ["Chapters", "Country profiles by topic"]
    assert "Still being written" not in doc.html


def test_a_chapter_has_its_own_page_with_the_others_to_move_on_to(client):
    site = make_site()
    make_chapter(site["report"], "Major Findings", body="First finding.\n\n• A list item")
    make_chapter(site["report"], "Ban Policy", position=2)
    doc = page(client, reverse("public:chapter", args=[*REPORT, "major-findings"]))
    assert doc.css_first("h1").text() == "Major Findings"
    body = doc.css_first(".chapter-body")
    assert body.css_first("p").text() == "First finding."
    assert body.css_first("li").text() == "A list item"
    assert doc.css_first('a[rel="next"]').attributes["href"].endswith("/chapters/ban-policy/")
    assert doc.css_first("nav.jump strong[aria-current=page]").text() == "Major Findings"
    assert doc.css_first('link[rel="canonical"]').attributes["href"] == (
        "http://testserver/reports/landmine-monitor/2019/chapters/major-findings/"
    )


def test_an_unpublished_chapter_or_one_of_an_unpublished_report_answers_404(client, editor):
    site = make_site()
    make_chapter(site["report"], "Draft chapter", published=False)
    unreleased = Report.objects.create(series="Landmine Monitor", year=2031)
    make_chapter(unreleased, "Major Findings")
    make_edition(report=unreleased, state=S.APPROVED)
    client.force_login(editor)  # staff too: a chapter is read in the admin until published
    for url in [
        reverse("public:chapter", args=[*REPORT, "draft-chapter"]),
        reverse("public:chapter", args=["landmine-monitor", 2031, "major-findings"]),
        reverse("public:chapter", args=[*REPORT, "no-such-chapter"]),
    ]:
        assert client.get(url).status_code == 404, url


def test_published_chapters_are_in_the_sitemap_and_the_others_are_not(client):
    site = make_site()
    make_chapter(site["report"], "Major Findings")
    make_chapter(site["report"], "Draft chapter", published=False)
    unreleased = Report.objects.create(series="Landmine Monitor", year=2031)
    make_chapter(unreleased, "Embargoed")
    listed = whole_sitemap(client)
    assert "/reports/landmine-monitor/2019/chapters/major-findings/</loc>" in listed
    assert "/reports/landmine-monitor/2019/</loc>" in listed
    assert "draft-chapter" not in listed and "embargoed" not in listed


@pytest.mark.parametrize("name", ["report", "chapter"])
def test_report_and_chapter_pages_run_the_same_queries_however_many_chapters(
    client, django_assert_num_queries, name
):
    site = make_site()
    make_chapter(site["report"], "Major Findings")
    url = {
        "report": reverse("public:report", args=REPORT),
        "chapter": reverse("public:chapter", args=[*REPORT, "major-findings"]),
    }[name]
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for position in range(2, 12):
        make_chapter(site["report"], f"Chapter {position}", position=position)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def chapter_form(client, chapter=None):
    url = (
        reverse("admin:reports_chapter_change", args=[chapter.pk])
        if chapter
        else reverse("admin:reports_chapter_add")
    )
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list)
    }
    if "published" in data and data["published"] is False:
        del data["published"]
    return url, data


def test_an_editor_changes_a_public_chapter_and_the_change_is_recorded(client, editor):
    site = make_site()
    chapter = make_chapter(site["report"], "Major Findings")
    client.force_login(editor)
    url, data = chapter_form(client, chapter)
    data.update({"body": "A rewritten finding.", "record_comment": "Figures corrected."})
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    entry = RecordChange.objects.for_record(chapter).get()
    assert entry.actor == editor and entry.comment == "Figures corrected."
    assert entry.changes["body"]["new"] == "A rewritten finding."
    version = Version.objects.get_for_object(chapter).get()
    assert version.revision.user == editor
    doc = page(client, reverse("public:chapter", args=[*REPORT, "major-findings"]))
    assert doc.css_first(".chapter-body").text().strip() == "A rewritten finding."


def test_adding_and_deleting_a_chapter_of_a_public_report_is_recorded(client, editor):
    site = make_site()
    client.force_login(editor)
    url, data = chapter_form(client)
    data.update(
        {
            "report": site["report"].pk,
            "position": "1",
            "title": "Ban Policy",
            "slug": "ban-policy",
            "published": "on",
            "body": "The treaty.",
        }
    )
    assert client.post(url, data).status_code == 302
    chapter = Chapter.objects.get()
    added = RecordChange.objects.for_record(chapter).get()
    assert added.comment == "Added." and added.changes["title"] == {
        "old": None,
        "new": "Ban Policy",
    }
    delete = reverse("admin:reports_chapter_delete", args=[chapter.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Chapter.objects.exists()
    assert RecordChange.objects.filter(object_id=str(chapter.pk), comment="Deleted.").exists()


def test_a_researcher_cannot_add_or_change_a_chapter(client, researcher):
    site = make_site()
    chapter = make_chapter(site["report"], "Major Findings")
    client.force_login(researcher)
    add = client.post(
        reverse("admin:reports_chapter_add"),
        {"report": site["report"].pk, "title": "Mine", "slug": "mine", "published": "on"},
    )
    assert add.status_code == 403
    change = client.post(
        reverse("admin:reports_chapter_change", args=[chapter.pk]),
        {"report": site["report"].pk, "title": "Changed", "slug": "changed", "position": 1},
    )
    assert change.status_code == 403
    chapter.refresh_from_db()
    assert chapter.title == "Major Findings" and Chapter.objects.count() == 1


def test_a_renamed_chapter_leaves_its_old_address_pointing_at_the_new_one(client, editor):
    site = make_site()
    chapter = make_chapter(site["report"], "Major Findings")
    old = reverse("public:chapter", args=[*REPORT, "major-findings"])
    client.force_login(editor)
    url, data = chapter_form(client, chapter)
    data.update({"title": "Main Findings", "slug": "main-findings"})
    assert client.post(url, data).status_code == 302
    client.logout()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"].endswith("/chapters/main-findings/")
