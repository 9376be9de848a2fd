"""Every admin page loads for a role that may see it, is refused to one that may not, and
every changelist runs the same number of queries however many rows it shows."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import (
    Assignment,
    Chapter,
    Country,
    Edition,
    OverviewFact,
    Profile,
    RecordChange,
    Report,
    Section,
    Topic,
    TreatyStatus,
)
from sources.models import Citation, Footnote, Source
from tests.builders import (
    make_chapter,
    make_country,
    make_edition,
    make_many,
    make_profile,
    make_record_change,
    make_topic,
    make_treaty_status,
)

pytestmark = pytest.mark.django_db

# Every model of ours the admin shows: a new one fails here until it has its row builders.
ADMIN_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in {"reports", "sources"}),
    key=lambda model: model._meta.label,
)


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_page(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def one_of_each(django_user_model):
    edition = make_edition(state=Edition.State.PUBLISHED)
    report = Report.objects.create(series="Landmine Monitor", year=2004)
    make_treaty_status(country=edition.profile.country)
    footnote = edition.footnotes.get()
    return {
        Country: edition.profile.country,
        Topic: edition.profile.topic,
        Report: report,
        Assignment: Assignment.objects.create(
            report=report,
            profile=edition.profile,
            researcher=django_user_model.objects.create(username="assignee"),
        ),
        Profile: edition.profile,
        Edition: edition,
        Section: edition.sections.get(),
        OverviewFact: edition.overview_facts.get(),
        TreatyStatus: TreatyStatus.objects.get(),
        Source: footnote.sources.get(),
        Footnote: footnote,
        Citation: footnote.citations.get(),
        RecordChange: make_record_change(edition.profile.country),
        Chapter: make_chapter(report),
    }


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ["researcher", "editor", "publisher", "superuser"])
def test_every_role_sees_every_editorial_changelist_and_change_page(
    client, request, one_of_each, model, role
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(changelist(model)).status_code == 200
    response = client.get(change_page(one_of_each[model]))
    assert response.status_code == 200
    assert response.context["original"] == one_of_each[model]


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_staff_without_a_role_is_refused(client, staff_without_role, one_of_each, model):
    client.force_login(staff_without_role)
    assert client.get(changelist(model)).status_code == 403
    assert client.get(change_page(one_of_each[model])).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client, one_of_each):
    response = client.get(changelist(Edition))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "model", [Country, Topic, TreatyStatus, Report, Chapter], ids=lambda m: m.__name__
)
def test_researcher_may_view_but_not_change_reference_data(client, researcher, one_of_each, model):
    client.force_login(researcher)
    response = client.get(change_page(one_of_each[model]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.post(change_page(one_of_each[model]), {}).status_code == 403


def test_researcher_cannot_reach_user_accounts(client, researcher):
    client.force_login(researcher)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_editor_may_change_reference_data(client, editor, one_of_each):
    client.force_login(editor)
    response = client.get(change_page(one_of_each[Country]))
    assert response.context["has_change_permission"]


def test_edition_page_shows_each_footnote_with_its_sources(client, editor):
    edition = make_edition(
        footnotes=[("Letter 011-14/809 from the Ministry of Foreign Affairs, 30 April 2010.",)]
    )
    client.force_login(editor)
    response = client.get(change_page(edition))
    source = edition.footnotes.get().sources.get()
    assert reverse("admin:sources_source_change", args=[source.pk]) in response.text
    assert "Letter 011-14/809 from the Ministry" in response.text


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(
    client, superuser, model, django_assert_max_num_queries
):
    client.force_login(superuser)
    make_many(1)
    with_one, response = count_queries(client, changelist(model))
    assert response.context["cl"].result_count >= 1

    make_many(199)
    with django_assert_max_num_queries(with_one):
        response = client.get(changelist(model))
    assert response.context["cl"].result_count >= 200
    cl = response.context["cl"]
    assert len(cl.result_list) == min(cl.result_count, cl.list_per_page) >= 50


# The Editions list as editors search and filter it: make_many's countries are "Bulk country
# …" in regions R0–R4, its reports of years 2000 on, every edition last updated in 2020.
EDITION_LIST_VIEWS = {
    "search": "?q=Bulk",
    "search and state": "?q=Bulk+country&state__exact=published",
    "year": "?last_updated__year=2020",
    "region": "?profile__country__region=R0",
    "report year and search": "?report__year=2000&q=bulk",
}


@pytest.mark.parametrize("query", EDITION_LIST_VIEWS.values(), ids=EDITION_LIST_VIEWS.keys())
def test_edition_list_searched_and_filtered_runs_the_same_queries_however_many_rows(
    client, editor, query, django_assert_max_num_queries
):
    client.force_login(editor)
    make_many(1)
    with_one, response = count_queries(client, changelist(Edition) + query)
    assert response.context["cl"].result_count == 1

    make_many(199)
    with django_assert_max_num_queries(with_one):
        response = client.get(changelist(Edition) + query)
    assert response.context["cl"].result_count >= 2


def edition_list(client, query=""):
    response = client.get(changelist(Edition) + query)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def test_edition_list_search_finds_each_word_in_the_country_the_topic_or_the_summary(
    client, editor
):
    def edition(country, topic, summary):
        return make_edition(
            profile=make_profile(make_country(country), make_topic(topic)), summary=summary
        )

    kabul = edition("Afghanistan", "Mine Ban Policy", "Kabul acceded to the treaty.")
    border = edition("Angola", "Casualties", "Casualties near the border with Afghanistan.")
    clearance = edition("Chad", "Mine Action", "Clearance went on in 2019.")
    client.force_login(editor)

    assert edition_list(client, "?q=afghan") == {kabul, border}
    assert edition_list(client, "?q=CASUALTIES") == {border}
    assert edition_list(client, "?q=mine+action") == {clearance}
    assert edition_list(client, "?q=%22ban+policy%22") == {kabul}
    assert edition_list(client, "?q=angola+border") == {border}
    assert edition_list(client, "?q=kabul+angola") == set()
    assert edition_list(client, "?q=clear") == {clearance}
    assert edition_list(client, "?q=%25") == set()
    assert edition_list(client, "?q=treaty&state__exact=draft") == {kabul}
    assert edition_list(client, "?q=treaty&state__exact=published") == set()


def test_edition_list_search_finds_summary_words_through_their_index_on_postgresql(client, editor):
    if connection.vendor != "postgresql":
        pytest.skip("the index of the summary's words is PostgreSQL's")
    make_many(20)
    client.force_login(editor)
    with CaptureQueriesContext(connection) as captured:
        client.get(changelist(Edition) + "?q=treaty")
    (count,) = [
        q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)") and "WHERE" in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {count}")
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "reports_edition_search_gin" in plan
    assert "Seq Scan on reports_edition" not in plan


def test_edition_list_offers_the_years_last_updated_and_filters_by_one(client, editor):
    old = make_edition(last_updated=datetime.date(2015, 12, 18))
    new = make_edition(last_updated=datetime.date(2019, 3, 1))
    undated = make_edition(last_updated=None)
    client.force_login(editor)

    response = client.get(changelist(Edition))
    (years,) = [f for f in response.context["cl"].filter_specs if f.title == "last updated"]
    assert [label for _, label in years.lookup_choices] == [
        "2019",
        "2018",
        "2017",
        "2016",
        "2015",
    ]
    assert edition_list(client, "?last_updated__year=2015") == {old}
    assert edition_list(client, "?last_updated__year=2019") == {new}
    assert edition_list(client) == {old, new, undated}


@pytest.mark.parametrize("year", ["twenty", "99999", "0", "²"])
def test_edition_list_refuses_a_year_that_is_not_one_with_the_admins_error_page(
    client, editor, year
):
    make_edition(last_updated=datetime.date(2015, 12, 18))
    client.force_login(editor)
    response = client.get(changelist(Edition) + f"?last_updated__year={year}")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_edition_list_keeps_its_filters_and_ordering(client, editor):
    make_many(2)
    later = make_edition(last_updated=datetime.date(2021, 1, 1))
    earlier = make_edition(last_updated=datetime.date(2019, 1, 1))
    client.force_login(editor)
    response = client.get(changelist(Edition))
    cl = response.context["cl"]
    titles = [spec.title for spec in cl.filter_specs if spec.has_output()]
    assert titles == ["state", "topic", "region", "year", "last updated", "last updated precision"]
    shown = list(cl.result_list)
    assert (shown[0], shown[-1], len(shown)) == (later, earlier, 4)
