"""Collect archive documents from files, folders and zip files, within safe limits."""

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

DOCUMENT_SUFFIXES = {".txt", ".html", ".htm", ".docx"}


@dataclass
class Document:
    path: str
    raw: bytes | None = None
    error: str | None = None


def limits():
    return {
        "files": getattr(settings, "IMPORT_MAX_FILES", 5000),
        "file_bytes": getattr(settings, "IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024),
        "total_bytes": getattr(settings, "IMPORT_MAX_TOTAL_BYTES", 200 * 1024 * 1024),
    }


class ArchiveRefused(Exception):
    """The whole input is refused (too large, too many files, unsafe paths)."""


def iter_documents(paths):
    """Yield a Document for every importable file under the given paths, in a stable order."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in DOCUMENT_SUFFIXES:
                    yield read_file(child)
                elif child.suffix.lower() == ".zip":
                    yield from read_zip_path(child)
        elif path.suffix.lower() == ".zip":
            yield from read_zip_path(path)
        elif not path.exists():
            yield Document(str(path), error="No such file.")
        elif path.suffix.lower() not in DOCUMENT_SUFFIXES:
            yield Document(
                str(path), error="Not an archive document (.txt, .html, .htm, .docx or .zip)."
            )
        else:
            yield read_file(path)


def read_file(path):
    size = path.stat().st_size
    if size > limits()["file_bytes"]:
        return Document(str(path), error=f"File too large ({size:,} bytes).")
    return Document(str(path), raw=path.read_bytes())


def read_zip_path(path):
    try:
        with zipfile.ZipFile(path) as archive:
            return list(read_zip(archive, str(path)))
    except ArchiveRefused as refused:
        return [Document(str(path), error=str(refused))]
    except (zipfile.BadZipFile, OSError) as exc:
        return [Document(str(path), error=f"Not a readable zip file: {exc}.")]


def read_zip(archive, display_name):
    """Documents inside an open zip, refusing the whole zip when it breaks a limit."""
    limit = limits()
    members = [info for info in archive.infolist() if not info.is_dir()]
    for info in members:
        name = PurePosixPath(info.filename)
        if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
            raise ArchiveRefused(f"Unsafe path in zip: {info.filename!r}.")
    documents = [
        info for info in members if PurePosixPath(info.filename).suffix.lower() in DOCUMENT_SUFFIXES
    ]
    if len(documents) > limit["files"]:
        raise ArchiveRefused(
            f"Too many documents in zip ({len(documents):,}; the limit is {limit['files']:,})."
        )
    declared = sum(info.file_size for info in documents)
    if declared > limit["total_bytes"]:
        raise ArchiveRefused(
            f"Zip contents too large ({declared:,} bytes; the limit is {limit['total_bytes']:,})."
        )
    total = 0
    for info in documents:
        path = f"{display_name}/{info.filename}"
        if info.file_size > limit["file_bytes"]:
            yield Document(path, error=f"File too large ({info.file_size:,} bytes).")
            continue
        with archive.open(info) as member:
            # Read one byte past the declared size: a zip that lies about sizes is refused.
            raw = member.read(limit["file_bytes"] + 1)
        total += len(raw)
        if len(raw) > limit["file_bytes"] or total > limit["total_bytes"]:
            raise ArchiveRefused("Zip contents larger than declared; refused.")
        yield Document(path, raw=raw)
