"""Load the demo data set and the demo users for a first run (safe to run again)."""

import datetime
import json
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from monitor.roles import EDITOR, PUBLISHER, RESEARCHER
from reports.editions.freeze import lifecycle
from reports.models import Country, Edition, Profile, Report, Topic, TreatyStatus
from sources.models import Citation, Source

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"

# Development passwords only: the command refuses to run with DEBUG off unless forced.
DEMO_USERS = [
    ("researcher", "researcher-demo", RESEARCHER, False),
    ("editor", "editor-demo", EDITOR, False),
    ("publisher", "publisher-demo", PUBLISHER, False),
    ("admin", "admin-demo", None, True),
]


def parse_date(value):
    return datetime.date.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = "Load demo countries, topics, reports, sources and profiles, and create demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (creates known logins).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            self.stderr.write("Refusing to create demo logins with DEBUG off; use --force.")
            return
        data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        with transaction.atomic(), reversion.create_revision(), lifecycle():
            reversion.set_comment("Demo data")
            created = self.load_content(data)
            self.create_users()
        if created:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present; left as it is.")
        self.stdout.write("Demo logins (development only):")
        for username, password, role, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {password:<16} {role or 'superuser'}")

    def load_content(self, data):
        if Profile.objects.exists():
            return False
        topics = {item["name"]: Topic.objects.create(**item) for item in data["topics"]}
        countries = {}
        for item in data["countries"]:
            countries[item["name"]] = Country.objects.create(
                **{**item, "aliases": "\n".join(item["aliases"])}
            )
        reports = {}
        for item in data["reports"]:
            report = Report.objects.create(
                series=item["series"],
                year=item["year"],
                release_date=parse_date(item.get("release_date")),
                state=item["state"],
                overview=item.get("overview", ""),
                key_findings="\n".join(item.get("key_findings", [])),
            )
            reports[(report.series, report.year)] = report
        for item in data["treaty_statuses"]:
            TreatyStatus.objects.create(
                **{
                    **item,
                    "country": countries[item["country"]],
                    "signed_on": parse_date(item.get("signed_on")),
                    "consent_on": parse_date(item.get("consent_on")),
                }
            )
        sources = {}
        for key, item in data["sources"].items():
            report = item.get("report")
            sources[key] = Source.objects.create(
                **{
                    **item,
                    "date": parse_date(item.get("date")),
                    "report": reports[tuple(report)] if report else None,
                    "identity_key": f"demo:{key}",
                }
            )
        for item in data["profiles"]:
            profile = Profile.objects.create(
                country=countries[item["country"]], topic=topics[item["topic"]]
            )
            for edition_data in item["editions"]:
                self.create_edition(profile, edition_data, reports, sources)
        return True

    def create_edition(self, profile, data, reports, sources):
        last_updated = parse_date(data.get("last_updated"))
        published = data["state"] in (Edition.State.PUBLISHED, Edition.State.SUPERSEDED)
        edition = Edition.objects.create(
            profile=profile,
            report=reports[tuple(data["report"])],
            state=data["state"],
            last_updated=last_updated,
            summary=data["summary"],
            published_at=(
                datetime.datetime.combine(last_updated, datetime.time(12), datetime.UTC)
                if published
                else None
            ),
        )
        for position, (label, value) in enumerate(data["overview"], start=1):
            edition.overview_facts.create(position=position, label=label, value=value)
        for position, section in enumerate(data["sections"], start=1):
            edition.sections.create(position=position, **section)
        for note in data["footnotes"]:
            footnote = edition.footnotes.create(number=note["number"], text=note["text"])
            Citation.objects.bulk_create(
                Citation(footnote=footnote, source=sources[key], locator=locator, position=index)
                for index, (key, locator) in enumerate(note["cites"])
            )

    def create_users(self):
        User = get_user_model()
        for username, password, role, is_superuser in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            user.is_staff = True
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
