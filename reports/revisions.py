"""What django-reversion records: one revision of an edition holds its whole content."""

import reversion

from sources.models import Citation, Footnote, Source

from .models import Country, Edition, OverviewFact, Profile, Report, Section, Topic, TreatyStatus

reversion.register(Country)
reversion.register(Topic)
reversion.register(Report)
reversion.register(Profile)
reversion.register(TreatyStatus)
reversion.register(Source)
reversion.register(Edition, follow=("sections", "overview_facts", "footnotes"))
reversion.register(Section)
reversion.register(OverviewFact)
reversion.register(Footnote, follow=("citations",))
reversion.register(Citation)
