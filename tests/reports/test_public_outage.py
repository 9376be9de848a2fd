"""Serving through a database outage: cached pages that provably did not change are served
stale (marked with a header), anything else answers 503 with Retry-After, never 500."""

from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from reports.editions import workflow
from reports.public import pagecache

from .public_helpers import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site(notes=3)


@pytest.fixture
def client(client):
    client.raise_request_exception = False  # see the response a reader would get
    return client


@contextmanager
def database_down():
    """Every query fails as it does while PostgreSQL restarts."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("terminating connection due to administrator command")

    pagecache._seen = pagecache._NEVER  # the clock must be read again, and cannot be
    with connection.execute_wrapper(refuse):
        yield


def profile_url(site):
    return reverse("public:profile", args=[site["country"].slug, site["topic"].slug])


def test_a_cached_page_is_served_stale_with_a_header_while_the_database_is_down(client, site):
    fresh = client.get(profile_url(site))
    assert fresh.status_code == 200 and pagecache.STALE_HEADER not in fresh
    with database_down():
        stale = client.get(profile_url(site))
    assert stale.status_code == 200
    assert stale[pagecache.STALE_HEADER] == "database unreachable"
    assert stale.content == fresh.content
    again = client.get(profile_url(site))
    assert again.status_code == 200 and pagecache.STALE_HEADER not in again


def test_what_cannot_be_served_answers_503_with_retry_after(client, site):
    with database_down():
        for url in (profile_url(site), reverse("public:countries"), "/search/?q=treaty"):
            response = client.get(url)
            assert response.status_code == 503, url
            assert response["Retry-After"] == "5"
            assert "try again" in response.text


def test_a_withdrawn_page_is_never_served_stale(
    client, site, publisher, django_capture_on_commit_callbacks
):
    url = profile_url(site)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(site["current"], publisher, "By mistake", restore_previous=False)
    with database_down():
        assert client.get(url).status_code == 503


def test_another_process_that_announced_a_move_stops_stale_pages_here(client, site):
    url = profile_url(site)
    assert client.get(url).status_code == 200
    pagecache.cache.set(pagecache.CLOCK_KEY, pagecache._highest + 1)  # a move elsewhere
    with database_down():
        assert client.get(url).status_code == 503


def test_without_a_shared_cache_nothing_is_served_stale(client, site, settings):
    settings.STALE_IF_ERROR = False
    assert client.get(profile_url(site)).status_code == 200
    with database_down():
        assert client.get(profile_url(site)).status_code == 503
