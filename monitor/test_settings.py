"""Settings for the test suite: production settings with what tests need to run fast and offline."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Serve static files from the finders so tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One process: its local-memory cache is shared by everything that serves.
STALE_IF_ERROR = True
# A second alias onto the test database, as a read replica would be: tests of the replica router
# turn it on with settings.DATABASE_REPLICAS = ["replica"].
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
