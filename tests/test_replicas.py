"""Anonymous public reads go to a read replica when one is configured; everything else, and a
replica that lags behind the publication clock, reads from the primary."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitor import replicas
from reports.editions import workflow
from tests.reports.public_helpers import make_site

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def site(settings):
    settings.DATABASE_REPLICAS = ["replica"]
    return make_site(notes=3)


def profile_url(site):
    return reverse("public:profile", args=[site["country"].slug, site["topic"].slug])


def queries(client, url):
    """(SQL run on the primary, SQL run on the replica) to answer `url`."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        assert client.get(url).status_code == 200
    return [q["sql"] for q in primary], [q["sql"] for q in replica]


def test_an_anonymous_public_page_is_read_from_the_replica(client, site):
    primary, replica = queries(client, profile_url(site))
    assert len(replica) >= 4  # the clock check, then the page's own reads
    assert "publication" in replica[0].lower()
    assert not any("reports_edition" in sql for sql in primary)
    assert all("publication" in sql.lower() for sql in primary)  # the clock, fresh


def test_staff_and_the_admin_read_from_the_primary(client, site, editor):
    client.force_login(editor)
    for url in (profile_url(site), reverse("admin:index")):
        _, replica = queries(client, url)
        assert replica == [], url


def test_a_replica_behind_the_clock_is_not_read(client, site, publisher, monkeypatch):
    # Published elsewhere; the replica has not replayed it yet.
    workflow.withdraw(site["current"], publisher, "By mistake")
    behind = replicas.replica_tick("replica") - 1
    monkeypatch.setattr(replicas, "replica_tick", lambda alias: behind)
    primary, replica = queries(client, profile_url(site))
    assert replica == []
    assert any("reports_edition" in sql for sql in primary)


def test_a_replica_that_does_not_answer_is_not_read(client, site, monkeypatch):
    monkeypatch.setattr(replicas, "replica_tick", lambda alias: None)
    _, replica = queries(client, profile_url(site))
    assert replica == []


def test_without_replicas_nothing_changes(client, site, settings):
    settings.DATABASE_REPLICAS = []
    _, replica = queries(client, profile_url(site))
    assert replica == []
