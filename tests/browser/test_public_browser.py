"""The public site in a real browser: a seed profile, its footnotes, search, phone width."""

import os
from pathlib import Path

import pytest

from reports.importer.archive import Document
from reports.importer.service import ImportOptions, import_documents
from tests.conftest import SEEDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_003 = "003_fa6237349ec68be0.txt"


def test_profile_footnotes_search_and_screenshots(page, live_server, tmp_path):
    import_documents([Document(SEED_003, raw=(SEEDS / SEED_003).read_bytes())], ImportOptions())
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    profile_url = f"{live_server.url}/countries/kyrgyzstan/mine-ban-policy/"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(profile_url)
    assert page.locator("h1").inner_text() == "Kyrgyzstan: Mine Ban Policy"
    assert "Last updated: 18 December 2019" in page.locator("p.meta").first.inner_text()

    # Follow marker 4 to its note, then the note's back link to the marker.
    page.locator("#ref-4-1").click()
    page.wait_for_url("**#note-4")
    assert page.locator("#note-4").is_visible()
    assert "Letter 011-14/809" in page.locator("#note-4").inner_text()
    page.locator("#note-4 a.backref").first.click()
    page.wait_for_url("**#ref-4-1")
    assert page.evaluate("document.activeElement === document.querySelector('#ref-4-1')") or (
        page.locator("#ref-4-1").is_visible()
    )
    page.screenshot(path=str(shots / "public-profile-desktop.png"), full_page=True)

    # The same page at phone width: no horizontal scrolling.
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(profile_url)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.screenshot(path=str(shots / "public-profile-phone.png"), full_page=True)

    # Search from the home page, without JavaScript needed: a plain GET form.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/")
    page.fill("input[name=q]", '"State Border Guard Service"')
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    first = page.locator("ol.results > li").first
    assert first.locator("a").first.inner_text() == "Kyrgyzstan: Mine Ban Policy"
    assert first.locator("mark").count() >= 1
    page.screenshot(path=str(shots / "public-search.png"), full_page=True)
    with page.expect_navigation():
        first.locator("a").first.click()
    assert page.url.startswith(profile_url)
