"""Atom feeds of published updates: of everything, of one country, of one topic.

Each entry's id is a tag URI (RFC 4151) naming the edition: an absolute IRI that stays the
same when the edition is archived or its country renamed, unlike the address it is read at.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from ..models import Country, Edition, Topic
from .rendering import SPACED_MARKER

# A feed entry is a notice with a link, never the edition's text: the feed lists 50 editions,
# and rendering their text made one long body slow every reader's poll.
EXCERPT_CHARS = 300

ENTRIES = 50


def tag_authority(request):
    """The domain named in entry ids: the publisher's (PUBLICATION["domain"]), else this host."""
    domain = settings.PUBLICATION.get("domain") or request.get_host()
    return domain.split(":")[0]


def entry_id(authority, edition):
    """``tag:monitor.example.org,2019-12-18:edition/22800``, dated by its first publication."""
    day = (edition.published_at or edition.created_at).date().isoformat()
    return f"tag:{authority},{day}:edition/{edition.pk}"


@dataclass
class Scope:
    """What a feed covers (everything, a country or a topic) and the host it is read from."""

    authority: str
    country: Country | None = None
    topic: Topic | None = None


class UpdatesFeed(Feed):
    feed_type = Atom1Feed
    link = reverse_lazy("public:home")

    def title(self):
        return f"{settings.PUBLICATION['name']}: latest updates"

    def subtitle(self):
        return settings.PUBLICATION["tagline"]

    def get_object(self, request, *args, **kwargs):
        return Scope(authority=tag_authority(request))

    def editions(self, scope):
        return Edition.objects.readable()

    def items(self, scope):
        editions = list(
            self.editions(scope)
            .select_related("profile__country", "profile__topic")
            .defer("summary")
            .annotate(
                summary_start=Substr("summary", 1, EXCERPT_CHARS * 2),
                summary_length=Length("summary"),
            )
            .order_by("-published_at", "-id")[:ENTRIES]
        )
        for edition in editions:
            edition.entry_id = entry_id(scope.authority, edition)
        return editions

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
        return item.entry_id

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


class CountryFeed(UpdatesFeed):
    """Updates of one country's profiles; a country with nothing published has none (404)."""

    def get_object(self, request, country):
        found = Country.objects.public().filter(slug=country).first()
        if found is None:
            raise Http404("No such country.")
        return Scope(authority=tag_authority(request), country=found)

    def title(self, scope):
        return f"{settings.PUBLICATION['name']}: {scope.country.name}"

    def subtitle(self, scope):
        return f"Updates of the profiles of {scope.country.name}, as they are published."

    def link(self, scope):
        return reverse("public:country", args=[scope.country.slug])

    def editions(self, scope):
        return Edition.objects.readable().filter(profile__country=scope.country)


class TopicFeed(UpdatesFeed):
    """Updates of every country's profile on one topic."""

    def get_object(self, request, topic):
        found = Topic.objects.public().filter(slug=topic).first()
        if found is None:
            raise Http404("No such topic.")
        return Scope(authority=tag_authority(request), topic=found)

    def title(self, scope):
        return f"{settings.PUBLICATION['name']}: {scope.topic.name}"

    def subtitle(self, scope):
        return f"Updates of every country's {scope.topic.name} profile, as they are published."

    def link(self, scope):
        return reverse("public:topic", args=[scope.topic.slug])

    def editions(self, scope):
        return Edition.objects.readable().filter(profile__topic=scope.topic)
