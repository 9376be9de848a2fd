"""How much work one import may ask for, counted in what parsing costs, not only in bytes.

A 720 kB zip of forty 5 MB text files passed every byte limit and took 954 MB and 3.5 minutes
to parse. Parsing costs by characters, lines and footnote markers, so each document is refused
(with the reason, nothing written) past any of:

IMPORT_MAX_DOCUMENT_CHARS    characters of one document (default 2,000,000; a long country
                             report of the archive has about 300,000)
IMPORT_MAX_DOCUMENT_LINES    its lines (default 40,000)
IMPORT_MAX_DOCUMENT_MARKERS  its footnote markers, counted as "[" (default 20,000)

and an import in the admin parses (preview, then confirmation) within the web request only up
to IMPORT_MAX_REQUEST_CHARS characters in all (default 1,000,000): a larger upload is handed to
the task queue's worker (reports.importer.tasks) and followed on a progress page.
"""

from django.conf import settings


def _limit(name, default):
    return getattr(settings, name, default)


def document_refusal(raw):
    """Why a document (its bytes) is too costly to parse, or None. Counted on the bytes, as
    decoding is itself part of the cost: a character is at least one byte."""
    if raw is None:
        return None
    checks = [
        (len(raw), _limit("IMPORT_MAX_DOCUMENT_CHARS", 2_000_000), "characters"),
        (raw.count(b"\n") + 1, _limit("IMPORT_MAX_DOCUMENT_LINES", 40_000), "lines"),
        (raw.count(b"["), _limit("IMPORT_MAX_DOCUMENT_MARKERS", 20_000), "footnote markers"),
    ]
    for count, limit, what in checks:
        if count > limit:
            return (
                f"Too large to import: more than {limit:,} {what} (about {count:,}). "
                "Split the document."
            )
    return None


def in_background(documents):
    """Whether these documents are too much to parse within a web request."""
    total = sum(len(document.raw or b"") for document in documents)
    return total > _limit("IMPORT_MAX_REQUEST_CHARS", 1_000_000)
