from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports.tabular import FORMATS, IMPORTABLE, format_of, row_problems


class Command(BaseCommand):
    help = (
        "Import a table from a CSV, XLSX or JSON file: every row is validated, a file with a "
        "bad row writes nothing (each bad row is reported), and a file that imports is one "
        "revision “Imported from <file>” and one audit entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("table", choices=sorted(IMPORTABLE))
        parser.add_argument("path")
        parser.add_argument("--format", choices=sorted(FORMATS), default=None)
        parser.add_argument("--dry-run", action="store_true", help="Check, write nothing.")
        parser.add_argument("--user", help="Who imports (recorded); default: the system.")

    def handle(self, table, path, format=None, dry_run=False, user=None, **options):
        try:
            file_format = format_of(path, format)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user!r}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file {path}.")
        raw = file.read_bytes() if file_format.is_binary() else file.read_text("utf-8-sig")
        try:
            dataset = file_format.create_dataset(raw)
        except Exception as exc:  # noqa: BLE001 - any parser's complaint about the file
            raise CommandError(
                f"{path} is not a readable {file_format.get_title()} file: {exc}"
            ) from exc
        result = IMPORTABLE[table]().import_data(
            dataset, dry_run=dry_run, user=actor, file_name=file.name
        )
        problems = list(row_problems(result))
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Nothing was imported: {len(problems)} problem(s) in {path}.")
        totals = ", ".join(f"{count} {kind}" for kind, count in result.totals.items() if count)
        done = "would be imported (dry run)" if dry_run else "imported"
        self.stdout.write(f"{file.name} {done}: {totals or 'no rows'}.")
