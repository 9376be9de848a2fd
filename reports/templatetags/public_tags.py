from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


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
