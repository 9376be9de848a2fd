"""Fixtures of the public site's browser tests: the seed profile, where screenshots go."""

import datetime
import os
from pathlib import Path

import pytest

from reports.importer.archive import Document
from reports.importer.service import ImportOptions, import_documents
from reports.models import Country, TreatyStatus
from tests.builders import make_treaty_status
from tests.conftest import SEEDS

SEED_003 = "003_fa6237349ec68be0.txt"


@pytest.fixture
def seed_003():
    report = import_documents(
        [Document(SEED_003, raw=(SEEDS / SEED_003).read_bytes())], ImportOptions()
    )
    assert [entry["status"] for entry in report["files"]] == ["imported"], report
    country = Country.objects.get(slug="kyrgyzstan")
    country.region = "Europe and Central Asia"
    country.save()
    make_treaty_status(
        country,
        status=TreatyStatus.Status.STATE_PARTY,
        signed_on=datetime.date(1997, 12, 3),
        consent_on=datetime.date(2020, 8, 14),
        consent_by=TreatyStatus.Consent.ACCESSION,
    )
    make_treaty_status(country, treaty=TreatyStatus.Treaty.CCW)


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, path):
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000, path
