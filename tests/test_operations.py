"""Running in production: the health check, logs on stdout, Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def production(**env):
    """The environment of a production server, without DEBUG and the test settings."""
    # Not the test run's own: its settings module, and the browser tests' async switch.
    dropped = ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return {
        **base,
        "SECRET_KEY": "a-long-production-secret-key-for-the-test-only-0123456789abcdef",
        "ALLOWED_HOSTS": "monitor.example.org",
        "DJANGO_SETTINGS_MODULE": "monitor.settings",
        **env,
    }


@pytest.mark.django_db
def test_the_health_check_answers_for_the_database_and_the_cache(client):
    response = client.get("/health/", headers={"accept": "application/json"})
    assert response.status_code == 200
    assert set(response.json()) == {"Database(alias='default')", "Cache(alias='default')"}


def test_make_prod_check_passes_with_production_settings():
    done = subprocess.run(
        ["make", "-s", "prod-check"], cwd=ROOT, env=production(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_logs_are_one_json_line_per_record_on_stdout():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('axes').warning('AXES: New login failure by %s.', 'someone')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production(), capture_output=True, text=True
    )
    record = json.loads(done.stdout.strip().splitlines()[-1])
    assert record["level"] == "WARNING" and record["logger"] == "axes"
    assert record["message"] == "AXES: New login failure by someone."
    assert "time" in record


def test_a_server_process_keeps_what_it_loaded_out_of_the_garbage_collectors_walks():
    # A full collection walks every tracked object: without the freeze, the ~150,000 objects of
    # the loaded application were walked again during large admin saves.
    code = (
        "import gc; from monitor.wsgi import application; "
        "print(gc.get_freeze_count(), sum(len(gc.get_objects(g)) for g in range(3)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production(), capture_output=True, text=True
    )
    frozen, tracked = map(int, done.stdout.split())
    assert frozen > 50_000 and tracked < frozen // 10, done.stdout + done.stderr
