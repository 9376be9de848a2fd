"""What a first run relies on: settings from the environment, demo data, clean migrations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from reports.models import Edition, Figure, Profile, Report
from sources.models import Source

PROJECT = Path(__file__).resolve().parents[1]


def run_check(env_overrides, *args):
    # Only what a fresh shell has: the suite's own settings must not leak into the check.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_check({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_check(
        {
            "SECRET_KEY": "x" * 30 + "production-like-secret-key-value-0123456789",
            "ALLOWED_HOSTS": "monitor.example.org",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_demo_data_loads_once_with_working_logins(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")

    output = capsys.readouterr().out
    assert "already present" in output
    assert Profile.objects.count() == 4
    assert Edition.objects.public().count() == 4
    shared = Source.objects.get(identity_key="demo:unga-78-34")
    assert shared.citations.count() == 3  # two published profiles and a draft cite it
    for username, password in [("researcher", "researcher-demo"), ("admin", "admin-demo")]:
        assert f"{username}" in output and password in output
        # Login throttling (django-axes) counts by the request's address: logins carry one.
        request = RequestFactory().post("/admin/login/")
        assert authenticate(request, username=username, password=password) is not None


@pytest.mark.django_db
def test_demo_data_shows_a_reports_chapters_its_pdf_and_a_map(client, settings):
    settings.DEBUG = True
    call_command("load_demo")
    report = Report.objects.get(series="Landmine Monitor", year=2024)
    assert list(report.chapters.values_list("title", flat=True)) == ["Major Findings", "Ban Policy"]
    page = client.get(reverse("public:report", args=[report.series_slug, report.year])).text
    assert "Major Findings" in page and "Download the report (PDF, 1 kB)" in page
    pdf = client.get(reverse("public:report_pdf", args=[report.series_slug, report.year]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-1.4")
    figure = Figure.objects.get()
    assert figure.edition.state == Edition.State.PUBLISHED and figure.width == 480
    assert client.get(figure.edition.get_absolute_url()).text.count("<figure class=") == 1


@pytest.mark.django_db
def test_demo_logins_are_refused_in_production(settings, capsys):
    settings.DEBUG = False
    call_command("load_demo")
    assert "Refusing" in capsys.readouterr().err
    assert not Profile.objects.exists()
