"""Write the whole database to one file (see monitor.backup).

.venv/bin/python manage.py backup var/backups/monitor.dump
"""

from django.core.management.base import BaseCommand

from monitor.backup import backup


class Command(BaseCommand):
    help = "Back the whole database up into one file (pg_dump or SQLite's online backup)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        self.stdout.write(f"Backed up to {backup(path)}.")
