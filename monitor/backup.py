"""Whole-database backups: pg_dump / pg_restore for PostgreSQL, SQLite's online backup API.

A backup is one file. PostgreSQL's is pg_dump's custom format (compressed, restorable with
pg_restore, triggers and all); SQLite's is a copy of the database file taken while the site
runs. A restore replaces the whole database with the file's, then moves the publication clock
past every tick the replaced database had shown and empties the page cache, so no server serves
a page of the replaced data (restart the application servers all the same: stop them before a
restore, since PostgreSQL's restore waits for their connections' locks).
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, transaction

from reports.models import PublicationClock
from reports.public import pagecache


def _postgres(command, *args):
    settings = connection.settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    target = [
        "--host",
        settings.get("HOST") or "localhost",
        "--port",
        str(settings.get("PORT") or 5432),
    ]
    if settings.get("USER"):
        target += ["--username", settings["USER"]]
    done = subprocess.run(
        [command, *target, "--dbname", settings["NAME"], "--no-password", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"{command} failed: {done.stderr.strip()}")


def backup(path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        _postgres("pg_dump", "--format=custom", "--no-owner", "--file", str(path))
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise NotImplementedError(f"No backup for {connection.vendor}.")
    return path


def restore(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No backup at {path}.")
    before = _tick()
    if connection.vendor == "postgresql":
        connection.close()
        _postgres(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(path),
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        raise NotImplementedError(f"No restore for {connection.vendor}.")
    _move_clock_past(before)


def _tick():
    try:
        return pagecache.current_tick()
    except Exception:  # noqa: BLE001 - an empty database (a restore onto a new server)
        connection.close()
        return 0


def _move_clock_past(before):
    """Every page cached from the replaced data is older than the clock, and stale."""
    with transaction.atomic():
        clock, _ = PublicationClock.objects.get_or_create(pk=pagecache.CLOCK_ID)
        PublicationClock.objects.filter(pk=clock.pk).update(tick=max(before, clock.tick))
        pagecache.advance_clock()
    pagecache.forget_all()
