"""The public page of a source: what it is and every published footnote citing it."""

from itertools import groupby

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from reports.models import Edition
from sources.models import Citation, Source

from ..editions.states import READABLE


@require_safe
def source(request, source_id):
    source = get_object_or_404(Source.objects.select_related("report"), pk=source_id)
    citations = list(
        Citation.objects.filter(source=source, footnote__edition__state__in=READABLE)
        .select_related("footnote__edition__profile__country", "footnote__edition__profile__topic")
        .order_by(
            "footnote__edition__profile__country__name",
            "-footnote__edition__last_updated",
            "footnote__edition__profile__topic__position",
            "footnote__number",
        )
    )
    if not citations:
        # Cited only by drafts (or not at all): nothing public to show.
        raise Http404("No published footnote cites this source.")
    for citation in citations:
        edition = citation.footnote.edition
        citation.url = f"{edition.get_absolute_url()}#note-{citation.footnote.number}"
    countries = []
    for country, items in groupby(citations, key=lambda c: c.footnote.edition.profile.country):
        editions = []
        for edition, notes in groupby(items, key=lambda c: c.footnote.edition):
            editions.append((edition, list(notes)))
        countries.append((country, editions))
    return render(
        request,
        "public/source.html",
        {
            "source": source,
            "countries": countries,
            "count": len(citations),
            "current_state": Edition.State.PUBLISHED,
        },
    )
