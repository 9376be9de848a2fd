"""python manage.py import_archive PATH [PATH ...]: import legacy archive documents."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from tqdm import tqdm

from reports.importer.archive import iter_documents
from reports.importer.parallel import DEFAULT_WORKERS
from reports.importer.service import (
    NOT_PROFILE,
    SUCCESSFUL,
    ImportOptions,
    import_documents,
    summarise,
)
from reports.models import Edition

PROGRESS_FROM = 20


class Command(BaseCommand):
    help = (
        "Import legacy archive documents (.txt, .html, .htm, .docx; folders searched recursively; "
        ".zip) into countries, profiles, editions, sections, footnotes and sources. "
        "It runs as the system: no user is recorded, and it may import straight to published."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and report; write nothing."
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print the report as JSON on stdout.",
        )
        parser.add_argument("--country", help="Country of documents that do not name one.")
        parser.add_argument("--year", type=int, help="Report year of documents without a date.")
        parser.add_argument(
            "--state",
            choices=[Edition.State.PUBLISHED, Edition.State.DRAFT],
            default=Edition.State.PUBLISHED,
            help="State of new editions (default: published, as legacy reports are the archive).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=(
                "Processes importing at once on PostgreSQL when there are many files "
                f"(default: {DEFAULT_WORKERS}, one per core); files of one country always "
                "go through one process, in order."
            ),
        )

    def handle(self, *args, paths, dry_run, as_json, country, year, state, workers, **options):
        if year is not None and not 1990 <= year <= 2100:
            raise CommandError(f"--year {year} is not a plausible report year.")
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        documents = list(iter_documents(paths))
        progress = None
        bar = None
        if len(documents) >= PROGRESS_FROM:
            bar = tqdm(total=len(documents), unit="file", file=sys.stderr)
            progress = lambda entry: bar.update(1)  # noqa: E731
        try:
            report = import_documents(
                documents,
                ImportOptions(
                    dry_run=dry_run, state=state, default_country=country, default_year=year
                ),
                progress=progress,
                workers=workers,
            )
        except OperationalError as exc:
            # The database went away (a restart, a lost connection): what was committed stays,
            # and importing the same files again reports those "unchanged".
            raise CommandError(
                f"The import stopped: the database could not be reached ({exc}). "
                "Files imported before that stay imported; run the same import again "
                "to finish it."
            ) from exc
        finally:
            if bar is not None:
                bar.close()
        summary_out = self.stderr if as_json else self.stdout
        if as_json:
            self.stdout.write(dump_json(report))
        else:
            self.write_files(report)
        self.write_summary(summary_out, summarise(report), dry_run)
        failed = sum(entry["status"] not in SUCCESSFUL for entry in report["files"])
        if failed:
            # An archive run is a success only if every file imported or was unchanged.
            raise CommandError(
                f"{failed} of {len(report['files'])} files were not imported.", returncode=1
            )

    def write_files(self, report):
        for entry in report["files"]:
            self.stdout.write(f"{entry['status']:>9}  {entry['path']}")
            if entry["error"]:
                self.stdout.write(f"           {entry['error']}")
            if entry.get("stripped_lines"):
                self.stdout.write(
                    f"           {entry['stripped_lines']} lines of website text left out"
                )
            for profile in entry["profiles"]:
                self.stdout.write(
                    f"           {profile['outcome']} · {profile['country']} · "
                    f"{profile['topic']} · "
                    f"{profile['last_updated']} ({profile['date_from']}) · "
                    f"{len(profile['sections'])} sections · "
                    f"{len(profile['footnotes'])} footnotes"
                )
                for warning in profile["warnings"]:
                    self.stdout.write(f"           line {warning['line']}: {warning['message']}")

    def write_summary(self, out, summary, dry_run):
        columns = (
            ["parsed", "rejected", NOT_PROFILE, "warnings"]
            if dry_run
            else ["imported", "unchanged", "updated", "rejected", NOT_PROFILE, "warnings"]
        )
        out.write(" | ".join(f"{name:>9}" for name in columns))
        out.write(" | ".join(f"{summary[name]:>9}" for name in columns))


def dump_json(report):
    return json.dumps(report, ensure_ascii=False, indent=2)
