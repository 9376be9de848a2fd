"""A researcher edits a draft's section in the admin with a real browser."""

import pytest

from reports.models import Edition
from tests.builders import make_edition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def test_researcher_changes_a_section_and_sees_the_change(page, live_server, researcher):
    edition = make_edition(
        state=Edition.State.DRAFT,
        sections=[("Policy", "The Kyrgyz Republic has not acceded to the Mine Ban Treaty.")],
    )
    log_in(page, live_server, researcher.username)

    page.goto(f"{live_server.url}/admin/reports/edition/{edition.pk}/change/")
    body = page.locator("#id_sections-0-body")
    assert "has not acceded" in body.input_value()
    body.fill("The Kyrgyz Republic has not acceded to the Mine Ban Treaty.\n\nIt voted yes.")
    page.click("input[name=_continue]")

    page.wait_for_selector(".messagelist .success")
    assert "It voted yes." in page.locator("#id_sections-0-body").input_value()
    assert edition.sections.get().body.endswith("It voted yes.")
