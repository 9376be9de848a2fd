import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site

from monitor.roles import EDITOR, PUBLISHER, RESEARCHER, sync_roles
from reports.public import pagecache

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Local-memory cache outlives a test while the database (and the publication clock) rolls
    back, so a page cached by one test could otherwise be served in another."""
    pagecache.forget_all()
    yield
    pagecache.forget_all()


@pytest.fixture(scope="session")
def _media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings, _media_dir):
    """Files saved through the storage API go to a temporary MEDIA_ROOT, never the project's."""
    settings.MEDIA_ROOT = _media_dir


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A transactional test (the live server's) empties every table, content types included,
    which are made again with other ids; the ids Django's cache kept would then point nowhere
    (a revision's versions failed their foreign key in the next test)."""
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _current_site(request, settings):
    """The Site (django.contrib.sites) in a transactional test: the flushes of such tests can
    leave none (as with the roles below), and the admin's login page, the sitemap, the feeds
    and the flat pages all read it. Read here, in the test's own thread, it is cached for the
    live server's threads too."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        Site.objects.get_or_create(
            pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "testserver"}
        )
        Site.objects.clear_cache()
        Site.objects.get_current()


@pytest.fixture
def roles(db):
    """The role groups; transactional tests flush the ones the data migration made."""
    if not Group.objects.filter(name=RESEARCHER).exists():
        sync_roles(apps)


@pytest.fixture
def make_user(django_user_model, roles):
    def make(username, role=None, *, staff=True, superuser=False):
        user = django_user_model.objects.create_user(
            username=username,
            password="pass",
            email=f"{username}@example.org",
            is_staff=staff,
            is_superuser=superuser,
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def researcher(make_user):
    return make_user("researcher", RESEARCHER)


@pytest.fixture
def editor(make_user):
    return make_user("editor", EDITOR)


@pytest.fixture
def publisher(make_user):
    return make_user("publisher", PUBLISHER)


@pytest.fixture
def staff_without_role(make_user):
    return make_user("bystander")


@pytest.fixture
def superuser(make_user):
    return make_user("root", superuser=True)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through playwright; required under CI, skipped elsewhere."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed"
    if reason is None and not shutil.which(CHROMIUM):
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if reason:
        if IN_CI:
            pytest.fail(f"Browser tests are required under CI: {reason}")
        pytest.skip(f"Browser test skipped: {reason}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # under a loop unless told it is safe, which it is here (the loop is playwright's).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
