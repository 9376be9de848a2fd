"""Files attached to reports (the report's PDF) and to editions (maps and other figures).

Stored through Django's storage API (STORAGES["default"]) under a random folder, so a stored
name says nothing and cannot be guessed: the public site serves them only through views that
check that what holds them is published (reports.public.files). A stored file never changes:
replacing one uploads a new file, and a draft copied from a published edition points at the
same files as it.

Uploads are checked by what they hold, not by what they are called: the extension must match
the first bytes (a PDF's "%PDF-", a PNG's or a JPEG's signature), and nothing larger than
settings.ATTACHMENT_MAX_MB is taken. SVG is refused: it can carry script, and a map exported as
PNG shows the same.
"""

import secrets
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename, slugify

# kind: (content type, extensions, signatures at the start of the file)
KINDS = {
    "pdf": ("application/pdf", (".pdf",), (b"%PDF-",)),
    "png": ("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
}
REFUSED = {
    ".svg": "SVG files are not accepted (they can carry script): export the map as PNG.",
    ".svgz": "SVG files are not accepted (they can carry script): export the map as PNG.",
}
NAME_LENGTH = 80


def content_type(name):
    """The content type a stored file is served with, from its (checked) extension."""
    suffix = PurePosixPath(name).suffix.lower()
    for mime, extensions, _ in KINDS.values():
        if suffix in extensions:
            return mime
    return "application/octet-stream"


def readable_size(size):
    """ "2.3 MB", "840 kB": a file's size as a download link gives it."""
    if size is None:
        return ""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"


@deconstructible
class AttachmentPath:
    """upload_to: ``attachments/<folder>/<random>/<the file's own name, made safe>``."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        path = PurePosixPath(filename.replace("\\", "/"))
        stem = slugify(path.stem)[:NAME_LENGTH] or "file"
        name = get_valid_filename(f"{stem}{path.suffix.lower()}")
        return f"attachments/{self.folder}/{secrets.token_urlsafe(18)}/{name}"

    def __eq__(self, other):
        return isinstance(other, AttachmentPath) and other.folder == self.folder


@deconstructible
class FileKindValidator:
    """Accepts a new upload of one of `kinds` (keys of KINDS) within the size limit. A file
    already stored was checked when it came and is not read again."""

    def __init__(self, *kinds):
        self.kinds = kinds

    def __call__(self, value):
        if not value or getattr(value, "_committed", True):
            return
        limit = settings.ATTACHMENT_MAX_MB * 1_000_000
        if value.size > limit:
            raise ValidationError(
                f"This file is {readable_size(value.size)}; the limit is "
                f"{settings.ATTACHMENT_MAX_MB} MB.",
                code="too_large",
            )
        suffix = PurePosixPath(value.name).suffix.lower()
        if suffix in REFUSED:
            raise ValidationError(REFUSED[suffix], code="refused_type")
        accepted = [KINDS[kind] for kind in self.kinds]
        names = ", ".join(kind.upper() for kind in self.kinds)
        kind = next((k for k in accepted if suffix in k[1]), None)
        if kind is None:
            raise ValidationError(
                f"Only {names} files are accepted here (this one ends in “{suffix or 'nothing'}”).",
                code="refused_type",
            )
        value.seek(0)
        head = value.read(16)
        value.seek(0)
        if not head.startswith(kind[2]):
            raise ValidationError(
                f"This file is called {suffix[1:].upper()} but does not hold one: "
                f"only {names} files are accepted here.",
                code="wrong_content",
            )

    def __eq__(self, other):
        return isinstance(other, FileKindValidator) and other.kinds == self.kinds


class CheckedImageField(forms.ImageField):
    """The form field of an image attachment: a refused kind (SVG) is named as such before
    Pillow is asked whether the file is an image at all."""

    def to_python(self, data):
        suffix = PurePosixPath(getattr(data, "name", "") or "").suffix.lower()
        if suffix in REFUSED:
            raise ValidationError(REFUSED[suffix], code="refused_type")
        return super().to_python(data)
