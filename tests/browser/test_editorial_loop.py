"""The whole editorial loop in a real browser, as a researcher, an editor and a publisher use
it (issue 12): every point of the issue is walked through once. Screenshots of the profile
page, the edition page and the dashboard go to SCREENSHOT_DIR when it is set (CI keeps them)."""

import datetime
import os
from pathlib import Path

import pytest
from django.core import mail

from monitor.roles import RESEARCHER
from reports.importer.citations import split_citations
from reports.models import EditingLock, Edition
from sources.models import Citation
from tests.builders import make_country, make_edition, make_profile, make_source, make_topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Edition.State
LETTER = "Letter No. 77/2004 from the Ministry of Foreign Affairs, 4 May 2004"
WIDE = {"width": 1400, "height": 900}


def session(browser, live_server, username):
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass")
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page


def click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def messages(page):
    return page.locator(".messagelist").inner_text() if page.locator(".messagelist").count() else ""


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page, folder, name):
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000


def test_the_editorial_loop(
    browser, live_server, settings, researcher, editor, publisher, make_user, shots
):
    settings.SITE_URL = live_server.url
    colleague = make_user("colleague", RESEARCHER)
    profile = make_profile(make_country("Kazakhstan"), make_topic("Mine Ban Policy"))
    (parsed,) = split_citations(LETTER)
    letter = make_source(LETTER, kind="letter", identity_key=parsed.identity)
    make_edition(
        profile,
        state=S.SUPERSEDED,
        sections=[("Policy", "Old wording of 2019.[1]")],
        last_updated=datetime.date(2019, 12, 18),
    )
    current = make_edition(
        profile,
        state=S.PUBLISHED,
        sections=[("Policy", "Kazakhstan has not acceded.[1]\n\nIt voted yes in 2019.[2]")],
        footnotes=[(f"{LETTER}.", letter), ("Statement of Kazakhstan, UNGA, 2019.",)],
        last_updated=datetime.date(2020, 11, 2),
    )
    base = live_server.url
    admin = f"{base}/admin/reports/edition"
    public_url = f"{base}{profile.get_absolute_url()}"

    # 7. The profile page lists the editions and starts a draft; the dashboard is in the nav.
    writer = session(browser, live_server, researcher.username)
    writer.goto(f"{base}/admin/reports/profile/{profile.pk}/change/")
    assert writer.locator("#profile-editions tbody tr").count() == 2
    assert writer.locator("nav.editorial-nav a", has_text="Editorial dashboard").count() == 1
    shoot(writer, shots, "editorial-profile-page.png")
    click(writer, "button[value=start_draft]")
    draft = Edition.objects.get(profile=profile, state=S.DRAFT)
    assert writer.url.endswith(f"/{draft.pk}/change/")
    assert draft.sections.count() == 1 and draft.footnotes.count() == 2

    # 5. Saving the page unchanged (the browser posts CRLF) records nothing.
    click(writer, "input[name=_continue]")
    assert "Nothing changed" in messages(writer)
    assert not draft.events.exclude(action="start").exists()

    # 4. Leaving with unsaved changes warns (the script); the page stays.
    writer.fill("#id_summary", "Key developments: a letter of 2004 is now cited.")
    warnings = []
    writer.once("dialog", lambda dialog: (warnings.append(dialog.type), dialog.dismiss()))
    writer.locator("nav.editorial-nav a", has_text="Editorial dashboard").click()
    writer.wait_for_timeout(500)
    assert warnings == ["beforeunload"]
    assert writer.url.endswith(f"/{draft.pk}/change/")

    # 10. A colleague opening the draft is told who is editing it.
    other = session(browser, live_server, colleague.username)
    other.goto(f"{admin}/{draft.pk}/change/")
    assert "researcher is editing this draft" in other.locator("#editing-lock").inner_text()
    other.context.close()

    # 9 and 8. A note inserted between two others, typed in the admin, matched to the letter.
    writer.fill(
        "#id_sections-0-body",
        "Kazakhstan has not acceded.[1] It replied in 2004.[11]\n\nIt voted yes in 2019.[2]",
    )
    writer.click("#footnotes-group .add-row a")
    writer.fill("#id_footnotes-2-number", "11")
    writer.fill("#id_footnotes-2-text", f"{LETTER}, p. 2.")
    click(writer, "button[name=_workflow][value=renumber]")
    text = messages(writer)
    assert "notes renumbered" in text
    assert "matched: Letter No. 77/2004" in text and "cited 3 times" in text
    assert writer.input_value("#id_sections-0-body").startswith(
        "Kazakhstan has not acceded.[1] It replied in 2004.[2]"
    )
    assert list(draft.footnotes.values_list("number", flat=True)) == [1, 2, 3]
    assert Citation.objects.filter(footnote__edition=draft, footnote__number=2).get().source == (
        letter
    )
    assert not EditingLock.objects.filter(edition=draft).exists()  # released by the save

    # 3. Revert: a mistaken save is undone from the History, after seeing the diff.
    writer.fill("#id_summary", "Pasted by mistake.")
    click(writer, "input[name=_continue]")
    writer.goto(f"{admin}/{draft.pk}/history/")
    click(writer, "#revision-history tbody tr:nth-child(2) a.button")
    assert "Pasted" in writer.locator(".edition-diff .diff-text del").first.inner_text()
    click(writer, ".revert-confirmation input[type=submit]")
    assert "reverted" in messages(writer)
    assert writer.input_value("#id_summary") == "Key developments: a letter of 2004 is now cited."

    # 4. Save and submit in one post, with a section that has a heading and no text yet.
    writer.click("#sections-group .add-row a")
    writer.fill("#id_sections-1-position", "2")
    writer.fill("#id_sections-1-heading", "Stockpiles")
    writer.fill("input[name=workflow_comment]", "First go")
    click(writer, "button[name=_workflow][value=submit]")
    assert "submitted for review: the edition is now in review" in messages(writer)
    assert Edition.objects.get(pk=draft.pk).sections.count() == 2

    # 2. The editor sees the empty section listed, and approval is refused.
    reviewer = session(browser, live_server, editor.username)
    reviewer.goto(f"{admin}/{draft.pk}/change/")
    problems = reviewer.locator(".citation-problems").inner_text()
    assert "Stockpiles" in problems and "no text under it" in problems
    click(reviewer, "form[action$='/workflow/approve/'] button")
    assert "Approval refused" in messages(reviewer)
    # 6 and 12. The request for changes, with a message that reads.
    reviewer.fill(
        "form[action$='/workflow/request_changes/'] input[name=comment]",
        "Write the stockpile paragraph.",
    )
    click(reviewer, "form[action$='/workflow/request_changes/'] button")
    assert "back with its author: changes requested" in messages(reviewer)

    writer.goto(f"{admin}/dashboard/")
    assert "“Write the stockpile paragraph.”" in writer.content()
    shoot(writer, shots, "editorial-dashboard.png")
    writer.goto(f"{admin}/{draft.pk}/change/")
    assert "Changes requested by editor" in writer.locator("#change-request").inner_text()
    shoot(writer, shots, "editorial-edition-page.png")
    writer.fill("#id_sections-1-body", "Kazakhstan reported no stockpile.")
    click(writer, "button[name=_workflow][value=submit]")

    reviewer.goto(f"{admin}/{draft.pk}/change/")
    assert "no problems found" in reviewer.locator(".citations-ok").inner_text()
    click(reviewer, "form[action$='/workflow/approve/'] button")
    assert "now approved" in messages(reviewer)

    # 12 and 11. The publisher sees the time zone of a schedule, publishes; mails link home.
    releaser = session(browser, live_server, publisher.username)
    releaser.goto(f"{admin}/{draft.pk}/change/")
    assert "UTC time" in releaser.locator("form[action$='/workflow/schedule/']").inner_text()
    shoot(releaser, shots, "editorial-edition-approved.png")
    click(releaser, "form[action$='/workflow/publish/'] button")
    assert "now published" in messages(releaser)
    assert any(f"{base}/admin/reports/edition/{draft.pk}/change/" in m.body for m in mail.outbox)
    assert any(public_url in m.body for m in mail.outbox)
    reader = browser.new_context().new_page()
    reader.goto(public_url)
    assert "Kazakhstan reported no stockpile." in reader.content()

    # 1. Withdraw asks for a reason; the edition it superseded is current again.
    releaser.goto(f"{admin}/{draft.pk}/change/")
    click(releaser, "a[href$='/withdraw/']")
    releaser.fill("#id_comment", "Figures not confirmed.")
    click(releaser, ".withdraw-confirmation input[type=submit]")
    assert "current again" in messages(releaser)
    reader.goto(public_url)
    assert "It voted yes in 2019." in reader.content()
    assert "no stockpile" not in reader.content()
    # Taken offline: 410 Gone with a notice; the next draft is a copy, never empty.
    releaser.goto(f"{admin}/{current.pk}/withdraw/")
    releaser.fill("#id_comment", "Under legal review.")
    releaser.check("input[name=after][value=offline]")
    click(releaser, ".withdraw-confirmation input[type=submit]")
    response = reader.goto(public_url)
    assert response.status == 410
    assert "withdrawn" in reader.content()
    releaser.goto(f"{base}/admin/reports/profile/{profile.pk}/change/")
    click(releaser, "button[value=start_draft]")
    again = Edition.objects.get(profile=profile, state=S.DRAFT)
    assert again.sections.count() == 2 and again.footnotes.count() == 3

    # 12. A refused delete says why; the Editions list fits a 1,400 px window.
    note = current.footnotes.first()
    releaser.goto(f"{base}/admin/sources/footnote/{note.pk}/delete/")
    assert "A published edition never changes" in messages(releaser)
    releaser.goto(f"{admin}/")
    assert releaser.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]
    for page in (writer, reviewer, releaser, reader):
        page.context.close()
