"""The tables that can be exported and imported, by the name the commands use."""

from import_export.formats.base_formats import CSV, JSON, XLSX

from sources.resources import FootnoteResource, SourceResource

from .resources import (
    CountryResource,
    OverviewFactResource,
    ReportResource,
    TopicResource,
    TreatyStatusResource,
)

IMPORTABLE = {
    "countries": CountryResource,
    "topics": TopicResource,
    "reports": ReportResource,
    "sources": SourceResource,
    "treaty-statuses": TreatyStatusResource,
}
EXPORT_ONLY = {"footnotes": FootnoteResource, "overview-facts": OverviewFactResource}
EXPORTABLE = {**IMPORTABLE, **EXPORT_ONLY}
FORMATS = {"csv": CSV, "xlsx": XLSX, "json": JSON}


def format_of(path, given=None):
    """The format named, or the one the file's extension says."""
    name = (given or path.rsplit(".", 1)[-1]).lower()
    if name not in FORMATS:
        raise ValueError(f"Unknown format {name!r}: use one of {', '.join(FORMATS)}.")
    return FORMATS[name]()


def row_problems(result):
    """Every problem of an import, one line each, with its row number."""
    for row in result.invalid_rows:
        for field, messages in row.error_dict.items():
            where = "" if field == "__all__" else f"{field}: "
            for message in messages:
                yield f"Row {row.number}: {where}{message}"
    for number, errors in result.row_errors():
        for error in errors:
            yield f"Row {number}: {error.error}"
    for error in result.base_errors:
        yield f"File: {error.error}"
