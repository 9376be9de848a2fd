"""The public site in a real browser: a seed profile, its footnotes, search, without JavaScript,
at phone width and in print.

Screenshots (and the printed PDF) go to SCREENSHOT_DIR when it is set (CI keeps them, see
.ci/run), otherwise to the test's temporary folder."""

import re

import pytest

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROFILE = "/countries/kyrgyzstan/mine-ban-policy/"
SEARCH = '"State Border Guard Service"'
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
TARGET_ID = "document.querySelector(':target') && document.querySelector(':target').id"


@pytest.fixture
def no_script_page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def follow_footnote_4_and_back(page, base_url):
    """On the profile page: marker 4 leads to note 4, whose back link leads to the marker."""
    page.locator("#ref-4-1").click()
    page.wait_for_url(re.compile(r"#note-4$"))
    assert page.url == f"{base_url}{PROFILE}#note-4"
    assert page.evaluate(TARGET_ID) == "note-4"
    assert page.locator("#note-4").is_visible()
    assert "Letter 011-14/809" in page.locator("#note-4").inner_text()

    backref = page.locator("#note-4 a.backref").first
    assert backref.get_attribute("href") == "#ref-4-1"
    backref.click()
    page.wait_for_url(re.compile(r"#ref-4-1$"))
    assert page.url == f"{base_url}{PROFILE}#ref-4-1"
    assert page.evaluate(TARGET_ID) == "ref-4-1"
    assert page.locator("#ref-4-1").is_visible()


def search_from_the_home_page(page, base_url):
    """A plain GET form: typing a phrase and pressing Enter lists the seed profile first."""
    page.goto(f"{base_url}/")
    page.fill("input[name=q]", SEARCH)
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert page.url.startswith(f"{base_url}/search/?q=")
    first = page.locator("ol.results > li").first
    assert first.locator("a").first.inner_text() == "Kyrgyzstan: Mine Ban Policy"
    assert first.locator("mark").count() >= 1
    return first


def last_updated(page):
    return page.locator("article.profile > p.meta").inner_text().split(" · ")[0]


def test_profile_footnotes_search_and_screenshots(page, live_server, seed_003, shots):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}{PROFILE}")
    assert page.locator("h1").inner_text() == "Kyrgyzstan: Mine Ban Policy"
    assert last_updated(page) == "Last updated: 18 December 2019"

    follow_footnote_4_and_back(page, base)
    screenshot(page, shots / "public-profile-desktop.png")

    first = search_from_the_home_page(page, base)
    screenshot(page, shots / "public-search.png")
    with page.expect_navigation():
        first.locator("a").first.click()
    assert page.url.startswith(f"{base}{PROFILE}")


@pytest.mark.parametrize(
    "name, path",
    [
        ("profile", PROFILE),
        ("treaty-status", "/treaty-status/"),
        ("search", "/search/?q=" + SEARCH.replace(" ", "+").replace('"', "%22")),
    ],
)
def test_phone_width_has_no_horizontal_scrolling(page, live_server, seed_003, shots, name, path):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").count() == 1
    if name == "treaty-status":
        assert "Kyrgyzstan" in page.locator("table.treaties").inner_text()
    if name == "search":
        assert page.locator("ol.results > li").count() >= 1
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == 375
    assert widths["scroll"] <= widths["inner"] + 1, widths
    screenshot(page, shots / f"public-{name}-phone.png")


def test_everything_works_without_javascript(no_script_page, live_server, seed_003, shots):
    page, base = no_script_page, live_server.url
    # Scripts really are off in this context.
    page.set_content("<title>before</title><script>document.title = 'ran'</script>")
    assert page.title() == "before"

    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}{PROFILE}")
    assert page.locator("h1").inner_text() == "Kyrgyzstan: Mine Ban Policy"
    assert last_updated(page) == "Last updated: 18 December 2019"
    follow_footnote_4_and_back(page, base)

    first = search_from_the_home_page(page, base)
    with page.expect_navigation():
        first.locator("a").first.click()
    assert page.url.startswith(f"{base}{PROFILE}")
    screenshot(page, shots / "public-profile-no-javascript.png")


def test_profile_prints_without_navigation_or_back_links(page, live_server, seed_003, shots):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}{PROFILE}")
    display = """selector => Array.from(document.querySelectorAll(selector),
                                       node => getComputedStyle(node).display)"""
    hidden_in_print = ("header.site nav", "a.backref", "nav.crumbs", "footer.site")
    for selector in hidden_in_print:
        shown = page.evaluate(display, selector)
        assert shown and "none" not in shown, (selector, shown)  # on screen they are shown

    page.emulate_media(media="print")
    for selector in hidden_in_print:
        assert set(page.evaluate(display, selector)) == {"none"}, selector
    for selector in ("h1", "ol.footnotes", "sup.marker"):
        assert "none" not in page.evaluate(display, selector), selector
    assert page.locator("#note-4").is_visible()

    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10000, len(pdf)
    (shots / "public-profile.pdf").write_bytes(pdf)
