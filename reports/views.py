"""Public pages: they read published editions only."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from sources.models import Citation, Footnote

from .models import Country, Edition


def home(request):
    latest = (
        Edition.objects.published()
        .select_related("profile__country", "profile__topic")
        .order_by("-published_at", "-id")[:20]
    )
    return render(request, "public/home.html", {"latest": latest})


def country(request, country):
    country = get_object_or_404(Country, slug=country)
    editions = (
        Edition.objects.published()
        .filter(profile__country=country)
        .select_related("profile__topic", "report")
        .order_by("-last_updated", "profile__topic__position")
    )
    return render(request, "public/country.html", {"country": country, "editions": editions})


def profile(request, country, topic):
    edition = get_object_or_404(
        Edition.objects.published()
        .select_related("profile__country", "profile__topic", "report")
        .prefetch_related(
            "overview_facts",
            "sections",
            Prefetch(
                "footnotes",
                queryset=Footnote.objects.prefetch_related(
                    Prefetch("citations", queryset=Citation.objects.select_related("source"))
                ),
            ),
        ),
        profile__country__slug=country,
        profile__topic__slug=topic,
    )
    return render(request, "public/profile.html", {"edition": edition})
