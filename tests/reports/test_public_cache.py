"""Edition pages are cached, revalidatable, and never stale after publish or withdraw."""

import socket
import sys
import time
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils.http import parse_http_date

from reports.editions import workflow
from reports.editions.freeze import lifecycle
from reports.models import Country, Edition, PublicationClock, PublicationScope
from reports.public import pagecache
from tests.builders import make_edition

from .public_helpers import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site(notes=5)


def profile_url(site):
    return reverse("public:profile", args=[site["country"].slug, site["topic"].slug])


def archived_url(site):
    return reverse("public:archived", args=[site["country"].slug, site["topic"].slug, 2004])


def test_profile_carries_etag_and_last_modified_and_revalidates(client, site):
    first = client.get(profile_url(site))
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    assert "must-revalidate" in first["Cache-Control"]
    again = client.get(profile_url(site), headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    since = client.get(profile_url(site), headers={"if-modified-since": modified})
    assert since.status_code == 304
    stale = client.get(profile_url(site), headers={"if-none-match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_a_cached_page_costs_no_query_while_the_clock_was_read_lately(
    client, site, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(pagecache, "FRESHNESS", 3600)
    client.get(profile_url(site))
    with django_assert_num_queries(0):
        response = client.get(profile_url(site))
    assert "Kazakhstan: Mine Ban Policy" in response.text


def test_a_cached_page_costs_one_query_once_the_clock_read_is_older_than_freshness(
    client, site, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(pagecache, "FRESHNESS", 0)
    client.get(profile_url(site))
    with django_assert_num_queries(1):  # the publication clock
        response = client.get(profile_url(site))
    assert "Kazakhstan: Mine Ban Policy" in response.text


def test_a_change_committed_by_another_process_is_served_once_freshness_has_passed(
    client, site, monkeypatch
):
    url = profile_url(site)
    monkeypatch.setattr(pagecache, "FRESHNESS", 3600)
    assert "Changed elsewhere" not in client.get(url).text
    # Another server process renames the country: its rows, its clock and the shared scope
    # move, nothing in this process.
    Country.objects.filter(pk=site["country"].pk).update(name="Changed elsewhere")
    PublicationClock.objects.update(tick=F("tick") + 1)
    PublicationScope.objects.update_or_create(
        name=pagecache.SHARED, defaults={"tick": pagecache.current_tick()}
    )
    assert "Changed elsewhere" not in client.get(url).text  # the clock was read just now

    monkeypatch.setattr(pagecache, "FRESHNESS", 0)  # as when FRESHNESS has passed

    assert "Changed elsewhere" in client.get(url).text


@pytest.mark.parametrize("name", ["archived", "changes"])
def test_archive_and_changes_pages_are_cached_too(
    client, site, name, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(pagecache, "FRESHNESS", 0)
    args = [site["country"].slug, site["topic"].slug] + ([2004] if name == "archived" else [])
    url = reverse(f"public:{name}", args=args)
    first = client.get(url)
    with django_assert_num_queries(1):
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304


def publish_new_edition(profile, researcher, editor, publisher, text):
    draft = workflow.start_draft(profile, researcher)
    section = draft.sections.get()
    section.body = text
    section.save()
    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    return workflow.publish(draft, publisher)


def test_publishing_shows_the_new_edition_at_once(client, researcher, editor, publisher):
    current = make_edition(state="published", sections=(("Policy", "Old wording of 2019.[1]"),))
    profile = current.profile
    url = reverse("public:profile", args=[profile.country.slug, profile.topic.slug])
    before = client.get(url)
    assert "Old wording of 2019." in before.text
    publish_new_edition(profile, researcher, editor, publisher, "Brand new wording.[1]")
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert "Brand new wording." in after.text and "Old wording" not in after.text
    assert after["ETag"] != before["ETag"]
    # The edition it replaced is now in the archive, marked so, linking to the new one.
    archived = client.get(
        reverse("public:archived", args=[profile.country.slug, profile.topic.slug, 2019])
    )
    assert archived.status_code == 200
    assert "Archived edition" in archived.text and "Old wording of 2019." in archived.text
    assert f'href="{url}"' in archived.text
    changes = client.get(reverse("public:changes", args=[profile.country.slug, profile.topic.slug]))
    assert "<ins>Brand" in changes.text.replace("<ins>Brand new</ins>", "<ins>Brand")


def test_withdrawing_takes_the_page_down_at_once(client, site, publisher):
    url = profile_url(site)
    assert client.get(url).status_code == 200
    workflow.withdraw(site["current"], publisher, "Published by mistake", restore_previous=False)
    assert client.get(url).status_code == 410
    changes = reverse("public:changes", args=[site["country"].slug, site["topic"].slug])
    assert client.get(changes).status_code == 404


def test_withdrawing_an_archived_pages_current_edition_updates_its_banner(client, site, publisher):
    url = archived_url(site)
    assert "Read the current edition" in client.get(url).text
    workflow.withdraw(site["current"], publisher, "Published by mistake", restore_previous=False)
    page = client.get(url).text
    assert "Read the current edition" not in page and "no current edition" in page


def modified(response):
    return parse_http_date(response["Last-Modified"])


def test_after_a_withdraw_if_modified_since_alone_gets_the_new_archived_page(
    client, site, publisher
):
    before = client.get(archived_url(site))
    assert "Read the current edition" in before.text
    workflow.withdraw(site["current"], publisher, "Published by mistake", restore_previous=False)
    # The withdrawn edition leaves the page's rows: their newest time goes backwards.
    after = client.get(archived_url(site), headers={"if-modified-since": before["Last-Modified"]})
    assert after.status_code == 200
    assert "no current edition" in after.text
    assert modified(after) > modified(before)


def test_after_a_country_rename_if_modified_since_alone_gets_the_new_page(client, site):
    before = client.get(profile_url(site))
    site["country"].name = "Qazaqstan"
    site["country"].save()
    after = client.get(profile_url(site), headers={"if-modified-since": before["Last-Modified"]})
    assert after.status_code == 200
    assert "Qazaqstan: Mine Ban Policy" in after.text
    assert modified(after) > modified(before)


def test_pages_rendered_within_one_second_with_other_bytes_are_newer_each_time(
    client, site, monkeypatch
):
    frozen = time.time()
    monkeypatch.setattr(pagecache.time, "time", lambda: frozen)
    previous = client.get(profile_url(site))
    for name in ("Qazaqstan", "Kazakstan"):
        site["country"].name = name
        site["country"].save()
        since = {"if-modified-since": previous["Last-Modified"]}
        page = client.get(profile_url(site), headers=since)
        assert page.status_code == 200 and f"{name}: Mine Ban Policy" in page.text
        assert modified(page) > modified(previous)
        previous = page


def test_a_page_whose_bytes_did_not_change_keeps_its_last_modified(client, site, monkeypatch):
    first = client.get(profile_url(site))
    later = time.time() + 3600
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    pagecache.advance_clock()  # a change elsewhere: the page is rendered again, an hour on

    again = client.get(profile_url(site), headers={"if-modified-since": first["Last-Modified"]})

    assert again.status_code == 304
    assert again["Last-Modified"] == first["Last-Modified"]


def test_renaming_a_country_or_a_source_is_never_served_stale(client, site):
    client.get(profile_url(site))
    country = site["country"]
    country.name = "Qazaqstan"
    country.save()
    assert "Qazaqstan: Mine Ban Policy" in client.get(profile_url(site)).text
    letter = site["letter"]
    letter.title = "Renamed letter of 30 April 2010"
    letter.save()
    assert "Renamed letter of 30 April 2010" in client.get(profile_url(site)).text


def test_withdrawing_by_default_makes_the_previous_edition_current_again(client, site, publisher):
    url = profile_url(site)
    assert "Key developments since May 2003" not in client.get(url).text
    workflow.withdraw(site["current"], publisher, "Published by mistake")
    page = client.get(url)
    assert page.status_code == 200 and "Key developments since May 2003" in page.text
    restored = Edition.objects.get(pk=site["old"].pk)
    assert restored.state == Edition.State.PUBLISHED
    assert restored.events.get().action == "restore"


def test_the_staff_preview_is_never_cached_nor_leaks(client, site, researcher, superuser):
    draft = workflow.start_draft(site["profile"], researcher)
    section = draft.sections.first()
    section.body = "UNRELEASED wording."
    section.save()
    client.force_login(superuser)
    preview = client.get(reverse("edition_preview", args=[draft.pk]))
    assert preview.status_code == 200 and "UNRELEASED wording." in preview.text
    assert "Preview of an edition" in preview.text
    client.logout()
    assert "UNRELEASED" not in client.get(profile_url(site)).text


def redis_available():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_available(), reason="Redis is not running on 127.0.0.1:6379")
def test_the_scheme_works_through_redis(client, settings, site, publisher):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"monitor-pub-test-{site['current'].pk}",
            "TIMEOUT": 60,
        }
    }
    from django.core.cache import caches

    caches._settings = None  # noqa: SLF001  (re-read CACHES)
    try:
        first = client.get(profile_url(site))
        assert (
            client.get(profile_url(site), headers={"if-none-match": first["ETag"]}).status_code
            == 304
        )
        workflow.withdraw(site["current"], publisher, "Mistake", restore_previous=False)
        assert client.get(profile_url(site)).status_code == 410
    finally:
        from django.core.cache import cache as redis_cache

        redis_cache.clear()


def test_preview_of_a_published_edition_uses_the_public_template(client, superuser):
    edition = make_edition(state="published")
    client.force_login(superuser)
    response = client.get(reverse("edition_preview", args=[edition.pk]))
    assert response.status_code == 200 and 'sup class="marker"' in response.text


def test_the_clock_moves_with_the_publishing_transaction_and_not_without_it(site, publisher):
    from django.db import transaction

    from reports.public.pagecache import current_tick

    before = current_tick()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.withdraw(site["current"], publisher, "Withdrawn by mistake")
        assert current_tick() > before  # inside the withdrawing transaction it has moved
        raise RuntimeError("roll back")
    assert current_tick() == before


def test_only_workflow_steps_into_or_out_of_public_states_move_the_clock(
    researcher, editor, publisher
):
    current = make_edition(state="published", sections=(("Policy", "Wording of 2019.[1]"),))
    before = pagecache.current_tick()
    draft = workflow.start_draft(current.profile, researcher)
    workflow.submit(draft, researcher)
    workflow.request_changes(draft, editor, "Cite the letter.")
    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    assert pagecache.current_tick() == before

    workflow.publish(draft, publisher)

    assert pagecache.current_tick() > before


def test_the_template_version_follows_the_bytes_and_names_of_the_files_not_their_folder(tmp_path):
    def version(root):
        return pagecache.version_of([root / "profile.html", root / "site.css"], root)

    first, second = tmp_path / "srv-a", tmp_path / "srv-b"
    for root in (first, second):
        root.mkdir()
        (root / "profile.html").write_text("<h1>{{ title }}</h1>")
        (root / "site.css").write_text("h1 { color: black }")
    assert version(first) == version(second)  # two hosts, one deploy: one version
    assert version(first).startswith("pages-")
    files = [first / "site.css", first / "profile.html"]
    assert pagecache.version_of(files, first) == version(first)  # in any order

    (second / "profile.html").write_text("<h2>{{ title }}</h2>")
    assert version(second) != version(first)

    (second / "profile.html").write_text("<h1>{{ title }}</h1>")
    (second / "profile.html").rename(second / "page.html")
    renamed = [second / "page.html", second / "site.css"]
    assert pagecache.version_of(renamed, second) != version(first)


SHIPPED = {
    "monitor/settings.py",
    "reports/public/views.py",
    "reports/importer/citations.py",
    "reports/templatetags/public_tags.py",
    "reports/migrations/0001_initial.py",
    "sources/models.py",
    "templates/public/profile.html",
    "templates/admin/index.html",
    "static/css/site.css",
    "static/img/logo.svg",
    "reports/templates/reports/widget.html",
    "pyproject.toml",
}
NOT_SHIPPED = {
    "tests/test_pages.py",
    "bench/render.py",
    "reports/__pycache__/models.cpython-311.pyc",
    "templates/public/.profile.html.swp",
    "static/.DS_Store",
    "README.md",
}


def test_every_file_a_deploy_ships_that_shapes_pages_is_part_of_the_template_version(tmp_path):
    """No hand-kept list: a module added anywhere in the project's packages, a template or a
    static file of any folder, changes the version."""
    for name in SHIPPED | NOT_SHIPPED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}")

    def version():
        return pagecache.version_of(pagecache.page_sources(tmp_path), tmp_path)

    names = {path.relative_to(tmp_path).as_posix() for path in pagecache.page_sources(tmp_path)}
    assert names == SHIPPED

    before = version()
    (tmp_path / "reports/public/new_module.py").write_text("ROWS = 3")
    assert version() != before
    for name in NOT_SHIPPED:
        (tmp_path / name).write_text("changed")
    after = version()
    for name in SHIPPED:
        (tmp_path / name).write_text("changed")
        assert version() != after, name
        after = version()


def test_the_template_version_covers_all_project_code_loaded_and_every_template():
    root = Path(settings.BASE_DIR)
    import_module(settings.ROOT_URLCONF)  # every view module, the public site's and the admin's
    engines.all()  # every template tag library
    sources = pagecache.page_sources(root)
    names = {path.relative_to(root).as_posix() for path in sources}
    loaded = {
        Path(module.__file__).resolve().relative_to(root).as_posix()
        for module in list(sys.modules.values())
        if getattr(module, "__file__", None)
        and Path(module.__file__).resolve().is_relative_to(root)
    }
    project_code = {
        name for name in loaded if not name.startswith(("tests/", "tools/", "bench/", ".venv/"))
    }
    assert {"reports/importer/citations.py", "reports/templatetags/public_tags.py"} <= project_code
    assert project_code <= names
    templates = {path.relative_to(root).as_posix() for path in (root / "templates").rglob("*.html")}
    assert {"templates/public/profile.html", "static/css/site.css", "pyproject.toml"} <= names
    assert templates <= names
    assert pagecache.version_of(sources, root) == pagecache.TEMPLATE_VERSION


def test_invalidation_travels_through_the_database_not_the_cache(client, site):
    """Another server process's cache is never touched by a publish here: what it sees is the
    clock, read from the database with every request."""
    from reports.public.pagecache import advance_clock

    url = profile_url(site)
    assert "Changed elsewhere" not in client.get(url).text
    Country.objects.filter(pk=site["country"].pk).update(name="Changed elsewhere")
    assert "Changed elsewhere" not in client.get(url).text  # no clock move: still the cached page
    advance_clock()
    assert "Changed elsewhere" in client.get(url).text


def test_a_page_this_process_served_lately_costs_one_query_and_no_cache_get(
    client, site, monkeypatch, django_assert_num_queries
):
    from django.core.cache import cache

    url = profile_url(site)
    first = client.get(url)

    def no_cache_get(*args, **kwargs):
        raise AssertionError("the shared cache was asked")

    monkeypatch.setattr(cache, "get", no_cache_get)
    monkeypatch.setattr(pagecache, "FRESHNESS", 0)
    with django_assert_num_queries(1):  # the publication clock
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_pages_kept_in_process_memory_are_bounded(client, monkeypatch):
    monkeypatch.setattr(pagecache, "RECENT_PAGES", 2)
    sites = [make_site(country_name=f"Country {i}", topic_name=f"Topic {i}") for i in range(3)]
    for each in sites:
        assert client.get(profile_url(each)).status_code == 200

    assert len(pagecache._recent) == 2  # noqa: SLF001
    assert client.get(profile_url(sites[0])).status_code == 200  # the oldest, fetched again


def run_through_middleware(view):
    return pagecache.PublicationMiddleware(view)(RequestFactory().post("/admin/"))


@pytest.mark.django_db(transaction=True)
def test_a_request_that_moved_the_clock_returns_once_every_process_has_seen_it(monkeypatch):
    sleeps = []
    monkeypatch.setattr(pagecache.time, "sleep", sleeps.append)

    def publishes(request):
        with transaction.atomic():
            pagecache.advance_clock()
        return HttpResponse("published")

    run_through_middleware(publishes)

    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= pagecache.FRESHNESS


@pytest.mark.django_db(transaction=True)
def test_requests_that_change_nothing_public_or_roll_back_do_not_wait(monkeypatch):
    sleeps = []
    monkeypatch.setattr(pagecache.time, "sleep", sleeps.append)

    def rolls_back(request):
        with pytest.raises(RuntimeError), transaction.atomic():
            pagecache.advance_clock()
            raise RuntimeError("refused")
        return HttpResponse("refused")

    run_through_middleware(lambda request: HttpResponse("read only"))
    run_through_middleware(rolls_back)

    assert sleeps == []


def test_every_response_passes_through_the_publication_middleware_last():
    from django.conf import settings

    assert settings.MIDDLEWARE[0] == "reports.public.pagecache.PublicationMiddleware"


# --- what a change makes stale ---------------------------------------------------------------


@pytest.fixture
def two_sites():
    return make_site(), make_site(country_name="Kyrgyzstan", topic_name="Mine Action")


def approved(site, text):
    """An approved edition of the site's profile, ready to publish (citing its letter: a new
    source would be a change of a shared record)."""
    return make_edition(
        site["profile"],
        state=Edition.State.APPROVED,
        sections=(("Policy", text),),
        footnotes=(("Letter, 30 April 2010.", site["letter"]),),
    )


@pytest.fixture
def renders(monkeypatch):
    """The profile pages rendered, by country."""
    from reports.public import views

    rendered = []
    render_edition = views.render_edition

    def counting(request, edition, *args, **kwargs):
        rendered.append(edition.profile.country.name)
        return render_edition(request, edition, *args, **kwargs)

    monkeypatch.setattr(views, "render_edition", counting)
    return rendered


def test_a_publish_leaves_other_profiles_pages_cached_and_its_own_pages_fresh(
    client, two_sites, renders, publisher, monkeypatch, django_assert_num_queries
):
    kazakhstan, kyrgyzstan = two_sites
    monkeypatch.setattr(pagecache, "FRESHNESS", 0)  # every request reads the clock
    other = client.get(profile_url(kyrgyzstan))
    assert "Brand new wording." not in client.get(profile_url(kazakhstan)).text
    assert renders == ["Kyrgyzstan", "Kazakhstan"]

    workflow.publish(approved(kazakhstan, "Brand new wording.[1]"), publisher)

    with django_assert_num_queries(2):  # the clock, then the ticks of the page's scopes
        again = client.get(profile_url(kyrgyzstan), headers={"if-none-match": other["ETag"]})
    assert again.status_code == 304
    assert renders == ["Kyrgyzstan", "Kazakhstan"]  # served from the cache, not rendered
    with django_assert_num_queries(1):  # checked once: now as fresh as the clock
        assert client.get(profile_url(kyrgyzstan)).content == other.content
    assert "Brand new wording." in client.get(profile_url(kazakhstan)).text
    assert renders == ["Kyrgyzstan", "Kazakhstan", "Kazakhstan"]
    home = client.get(reverse("public:home")).text
    assert home.index("Kazakhstan") < home.index("Kyrgyzstan")  # the latest update first
    published = Edition.objects.get(profile=kazakhstan["profile"], state=Edition.State.PUBLISHED)
    country = client.get(reverse("public:country", args=[kazakhstan["country"].slug]))
    assert f"last updated {published.last_updated_display}" in country.text
    assert "last updated 18 December 2019" not in country.text


def test_a_withdraw_is_never_served_stale_while_other_profiles_stay_cached(
    client, two_sites, renders, publisher
):
    kazakhstan, kyrgyzstan = two_sites
    client.get(profile_url(kazakhstan))
    client.get(profile_url(kyrgyzstan))

    workflow.withdraw(
        kazakhstan["current"], publisher, "Published by mistake", restore_previous=False
    )

    assert client.get(profile_url(kazakhstan)).status_code == 410
    assert client.get(archived_url(kazakhstan)).status_code == 200
    assert client.get(profile_url(kyrgyzstan)).status_code == 200
    assert renders.count("Kyrgyzstan") == 1


def test_a_country_rename_refreshes_every_page(client, two_sites, renders):
    kazakhstan, kyrgyzstan = two_sites
    client.get(profile_url(kazakhstan))
    client.get(profile_url(kyrgyzstan))

    kazakhstan["country"].name = "Qazaqstan"
    kazakhstan["country"].save()

    assert "Qazaqstan: Mine Ban Policy" in client.get(profile_url(kazakhstan)).text
    client.get(profile_url(kyrgyzstan))
    assert renders.count("Kyrgyzstan") == 2  # a shared record: every page is rendered again


def test_a_shared_record_changed_along_with_a_publish_still_refreshes_every_page(
    client, two_sites, researcher, editor, publisher
):
    kazakhstan, kyrgyzstan = two_sites
    draft = approved(kazakhstan, "Brand new wording.[1]")
    assert "Renamed letter" not in client.get(profile_url(kyrgyzstan)).text

    with lifecycle():  # one transaction: the publish of one profile, and a source all cite
        workflow.publish(draft, publisher)
        kyrgyzstan["letter"].title = "Renamed letter of 30 April 2010"
        kyrgyzstan["letter"].save()

    assert "Renamed letter of 30 April 2010" in client.get(profile_url(kyrgyzstan)).text


def test_moves_deferred_to_the_end_of_a_transaction_make_stale_what_each_concerned(
    two_sites, django_assert_num_queries
):
    kazakhstan, kyrgyzstan = two_sites
    before = pagecache.current_tick()
    with transaction.atomic(), pagecache.clock_advanced_at_end():
        pagecache.advance_clock(profiles={kazakhstan["profile"].pk})
        pagecache.advance_clock(profiles={kyrgyzstan["profile"].pk})
    moved = dict(PublicationScope.objects.values_list("name", "tick"))
    assert pagecache.current_tick() == before + 1
    for site in two_sites:
        assert moved[pagecache.profile_scope(site["profile"].pk)] == before + 1
    assert moved[pagecache.SHARED] < before + 1

    with transaction.atomic(), pagecache.clock_advanced_at_end():
        pagecache.advance_clock(profiles={kazakhstan["profile"].pk})
        pagecache.advance_clock(profiles=set())  # a shared record
    assert PublicationScope.objects.get(name=pagecache.SHARED).tick == before + 2


def test_a_page_cached_ahead_of_the_clock_is_not_served(client, site, monkeypatch):
    """A database restored from a backup, or flushed: its clock is behind the cached pages."""
    monkeypatch.setattr(pagecache, "FRESHNESS", 0)
    client.get(profile_url(site))
    Country.objects.filter(pk=site["country"].pk).update(name="Restored name")
    PublicationClock.objects.update(tick=0)
    PublicationScope.objects.all().delete()

    assert "Restored name: Mine Ban Policy" in client.get(profile_url(site)).text
