"""Every kind of public page in a real browser, at desktop and phone width: screenshots (to
SCREENSHOT_DIR, kept by CI), no sideways scrolling on a phone, and axe-core (from npm, see
package.json) finding no accessibility violation."""

import json
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reports.models import Edition, Report, TreatyStatus
from sources.models import Source
from tests.builders import PDF_BYTES, make_chapter, make_figure, make_treaty_status, png_bytes
from tests.conftest import IN_CI
from tests.reports.public_helpers import make_site

from .conftest import screenshot
from .test_public_browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe():
    if not AXE.exists():
        reason = f"{AXE} is missing (npm ci)"
        if IN_CI:
            pytest.fail(f"axe-core is required under CI: {reason}")
        pytest.skip(reason)
    return AXE


@pytest.fixture
def publication(seed_003):
    site = make_site(notes=12, topic_name="Cluster Munition Ban Policy")
    report = site["report"]
    report.overview = (
        "This yearly report reviews the policy of every state on the ban of antipersonnel "
        "mines.\n\nIt is written by the Monitor's own researchers."
    )
    report.key_findings = (
        "Two more states joined the Mine Ban Treaty.\n"
        "Stockpile destruction continued in four states.\n"
    )
    report.save()
    report.pdf.save("landmine-monitor-2019.pdf", ContentFile(PDF_BYTES * 800))
    make_chapter(
        report,
        "Major Findings",
        body="Two more states joined the treaty this year.\n\n"
        "• Stockpiles were destroyed in four states.\n"
        "• Clearance continued in twelve.",
    )
    make_chapter(report, "Ban Policy", position=2)
    kyrgyzstan = site["country"].__class__.objects.get(slug="kyrgyzstan")
    current = Edition.objects.public().get(
        profile__country=kyrgyzstan, profile__topic__slug="mine-ban-policy"
    )
    make_figure(
        current,
        png=png_bytes(640, 360, (196, 214, 186)),
        alt_text="Map of the border areas where mines are suspected",
        caption="Suspected hazardous areas along the border (illustration of our own).",
    )
    make_treaty_status(
        kyrgyzstan,
        treaty=TreatyStatus.Treaty.CCW_PROTOCOL_V,
        status=TreatyStatus.Status.STATE_PARTY,
    )
    return {
        "home": "/",
        "report": reverse("public:report", args=[report.series_slug, report.year]),
        "chapter": reverse(
            "public:chapter", args=[report.series_slug, report.year, "major-findings"]
        ),
        "reports": reverse("public:reports"),
        "countries": reverse("public:countries"),
        "country": reverse("public:country", args=["kyrgyzstan"]),
        "topic": reverse("public:topic", args=["mine-ban-policy"]),
        "profile": "/countries/kyrgyzstan/mine-ban-policy/",
        "changes": reverse("public:changes", args=[site["country"].slug, site["topic"].slug]),
        "archived": site["old"].get_absolute_url(),
        "treaty-status": reverse("public:treaty_status"),
        "search": reverse("public:search") + "?q=state+border+guard",
        "source": reverse("public:source", args=[Source.objects.order_by("pk").first().pk]),
        "not-found": "/countries/nowhere/",
        "report-count": Report.objects.count(),
    }


def violations(page):
    """axe-core's findings on the page (loaded by the page's init script: a script tag added
    to the page would be refused by its Content-Security-Policy, which allows no script)."""
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for v in result["violations"]
    ]


def test_every_public_page_type_reads_well_on_desktop_and_phone(
    page,
    live_server,
    publication,
    shots,
    axe,  # noqa: F811
):
    page.add_init_script(path=str(axe))
    found = {}
    pages = {name: path for name, path in publication.items() if name != "report-count"}
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == (404 if name == "not-found" else 200), (name, path)
            assert page.locator("h1").count() == 1, name
            screenshot(page, shots / f"public-{name}-{width_name}.png")
            if width_name == "phone":
                widths = page.evaluate(
                    "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
                )
                assert widths["scroll"] <= widths["inner"] + 1, (name, widths)
            problems = violations(page)
            if problems:
                found[f"{name} ({width_name})"] = problems
    assert not found, json.dumps(found, indent=1)


def test_the_contents_follow_the_reader_on_a_wide_screen(page, live_server, publication):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}{publication['profile']}")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    box = page.locator("nav.toc").bounding_box()
    assert 0 <= box["y"] < 100, box  # still in view, near the top
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / "public-profile-toc.png"))


def test_the_pdf_of_an_edition_and_its_first_pages(client, publication, shots):
    pdfium = pytest.importorskip("pypdfium2")
    response = client.get(publication["profile"] + "pdf/")
    assert response["Content-Type"] == "application/pdf"
    (shots / "public-profile-edition.pdf").write_bytes(response.content)
    document = pdfium.PdfDocument(response.content)
    for number in range(min(2, len(document))):
        image = document[number].render(scale=1.5).to_pil()
        image.save(shots / f"public-profile-pdf-page-{number + 1}.png")
    first = document[0].get_textpage().get_text_range()
    assert "Kyrgyzstan: Mine Ban Policy" in first
