from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports import treaties
from reports.models import TreatyStatus


class Command(BaseCommand):
    help = (
        "Import a treaty status list in the Monitor's notation (“Andorra 9 Apr 13 (a)”, "
        "“Afghanistan 3 Dec 08; 8 Sep 11”), one country a line; a bad line writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("treaty", choices=TreatyStatus.Treaty.values)
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--user", help="Who imports (recorded); default: the system.")

    def handle(self, treaty, path, dry_run=False, user=None, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user!r}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file {path}.")
        lines = treaties.import_list(
            file.read_text("utf-8-sig"), treaty, actor, file.name, dry_run=dry_run
        )
        bad = [line for line in lines if line.error]
        for line in bad:
            self.stderr.write(f"Line {line.number}: {line.text}: {line.error}")
        if bad:
            raise CommandError(f"Nothing was imported: {len(bad)} bad line(s) in {path}.")
        done = "would be imported (dry run)" if dry_run else "imported"
        self.stdout.write(f"{len(lines)} treaty status(es) {done} from {file.name}.")
