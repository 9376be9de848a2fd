"""Atom feeds: entry ids are absolute IRIs; a feed per country and per topic, linked from their
pages."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.builders import make_country, make_edition, make_profile, make_topic

from .public_helpers import S, make_site

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        (entry.findtext(f"{ATOM}id"), entry.findtext(f"{ATOM}title"))
        for entry in feed.iter(f"{ATOM}entry")
    ]


def test_entry_ids_are_absolute_iris_naming_the_edition(client, settings):
    """Defect 4: ids were ``edition-22800``, which is no IRI (no scheme)."""
    site = make_site()
    ids = [entry_id for entry_id, _ in entries(client, reverse("public:feed"))]
    day = site["current"].published_at.date().isoformat()
    assert f"tag:testserver,{day}:edition/{site['current'].pk}" in ids
    for entry_id in ids:
        assert entry_id.startswith("tag:testserver,"), entry_id
    settings.PUBLICATION = {**settings.PUBLICATION, "domain": "monitor.example.org"}
    ids = [entry_id for entry_id, _ in entries(client, reverse("public:feed"))]
    assert f"tag:monitor.example.org,{day}:edition/{site['current'].pk}" in ids


def test_a_country_feed_holds_that_countrys_updates_only(client):
    site = make_site()
    other = make_site(notes=1, country_name="Norway", topic_name="Mine Action")
    url = reverse("public:country_feed", args=["kazakhstan"])
    titles = [title for _, title in entries(client, url)]
    assert titles and all(title.startswith("Kazakhstan:") for title in titles)
    assert not any("Norway" in title for title in titles)
    page = HTMLParser(client.get(site["country"].get_absolute_url()).text)
    feed_url = reverse("public:country_feed", args=["kazakhstan"])
    assert page.css_first(f'link[rel=alternate][href="{feed_url}"]') is not None
    assert page.css_first(f'main a[href="{feed_url}"]') is not None
    assert other["country"].name == "Norway"


def test_a_topic_feed_holds_every_countrys_profile_on_that_topic(client):
    site = make_site()
    topic = site["topic"]
    norway = make_profile(make_country("Norway", region="Europe"), topic)
    make_edition(norway, state=S.PUBLISHED, last_updated=datetime.date(2020, 1, 2))
    make_edition(make_profile(make_country("Peru"), make_topic("Casualties")), state=S.PUBLISHED)
    url = reverse("public:topic_feed", args=[topic.slug])
    titles = [title for _, title in entries(client, url)]
    assert any(t.startswith("Norway: Mine Ban Policy") for t in titles)
    assert any(t.startswith("Kazakhstan: Mine Ban Policy") for t in titles)
    assert not any("Peru" in t for t in titles)
    # The topic's page lists its profiles by region and links its feed; the profile page
    # links the topic's page.
    page = HTMLParser(client.get(reverse("public:topic", args=[topic.slug])).text)
    feed_url = reverse("public:topic_feed", args=[topic.slug])
    assert page.css_first(f'link[rel=alternate][href="{feed_url}"]') is not None
    assert page.css_first(f'main a[href="{feed_url}"]') is not None
    assert [h.text() for h in page.css("section.region h2")] == ["Central Asia", "Europe"]
    profile = HTMLParser(client.get(site["profile"].get_absolute_url()).text)
    assert profile.css_first(f'main a[href="{reverse("public:topic", args=[topic.slug])}"]')


def test_feeds_and_topic_pages_of_unpublished_things_are_not_found(client):
    make_edition(make_profile(make_country("Atlantis"), make_topic("Secret topic")))  # a draft
    for url in [
        reverse("public:country_feed", args=["atlantis"]),
        reverse("public:topic_feed", args=["secret-topic"]),
        reverse("public:topic", args=["secret-topic"]),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("name", ["country_feed", "topic_feed", "topic"])
def test_feeds_and_topic_pages_run_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, name
):
    site = make_site()
    for n in range(4):
        make_site(notes=2, country_name=f"Country {n}", topic_name=f"Topic {n}")
    arg = site["country"].slug if name == "country_feed" else site["topic"].slug
    with django_assert_max_num_queries(3):
        assert client.get(reverse(f"public:{name}", args=[arg])).status_code == 200
