"""The read-only JSON API: only published content, pagination, filters, fixed queries, caching,
and its OpenAPI description exercised by schemathesis."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import Edition, TreatyStatus
from reports.public import pagecache
from tests.builders import (
    make_country,
    make_edition,
    make_profile,
    make_report,
    make_source,
    make_topic,
    make_treaty_status,
)

pytestmark = pytest.mark.django_db

S = Edition.State
NOW = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
UNPUBLISHED = [S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.WITHDRAWN]
LISTS = [
    "/api/countries",
    "/api/topics",
    "/api/reports",
    "/api/profiles",
    "/api/editions",
    "/api/sources",
    "/api/treaty-status",
]


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def world():
    """Published, archived and unpublished editions: each unpublished one of a country, a
    topic, a report and a source nothing public shows."""
    report = make_report(year=2024)
    europe = make_country("Andorra", slug="andorra", region="Europe")
    africa = make_country("Angola", slug="angola", region="Africa")
    policy = make_topic("Mine Ban Policy", slug="mine-ban-policy")
    action = make_topic("Mine Action", slug="mine-action")
    cited = make_source("Letter of 30 April 2010")
    andorra = make_profile(europe, policy)
    old = make_edition(andorra, state=S.SUPERSEDED, last_updated=datetime.date(2019, 5, 1))
    current = make_edition(
        andorra,
        state=S.PUBLISHED,
        report=report,
        last_updated=datetime.date(2024, 6, 1),
        footnotes=[("Letter.", cited)],
    )
    angola = make_edition(
        make_profile(africa, action), state=S.PUBLISHED, last_updated=datetime.date(2023, 3, 1)
    )
    hidden = {}
    for state in UNPUBLISHED:
        secret = make_edition(
            make_profile(make_country(f"Secret {state}"), make_topic(f"Secret {state}")),
            state=state,
            report=make_report(f"Secret {state}", year=2030),
            footnotes=[(f"Secret note {state}.", make_source(f"Secret source {state}"))],
            **(
                {"published_at": datetime.datetime.now(datetime.UTC)}
                if state == S.WITHDRAWN
                else {}
            ),
        )
        hidden[state] = secret
    # An unpublished draft of a public profile, citing the public source too.
    draft = make_edition(make_profile(europe, action), state=S.DRAFT, footnotes=[("D.", cited)])
    hidden["draft of a public country"] = draft
    make_treaty_status(europe, status=TreatyStatus.Status.STATE_PARTY)
    return {
        "old": old,
        "current": current,
        "angola": angola,
        "hidden": hidden,
        "source": cited,
        "report": report,
    }


def all_text(client):
    return " ".join(client.get(url, {"page_size": 200}).text for url in LISTS)


def test_no_unpublished_edition_ever_appears(client, world):
    text = all_text(client)
    for state, edition in world["hidden"].items():
        assert f"Secret {state}" not in text
        assert client.get(f"/api/editions/{edition.pk}").status_code == 404
        source = edition.footnotes.get().sources.get()
        if source != world["source"]:
            assert client.get(f"/api/sources/{source.pk}").status_code == 404
    ids = {e["id"] for e in get(client, "/api/editions", page_size=200)["items"]}
    assert ids == {world["old"].pk, world["current"].pk, world["angola"].pk}
    # A public source is listed with its public citations only.
    source = get(client, f"/api/sources/{world['source'].pk}")
    assert source["citation_count"] == 1
    assert [c["edition"] for c in source["cited_in"]] == [world["current"].pk]


def test_an_edition_comes_with_its_content(client, world):
    edition = get(client, f"/api/editions/{world['current'].pk}")

    assert edition["current"] is True and edition["country"] == "andorra"
    assert edition["url"] == "/countries/andorra/mine-ban-policy/"
    assert edition["overview"] == [
        {"label": "Mine Ban Treaty status", "value": "Not a State Party"}
    ]
    assert edition["sections"][0]["heading"] == "Policy"
    (note,) = edition["footnotes"]
    assert note["number"] == 1 and note["citations"] == [
        {"source": world["source"].pk, "title": "Letter of 30 April 2010", "locator": ""}
    ]
    assert edition["report"] == str(world["report"])


def test_the_lists_filter_by_country_topic_region_and_year(client, world):
    def ids(**params):
        return [e["id"] for e in get(client, "/api/editions", **params)["items"]]

    assert ids(country="andorra") == [world["current"].pk, world["old"].pk]
    assert ids(topic="mine-action") == [world["angola"].pk]
    assert ids(region="Africa") == [world["angola"].pk]
    assert ids(year=2019) == [world["old"].pk]
    assert ids(country="andorra", current=False) == [world["old"].pk]
    assert ids(country="nowhere") == []
    assert [c["slug"] for c in get(client, "/api/countries", region="Europe")["items"]] == [
        "andorra"
    ]
    profiles = get(client, "/api/profiles", country="andorra")["items"]
    assert [(p["topic"], p["current_edition"]) for p in profiles] == [
        ("mine-ban-policy", world["current"].pk)
    ]
    assert get(client, "/api/sources", country="angola")["count"] == 1
    assert get(client, "/api/sources", year=2024)["items"][0]["id"] == world["source"].pk
    assert [r["year"] for r in get(client, "/api/reports")["items"]] == [2024]
    treaty = get(client, "/api/treaty-status", region="Europe", treaty="mbt")["items"]
    assert [(t["country"], t["status"]) for t in treaty] == [("Andorra", "state_party")]


def test_the_lists_are_paginated(client):
    for number in range(7):
        make_edition(state=S.PUBLISHED, last_updated=datetime.date(2020, 1, number + 1))

    first = get(client, "/api/editions", page_size=3)
    third = get(client, "/api/editions", page_size=3, page=3)
    beyond = get(client, "/api/editions", page_size=3, page=9)

    assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (7, 1, 3, 3)
    assert len(third["items"]) == 1 and beyond["items"] == []
    dates = [e["last_updated"] for e in first["items"]]
    assert dates == ["2020-01-07", "2020-01-06", "2020-01-05"]
    assert client.get("/api/editions", {"page_size": 201}).status_code == 422
    assert client.get("/api/editions", {"page": 0}).status_code == 422


@pytest.mark.parametrize(
    "url", [*LISTS, "/api/editions/{edition}", "/api/sources/{source}"], ids=str
)
def test_each_answer_takes_a_fixed_number_of_queries(client, url):
    def queries(count):
        for _ in range(count):
            country = make_country(region="Europe")
            make_treaty_status(country)
            make_edition(
                make_profile(country),
                state=S.PUBLISHED,
                report=make_report(),
                footnotes=[("One.", source), ("Two.", source, make_source())],
                sections=[("A", "One.[1]"), ("B", "Two.[2]")],
            )
        edition = Edition.objects.filter(state=S.PUBLISHED).first()
        pagecache.forget_all()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url.format(edition=edition.pk, source=source.pk))
        assert response.status_code == 200
        return len(captured)

    source = make_source()
    queries(1)
    assert queries(1) == queries(4)


def test_answers_are_cached_and_revalidated_like_the_public_pages(client, world, publisher):
    from reports.editions import workflow

    first = client.get("/api/editions")
    etag = first["ETag"]
    assert first["Content-Type"] == "application/json; charset=utf-8"
    again = client.get("/api/editions", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    other_page = client.get("/api/editions", {"page_size": 1})
    assert other_page["ETag"] != etag  # the query is part of the page

    workflow.withdraw(world["angola"], publisher, "Wrong country.")

    fresh = client.get("/api/editions", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert world["angola"].pk not in [e["id"] for e in fresh.json()["items"]]


def test_the_index_names_every_list(client):
    assert get(client, "/api/")["endpoints"] == LISTS


def test_the_openapi_description_and_the_docs(client):
    schema = get(client, "/api/openapi.json")
    assert set(schema["paths"]) >= {
        "/api/countries",
        "/api/editions",
        "/api/editions/{edition_id}",
        "/api/sources/{source_id}",
        "/api/treaty-status",
    }
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_bad_parameters_are_refused_not_errors(client):
    for url, params in [
        ("/api/editions", {"year": "x"}),
        ("/api/editions", {"country": "a\x00b"}),
        ("/api/editions", {"page": 10**30}),
        ("/api/treaty-status", {"treaty": "nope"}),
    ]:
        assert client.get(url, params).status_code == 422
    assert client.get(f"/api/editions/{10**30}").status_code in (404, 422)
    assert client.post("/api/editions").status_code == 405
