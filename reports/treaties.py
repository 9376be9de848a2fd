"""Treaty status lists in the Monitor's own notation, one country a line:

    Andorra 9 Apr 13 (a)              joined by accession on 9 April 2013
    Afghanistan 3 Dec 08; 8 Sep 11    signed on 3 December 2008, ratified on 8 September 2011
    Angola 3 Dec 08                   signed on 3 December 2008, not ratified: a signatory

Dates are "day month year", the month spelled or abbreviated, the year in two digits (20xx
below 50, 19xx from 50) or four. Country names are matched like the importer's: the name, an
alias or the ISO code, whatever the case. A list is read whole before anything is written:
every bad line is reported with its number and, if there is one, nothing is written. A list
that imports is one revision and one audit entry, like a tabular import.
"""

import datetime
import re
from dataclasses import dataclass

import reversion
from django.db import transaction

from .models import Country, TreatyStatus
from .public.pagecache import clock_advanced_at_end
from .resources import import_comment, record_import

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
# Bounded pieces, no nested repetition: linear whatever the line.
DATE = r"(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4}|\d{2})"
TAIL = re.compile(rf"\s({DATE})(?:\s*;\s*({DATE}))?(?:\s*(\(a\)))?\s*$")
MAX_LINE = 300


class TreatyListError(ValueError):
    pass


@dataclass
class Line:
    number: int
    text: str
    country: Country = None
    status: str = ""
    signed_on: datetime.date = None
    consent_on: datetime.date = None
    consent_by: str = ""
    error: str = ""

    @property
    def summary(self):
        if self.consent_by == TreatyStatus.Consent.ACCESSION:
            return f"State Party by accession on {self.consent_on:%d %B %Y}"
        if self.consent_on:
            return (
                f"State Party: signed on {self.signed_on:%d %B %Y}, ratified on "
                f"{self.consent_on:%d %B %Y}"
            )
        return f"Signatory: signed on {self.signed_on:%d %B %Y}"


def _date(day, month, year):
    number = MONTHS.get(month.lower())
    if number is None:
        raise TreatyListError(f"“{month}” is not a month.")
    year = int(year)
    if year < 100:
        year += 2000 if year < 50 else 1900
    try:
        return datetime.date(year, number, int(day))
    except ValueError as exc:
        raise TreatyListError(f"“{day} {month} {year}” is not a date.") from exc


def country_index():
    """{lowercased name, alias or ISO code: country} (one query)."""
    index = {}
    for country in Country.objects.all():
        names = [country.name, *country.alias_list, country.iso_code]
        for name in names:
            if name:
                index.setdefault(name.strip().lower(), country)
    return index


def parse(text):
    """[Line] of every non-blank line, each with its reading or its error."""
    countries = country_index()
    seen = {}
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        line = Line(number, stripped)
        lines.append(line)
        try:
            _read(line, countries)
        except TreatyListError as exc:
            line.error = str(exc)
            continue
        if line.country.pk in seen:
            line.error = f"{line.country} is listed twice (also on line {seen[line.country.pk]})."
        else:
            seen[line.country.pk] = number
    return lines


def _read(line, countries):
    if len(line.text) > MAX_LINE:
        raise TreatyListError(f"The line is longer than {MAX_LINE} characters.")
    match = TAIL.search(line.text)
    if match is None:
        raise TreatyListError(
            "Expected “Country day month year”, then “; day month year” for a ratification "
            "or “(a)” for an accession."
        )
    name = line.text[: match.start()].strip().rstrip(",")
    line.country = countries.get(name.lower())
    if line.country is None:
        raise TreatyListError(f"No country is called “{name}”.")
    first = _date(*match.group(2, 3, 4))
    second = _date(*match.group(6, 7, 8)) if match.group(5) else None
    accession = bool(match.group(9))
    if accession and second:
        raise TreatyListError("An accession has one date: “(a)” after two dates.")
    if second and second < first:
        raise TreatyListError("The ratification comes before the signature.")
    if accession:
        line.status = TreatyStatus.Status.STATE_PARTY
        line.consent_on, line.consent_by = first, TreatyStatus.Consent.ACCESSION
    elif second:
        line.status = TreatyStatus.Status.STATE_PARTY
        line.signed_on, line.consent_on = first, second
        line.consent_by = TreatyStatus.Consent.RATIFICATION
    else:
        line.status = TreatyStatus.Status.SIGNATORY
        line.signed_on = first


def import_list(text, treaty, actor, name="a pasted list", *, dry_run=False):
    """Read the list and, when every line is good and not `dry_run`, write each country's
    status for `treaty`. Returns the lines; nothing is written if any has an error."""
    if treaty not in TreatyStatus.Treaty.values:
        raise TreatyListError(f"Unknown treaty {treaty!r}.")
    lines = parse(text)
    if dry_run or not lines or any(line.error for line in lines):
        return lines
    written = {}
    with transaction.atomic(), clock_advanced_at_end(), reversion.create_revision():
        reversion.set_comment(import_comment(name))
        if actor is not None:
            reversion.set_user(actor)
        existing = {
            status.country_id: status
            for status in TreatyStatus.objects.select_for_update().filter(
                treaty=treaty, country__in=[line.country for line in lines]
            )
        }
        for line in lines:
            status = existing.get(line.country.pk) or TreatyStatus(
                country=line.country, treaty=treaty
            )
            new = status.pk is None
            status.status = line.status
            status.signed_on = line.signed_on
            status.consent_on = line.consent_on
            status.consent_by = line.consent_by
            status.full_clean()
            status.save()
            written[f"line {line.number}: {line.country}"] = {
                "old": "",
                "new": "new" if new else "update",
            }
        record_import(TreatyStatus, actor, name, written)
    return lines
