"""Publish approved editions whose scheduled time has come.

Safe to run every minute from cron, and twice at once: each edition is claimed with
SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL), so no edition is published twice.

    * * * * *  cd /srv/monitor && .venv/bin/python manage.py publish_scheduled
"""

from django.core.management.base import BaseCommand

from reports.editions import workflow


class Command(BaseCommand):
    help = "Publish approved editions whose scheduled publication time has passed."

    def handle(self, *args, **options):
        published = workflow.publish_due()
        for edition in published:
            self.stdout.write(f"Published {edition.profile} (edition #{edition.pk}).")
        if options["verbosity"] > 1 or published:
            self.stdout.write(f"{len(published)} edition(s) published.")
