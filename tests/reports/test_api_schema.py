"""Schemathesis generates requests from the API's OpenAPI description and checks every answer
against it: no server error, every status, content type, header and body as described."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from reports.api.views import api
from reports.models import Edition
from tests.builders import make_edition, make_treaty_status

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def requests_keep_the_test_connection():
    """Through the WSGI handler a request ends by closing a connection in a transaction, which
    is the test's; Django's test client leaves it open in the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def published(db, requests_keep_the_test_connection):
    edition = make_edition(state=Edition.State.PUBLISHED)
    make_treaty_status(edition.profile.country)
    make_edition(state=Edition.State.DRAFT)
    return edition


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_openapi_description_says(case, published, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    case.call_and_validate()
