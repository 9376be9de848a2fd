"""Shared data for the public site tests."""

import datetime
import re

from reports.models import Edition, Report, TreatyStatus
from tests.builders import (
    make_country,
    make_edition,
    make_profile,
    make_source,
    make_topic,
    make_treaty_status,
)

S = Edition.State


def big_sections(notes):
    """Sections citing every one of `notes` footnotes, some twice."""
    sections = []
    per = 10
    for start in range(1, notes + 1, per):
        numbers = range(start, min(start + per, notes + 1))
        body = "\n\n".join(
            f"Paragraph about item {n}, with detail.[{n}]" + (f" Again.[{n}]" if n % 7 == 0 else "")
            for n in numbers
        )
        sections.append((f"Part {start // per + 1}", body))
    return tuple(sections)


def make_site(notes=3, country_name="Kazakhstan", topic_name="Mine Ban Policy"):
    """A country with a current published edition, an earlier (superseded) one, a treaty status
    and a report; `notes` footnotes on the current edition."""
    country = make_country(
        country_name, region="Central Asia", official_name=f"Republic of {country_name}"
    )
    topic = make_topic(topic_name, position=1)
    profile = make_profile(country, topic)
    report, _ = Report.objects.get_or_create(
        series="Landmine Monitor",
        year=2019,
        defaults={"release_date": datetime.date(2019, 11, 21), "state": Report.State.RELEASED},
    )
    old_report, _ = Report.objects.get_or_create(series="Landmine Monitor", year=2004)
    letter = make_source("Letter from the Ministry of Foreign Affairs, 30 April 2010")
    old = make_edition(
        profile,
        state=S.SUPERSEDED,
        report=old_report,
        last_updated=datetime.date(2004, 1, 1),
        last_updated_precision=Edition.Precision.YEAR,
        summary="Key developments since May 2003: none.",
        sections=(("Mine Ban Policy", "Kazakhstan has not acceded.[1]"),),
        footnotes=(("Letter from the Ministry of Foreign Affairs, 30 April 2010.", letter),),
    )
    footnotes = [("Letter from the Ministry of Foreign Affairs, 30 April 2010.", letter)]
    footnotes += [(f"Statement number {n}, Geneva, 8 May 2006.",) for n in range(2, notes + 1)]
    current = make_edition(
        profile,
        state=S.PUBLISHED,
        report=report,
        last_updated=datetime.date(2019, 12, 18),
        summary="Kazakhstan has not joined the treaty.[1]",
        sections=big_sections(notes),
        footnotes=tuple(footnotes),
        overview=(("Mine Ban Treaty status", "Not a State Party"),),
    )
    make_treaty_status(
        country,
        status=TreatyStatus.Status.NOT_PARTY,
    )
    make_treaty_status(
        country,
        treaty=TreatyStatus.Treaty.CCW,
        status=TreatyStatus.Status.STATE_PARTY,
        consent_on=datetime.date(2009, 1, 8),
        consent_by=TreatyStatus.Consent.ACCESSION,
    )
    return {
        "country": country,
        "topic": topic,
        "profile": profile,
        "current": current,
        "old": old,
        "report": report,
        "old_report": old_report,
        "letter": letter,
    }


def make_public_country(name, state=S.PUBLISHED, topic=None, **fields):
    """A country with one edition in `state` (published by default), on a topic of its own."""
    country = make_country(name, **fields)
    make_edition(make_profile(country, topic or make_topic()), state=state)
    return country


def whole_sitemap(client):
    """The sitemap index and every part it lists, as one text."""
    from django.urls import reverse

    index = client.get(reverse("public:sitemap")).text
    parts = [client.get(path_of(loc)).text for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    return "\n".join([index, *parts])


def path_of(address):
    """An absolute address of the sitemap (on the Site's domain) as a path for the client."""
    return re.sub(r"^https?://[^/]+", "", address)
