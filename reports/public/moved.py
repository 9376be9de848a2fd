"""Old public addresses of moved pages (a renamed country, a profile given another country or
topic) answer 301 with the new one; see reports.models.MovedPath."""

from django.http import HttpResponsePermanentRedirect

from ..models import MovedPath


class MovedPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A live page always wins: only an address that would answer 404 follows a move, so
        # a country that takes a freed name again is served, not redirected.
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = MovedPath.objects.target(request.path)
        if target is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
