"""A world map of treaty status, drawn on the server as SVG, no script: the country shapes
come from the map data of the ``pygal_maps_world`` package (its worldmap.svg, shapes keyed by
ISO 3166-1 alpha-2 code), a country's alpha-3 code (Country.iso_code) is matched to them
through ``pycountry``, and each shape is filled by the country's status under one treaty.

The page that shows the map says the same in text (counts by status, and the table).
"""

import importlib.resources
import re
from functools import cache
from html import escape

import pycountry

SHAPE = re.compile(r'<g class="([a-z]{2}) country map-element">(.*?)</g>', re.DOTALL)
PATH = re.compile(r'<path d="([^"]+)"')
VIEWBOX = "0 0 2475 1388"
# Fills by status, with a legend on the page (static/css/site.css shows the same colours).
FILLS = {
    "state_party": "#1f6f5c",
    "signatory": "#8cc5b3",
    "not_party": "#c9a45c",
    None: "#e4e4e4",
}


@cache
def shapes():
    """{alpha-2 code: [path data]} of every country on the map (read once per process)."""
    svg = (importlib.resources.files("pygal_maps_world") / "worldmap.svg").read_text()
    return {code: PATH.findall(body) for code, body in SHAPE.findall(svg)}


@cache
def alpha_2(alpha_3):
    found = pycountry.countries.get(alpha_3=alpha_3.upper()) if alpha_3 else None
    return found.alpha_2.lower() if found else None


def treaty_map(countries, treaty, title):
    """The SVG of `treaty`'s status: `countries` are Country rows with their treaty statuses
    prefetched; `title` names the map for assistive technology."""
    status_of, name_of = {}, {}
    for country in countries:
        code = alpha_2(country.iso_code)
        if code is None:
            continue
        found = next((s for s in country.treaty_statuses.all() if s.treaty == treaty), None)
        status_of[code] = found
        name_of[code] = country.name
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{VIEWBOX}" role="img" '
        f'aria-labelledby="map-title"><title id="map-title">{escape(title)}</title>'
        '<rect width="100%" height="100%" fill="#ffffff"/>'
    ]
    for code, paths in shapes().items():
        status = status_of.get(code)
        fill = FILLS[status.status if status else None]
        label = ""
        if code in name_of:
            said = status.get_status_display() if status else "no data"
            label = f"<title>{escape(name_of[code])}: {escape(said)}</title>"
        out.append(
            f'<g fill="{fill}" stroke="#ffffff" stroke-width="0.6">{label}'
            + "".join(f'<path d="{d}"/>' for d in paths)
            + "</g>"
        )
    out.append("</svg>")
    return "".join(out)
