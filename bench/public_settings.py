"""Settings for the public-site benchmarks: production settings, plain HTTP on loopback, and a
URL conf that adds a bare view for comparison (never on the production URL conf)."""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")

from monitor.settings import *  # noqa: E402,F403

DEBUG = False
ROOT_URLCONF = "bench.public_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The production static storage (hashed names from a manifest) needs collectstatic: the bench
# scripts run it into a scratch folder, not into the project.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/monitor-bench-static")
