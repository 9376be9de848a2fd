"""Server errors: a database that cannot be reached is a 503 to retry, never a 500."""

import sys

from django.http import HttpResponse

from reports.public.pagecache import UNREACHABLE
from reports.public.views import server_error as publication_server_error

RETRY_AFTER = 5  # seconds: a PostgreSQL restart or a fail-over takes a few


def server_error(request):
    """handler500: Django calls it while the exception is being handled."""
    if isinstance(sys.exc_info()[1], UNREACHABLE):
        response = HttpResponse(
            "<!doctype html><title>Back in a moment</title><h1>Back in a moment</h1>"
            "<p>The site cannot reach its database just now. Please try again in a few "
            "seconds.</p>",
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return publication_server_error(request)
