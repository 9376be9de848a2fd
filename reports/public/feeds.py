"""Atom feed of the latest published updates."""

from django.contrib.syndication.views import Feed
from django.db.models.functions import Length, Substr
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from ..models import Edition
from .rendering import SPACED_MARKER

# A feed entry is a notice with a link, never the edition's text: the feed lists 50 editions,
# and rendering their text made one long body slow every reader's poll.
EXCERPT_CHARS = 300


class UpdatesFeed(Feed):
    feed_type = Atom1Feed
    title = "Monitor: latest updates"
    link = reverse_lazy("public:home")
    subtitle = "Country profiles on landmine and cluster munition policy, as they are published."

    def items(self):
        return (
            Edition.objects.readable()
            .select_related("profile__country", "profile__topic")
            .defer("summary")
            .annotate(
                summary_start=Substr("summary", 1, EXCERPT_CHARS * 2),
                summary_length=Length("summary"),
            )
            .order_by("-published_at", "-id")[:50]
        )

    def item_title(self, item):
        return (
            f"{item.profile.country.name}: {item.profile.topic.name} ({item.last_updated_display})"
        )

    def item_description(self, item):
        """The start of the summary as plain text (the feed escapes it), markers left out."""
        excerpt = " ".join(SPACED_MARKER.sub("", item.summary_start).split())
        if len(excerpt) > EXCERPT_CHARS or item.summary_length > EXCERPT_CHARS * 2:
            excerpt = excerpt[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
        return excerpt or f"Last updated {item.last_updated_display}."

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"edition-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
