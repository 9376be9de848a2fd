"""Every country and area the Monitor writes about, with every name archive pages use for it.

The states come from pycountry (ISO 3166: name, official name, common name); the Monitor's
own names, its areas that are not states and historical names are data, in
data/countries.toml. The database's Country rows (and their aliases, which the data migration
fills from this catalogue) come first: a name given there wins over the catalogue's.
"""

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

DATA = Path(__file__).with_name("data") / "countries.toml"


@dataclass
class Entry:
    name: str
    iso_code: str = ""
    official_name: str = ""
    aliases: list[str] = field(default_factory=list)

    @property
    def names(self):
        return [self.name, *([self.official_name] if self.official_name else []), *self.aliases]


@functools.cache
def catalogue():
    """{Monitor name: Entry} for every ISO state and every area of the data file."""
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    entries = {}
    for state in pycountry.countries:
        iso = state.alpha_3
        common = getattr(state, "common_name", "")
        name = data["names"].get(iso) or (common if "," in state.name and common else state.name)
        official = data["official_names"].get(iso, getattr(state, "official_name", ""))
        official = official.removeprefix("the ")
        others = [other for other in (state.name, common) if other and other != name]
        entries[name] = Entry(name, iso, official if official != name else "", others)
    for name, aliases in data["areas"].items():
        entries[name] = Entry(name, "", "", list(aliases))
    for name, aliases in data["aliases"].items():
        entry = entries[name]  # a KeyError here is a typing slip in the data file
        entry.aliases.extend(alias for alias in aliases if alias not in entry.names)
    return entries


def catalogue_entries():
    """{Monitor name: [other names]}, as CountryLookup takes them."""
    return {name: entry.names[1:] for name, entry in catalogue().items()}


def entry_for(name):
    """The catalogue's Entry for a country name (or any of its other names), or None."""
    from .parsing import name_key

    return _by_key().get(name_key(name))


@functools.cache
def _by_key():
    from .parsing import name_key

    keys = {}
    for entry in catalogue().values():
        for name in entry.names:
            keys.setdefault(name_key(name), entry)
    return keys


def lookup_entries(known):
    """{canonical name: [other names]} for CountryLookup: the database's countries first (as
    (name, iso_code, official_name, aliases) tuples), then every catalogue entry not among
    them; a catalogue entry that is one of them (same ISO code or a shared name) adds its
    names to it."""
    from .parsing import name_key

    entries, owner = {}, {}
    for name, iso_code, official_name, aliases in known:
        entries[name] = [other for other in (official_name, *aliases) if other]
        for other in (name, *entries[name]):
            owner.setdefault(name_key(other), name)
        if iso_code:
            owner.setdefault(iso_code, name)
    for entry in catalogue().values():
        target = owner.get(entry.iso_code) if entry.iso_code else None
        if target is None:
            target = next((owner[key] for key in map(name_key, entry.names) if key in owner), None)
        if target is None:
            entries[entry.name] = entry.names[1:]
        else:
            entries[target].extend(name for name in entry.names if name != target)
    return entries
