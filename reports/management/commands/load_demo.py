"""Load the demo data set and the demo users for a first run (safe to run again)."""

import datetime
import io
import json
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from monitor.roles import EDITOR, PUBLISHER, RESEARCHER
from reports.editions.freeze import lifecycle
from reports.models import Chapter, Country, Edition, Figure, Profile, Report, Topic, TreatyStatus
from sources.models import Citation, Source

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"

# Development passwords only: the command refuses to run with DEBUG off unless forced.
DEMO_USERS = [
    ("researcher", "researcher-demo", RESEARCHER, False),
    ("editor", "editor-demo", EDITOR, False),
    ("publisher", "publisher-demo", PUBLISHER, False),
    ("admin", "admin-demo", None, True),
]


# The demonstration report's chapters about no one country (written for the demo).
DEMO_CHAPTERS = (
    ("Landmine Monitor", 2024),
    [
        (
            "Major Findings",
            "This chapter stands for the findings a yearly report opens with. Its text is "
            "written for the demonstration and reports nothing real.\n\n"
            "• Every profile of the report passed review before publication.\n"
            "• Each finding would cite the profiles it draws on.",
        ),
        (
            "Ban Policy",
            "A chapter on the treaty as a whole, beside the country profiles: how many states "
            "joined it, and what the meetings of States Parties decided.\n\n"
            "Chapters are edited by editors in the admin and shown once the report is public.",
        ),
    ],
)


def demo_pdf(title):
    """A one-page PDF of our own making, written by hand (no library needed)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def demo_map():
    """A small PNG standing for a map (shapes, no real data)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 300), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    draw.polygon([(60, 60), (300, 40), (420, 160), (260, 260), (80, 220)], fill=(200, 214, 190))
    for x, y in [(150, 120), (230, 170), (320, 130)]:
        draw.ellipse([x - 14, y - 14, x + 14, y + 14], fill=(190, 60, 50))
    draw.text((20, 272), "Demonstration map: no real data", fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


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
        self.create_attachments(reports)
        return True

    def create_attachments(self, reports):
        """The demonstration report's chapters and PDF, and a map on one of its profiles."""
        key, chapters = DEMO_CHAPTERS
        report = reports[key]
        for position, (title, body) in enumerate(chapters, start=1):
            Chapter.objects.create(
                report=report, position=position, title=title, body=body, published=True
            )
        report.pdf.save(
            f"{report.series_slug}-{report.year}.pdf", ContentFile(demo_pdf(report.title))
        )
        edition = report.editions.filter(state=Edition.State.PUBLISHED).order_by("id").first()
        if edition is not None:
            figure = Figure(
                edition=edition,
                position=1,
                alt_text="Demonstration map: three marked areas inside one region",
                caption="Demonstration map. The shapes stand for no real place.",
            )
            figure.image = ContentFile(demo_map(), name="demo-map.png")
            figure.save()

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
