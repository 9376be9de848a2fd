"""The sitemap: an index whose parts list every public address, each part within the protocol's
limits (50,000 addresses, 50 MB)."""

import re

import pytest
from django.urls import reverse

from reports.public import sitemaps
from tests.builders import make_country, make_edition, make_profile, make_topic

from .public_helpers import S, make_site, path_of

pytestmark = pytest.mark.django_db

LOC = re.compile(r"<loc>([^<]+)</loc>")


def every_listed_address(client):
    """Every <loc> reachable from /sitemap.xml: the index's parts, then their addresses."""
    index = client.get(reverse("public:sitemap"))
    assert index.status_code == 200
    assert "<sitemapindex" in index.text, "the sitemap is not an index"
    listed = []
    for part in LOC.findall(index.text):
        response = client.get(path_of(part))
        assert response.status_code == 200, part
        assert "<urlset" in response.text
        addresses = LOC.findall(response.text)
        assert len(addresses) <= 50_000
        assert len(response.content) <= 50 * 1024 * 1024
        listed += [path_of(a) for a in addresses]
    return listed


def test_the_index_lists_every_edition_across_parts(client, monkeypatch):
    """Defect 1: with more editions than one part holds, the ones past the first part were
    missing (no index; ``?p=2`` answered 404)."""
    monkeypatch.setattr(sitemaps.EditionSitemap, "limit", 3)
    topic = make_topic("Mine Ban Policy")
    editions = [
        make_edition(make_profile(make_country(f"Country {n:02}"), topic), state=S.PUBLISHED)
        for n in range(8)
    ]
    listed = every_listed_address(client)
    for edition in editions:
        assert edition.get_absolute_url() in listed
    assert len(listed) == len(set(listed)), "an address is listed twice"


def test_every_kind_of_public_page_is_listed(client):
    site = make_site()
    listed = every_listed_address(client)
    country, topic = site["country"].slug, site["topic"].slug
    for url in [
        reverse("public:home"),
        reverse("public:countries"),
        reverse("public:reports"),
        reverse("public:treaty_status"),
        reverse("public:country", args=[country]),
        reverse("public:topic", args=[topic]),
        reverse("public:profile", args=[country, topic]),
        site["old"].get_absolute_url(),
        reverse("public:report", args=[site["report"].series_slug, site["report"].year]),
        reverse("public:source", args=[site["letter"].pk]),
        reverse("public:about"),
    ]:
        assert url in listed, url


def test_no_part_may_exceed_the_protocols_limit():
    for section in sitemaps.SITEMAPS.values():
        assert section.limit <= 50_000


def test_the_index_and_each_part_run_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    make_site()
    for n in range(4):
        make_site(notes=2, country_name=f"Country {n}", topic_name=f"Topic {n}")
    client.get(reverse("public:sitemap"))  # the Site is read once per process
    with django_assert_max_num_queries(len(sitemaps.SITEMAPS)):
        index = client.get(reverse("public:sitemap"))
    for part in LOC.findall(index.text):
        with django_assert_max_num_queries(2):
            client.get(path_of(part))
