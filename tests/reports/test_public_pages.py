"""The public site: every page with published content, nothing else, in few queries."""

import csv
import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.models import Edition
from reports.public import pagecache
from tests.builders import (
    PDF_BYTES,
    make_chapter,
    make_country,
    make_edition,
    make_figure,
    make_profile,
    make_topic,
    make_treaty_status,
)

from .public_helpers import S, make_public_country, make_site, whole_sitemap
from .test_public_rendering import HOSTILE, active_markup

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site()


def urls(site):
    country, topic, report = site["country"].slug, site["topic"].slug, site["report"]
    return {
        "home": reverse("public:home"),
        "countries": reverse("public:countries"),
        "country": reverse("public:country", args=[country]),
        "profile": reverse("public:profile", args=[country, topic]),
        "archived": reverse("public:archived", args=[country, topic, 2004]),
        "archived_edition": reverse(
            "public:archived_edition", args=[country, topic, 2004, site["old"].pk]
        ),
        "changes": reverse("public:changes", args=[country, topic]),
        "reports": reverse("public:reports"),
        "report": reverse("public:report", args=[report.series_slug, report.year]),
        "source": reverse("public:source", args=[site["letter"].pk]),
        "search": reverse("public:search") + "?q=acceded",
        "treaty_status": reverse("public:treaty_status"),
        "feed": reverse("public:feed"),
        "sitemap": reverse("public:sitemap"),
        "robots": reverse("public:robots"),
        "topic": reverse("public:topic", args=[topic]),
        "country_feed": reverse("public:country_feed", args=[country]),
        "topic_feed": reverse("public:topic_feed", args=[topic]),
        "sitemap_editions": reverse("public:sitemap_section", args=["editions"]),
        "about": reverse("public:about"),
        "treaty_map": reverse("public:treaty_map"),
    }


def file_and_chapter_urls(site):
    """The addresses of a report's chapter and PDF and of an edition's figure (the site needs
    them: see test_every_page_runs_at_most_eight_queries)."""
    country, topic, report = site["country"].slug, site["topic"].slug, site["report"]
    return {
        "chapter": reverse(
            "public:chapter", args=[report.series_slug, report.year, "major-findings"]
        ),
        "sitemap_reports": reverse("public:sitemap_section", args=["reports"]),
        "report_pdf": reverse("public:report_pdf", args=[report.series_slug, report.year]),
        "figure": reverse("public:figure", args=[country, topic, site["figure"].pk]),
    }


def last_updated_line(doc):
    """The profile's meta line up to its first " · " part: exactly "Last updated: <date>"."""
    meta = doc.css_first("article.profile > p.meta")
    assert meta is not None, "no meta line under the profile title"
    text = meta.text()
    assert text.startswith("Last updated: "), text
    return text.split(" · ")[0]


def test_home_leads_with_the_latest_report_and_groups_updates_by_topic(client, site):
    report = site["report"]
    report.overview = "The 2019 report covers 164 states.\n\nSecond paragraph."
    report.key_findings = "Two states joined.\nStockpiles fell by a third.\n"
    report.save()
    page = client.get(reverse("public:home")).text
    doc = HTMLParser(page)
    lead = doc.css_first("section.lead-report")
    assert lead.css_first("h2 a").text() == "Landmine Monitor Report 2019"
    assert "The 2019 report covers 164 states." in lead.text()
    assert "Second paragraph." not in lead.text()  # the overview's first paragraph only
    assert [li.text() for li in lead.css("ul.findings li")] == [
        "Two states joined.",
        "Stockpiles fell by a third.",
    ]
    topic = doc.css_first("section.topic-updates")
    assert topic.css_first("h3").text() == "Mine Ban Policy"
    assert [a.text() for a in topic.css("ul.editions a")] == ["Kazakhstan"]
    assert 'role="search"' in page and 'name="q"' in page


def test_countries_a_to_z_with_a_region_filter_and_treaty_status(client, site):
    make_public_country("Atlantis")  # no region
    make_public_country("Côte d'Ivoire", region="West Africa")
    make_public_country("Chad", region="West Africa")
    page = client.get(reverse("public:countries")).text
    doc = HTMLParser(page)
    assert [a.text() for a in doc.css("nav.az a")] == ["A", "C", "K"]
    assert [a.text() for a in doc.css("#letter-C ul.countries > li > a")] == [
        "Chad",
        "Côte d'Ivoire",
    ]
    assert [o.text() for o in doc.css("select[name=region] option")] == [
        "All regions",
        "Central Asia",
        "West Africa",
    ]
    assert "MBT</abbr>: Not a State Party" in page
    assert "CCW</abbr>: State Party" in page


def test_country_page_lists_profiles_newest_first_and_status(client, site):
    make_edition(
        make_profile(site["country"], make_topic("Cluster Munition Ban Policy", position=2)),
        state=S.PUBLISHED,
        last_updated=datetime.date(2020, 9, 4),
    )
    make_edition(make_profile(site["country"], make_topic("Mine Action")))  # a draft
    page = client.get(reverse("public:country", args=[site["country"].slug])).text
    assert page.index("Cluster Munition Ban Policy") < page.index("Mine Ban Policy")
    assert "18 December 2019" in page and "4 September 2020" in page
    assert "Mine Action" not in page
    assert "accession 8 Jan 2009" in page


def test_profile_page(client, site):
    response = client.get(urls(site)["profile"])
    assert response.status_code == 200
    page = response.text
    doc = HTMLParser(page)
    assert doc.css_first("h1").text() == "Kazakhstan: Mine Ban Policy"
    # "Last updated: 18 December 2019" as one phrase on the meta line under the title (the
    # date alone also appears in the editions list, so a substring check proves nothing).
    assert last_updated_line(doc) == "Last updated: 18 December 2019"
    assert doc.css_first("article.profile > p.meta time").attributes["datetime"] == "2019-12-18"
    assert "Kazakhstan has not joined the treaty." in page  # summary
    assert "Mine Ban Treaty status" in page and "Not a State Party" in page  # overview
    assert [a.text() for a in doc.css("nav.toc a")] == ["Part 1", "Notes"]
    # Earlier editions, with the archive link, and the link to what changed.
    assert urls(site)["archived_edition"] in page
    assert urls(site)["changes"] in page
    assert "Landmine Monitor Report 2019" in page
    # Every note's sources link to their source page.
    assert reverse("public:source", args=[site["letter"].pk]) in page


def test_archived_edition_is_marked_and_links_to_the_current_one(client, site):
    response = client.get(urls(site)["archived"])
    assert response.status_code == 200
    doc = HTMLParser(response.text)
    banner = doc.css_first(".banner.archived")
    assert "Archived edition" in banner.text() and "2004" in banner.text()
    assert banner.css_first("a").attributes["href"] == urls(site)["profile"]
    assert "Key developments since May 2003" in response.text
    assert 'name="robots" content="noindex"' in response.text
    # The 2004 edition is dated to the year only: the year, not "1 January 2004".
    assert last_updated_line(doc) == "Last updated: 2004"


def test_last_updated_is_day_month_year_without_a_leading_zero(client):
    edition = make_edition(state=S.PUBLISHED, last_updated=datetime.date(2020, 9, 4))
    profile = edition.profile
    url = reverse("public:profile", args=[profile.country.slug, profile.topic.slug])
    doc = HTMLParser(client.get(url).text)
    assert last_updated_line(doc) == "Last updated: 4 September 2020"


def test_archive_url_of_the_current_year_redirects_to_the_profile(client, site):
    url = reverse("public:archived", args=[site["country"].slug, site["topic"].slug, 2019])
    response = client.get(url)
    assert response.status_code == 302 and response.url == urls(site)["profile"]
    missing = reverse("public:archived", args=[site["country"].slug, site["topic"].slug, 1999])
    assert client.get(missing).status_code == 404


def test_changes_page_shows_the_diff_since_the_previous_edition(client, site):
    response = client.get(urls(site)["changes"])
    assert response.status_code == 200
    page = response.text
    assert "what changed" in page
    assert "<del>" in page and "<ins>" in page
    assert "Summary" in page and "Part 1" in page
    assert "developments" in page  # from the removed summary


def test_changes_page_of_a_first_edition_says_so(client):
    edition = make_edition(state=S.PUBLISHED)
    profile = edition.profile
    url = reverse("public:changes", args=[profile.country.slug, profile.topic.slug])
    assert "first published edition" in client.get(url).text


def test_hostile_content_on_the_changes_page_is_inert_text(client):
    """Script and HTML in changed, added and removed sections show as text in the diff."""
    payload = "\n\n".join(HOSTILE)
    profile = make_profile(make_country("Kyrgyzstan"), make_topic("Mine Ban Policy"))
    make_edition(
        profile,
        state=S.SUPERSEDED,
        last_updated=datetime.date(2018, 10, 1),
        summary="Old summary.",
        sections=(
            ("Policy", "The State has not acceded."),
            ("Gone <script>alert(8)</script>", "Removed <img src=x onerror=alert(9)> text."),
        ),
    )
    make_edition(
        profile,
        state=S.PUBLISHED,
        last_updated=datetime.date(2019, 12, 18),
        summary="New summary <script>alert(10)</script>.",
        sections=(
            ("Policy", "The State has not acceded. " + payload),
            ("<b>New</b><script>alert(7)</script>", payload),
        ),
    )
    url = reverse("public:changes", args=[profile.country.slug, profile.topic.slug])
    response = client.get(url)
    assert response.status_code == 200
    main = HTMLParser(response.text).css_first("main")
    assert active_markup(main.html) == []
    assert main.css("ins") and main.css("del"), "the diff is shown"
    text = main.text()
    for shown in (
        "<script>alert(1)</script>",
        "<b>New</b><script>alert(7)</script>",
        "<script>alert(8)</script>",
        "<img src=x onerror=alert(9)>",
        "<script>alert(10)</script>",
    ):
        assert shown in text, shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main.html


def test_reports_and_their_tables_of_contents(client, site):
    page = client.get(reverse("public:reports")).text
    assert "Landmine Monitor Report 2019" in page and "Landmine Monitor Report 2004" in page
    report = client.get(urls(site)["report"]).text
    assert "Mine Ban Policy" in report and urls(site)["profile"] in report
    old = site["old_report"]
    archived = client.get(reverse("public:report", args=[old.series_slug, old.year])).text
    assert urls(site)["archived_edition"] in archived and "archived" in archived


def test_treaty_status_table_filters_and_csv(client, site):
    other = make_country("Norway", region="Europe")
    make_treaty_status(
        other,
        status="state_party",
        signed_on=datetime.date(1997, 12, 3),
        consent_on=datetime.date(1998, 7, 9),
        consent_by="ratification",
    )
    page = client.get(reverse("public:treaty_status")).text
    assert "Kazakhstan" in page and "Norway" in page
    assert "signed 3 Dec 1997" in page and "ratification 9 Jul 1998" in page
    filtered = client.get(reverse("public:treaty_status") + "?treaty=mbt&status=state_party").text
    assert "Norway" in filtered and "Kazakhstan" not in filtered
    by_region = client.get(reverse("public:treaty_status") + "?region=Central+Asia").text
    assert "Kazakhstan" in by_region and "Norway" not in by_region
    response = client.get(
        reverse("public:treaty_status") + "?format=csv&treaty=mbt&status=state_party"
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["country"] for row in rows] == ["Norway"]
    assert rows[0]["mbt_status"] == "State Party" and rows[0]["mbt_joined"] == "1998-07-09"


def test_feed_sitemap_and_robots(client, site):
    feed = client.get(reverse("public:feed"))
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "Kazakhstan: Mine Ban Policy (18 December 2019)" in feed.text
    sitemap = client.get(reverse("public:sitemap_section", args=["editions"])).text
    assert urls(site)["profile"] in sitemap and urls(site)["archived_edition"] in sitemap
    assert (
        urls(site)["report"] in client.get(reverse("public:sitemap_section", args=["reports"])).text
    )
    robots = client.get(reverse("public:robots"))
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in robots.text
    assert "Disallow: /admin/" in robots.text


@pytest.mark.parametrize(
    "state", [S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.WITHDRAWN]
)
def test_unpublished_editions_are_not_found_anywhere(client, state):
    country = make_country("Uzbekistan", region="Central Asia")
    topic = make_topic("Mine Ban Policy")
    fields = {"last_updated": datetime.date(2011, 10, 24)}
    if state == S.WITHDRAWN:
        fields["published_at"] = datetime.datetime(2011, 10, 24, tzinfo=datetime.UTC)
    edition = make_edition(
        make_profile(country, topic),
        state=state,
        summary="SECRET-DRAFT-TEXT",
        footnotes=(("SECRET-NOTE letter.",),),
        **fields,
    )
    source = edition.footnotes.get().sources.get()
    for url in [
        reverse("public:archived", args=[country.slug, topic.slug, 2011]),
        reverse("public:archived_edition", args=[country.slug, topic.slug, 2011, edition.pk]),
        reverse("public:changes", args=[country.slug, topic.slug]),
        reverse("public:source", args=[source.pk]),
        reverse("edition_preview", args=[edition.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    # A withdrawn profile was public once: its page says it is gone, and shows nothing of it.
    page = client.get(reverse("public:profile", args=[country.slug, topic.slug]))
    assert page.status_code == (410 if state == S.WITHDRAWN else 404)
    assert "SECRET" not in page.text
    for url in [
        reverse("public:home"),
        reverse("public:country", args=[country.slug]),
        reverse("public:search") + "?q=SECRET&archive=1",
        reverse("public:feed"),
    ]:
        assert "SECRET" not in client.get(url).text.replace("q=SECRET", "").replace(
            'value="SECRET"', ""
        ).replace("“SECRET”", ""), url
    assert "SECRET" not in whole_sitemap(client)
    assert country.get_absolute_url() not in whole_sitemap(client)


def test_a_report_with_nothing_published_is_not_found(client):
    edition = make_edition()  # a draft in a report
    from tests.builders import make_report

    report = make_report(year=2031)
    Edition.objects.filter(pk=edition.pk).update(report=report)
    assert client.get(reverse("public:report", args=[report.series_slug, 2031])).status_code == 404


@pytest.mark.parametrize("notes", [3, 150])
@pytest.mark.parametrize(
    "name",
    [
        "home",
        "countries",
        "country",
        "profile",
        "archived",
        "archived_edition",
        "changes",
        "reports",
        "report",
        "source",
        "search",
        "treaty_status",
        "feed",
        "sitemap",
        "robots",
        "topic",
        "country_feed",
        "topic_feed",
        "sitemap_editions",
        "about",
        "treaty_map",
        "chapter",
        "sitemap_reports",
        "report_pdf",
        "figure",
    ],
)
def test_every_page_runs_at_most_eight_queries(client, django_assert_max_num_queries, notes, name):
    site = make_site(notes=notes)
    # Files and chapters must not add queries either, however many there are.
    for position in range(1, 4):
        make_figure(site["current"], position)
        make_chapter(site["report"], f"Chapter {position}", position=position + 1)
    make_chapter(site["report"], "Major Findings")
    site["figure"] = site["current"].figures.first()
    site["report"].pdf.save("report.pdf", ContentFile(PDF_BYTES))
    for i in range(5):  # more rows elsewhere must not add queries
        make_site(notes=2, country_name=f"Country {i}", topic_name=f"Topic {i}")
        draft_topic = make_topic(f"Draft topic {i}")
        make_treaty_status(make_public_country(f"Draft {i}", state=S.DRAFT, topic=draft_topic))
    url = {**urls(site), **file_and_chapter_urls(site)}[name]
    pagecache.forget_all()
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200, url


def two_editions_in_2015():
    """A profile whose archive holds March and September 2015 under a 2016 current edition."""
    profile = make_profile(make_country("Serbia", region="Europe"), make_topic("Mine Action"))
    march, september = (
        make_edition(
            profile,
            state=S.SUPERSEDED,
            last_updated=datetime.date(2015, month, 1),
            sections=(("Policy", f"{name} wording.[1]"),),
        )
        for month, name in ((3, "March"), (9, "September"))
    )
    make_edition(profile, state=S.PUBLISHED, last_updated=datetime.date(2016, 5, 2))
    return profile, march, september


def test_every_archived_edition_of_a_year_has_its_own_address(client):
    profile, march, september = two_editions_in_2015()
    slugs = [profile.country.slug, profile.topic.slug]
    year_url = reverse("public:archived", args=[*slugs, 2015])
    march_url = reverse("public:archived_edition", args=[*slugs, 2015, march.pk])
    september_url = reverse("public:archived_edition", args=[*slugs, 2015, september.pk])

    history = HTMLParser(client.get(reverse("public:profile", args=slugs)).text)
    links = [a.attributes["href"] for a in history.css(".history a")]
    assert links == [september_url, march_url]

    # The year keeps showing its newest edition, and names the other one of that year.
    by_year = client.get(year_url).text
    assert "September wording." in by_year and "March wording." not in by_year
    banner = HTMLParser(by_year).css_first(".banner.archived")
    assert [a.attributes["href"] for a in banner.css("a.same-year")] == [march_url]

    march_page = client.get(march_url)
    assert march_page.status_code == 200
    assert "March wording." in march_page.text and "September wording." not in march_page.text
    assert "Archived edition" in march_page.text
    shown = HTMLParser(march_page.text).css_first(".history strong")
    assert shown.text() == "1 March 2015"  # the edition itself, marked in the list

    sitemap = whole_sitemap(client)
    assert march_url in sitemap and september_url in sitemap


def test_an_edition_address_must_match_its_profile_year_and_state(client, site):
    profile, march, _ = two_editions_in_2015()
    slugs = [profile.country.slug, profile.topic.slug]
    current = profile.editions.get(state=S.PUBLISHED)
    assert client.get(
        reverse("public:archived_edition", args=[*slugs, 2016, current.pk])
    ).url == reverse("public:profile", args=slugs)
    for args in (
        [*slugs, 2016, march.pk],  # wrong year
        [site["country"].slug, site["topic"].slug, 2015, march.pk],  # another profile
        [*slugs, 2015, 999999],
    ):
        assert client.get(reverse("public:archived_edition", args=args)).status_code == 404


def test_the_region_filter_lists_that_regions_countries_only(client, site):
    make_public_country("Aaland")  # no region
    make_public_country("Norway", region="Europe")
    doc = HTMLParser(client.get(reverse("public:countries"), {"region": "Europe"}).text)
    assert [a.text() for a in doc.css("ul.countries > li > a")] == ["Norway"]
    assert doc.css_first("h1").text() == "Countries: Europe"
    # An unknown region lists everyone.
    doc = HTMLParser(client.get(reverse("public:countries"), {"region": "Atlantis"}).text)
    assert [a.text() for a in doc.css("ul.countries > li > a")] == [
        "Aaland",
        "Kazakhstan",
        "Norway",
    ]


# A country, or a topic, is named on the public site once an edition of it is published or
# archived: until then its drafts (and a withdrawn edition) are nobody's business.

UNPUBLISHED = [S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.WITHDRAWN]
ATLANTIS = ("Atlantis", "Atlantic Ocean", "Victim Assistance")  # country, region, topic


def make_atlantis(site, state):
    """Atlantis, alone in its region, whose only edition (none when `state` is None) is in
    `state`: on a topic nothing published has, in the site's report, citing the site's
    letter."""
    country = make_country(ATLANTIS[0], region=ATLANTIS[1], official_name="Atlantic Republic")
    topic = make_topic(ATLANTIS[2])
    if state is not None:
        make_edition(
            make_profile(country, topic),
            state=state,
            report=site["report"],
            last_updated=datetime.date(2019, 10, 24),
            published_at=datetime.datetime(2019, 10, 24, tzinfo=datetime.UTC),
            footnotes=(("The letter.", site["letter"]),),
        )
    return country


@pytest.mark.parametrize("state", [None, *UNPUBLISHED])
def test_a_country_with_nothing_published_has_no_page_and_is_named_nowhere(client, site, state):
    country = make_atlantis(site, state)
    assert client.get(reverse("public:country", args=[country.slug])).status_code == 404
    pages = {
        **urls(site),
        "treaty status as CSV": reverse("public:treaty_status") + "?format=csv",
        "search with the archive": reverse("public:search") + "?q=acceded&archive=1",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = response.content.decode()
        assert [word for word in ATLANTIS if word in text] == [], name
        assert country.get_absolute_url() not in text, name
    sitemap = whole_sitemap(client)
    assert [word for word in ATLANTIS if word in sitemap] == []
    assert country.get_absolute_url() not in sitemap


@pytest.mark.parametrize("state", [S.PUBLISHED, S.SUPERSEDED])
def test_a_country_is_public_once_an_edition_of_it_is_published_or_archived(
    client, site, state, django_assert_num_queries
):
    country = make_atlantis(site, S.DRAFT)
    casualties = make_edition(
        make_profile(country, make_topic("Casualties")),
        state=state,
        last_updated=datetime.date(2018, 5, 2),
    )
    url = country.get_absolute_url()

    with django_assert_num_queries(2):
        response = client.get(url)

    assert response.status_code == 200
    links = HTMLParser(response.text).css("section.hub-profile h3 a")
    assert [(a.text(), a.attributes["href"]) for a in links] == [
        ("Casualties", casualties.get_absolute_url())
    ]
    assert ("Archived edition" in response.text) is (state == S.SUPERSEDED)
    assert "Victim Assistance" not in response.text  # the draft's topic
    assert url in client.get(reverse("public:countries")).text
    assert url in client.get(reverse("public:treaty_status")).text
    assert url in whole_sitemap(client)
    search_form = HTMLParser(client.get(urls(site)["search"]).text)
    options = {option.text() for option in search_form.css("select option")}
    assert {"Atlantis", "Atlantic Ocean", "Casualties"} <= options
    assert "Victim Assistance" not in options


def test_the_treaty_table_lists_treaty_data_and_links_only_public_countries(client, site):
    norway = make_country("Norway", region="Europe")
    make_treaty_status(norway, status="state_party", consent_on=datetime.date(1998, 7, 9))
    make_edition(make_profile(norway, make_topic("Mine Action")))  # a draft

    # The table is data about treaties, so it names every state it has data on; but only a
    # country with something published has a page to link to.
    doc = HTMLParser(client.get(reverse("public:treaty_status")).text)
    table = doc.css_first("table.treaties tbody")
    assert [row.css_first("th").text(separator=" ", strip=True) for row in table.css("tr")] == [
        "Kazakhstan Central Asia",
        "Norway Europe",
    ]
    assert [a.attributes["href"] for a in table.css("a")] == [site["country"].get_absolute_url()]
    assert {option.text() for option in doc.css("select[name=region] option")} >= {"Europe"}
    csv_rows = csv.DictReader(
        io.StringIO(client.get(reverse("public:treaty_status") + "?format=csv").content.decode())
    )
    assert [row["country"] for row in csv_rows] == ["Kazakhstan", "Norway"]
