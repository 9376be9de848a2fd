"""Staff preview of any edition, rendered exactly as the public profile page renders it.

Anonymous users and staff without access to editions get 404 (the URL reveals nothing);
responses carry X-Robots-Tag: noindex and are never cached.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from sources.models import Citation, Footnote

from . import views
from .models import Edition


def render_edition(request, edition):
    """One call into the public site's rendering, so the preview follows its templates."""
    public_render = getattr(views, "render_edition", None)
    if public_render is not None:
        return public_render(request, edition)
    return render(request, "public/profile.html", {"edition": edition})


@never_cache
def edition_preview(request, edition_id):
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("reports.view_edition")):
        raise Http404("No such page.")
    edition = get_object_or_404(
        Edition.objects.select_related(
            "profile__country", "profile__topic", "report"
        ).prefetch_related(
            "overview_facts",
            "sections",
            Prefetch(
                "footnotes",
                queryset=Footnote.objects.prefetch_related(
                    Prefetch("citations", queryset=Citation.objects.select_related("source"))
                ),
            ),
        ),
        pk=edition_id,
    )
    response = render_edition(request, edition)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
