"""Replace the whole database with a backup (see monitor.backup). Stop the servers first.

.venv/bin/python manage.py restore var/backups/monitor.dump --yes
"""

from django.core.management.base import BaseCommand, CommandError

from monitor.backup import restore


class Command(BaseCommand):
    help = "Replace the whole database with the content of a backup file."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--yes", action="store_true", help="Replace the database without asking."
        )

    def handle(self, *args, path, yes, **options):
        if not yes and input("Replace the whole database with this backup? [y/N] ") != "y":
            raise CommandError("Nothing restored.")
        try:
            restore(path)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored from {path}.")
