"""The public site as a publication: report pages, the country hub, a long profile's contents,
citation, canonical address and description."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.public.views import shorten
from tests.builders import make_country, make_edition, make_profile, make_topic

from .public_helpers import S, make_site

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return HTMLParser(response.text)


def test_a_report_page_has_its_overview_findings_pdf_and_profiles_by_topic_and_region(
    client, settings, tmp_path
):
    site = make_site()
    report = site["report"]
    report.overview = "This year's report covers Central Asia.\n\nIt was written in 2019."
    report.key_findings = "Kazakhstan stayed outside the treaty."
    report.pdf.save("lm-2019.pdf", ContentFile(b"%PDF-1.4 our own test file"))
    norway = make_profile(make_country("Norway", region="Europe"), site["topic"])
    make_edition(norway, state=S.PUBLISHED, report=report)
    angola = make_profile(
        make_country("Angola", region="Africa"), make_topic("Mine Action", position=2)
    )
    make_edition(angola, state=S.PUBLISHED, report=report)
    doc = page(client, reverse("public:report", args=[report.series_slug, report.year]))
    meta = doc.css_first("main > p.meta").text()
    assert "Released 21 November 2019" in meta and "3 profiles in 2 topics" in meta
    download = doc.css_first("main a.report-pdf")
    assert download.attributes["href"] == reverse(
        "public:report_pdf", args=["landmine-monitor", 2019]
    )
    assert download.text() == "Download the report (PDF, 1 kB)"
    assert "It was written in 2019." in doc.css_first(".overview-text").text()
    assert [li.text() for li in doc.css("ul.findings li")] == [
        "Kazakhstan stayed outside the treaty."
    ]
    jump = [a.text() for a in doc.css("nav.jump a")]
    assert jump == ["Mine Ban Policy", "Mine Action"]
    chapter = doc.css_first("#topic-mine-ban-policy")
    assert [h.text() for h in chapter.css("h3")] == ["Central Asia", "Europe"]
    assert [a.text() for a in chapter.css("ul.inline-list a")] == ["Kazakhstan", "Norway"]


def test_the_country_page_is_a_hub(client):
    site = make_site()
    doc = page(client, site["country"].get_absolute_url())
    hub = doc.css_first("section.hub-profile")
    assert hub.css_first("h3 a").attributes["href"] == site["profile"].get_absolute_url()
    assert "Kazakhstan has not joined the treaty." in hub.css_first(".summary").text()
    assert "[1]" not in hub.css_first(".summary").text()
    earlier = hub.css_first("p.earlier a")
    assert earlier.text() == "2004" and earlier.attributes["href"] == site["old"].get_absolute_url()
    assert "Convention on Conventional Weapons" in doc.css_first("dl.overview").text()
    feed = reverse("public:country_feed", args=[site["country"].slug])
    assert doc.css_first(f'main a[href="{feed}"]') is not None


def test_a_profile_has_a_canonical_address_description_and_citation(client):
    site = make_site(notes=30)
    doc = page(client, site["profile"].get_absolute_url())
    profile_url = "http://testserver" + site["profile"].get_absolute_url()
    assert doc.css_first("link[rel=canonical]").attributes["href"] == profile_url
    assert (
        doc.css_first("meta[name=description]").attributes["content"]
        == "Kazakhstan has not joined the treaty."
    )
    assert doc.css_first('meta[property="og:url"]').attributes["content"] == profile_url
    assert doc.css_first('meta[property="og:title"]').attributes["content"] == (
        "Kazakhstan: Mine Ban Policy"
    )
    citation = doc.css_first("section.cite .citation")
    permanent = reverse(
        "public:archived_edition", args=["kazakhstan", "mine-ban-policy", 2019, site["current"].pk]
    )
    assert citation.css_first("a").attributes["href"] == f"http://testserver{permanent}"
    assert "Last updated 18 December 2019." in citation.text()
    # The permanent address of the current edition leads to it today.
    assert client.get(permanent).status_code == 302
    assert doc.css("p.top a[href='#content']"), "back to top"
    # An archived edition's canonical address is the current one's; its citation its own.
    old = page(client, site["old"].get_absolute_url())
    assert old.css_first("link[rel=canonical]").attributes["href"] == profile_url
    assert (
        old.css_first("section.cite a").attributes["href"].endswith(site["old"].get_absolute_url())
    )


def test_descriptions_are_cut_between_words():
    text = "Kazakhstan " + "has reported destruction of stockpiled antipersonnel mines " * 5
    short = shorten(text, 60)
    assert len(short) <= 60 and short.endswith("…")
    assert text.startswith(short[:-1])
    assert text[len(short) - 1] == " "  # the cut falls between two words


def test_a_profile_without_a_summary_is_described_by_what_it_is(client):
    edition = make_edition(state=S.PUBLISHED, summary="", last_updated=datetime.date(2020, 3, 4))
    doc = page(client, edition.profile.get_absolute_url())
    profile = edition.profile
    assert doc.css_first("meta[name=description]").attributes["content"] == (
        f"{profile.country.name}: {profile.topic.name}, last updated 4 March 2020."
    )


def test_the_treaty_table_counts_sorts_and_has_the_ccw_protocols(client):
    from reports.models import TreatyStatus
    from tests.builders import make_treaty_status

    from .public_helpers import make_public_country

    T, St = TreatyStatus.Treaty, TreatyStatus.Status
    for name, mbt in (
        ("Austria", St.STATE_PARTY),
        ("Burma", St.NOT_PARTY),
        ("Chile", St.SIGNATORY),
    ):
        country = make_public_country(name)
        make_treaty_status(country, status=mbt)
        make_treaty_status(country, treaty=T.CCW_PROTOCOL_V, status=St.STATE_PARTY)
    url = reverse("public:treaty_status")
    doc = page(client, url)
    headers = [th.text().strip() for th in doc.css("table.treaties thead th")]
    assert headers == [
        "Country ▲",
        "Mine Ban Treaty",
        "Convention on Cluster Munitions",
        "Convention on Conventional Weapons",
        "CCW Amended Protocol II",
        "CCW Protocol V",
    ]
    counts = {
        dt.text(): dd.text()
        for dt, dd in zip(doc.css(".status-counts dt"), doc.css(".status-counts dd"), strict=True)
    }
    assert counts["Mine Ban Treaty"] == "1 State Party · 1 Signatory · 1 Not a State Party"
    assert counts["CCW Protocol V"] == "3 State Party"
    assert "As of" in doc.css_first("main > p.meta").text()

    def order(**query):
        rows = page(client, url + "?" + "&".join(f"{k}={v}" for k, v in query.items()))
        return [th.text().strip() for th in rows.css("tbody th a")]

    assert order(sort="-country") == ["Chile", "Burma", "Austria"]
    assert order(sort="mbt") == ["Austria", "Chile", "Burma"]
    assert order(sort="-mbt") == ["Burma", "Chile", "Austria"]
    # A header's link keeps the filters and turns the order round when it is the sort.
    mbt = page(client, url + "?region=&sort=mbt").css("thead th")[1]
    assert mbt.attributes["aria-sort"] == "ascending"
    assert mbt.css_first("a").attributes["href"] == "?region=&sort=-mbt"


def test_the_about_page_is_a_flat_page_edited_in_the_admin(client, superuser):
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site

    about = FlatPage.objects.get(url="/about/")  # made by the migration, to be filled in
    about.title = "About <the> Monitor"
    about.content = '<p>Written by researchers.</p><script>alert(1)</script><p onclick="x()">Hi</p>'
    about.save()
    doc = page(client, reverse("public:about"))
    assert doc.css_first("h1").text() == "About <the> Monitor"
    article = doc.css_first("article.page")
    assert "Written by researchers." in article.text()
    assert article.css("script") == [] and "onclick" not in article.html
    # Every page links it.
    assert doc.css_first(f'header.site a[href="{reverse("public:about")}"]') is not None
    # Other small pages live under /pages/.
    method = FlatPage.objects.create(url="/pages/method/", title="Method", content="<p>How.</p>")
    method.sites.add(Site.objects.get_current())
    assert page(client, "/pages/method/").css_first("h1").text() == "Method"
    assert client.get("/pages/missing/").status_code == 404
    client.force_login(superuser)
    assert (
        client.get(reverse("admin:flatpages_flatpage_change", args=[about.pk])).status_code == 200
    )


def test_an_edition_as_a_pdf_is_made_once_and_cached(client, django_assert_max_num_queries):
    site = make_site(notes=20)
    url = reverse("public:profile_pdf", args=["kazakhstan", "mine-ban-policy"])
    link = page(client, site["profile"].get_absolute_url()).css_first(".pdf a")
    assert link.attributes["href"] == url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and len(response.content) > 5000
    with django_assert_max_num_queries(1):  # from the page cache (at most the clock is read)
        again = client.get(url)
    assert again.content == response.content and again["Content-Type"] == "application/pdf"
    archived = reverse(
        "public:archived_pdf", args=["kazakhstan", "mine-ban-policy", 2004, site["old"].pk]
    )
    assert client.get(archived)["Content-Type"] == "application/pdf"
    # The current edition has no archived PDF address; an unknown edition none at all.
    current = reverse(
        "public:archived_pdf", args=["kazakhstan", "mine-ban-policy", 2019, site["current"].pk]
    )
    assert client.get(current).status_code == 404


def test_a_world_map_of_treaty_status_drawn_on_the_server(client, django_assert_max_num_queries):
    from reports.models import TreatyStatus
    from tests.builders import make_treaty_status

    from .public_helpers import make_public_country

    norway = make_public_country("Norway", iso_code="NOR")
    make_treaty_status(norway, status=TreatyStatus.Status.STATE_PARTY)
    make_public_country("Atlantis", iso_code="")  # no shape: named in the table only
    doc = page(client, reverse("public:treaty_status"))
    image = doc.css_first("figure.treaty-map img")
    assert image.attributes["src"] == reverse("public:treaty_map") + "?treaty=mbt"
    assert "Mine Ban Treaty" in image.attributes["alt"]
    assert [li.text().strip() for li in doc.css("ul.legend li")] == [
        "State Party",
        "Signatory",
        "Not a State Party",
        "No data",
    ]
    with django_assert_max_num_queries(2):
        response = client.get(reverse("public:treaty_map"), {"treaty": "ccm"})
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.text
    assert "<script" not in svg
    assert "<title>Norway: no data</title>" in svg  # no CCM data for Norway
    svg = client.get(reverse("public:treaty_map")).text
    assert "<title>Norway: State Party</title>" in svg
    assert svg.count("<g ") > 150  # every country of the map is drawn


def test_the_printed_first_page_is_not_left_half_empty(client):
    """A long first section starts on the first page (it used to be kept whole, so it moved
    to the second and left the first with the title alone)."""
    pdfium = pytest.importorskip("pypdfium2")
    body = "\n\n".join(
        f"Paragraph {n} of the first section tells what the State reported that year." * 3
        for n in range(1, 40)
    )
    edition = make_edition(
        state=S.PUBLISHED,
        summary="A short summary.",
        sections=(("Policy", body), ("Stockpile", "The second section.")),
        footnotes=(),
    )
    profile = edition.profile
    url = reverse("public:profile_pdf", args=[profile.country.slug, profile.topic.slug])
    document = pdfium.PdfDocument(client.get(url).content)
    assert len(document) > 1
    first = document[0].get_textpage().get_text_range()
    assert "Paragraph 1 of the first section" in first
    assert "testserver" in first  # the edition's address is printed


def test_the_home_page_leads_with_the_latest_released_report(client):
    from tests.builders import make_report

    site = make_site()
    site["report"].state = "released"
    site["report"].save()
    underway = make_report(year=2031, state="in_progress")
    make_edition(state=S.PUBLISHED, report=underway)  # published early
    doc = page(client, "/")
    assert doc.css_first("section.lead-report h2").text() == site["report"].title


def test_the_map_is_sent_compressed_to_a_browser_that_accepts_it(client):
    response = client.get(reverse("public:treaty_map"), headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 400_000
