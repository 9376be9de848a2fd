"""Fill each country's ISO code, official name and aliases from the country catalogue
(pycountry's ISO 3166 states and the Monitor's areas and historical names in
reports/importer/data/countries.toml), so that the importer and editors see every name an
archive page may use. Names an editor already entered are kept; nothing is removed."""

from django.db import migrations


def fill_aliases(apps, schema_editor):
    from reports.importer.countries import catalogue
    from reports.importer.parsing import name_key

    Country = apps.get_model("reports", "Country")
    by_iso, by_name = {}, {}
    for entry in catalogue().values():
        if entry.iso_code:
            by_iso[entry.iso_code] = entry
        for name in entry.names:
            by_name.setdefault(name_key(name), entry)
    taken = set(Country.objects.exclude(iso_code="").values_list("iso_code", flat=True))
    for country in Country.objects.all():
        aliases = [line.strip() for line in country.aliases.splitlines() if line.strip()]
        entry = by_iso.get(country.iso_code) or next(
            (by_name[k] for k in map(name_key, [country.name, *aliases]) if k in by_name), None
        )
        if entry is None:
            continue
        if not country.iso_code and entry.iso_code and entry.iso_code not in taken:
            country.iso_code = entry.iso_code
            taken.add(entry.iso_code)
        if not country.official_name and entry.official_name != country.name:
            country.official_name = entry.official_name
        known = {name_key(name) for name in [country.name, country.official_name, *aliases]}
        for name in entry.names:
            if name_key(name) not in known:
                aliases.append(name)
                known.add(name_key(name))
        country.aliases = "\n".join(aliases)
        country.save(update_fields=["iso_code", "official_name", "aliases"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0010_edition_list_indexes")]

    operations = [migrations.RunPython(fill_aliases, migrations.RunPython.noop)]
