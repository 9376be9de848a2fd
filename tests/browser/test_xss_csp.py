"""Stored hostile text runs nothing in a real browser, and the Content-Security-Policy holds.

Every text field of two editions of one profile, a source's title and an imported document
carry the payloads below; the public pages (home, profile, archive, changes, search, feed,
source) and the admin pages that show content (change form, history, compare) are opened with
the policy on. No dialog opens, no payload sets `window.xss`, and the browser reports no CSP
violation: the pages themselves need nothing the policy forbids. A script slipped into a page
on its way to the browser is blocked by the policy all the same.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from reports.importer.archive import Document
from reports.importer.service import ImportOptions, import_documents
from reports.models import Edition
from tests.browser.test_admin_editing import log_in
from tests.builders import make_edition, make_profile, make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.xss=1;alert(1)</script>",
    '<img src=x onerror="window.xss=2;alert(2)">',
    "<svg onload=window.xss=3;alert(3)>",
    '"><script>window.xss=4;alert(4)</script>',
    "'><img src=x onerror=alert(5)>",
    '<a href="javascript:window.xss=6;alert(6)">click</a>',
    '<iframe srcdoc="<script>parent.xss=7;alert(7)</script>"></iframe>',
    'http://example.org/"onmouseover="window.xss=8;alert(8)',
    "</textarea><script>window.xss=9;alert(9)</script>",
    "</title><script>window.xss=10;alert(10)</script>",
    "<style>@import 'http://127.0.0.1:9/x.css';</style>",
    "<body onload=alert(11)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(12)>",
    "[1]<details open ontoggle=alert(13)>",
    "{{ 7|add:7 }}{% now 'Y' %}<object data=javascript:alert(14)>",
]
CORPUS = "\n\n".join(PAYLOADS)


@pytest.fixture
def hostile_site(db):
    profile = make_profile()
    source = make_source("Letter " + PAYLOADS[1], url="http://example.org/letter")
    fields = {
        "summary": "Landmines " + CORPUS,
        "sections": (("Policy " + PAYLOADS[0], "Landmines policy. " + CORPUS + " [1]"),),
        "footnotes": (("Landmines note " + CORPUS, source),),
        "overview": ((PAYLOADS[2], CORPUS),),
    }
    old = make_edition(
        profile, state=Edition.State.SUPERSEDED, last_updated=datetime.date(2018, 1, 1), **fields
    )
    fields["summary"] += "\n\nChanged " + PAYLOADS[3]
    new = make_edition(profile, state=Edition.State.PUBLISHED, **fields)
    document = (
        "Country: Kyrgyzstan\n\nMine Ban Policy\n\nLast updated: 12 March 2019\n\n"
        "Policy\n\nThe Kyrgyz Republic " + PAYLOADS[4] + " has not acceded.[1]\n\n"
        "[1] Letter " + PAYLOADS[5] + ", 3 May 2018.\n"
    )
    # The flush between transactional tests renumbers content types: forget cached ones.
    ContentType.objects.clear_cache()
    report = import_documents([Document("hostile.txt", raw=document.encode())], ImportOptions())
    assert [entry["status"] for entry in report["files"]] == ["imported"], report
    return {"profile": profile, "old": old, "new": new, "source": source}


def watch(page):
    seen = {"dialogs": [], "csp": []}
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and seen["csp"].append(message.text)
        ),
    )
    return seen


def visit(page, url, seen):
    response = page.goto(url)
    assert response.status == 200, url
    assert response.headers.get("content-security-policy"), url
    page.mouse.move(10, 10)
    page.mouse.move(300, 300)
    assert page.evaluate("window.xss") is None, url
    assert seen == {"dialogs": [], "csp": []}, url


def test_the_xss_corpus_runs_nothing_on_public_and_admin_pages(
    page, live_server, hostile_site, superuser
):
    profile, old, new = hostile_site["profile"], hostile_site["old"], hostile_site["new"]
    seen = watch(page)
    base = live_server.url
    public = [
        "/",
        profile.get_absolute_url(),
        old.get_absolute_url(),
        f"{profile.get_absolute_url()}changes/",
        "/search/?q=landmines",
        f"/sources/{hostile_site['source'].pk}/",
        "/countries/kyrgyzstan/mine-ban-policy/",
    ]
    for path in public:
        visit(page, base + path, seen)
    feed = page.goto(base + "/feeds/updates/")
    assert feed.status == 200 and seen == {"dialogs": [], "csp": []}

    log_in(page, live_server, superuser.username)
    admin = f"/admin/reports/edition/{new.pk}"
    for path in (
        f"{admin}/change/",
        f"{admin}/history/",
        f"{admin}/compare/?edition={old.pk}",
        "/admin/sources/source/",
        f"/admin/sources/source/{hostile_site['source'].pk}/change/",
    ):
        visit(page, base + path, seen)


def test_the_admins_own_scripts_still_run_under_its_policy(page, live_server, superuser):
    make_source("A letter")
    log_in(page, live_server, superuser.username)
    page.goto(f"{live_server.url}/admin/sources/source/")
    page.check("#action-toggle")  # actions.js: the header box selects every row
    assert page.locator(".action-select:checked").count() == 1
    assert "selected" in page.locator(".action-counter").inner_text()


def test_a_script_slipped_into_a_public_page_is_blocked_by_the_policy(
    page, live_server, hostile_site
):
    seen = watch(page)

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</main>", "<script>window.xss=99</script></main>")
        route.fulfill(response=response, body=body)

    url = live_server.url + hostile_site["profile"].get_absolute_url()
    page.route(url, inject)
    page.goto(url)
    assert page.evaluate("window.xss") is None
    assert seen["csp"], "the browser reports the blocked script"
