from django.core.management.base import BaseCommand, CommandError

from reports.tabular import EXPORTABLE, FORMATS, format_of


class Command(BaseCommand):
    help = "Export a table (countries, topics, reports, sources, treaty statuses, footnotes, "
    "the current editions' overview facts) as CSV, XLSX or JSON."

    def add_arguments(self, parser):
        parser.add_argument("table", choices=sorted(EXPORTABLE))
        parser.add_argument("--format", choices=sorted(FORMATS), default=None)
        parser.add_argument(
            "--output", "-o", help="File to write (default: standard output; not for XLSX)."
        )

    def handle(self, table, format=None, output=None, **options):
        try:
            file_format = format_of(output or "", format or ("csv" if not output else None))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        dataset = EXPORTABLE[table]().export()
        data = file_format.export_data(dataset)
        if output is None:
            if file_format.is_binary():
                raise CommandError("XLSX is written to a file: give --output.")
            self.stdout.write(data, ending="")
            return
        mode = "wb" if file_format.is_binary() else "w"
        with open(output, mode, **({} if file_format.is_binary() else {"encoding": "utf-8"})) as f:
            f.write(data)
        self.stderr.write(f"{len(dataset)} row(s) of {table} written to {output}.")
