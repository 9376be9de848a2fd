import json
from pathlib import Path

from django.core.management.base import BaseCommand

from profiles.loading import create_profile_page


class Command(BaseCommand):
    help = "Publish a ProfilePage at /<slug>/ from a content JSON file (bench/content.py's shape)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("content", type=Path)

    def handle(self, slug, content, **options):
        page = create_profile_page(slug, json.loads(content.read_text()))
        self.stdout.write(page.url_path)
