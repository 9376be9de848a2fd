"""Cached, revalidatable public pages of published editions.

A published edition never changes, so the HTML of its pages is rendered once and kept in
Django's cache framework (local memory by default, Redis when CACHE_URL says so), under its
kind, its path and ``TEMPLATE_VERSION``.

Each entry remembers the tick of the publication clock (``reports.models.PublicationClock``)
it was rendered at, and is served only while the clock still shows that tick. The clock moves
inside the very transaction that changes anything a public page shows: every workflow
transition (it writes an EditionEvent), any save or delete of a published, superseded or
withdrawn edition (importer updates included), and any change to a country, topic, report,
profile or source (see ``reports.signals``). So after such an action returns, no process,
whatever cache it uses, serves the old page; and a page rendered from data read before a
commit is stored under the old tick and never read again.

Serving a cached page costs one raw one-row read and, for the pages a process served
lately, not even a cache get: it keeps those entries in memory (``_recent``) and trusts them
by the same rule, only while the clock still shows their tick. Every entry carries a strong
ETag (a hash of its bytes) and Last-Modified (the newest edition time it shows); a
revalidation with If-None-Match or If-Modified-Since gets 304.
"""

import hashlib
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from .models import PublicationClock

TEMPLATE_VERSION = "2026-11-23.3"
TIMEOUT = 7 * 24 * 3600
CACHE_CONTROL = "public, max-age=0, must-revalidate"
CLOCK_ID = 1
# A raw read with the id written in: it runs for every page served from the cache, where the
# ORM's own overhead would cost ten times the query, and binding a parameter a third of it.
_CLOCK_SQL = f"SELECT tick FROM {PublicationClock._meta.db_table} WHERE id = {int(CLOCK_ID)}"
# Pages this process cached or fetched lately, oldest first. The shared cache hands back a fresh
# copy of the page on every get (local memory unpickles it, Redis sends it over the wire);
# about a hundred 130 kB pages per process is cheap memory for the pages readers are on.
RECENT_PAGES = 100
_recent = {}
_recent_lock = threading.Lock()  # for threaded servers; reads need none


def current_tick():
    with connection.cursor() as cursor:
        cursor.execute(_CLOCK_SQL)
        row = cursor.fetchone()
    if row is None:
        PublicationClock.objects.get_or_create(pk=CLOCK_ID)
        return 0
    return row[0]


def advance_clock(**signal_kwargs):
    """Move the clock; call it inside the transaction that changes public content."""
    deferred = getattr(connection, "publication_clock_deferred", None)
    if deferred is not None:
        deferred.append(True)
        return
    if not PublicationClock.objects.filter(pk=CLOCK_ID).update(tick=F("tick") + 1):
        PublicationClock.objects.get_or_create(pk=CLOCK_ID, defaults={"tick": 1})


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
        advance_clock()


def page_key(kind, path):
    digest = hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()
    return f"public:page:{TEMPLATE_VERSION}:{kind}:{digest}"


@dataclass
class Entry:
    tick: int
    body: bytes
    etag: str
    last_modified: int  # a Unix timestamp
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
        response = HttpResponse(entry.body, content_type="text/html; charset=utf-8")
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
    with _recent_lock:
        _recent.clear()
    cache.clear()


def cached_page(request, kind, build):
    """Serve the page at this path from the cache while the clock has not moved; otherwise
    `build()` returns (response, last_modified) and a 200 response is cached."""
    key = page_key(kind, request.path)
    tick = current_tick()
    entry = _recent.get(key)
    if entry is not None and entry.tick == tick:
        return respond(request, entry)
    entry = cache.get(key)
    if entry is None or entry.tick != tick:
        response, last_modified = build()
        if response.status_code != 200:
            return response
        body = response.content
        entry = Entry(
            tick=tick,
            body=body,
            etag='"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"',
            last_modified=int(last_modified.timestamp()),
        )
        cache.set(key, entry, TIMEOUT)
    remember(key, entry)
    return respond(request, entry)
