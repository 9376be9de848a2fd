"""Atom feed of the latest published updates."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from ..models import Edition
from .rendering import render_text


class UpdatesFeed(Feed):
    feed_type = Atom1Feed
    title = "Monitor: latest updates"
    link = reverse_lazy("public:home")
    subtitle = "Country profiles on landmine and cluster munition policy, as they are published."

    def items(self):
        return (
            Edition.objects.readable()
            .select_related("profile__country", "profile__topic")
            .order_by("-published_at", "-id")[:50]
        )

    def item_title(self, item):
        return (
            f"{item.profile.country.name}: {item.profile.topic.name} ({item.last_updated_display})"
        )

    def item_description(self, item):
        return render_text(item.summary) or f"Last updated {item.last_updated_display}."

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"edition-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
