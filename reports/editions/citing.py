"""Footnotes typed in the admin linked to the bibliography as the importer links them.

Saving a footnote whose text changed parses its citations with the importer's rules
(reports.importer.citations: a letter by number and date, a resolution by number, …; "Ibid."
takes the previous note's sources) and matches each to the Source of the same identity, or to
a new one. The citations stay editable (the footnote's page) until the edition is approved; a
note that cites nothing is a warning, not a refusal.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count

from sources.models import Citation, Footnote, Source, SourceAlias

from ..importer.citations import ibid_parts, split_citations

IDENTITY_LENGTH = Source._meta.get_field("identity_key").max_length


@dataclass
class Link:
    source: Source
    locator: str
    new: bool
    cited: int = 0  # how many citations the source has, this one included

    def __str__(self):
        if self.new:
            return f"new source “{self.source}”"
        times = "once" if self.cited == 1 else f"{self.cited} times"
        return f"matched: {self.source} (cited {times})"


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _parsed(footnote):
    ibid, locator, rest = ibid_parts(footnote.text)
    if not ibid:
        return [], split_citations(footnote.text)
    previous = (
        Citation.objects.filter(
            footnote__edition_id=footnote.edition_id, footnote__number__lt=footnote.number
        )
        .order_by("-footnote__number", "position")
        .select_related("footnote")
    )
    previous = list(previous)
    number = previous[0].footnote.number if previous else None
    carried = [(c.source_id, locator or c.locator) for c in previous if c.footnote.number == number]
    return carried, split_citations(rest) if rest and not rest[0].islower() else []


def link(footnote):
    """Replace the footnote's citations with those its text names; returns the Links."""
    carried, parsed = _parsed(footnote)
    identities = [c.identity[:IDENTITY_LENGTH] for c in parsed]
    found = {s.identity_key: s for s in Source.objects.filter(identity_key__in=identities)}
    missing = [i for i in identities if i not in found]
    if missing:
        aliases = SourceAlias.objects.filter(identity_key__in=missing).select_related("source")
        found.update((alias.identity_key, alias.source) for alias in aliases)
    links = [Link(source, locator, new=False) for source, locator in _sources(carried)]
    for citation, identity in zip(parsed, identities, strict=True):
        source, new = found.get(identity), False
        if source is None:
            source = found[identity] = Source.objects.create(
                kind=citation.kind,
                title=citation.title or citation.text,
                author=citation.author[:255],
                date=_date(citation.date),
                reference_number=citation.reference[:120],
                identity_key=identity,
            )
            new = True
        links.append(Link(source, citation.locator[:120], new))
    Citation.objects.filter(footnote=footnote).delete()
    Citation.objects.bulk_create(
        Citation(footnote=footnote, source=item.source, position=position, locator=item.locator)
        for position, item in enumerate(links)
    )
    counts = dict(
        Source.objects.filter(pk__in=[item.source.pk for item in links])
        .annotate(n=Count("citations"))
        .values_list("pk", "n")
    )
    for item in links:
        item.cited = counts.get(item.source.pk, 0)
    return links


def _sources(carried):
    sources = Source.objects.in_bulk([source_id for source_id, _ in carried])
    return [(sources[source_id], locator) for source_id, locator in carried if source_id in sources]


def describe(footnote, links):
    """The message of a saved footnote: what each citation was matched to, or a warning."""
    if not links:
        return f"Note {footnote.number} cites no source: check its text."
    return f"Note {footnote.number}: " + "; ".join(str(item) for item in links) + "."


def uncited_notes(edition):
    """Numbers of the edition's notes that cite no source (one query)."""
    return list(
        Footnote.objects.filter(edition=edition)
        .annotate(n=Count("citations"))
        .filter(n=0)
        .order_by("number")
        .values_list("number", flat=True)
    )
