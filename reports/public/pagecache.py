"""Cached, revalidatable public pages of published editions.

A published edition never changes, so the HTML of its pages is rendered once and kept in
Django's cache framework (local memory by default, Redis when CACHE_URL says so), under its
kind, its path and ``TEMPLATE_VERSION``, a hash of every file a deploy ships that can shape the
HTML (``page_sources``: every file of the project's packages, templates and static files, and
the pinned dependencies; whole folders, no list of files): a deploy that changes any of them
never serves the old HTML kept in Redis; every page is rendered again when it is next asked for.

Each entry remembers the tick of the publication clock (``reports.models.PublicationClock``)
it was rendered at, and is served while the clock still shows that tick. The clock moves
inside the very transaction that changes anything a public page shows: every workflow step
into or out of a published, superseded or withdrawn state, a release, an import, and any
change to a country, topic, report, profile or source; the lifecycle announces each one with
its ``public_changed`` signal (see ``reports.public.clock``). A page rendered from data read
before a commit is stored under the old tick.

Most changes concern one profile, and most pages show one profile: a publish must not make
every other profile's pages stale. So the transaction that moves the clock also writes, in
``reports.models.PublicationScope``, the new tick against what it changed: each profile whose
editions it changed (``profile:<id>``), or ``shared`` for a record that any page may show (a
country, topic, report or source: announced with no profile). A page that shows one profile
(its ``build()`` names it, see ``cached_page``) depends on its profile's scope and on
``shared``; any other page depends on every change. Once the clock has moved past an entry's
tick, one query reads the clock and the ticks of the entry's scopes together: if neither
scope moved after the entry's tick, nothing it shows changed, and the entry is stamped with
the clock's tick and served; otherwise it is rendered again. Ticks grow in commit order (every
mover holds the clock's row until it commits), so a scope that shows no later tick than the
entry has no change the entry lacks.

Reading the clock is a database round trip, which would cost more than serving the page from
memory. So each process re-reads it at most every ``FRESHNESS`` seconds, and the other side
of the bargain is kept by whoever moves it: a request (or command) that committed a move does
not return until ``FRESHNESS`` has passed since the commit (``PublicationMiddleware``, and at
exit for commands). By then every process, on any host and with any cache backend, has
re-read the clock before serving another page, and so checks any entry older than the move
against its scopes: after a publish or withdraw returns no old page is served anywhere. An
editor waits 50 ms once; readers never wait. Within the process that moved the clock, pages
are fresh at once. A page costs no query while the clock stands still, and one in each
process after each move of the clock.

A process keeps the pages it served lately in memory (``_recent``) under the same rule, so a
hit costs neither a query nor a cache get. Every entry carries a strong ETag (a hash of its
bytes) and a Last-Modified (see ``cached_page``); a revalidation with If-None-Match or
If-Modified-Since gets 304.

While the database cannot be reached, a page whose entry is provably still current is served
from the cache with ``X-Served-Stale: database unreachable`` (stale-if-error): its tick is at
least the highest tick this process has seen and the highest any process announced in the shared
cache (``CLOCK_KEY``, written when a move commits). So a page that a publish or withdraw may
have changed is never served stale: the request fails, and ``monitor.errors`` answers 503 with
``Retry-After``. This needs the shared cache (``STALE_IF_ERROR``, on with Redis): with local
memory each process would know only its own moves.
"""

import atexit
import hashlib
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from ..models import PublicationClock, PublicationScope

# What a deploy ships that can change a page's bytes: the project's packages (their code,
# migrations included since a data migration changes rows without moving the publication
# clock, and any templates or static files of their own), the templates and static folders,
# and the pinned dependencies. Whole folders, so that no file can be forgotten.
FOLDERS = ("monitor", "reports", "sources", "templates", "static")
FILES = ("pyproject.toml",)
SKIPPED = ("__pycache__",)  # and hidden files (a swap file, a desktop's index)


def page_sources(root):
    """The files whose bytes can shape a cached page (see FOLDERS)."""
    found = [path for folder in FOLDERS for path in (root / folder).rglob("*")]
    found += [root / name for name in FILES]
    return [path for path in found if path.is_file() and _shipped(path.relative_to(root))]


def _shipped(name):
    return not any(part.startswith(".") or part in SKIPPED for part in name.parts)


def version_of(paths, root):
    """A short name that changes whenever the bytes or the name of any of `paths` do.

    Paths are taken relative to `root` and sorted, so that hosts deployed under different
    folders agree on the name and share the pages they cache.
    """
    digest = hashlib.sha1(usedforsecurity=False)
    for name, path in sorted((path.relative_to(root).as_posix(), path) for path in paths):
        # Hashing each file apart keeps bytes moved from one file to the next a change.
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha1(path.read_bytes(), usedforsecurity=False).digest())
    return "pages-" + digest.hexdigest()[:12]


TEMPLATE_VERSION = version_of(page_sources(settings.BASE_DIR), settings.BASE_DIR)
TIMEOUT = 7 * 24 * 3600
CACHE_CONTROL = "public, max-age=0, must-revalidate"
HTML = "text/html; charset=utf-8"
CLOCK_ID = 1
# A raw read with the id written in: it runs for every page served from the cache, where the
# ORM's own overhead would cost ten times the query, and binding a parameter a third of it.
_CLOCK_SQL = f"SELECT tick FROM {PublicationClock._meta.db_table} WHERE id = {int(CLOCK_ID)}"
_MOVE_SQL = (
    f"UPDATE {PublicationClock._meta.db_table} SET tick = tick + 1 "
    f"WHERE id = {int(CLOCK_ID)} RETURNING tick"
)
# No row when the clock has none yet (a new database): _move_clock() then makes it.
_MOVE_AND_MARK_SQL = (
    f"WITH clock AS ({_MOVE_SQL}) "
    f"INSERT INTO {PublicationScope._meta.db_table} (name, tick) "
    "SELECT name, clock.tick FROM clock, unnest(%s::text[]) AS name "
    "ON CONFLICT (name) DO UPDATE SET tick = EXCLUDED.tick RETURNING tick"
)
# Pages this process cached or fetched lately, oldest first. The shared cache hands back a fresh
# copy of the page on every get (local memory unpickles it, Redis sends it over the wire);
# about a hundred 130 kB pages per process is cheap memory for the pages readers are on.
RECENT_PAGES = 100
_recent = {}
_recent_lock = threading.Lock()  # for threaded servers; reads need none
# Longest time a process trusts the clock it read; also how long a change waits to return.
FRESHNESS = 0.05
_NEVER = (None, float("-inf"))
_seen = _NEVER  # (tick, monotonic time the read started) in this process
_waits = threading.local()  # visible_at: when this thread's last committed change is seen
# The highest tick this process has read or committed, and where every process announces its
# moves: what a page served while the database is unreachable must be at least as new as.
_highest = 0
CLOCK_KEY = "public:clock"
STALE_HEADER = "X-Served-Stale"
# What a database that cannot be reached (down, restarting, connection lost) raises.
UNREACHABLE = (OperationalError, InterfaceError)


def current_tick():
    with connection.cursor() as cursor:
        cursor.execute(_CLOCK_SQL)
        row = cursor.fetchone()
    if row is None:
        PublicationClock.objects.get_or_create(pk=CLOCK_ID)
        return 0
    return row[0]


def known_tick():
    """The clock as this process last read it, read again once FRESHNESS has passed."""
    global _seen
    tick, read_at = _seen
    now = time.monotonic()
    if now - read_at < FRESHNESS:
        return tick
    tick = current_tick()
    previous = _seen[0]
    _seen = (tick, now)  # dated from before the read: the row may have been read at once
    _saw(tick)
    if tick != previous and settings.STALE_IF_ERROR:
        _vouch(tick)
    return tick


def _saw(tick):
    global _highest
    if tick > _highest:
        _highest = tick


def _vouch(tick):
    """A tick just read stands in for a missing CLOCK_KEY (a new or emptied cache)."""
    with suppress(Exception):  # a cache that is down must not fail a page
        cache.add(CLOCK_KEY, tick, None)


def _announce(tick):
    """On commit of a move: the tick goes into the shared cache for stale-if-error."""
    _saw(tick)
    with suppress(Exception):  # a cache that is down must not fail a publish
        if (cache.get(CLOCK_KEY) or 0) < tick:
            cache.set(CLOCK_KEY, tick, None)


SHARED = "shared"


def profile_scope(profile_id):
    return f"profile:{profile_id}"


def advance_clock(profiles=None, **signal_kwargs):
    """Move the clock; call it inside the transaction that changes public content.

    `profiles`: the ids of the profiles whose pages the change concerns; none (the signal's
    empty set for a shared record) makes every page stale.
    """
    global _seen
    deferred = getattr(connection, "publication_clock_deferred", None)
    if deferred is not None:
        deferred.append(frozenset(profiles or ()))
        return
    names = sorted(profile_scope(pk) for pk in profiles) if profiles else [SHARED]
    tick = _move_clock_and_mark(names)
    _seen = _NEVER
    _saw(tick)  # at once: should the transaction roll back, this process is only more careful
    transaction.on_commit(hold_until_seen)
    transaction.on_commit(lambda: _announce(tick))


def _move_clock_and_mark(names):
    """Move the clock and mark the scopes `names` changed at its new tick; returns the tick.
    On PostgreSQL one statement does both."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_MOVE_AND_MARK_SQL, [names])
            row = cursor.fetchone()
        if row is not None:
            return row[0]
    tick = _move_clock()
    PublicationScope.objects.bulk_create(
        [PublicationScope(name=name, tick=tick) for name in names],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["tick"],
        batch_size=1000,
    )
    return tick


def _move_clock():
    """Add one to the clock and return the tick this transaction gave it (the row is ours
    until commit)."""
    if connection.features.can_return_columns_from_insert:  # UPDATE … RETURNING too
        with connection.cursor() as cursor:
            cursor.execute(_MOVE_SQL)
            row = cursor.fetchone()
        if row is not None:
            return row[0]
    elif PublicationClock.objects.filter(pk=CLOCK_ID).update(tick=F("tick") + 1):
        return current_tick()
    PublicationClock.objects.get_or_create(pk=CLOCK_ID, defaults={"tick": 1})
    return current_tick()


def hold_until_seen():
    """Record that this thread's work must not return before every process has seen it."""
    _waits.visible_at = time.monotonic() + FRESHNESS


def wait_until_seen():
    """Sleep until every process has re-read the clock this thread moved, if it moved it."""
    visible_at = getattr(_waits, "visible_at", None)
    if visible_at is None:
        return
    _waits.visible_at = None
    delay = visible_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)


atexit.register(wait_until_seen)  # management commands, shells, importer workers


class PublicationMiddleware:
    """Outermost: a response that follows a change to public pages leaves only once every
    server process will have seen it (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait_until_seen()
        return response


@contextmanager
def clock_advanced_at_end():
    """Inside a transaction: however many changes the block makes, move the clock once, as
    its last statement.

    Updating the clock row locks it until commit. A long transaction (an imported file with
    its edition, profile and sources) that moved it at its first change would hold every
    editor's workflow action and every other import waiting for its whole length, and would
    pay one update per change.
    """
    if getattr(connection, "publication_clock_deferred", None) is not None:
        yield
        return
    connection.publication_clock_deferred = moves = []
    try:
        yield
    finally:
        connection.publication_clock_deferred = None
    if moves:
        # One move for all: of the profiles they concern, or of every page if one did.
        advance_clock(profiles=set().union(*moves) if all(moves) else set())


def page_key(kind, path):
    digest = hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()
    return f"public:page:{TEMPLATE_VERSION}:{kind}:{digest}"


@dataclass
class Entry:
    tick: int  # the clock's tick it shows everything of (rendered at, or checked at since)
    body: bytes
    etag: str
    last_modified: int  # a Unix timestamp
    scopes: tuple = None  # the scopes whose changes make it stale; None: every change
    content_type: str = HTML  # the JSON API's responses are cached the same way
    last_modified_header: str = field(init=False)

    def __post_init__(self):
        self.last_modified_header = http_date(self.last_modified)


def respond(request, entry):
    """The page, or 304 when the client's copy is current."""
    response = None
    if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
        response = get_conditional_response(
            request, etag=entry.etag, last_modified=entry.last_modified
        )
    if response is None:
        response = HttpResponse(entry.body, content_type=entry.content_type)
    response["ETag"] = entry.etag
    response["Last-Modified"] = entry.last_modified_header
    response["Cache-Control"] = CACHE_CONTROL
    return response


def remember(key, entry):
    with _recent_lock:
        _recent.pop(key, None)
        _recent[key] = entry
        while len(_recent) > RECENT_PAGES:
            del _recent[next(iter(_recent))]


def forget_all():
    """Drop every cached page, in this process and in the shared cache."""
    global _seen, _highest
    with _recent_lock:
        _recent.clear()
    _seen, _highest = _NEVER, 0
    cache.clear()


def cached_page(request, kind, build):
    """Serve the page at this path from the cache while nothing it shows has changed;
    otherwise `build()` returns (response, last_modified, profile_id) and a 200 response is
    cached, as depending on the changes of that profile (None: of every profile).

    Last-Modified must grow whenever the bytes change, or a client revalidating with
    If-Modified-Since alone keeps an old page: the newest row time `build()` gives does not
    (withdrawing an edition drops its row, renaming a country touches none). So a new entry's
    Last-Modified is, in whole seconds as HTTP dates carry them:

    - that of the entry it replaces when the bytes are the same, so a page that other
      changes caused to be rendered again still gets 304;
    - otherwise the later of `last_modified` and the time it is rendered, and at least one
      second after the entry it replaces: two versions rendered within one second must not
      share a date, even if the newer one is dated up to a second ahead of the clock.
    """
    key = page_key(kind, request.path)
    try:
        return _cached_page(request, key, build)
    except UNREACHABLE:
        entry = _servable_stale(key)
        if entry is None:
            raise  # monitor.errors answers 503 with Retry-After
        response = respond(request, entry)
        response[STALE_HEADER] = "database unreachable"
        return response


def _servable_stale(key):
    """The cached entry at `key` if nothing may have changed it since, as far as can be known
    without the database (see the module docstring); otherwise None."""
    if not settings.STALE_IF_ERROR:
        return None
    try:
        announced = cache.get(CLOCK_KEY)
        cached = cache.get(key)
    except Exception:  # the cache is down as well
        announced = cached = None
    if announced is None:
        return None  # no move announced (or the key evicted): nothing can be vouched for
    floor = max(announced, _highest)
    for entry in (_recent.get(key), cached):
        if entry is not None and entry.tick >= floor:
            return entry
    return None


def _cached_page(request, key, build):
    tick = known_tick()
    entry = _recent.get(key)
    if entry is not None and (entry.tick == tick or still_current(entry)):
        return respond(request, entry)
    # Another process may have rendered it since; the clock as this process knows it now.
    tick = known_tick()
    cached = cache.get(key)
    newer = cached is not None and (entry is None or cached.tick > entry.tick)
    if newer and (cached.tick == tick or still_current(cached)):
        remember(key, cached)
        return respond(request, cached)
    response, last_modified, profile_id = build()
    if response.status_code != 200:
        return response
    scopes = None if profile_id is None else (SHARED, profile_scope(profile_id))
    # This process's copy stands in for one the shared cache has evicted.
    replaces = (
        cached if cached is not None and (entry is None or cached.tick >= entry.tick) else entry
    )
    entry = new_entry(tick, response.content, last_modified, replaces=replaces, scopes=scopes)
    entry.content_type = response.get("Content-Type", HTML)
    cache.set(key, entry, TIMEOUT)
    remember(key, entry)
    return respond(request, entry)


def still_current(entry):
    """Whether none of the entry's scopes changed since its tick (one query); if so, the entry
    is stamped with the clock's tick, which this process now knows too."""
    global _seen
    if entry.scopes is None:
        return False
    read_at = time.monotonic()
    marks = ", ".join(["%s"] * len(entry.scopes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tick, (SELECT MAX(tick) FROM {PublicationScope._meta.db_table} "
            f"WHERE name IN ({marks})) FROM {PublicationClock._meta.db_table} "
            f"WHERE id = {int(CLOCK_ID)}",
            entry.scopes,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    tick, changed = row
    _saw(tick)
    if read_at > _seen[1]:
        _seen = (tick, read_at)
    # An entry ahead of the clock comes from another database (a restore, a test's flush).
    if entry.tick > tick or (changed is not None and changed > entry.tick):
        return False
    entry.tick = tick
    return True


def new_entry(tick, body, last_modified, replaces, scopes=None):
    etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
    if replaces is not None and replaces.etag == etag:
        modified = replaces.last_modified
    else:
        modified = int(max(last_modified.timestamp(), time.time()))
        if replaces is not None:
            modified = max(modified, replaces.last_modified + 1)
    return Entry(tick=tick, body=body, etag=etag, last_modified=modified, scopes=scopes)
