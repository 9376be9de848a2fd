from html import escape

import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def clean_html(value):
    """HTML typed in the admin (a flat page's content), with nh3's allowlist: no script runs,
    whoever wrote it."""
    return mark_safe(nh3.clean(str(value)))


@register.simple_tag
def options(choices, selected):
    """The <option>s of (value, label) pairs, the one equal to `selected` selected.

    The search form lists every country on every results page: a template loop over them, or
    format_html for each, cost more than the search's own queries.
    """
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if value == selected else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )
