"""What django-reversion records of the bibliography: a footnote's revision holds its
citations (an edition's revision follows its footnotes, see reports.editions.revisions)."""

import reversion

from .models import Citation, Footnote, Source

reversion.register(Source)
reversion.register(Footnote, follow=("citations",))
reversion.register(Citation)
