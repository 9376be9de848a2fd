"""Researchers reorder sections in the admin by editing their positions."""

import pytest

from tests.builders import make_edition

from .test_workflow_admin import change_url, form_data

pytestmark = pytest.mark.django_db


def test_swapping_two_section_positions_saves(client, researcher):
    edition = make_edition(sections=[("Policy", "First.[1]"), ("Use", "Second.")])
    client.force_login(researcher)
    data = form_data(client.get(change_url(edition)))
    prefix = "sections"
    data[f"{prefix}-0-position"], data[f"{prefix}-1-position"] = 2, 1

    response = client.post(change_url(edition), data)

    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][1].formset.forms
    ]
    assert list(edition.sections.values_list("heading", flat=True)) == ["Use", "Policy"]
