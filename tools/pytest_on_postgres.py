"""Run the test suite against PostgreSQL, or say clearly why it cannot.

Under CI (CI=true) PostgreSQL is required and its absence fails the run; elsewhere the run is
skipped with the reason.
"""

import os
import sys

import psycopg

url = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/monitor")
required = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

try:
    # The tests create their own database (test_<name>), so reaching the server is enough.
    psycopg.connect(url, dbname="postgres", connect_timeout=3).close()
except psycopg.Error as exc:
    reason = f"PostgreSQL at {url} is unreachable: {str(exc).strip()}"
    if required:
        sys.exit(f"FAILED: {reason} (required under CI)")
    print(f"SKIPPED the PostgreSQL run: {reason}")
    sys.exit(0)

print(f"== Test suite on PostgreSQL ({url})", flush=True)
os.environ["DATABASE_URL"] = url
os.execv(sys.executable, [sys.executable, "-m", "pytest", *sys.argv[1:]])
