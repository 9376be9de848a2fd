"""Staff preview of any edition, rendered exactly as the public profile page renders it.

Anonymous users and staff without access to editions get 404 (the URL reveals nothing);
responses carry X-Robots-Tag: noindex and are never cached.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from .rendering import load_content
from .views import edition_queryset, render_edition


@never_cache
def edition_preview(request, edition_id):
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("reports.view_edition")):
        raise Http404("No such page.")
    edition = get_object_or_404(edition_queryset(), pk=edition_id)
    # No history: render_edition marks the page as a preview (banner, noindex).
    response = render_edition(request, edition, load_content(edition))
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
