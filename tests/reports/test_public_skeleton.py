"""The public home and country pages list published editions only."""

import pytest
from django.urls import reverse

from reports.models import Edition
from tests.builders import make_country, make_edition, make_profile, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def kazakhstan():
    country = make_country("Kazakhstan", official_name="Republic of Kazakhstan")
    published = make_edition(
        make_profile(country, make_topic("Mine Ban Policy")), state=Edition.State.PUBLISHED
    )
    draft = make_edition(make_profile(country, make_topic("Mine Action")))
    return country, published, draft


def test_home_lists_published_editions_but_not_drafts(client, kazakhstan):
    response = client.get(reverse("public:home"))
    assert "Kazakhstan: Mine Ban Policy" in response.text
    assert "Mine Action" not in response.text


def test_country_page_lists_its_published_editions(client, kazakhstan):
    country, published, draft = kazakhstan
    response = client.get(reverse("public:country", args=[country.slug]))
    assert response.status_code == 200
    assert "Mine Ban Policy" in response.text
    assert "18 December 2019" in response.text
    assert "Mine Action" not in response.text


def test_public_pages_run_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    country = make_country("Cambodia")
    for _ in range(30):
        make_edition(make_profile(country), state=Edition.State.PUBLISHED)
    with django_assert_max_num_queries(2):
        client.get(reverse("public:home"))
    with django_assert_max_num_queries(3):
        client.get(reverse("public:country", args=[country.slug]))
