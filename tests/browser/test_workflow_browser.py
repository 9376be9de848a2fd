"""The editorial workflow in a real browser: edit, review, publish; two people, one draft."""

import os
from pathlib import Path

import pytest

from monitor.roles import RESEARCHER
from reports.editions import workflow
from reports.models import Edition
from tests.builders import make_country, make_edition, make_profile, make_topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD = "The Kyrgyz Republic has not acceded to the Mine Ban Treaty.[1]"
NEW = "The Kyrgyz Republic has not acceded to the Mine Ban Treaty, but voted yes in 2019.[1]"


def session(browser, live_server, username):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.locator("#user-tools").count() == 1
    return page


def click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def act(page, action, comment=None):
    if action == "submit":  # "Save and submit": one post with the edit form
        if comment is not None:
            page.fill("input[name=workflow_comment]", comment)
        click(page, "button[name=_workflow][value=submit]")
        return
    form = f"form[action$='/workflow/{action}/']"
    if comment is not None:
        page.fill(f"{form} input[name=comment]", comment)
    click(page, f"{form} button[value={action}]")


def success(page):
    return page.locator(".messagelist .success").inner_text()


def test_edit_review_publish_and_the_public_page_changes_only_then(
    browser, live_server, researcher, editor, publisher, tmp_path
):
    profile = make_profile(make_country("Kyrgyzstan"), make_topic("Mine Ban Policy"))
    published = make_edition(profile, state=Edition.State.PUBLISHED, sections=[("Policy", OLD)])
    public_url = f"{live_server.url}/countries/kyrgyzstan/mine-ban-policy/"
    admin = f"{live_server.url}/admin/reports/edition"

    # The researcher starts a draft from the published edition, edits and submits it.
    writer = session(browser, live_server, researcher.username)
    writer.goto(f"{admin}/{published.pk}/change/")
    click(writer, "button[value=start_draft]")
    draft = Edition.objects.get(profile=profile, state=Edition.State.DRAFT)
    assert writer.url.endswith(f"/{draft.pk}/change/")
    writer.fill("#id_sections-0-body", NEW.replace(", but", " but"))
    click(writer, "input[name=_continue]")
    act(writer, "submit", "First go")
    assert "in review" in success(writer)

    # The editor asks for changes.
    reviewer = session(browser, live_server, editor.username)
    reviewer.goto(f"{admin}/{draft.pk}/change/")
    assert reviewer.locator("#id_sections-0-body").count() == 0  # read-only in review
    act(reviewer, "request_changes", "Add the comma after Treaty.")
    assert "changes requested" in success(reviewer)

    # The researcher fixes the text and resubmits.
    writer.goto(f"{admin}/{draft.pk}/change/")
    assert "Add the comma after Treaty." in writer.content()
    writer.fill("#id_sections-0-body", NEW)
    click(writer, "input[name=_continue]")
    act(writer, "submit", "Comma added")

    # The editor approves; the diff view shows what changed since the published edition.
    reviewer.goto(f"{admin}/{draft.pk}/change/")
    assert "Citations: no problems found." in reviewer.content()
    act(reviewer, "approve", "Good")
    assert "approved" in success(reviewer)
    reviewer.goto(f"{admin}/{draft.pk}/compare/")
    assert (
        reviewer.locator(".diff-text ins").first.inner_text().strip() == ", but voted yes in 2019"
    )
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    reviewer.screenshot(path=str(shots / "workflow-diff.png"), full_page=True)
    assert (shots / "workflow-diff.png").stat().st_size > 5000

    # Until a publisher publishes, the public sees the old text.
    reader = browser.new_context().new_page()
    reader.goto(public_url)
    assert "has not acceded to the Mine Ban Treaty." in reader.content()
    assert "voted yes in 2019" not in reader.content()

    releaser = session(browser, live_server, publisher.username)
    releaser.goto(f"{admin}/{draft.pk}/change/")
    act(releaser, "publish")
    assert "published" in success(releaser)

    reader.goto(public_url)
    assert "voted yes in 2019" in reader.content()
    for page in (writer, reviewer, releaser, reader):
        page.context.close()


def test_two_people_editing_the_same_draft_nobody_loses_their_edit(
    browser, live_server, researcher, make_user
):
    colleague = make_user("colleague", RESEARCHER)
    published = make_edition(state=Edition.State.PUBLISHED, sections=[("Policy", OLD)])
    draft = workflow.start_draft(published.profile, researcher)
    url = f"{live_server.url}/admin/reports/edition/{draft.pk}/change/"
    alice = session(browser, live_server, researcher.username)
    bob = session(browser, live_server, colleague.username)
    alice.goto(url)
    bob.goto(url)

    alice.fill("#id_sections-0-body", NEW)
    click(alice, "input[name=_continue]")
    assert alice.locator(".messagelist .success").count() == 1

    bob.fill("#id_summary", "Bob's summary of the year.")
    click(bob, "input[name=_continue]")
    assert "Someone else saved this edition while you were editing it" in bob.content()
    assert (
        bob.locator("#conflict .diff-text ins").first.inner_text().strip()
        == ", but voted yes in 2019"
    )
    assert bob.locator("#id_summary").input_value() == "Bob's summary of the year."
    draft.refresh_from_db()
    assert draft.summary == ""

    # Bob takes Alice's text into his form and saves again: both edits are kept.
    bob.fill("#id_sections-0-body", NEW)
    click(bob, "input[name=_continue]")
    assert bob.locator(".messagelist .success").count() == 1
    draft.refresh_from_db()
    assert draft.summary == "Bob's summary of the year."
    assert draft.sections.get().body == NEW
    alice.context.close()
    bob.context.close()
