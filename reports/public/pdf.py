"""An edition as a PDF: its page as printed (the print stylesheet: @page margins, no
navigation, notes in full, the address and date), made on the server by WeasyPrint and cached
like the page itself (reports.public.pagecache).

WeasyPrint reads the page's stylesheet from the static files on disk and the edition's figures
from storage, never over the network: the server would otherwise fetch from itself, and content
could make it fetch elsewhere.

WeasyPrint needs the system's Pango library (Debian: libpango-1.0-0, which chromium brings
too); it is imported on the first PDF asked for, so that a server without it still serves
every other page.
"""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse


def _static_file(path):
    """The file on disk behind a /static/… path (hashed names included), or None."""
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix):
        return None
    name = path[len(prefix) :]
    try:
        stored = Path(staticfiles_storage.path(name))
        if stored.is_file():
            return stored
    except NotImplementedError:
        pass
    found = finders.find(name)
    return Path(found) if found else None


def _figure_file(path):
    """The stored image behind a figure's address, when its edition is readable, or None."""
    from django.urls import Resolver404, resolve

    from ..editions.states import READABLE
    from ..models import Figure

    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "public:figure":
        return None
    row = (
        Figure.objects.filter(
            pk=match.kwargs["figure_id"],
            edition__state__in=READABLE,
            edition__profile__country__slug=match.kwargs["country"],
            edition__profile__topic__slug=match.kwargs["topic"],
        )
        .only("image", "width", "height")
        .first()
    )
    return row.image if row is not None else None


def local_fetch(url):
    """Static files from disk and the figures of published editions from storage; nothing
    else is fetched (ValueError: WeasyPrint leaves the resource out with a warning)."""
    from weasyprint.urls import URLFetcherResponse

    from ..attachments import content_type

    path = urlsplit(url).path
    found = _static_file(path)
    if found is not None:
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": kind})
    image = _figure_file(path)
    if image is None:
        raise ValueError(f"Not fetched for a PDF: {url}")
    with image.storage.open(image.name, "rb") as stored:
        body = stored.read()
    return URLFetcherResponse(url, body, {"Content-Type": content_type(image.name)})


def _fetcher():
    """WeasyPrint's url_fetcher: since WeasyPrint 66 an URLFetcher (a plain function fails
    when it refuses a URL), which only fetches locally (local_fetch)."""
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            return local_fetch(url)

    return LocalOnly()


def pdf_response(request, page):
    """`page` (the HTML response of an edition) as a PDF."""
    import weasyprint

    document = weasyprint.HTML(
        string=page.content.decode(),
        base_url=request.build_absolute_uri("/"),
        url_fetcher=_fetcher(),
    )
    return HttpResponse(document.write_pdf(), content_type="application/pdf")
