from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

SELECTED = mark_safe(" selected")


@register.simple_tag
def options(choices, selected):
    """The <option>s of (value, label) pairs, the one equal to `selected` selected.

    The search form lists every country on every results page; a template loop over them
    cost more than the search's own queries.
    """
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, SELECTED if value == selected else "", label) for value, label in choices),
    )
