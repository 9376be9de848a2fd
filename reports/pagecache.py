"""Cached, revalidatable public pages of published editions.

A published edition never changes, so the HTML of its pages is rendered once and kept in
Django's cache framework (local memory by default, Redis when CACHE_URL says so).

The scheme never serves a page stale, without depending on who changes an edition or how
(workflow service, importer, admin, queryset updates that send no signals):

* Each cached page is looked up by a key built from **what the page shows**, read in the one
  query the view makes anyway: the id, state, version and ``updated_at`` of every readable
  (published or superseded) edition of the profile, plus ``TEMPLATE_VERSION``. Publishing
  changes the current edition (new id) and supersedes the old one (its state and updated_at
  change); withdrawing takes the edition out of the readable set (the view then finds no
  current edition and answers 404); an importer update bumps ``version``. Any of these yields
  a new key, so the old entry is simply never read again and expires.
* Things a page shows that live outside the editions (country and topic names, source titles,
  reports) are covered by a **generation** token stored in the cache. Saving or deleting one of
  those models replaces the token (see ``reports.signals``); an entry made under another token
  is ignored. The token and the entry are read in one ``get_many`` round trip. If the token is
  evicted a new random one is made, which invalidates everything rather than nothing.
* ``TEMPLATE_VERSION`` is bumped when the templates or the renderer change shape.

Every cached page carries a strong ETag (a hash of its bytes) and Last-Modified (the newest
``updated_at`` of the editions it shows); a revalidation with If-None-Match or
If-Modified-Since gets 304 without rendering anything.
"""

import hashlib
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

TEMPLATE_VERSION = "2026-11-23.1"
GENERATION_KEY = "public:generation"
TIMEOUT = 7 * 24 * 3600
CACHE_CONTROL = "public, max-age=0, must-revalidate"


def page_key(kind, signature):
    digest = hashlib.sha1(signature.encode(), usedforsecurity=False).hexdigest()
    return f"public:page:{TEMPLATE_VERSION}:{kind}:{digest}"


def signature_of(rows, *extra):
    """A string naming the state of `rows` (edition dicts with id, state, version, updated_at)."""
    parts = [
        f"{row['id']}.{row['state']}.{row['version']}.{row['updated_at'].timestamp()}"
        for row in rows
    ]
    return "|".join([*map(str, extra), *parts])


def new_generation():
    return uuid.uuid4().hex


def bump_generation(**kwargs):
    """Invalidate every cached page (used by signal receivers; accepts their arguments)."""
    cache.set(GENERATION_KEY, new_generation(), None)


@dataclass
class Entry:
    generation: str
    body: bytes
    etag: str
    last_modified: int  # a Unix timestamp


def lookup(key):
    """(entry or None, current generation) in one cache round trip."""
    values = cache.get_many([GENERATION_KEY, key])
    generation = values.get(GENERATION_KEY)
    if generation is None:
        generation = new_generation()
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY) or generation
        return None, generation
    entry = values.get(key)
    if entry is not None and entry.generation == generation:
        return entry, generation
    return None, generation


def store(key, generation, body, last_modified):
    entry = Entry(
        generation=generation,
        body=body,
        etag='"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"',
        last_modified=int(last_modified.timestamp()),
    )
    cache.set(key, entry, TIMEOUT)
    return entry


def respond(request, entry):
    """The page, or 304 when the client's copy is current."""
    response = get_conditional_response(request, etag=entry.etag, last_modified=entry.last_modified)
    if response is None:
        response = HttpResponse(entry.body, content_type="text/html; charset=utf-8")
    response["ETag"] = entry.etag
    response["Last-Modified"] = http_date(entry.last_modified)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def cached_page(request, kind, signature, last_modified, render):
    """Serve the page named by `signature` from the cache, rendering it with `render()` (which
    returns an HttpResponse) on a miss."""
    key = page_key(kind, signature)
    entry, generation = lookup(key)
    if entry is None:
        response = render()
        if response.status_code != 200:
            return response
        entry = store(key, generation, response.content, last_modified)
    return respond(request, entry)
