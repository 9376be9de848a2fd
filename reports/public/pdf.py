"""An edition as a PDF: its page as printed (the print stylesheet: @page margins, no
navigation, notes in full, the address and date), made on the server by WeasyPrint and cached
like the page itself (reports.public.pagecache).

WeasyPrint reads the page's stylesheet from the static files on disk, never over the network:
the server would otherwise fetch from itself, and content could make it fetch elsewhere.

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


def local_only(url, *args, **kwargs):
    """WeasyPrint's url_fetcher: static files from disk; nothing else is fetched."""
    from weasyprint.urls import URLFetcherResponse

    found = _static_file(urlsplit(url).path)
    if found is None:
        raise ValueError(f"Not fetched for a PDF: {url}")
    content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": content_type})


def pdf_response(request, page):
    """`page` (the HTML response of an edition) as a PDF."""
    import weasyprint

    document = weasyprint.HTML(
        string=page.content.decode(),
        base_url=request.build_absolute_uri("/"),
        url_fetcher=local_only,
    )
    return HttpResponse(document.write_pdf(), content_type="application/pdf")
