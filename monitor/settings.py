"""Settings come from the environment so one code base serves a first run, CI and production.

DATABASE_URL  unset: an SQLite file in the project folder
SECRET_KEY    required unless DEBUG
DEBUG         "true" for development
ALLOWED_HOSTS comma-separated
CACHE_URL     unset: local memory; redis://… uses Redis
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "monitor.apps.MonitorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "reversion",
    "import_export",
    "reports",
    "sources",
]

MIDDLEWARE = [
    "reports.public.pagecache.PublicationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "reports.public.moved.MovedPathMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "reports.editions.middleware.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "monitor.urls"
# An edition's django-reversion Version holds its whole content (reports.editions.snapshot).
SERIALIZATION_MODULES = {"edition": "reports.editions.snapshot"}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reports.public.context.publication",
            ],
        },
    },
]

WSGI_APPLICATION = "monitor.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # Off by default as in Django: the check costs a round trip on every request.
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "monitor",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Files attached to reports (their PDF) through Django's storage API.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "monitor-cms@localhost")

# Production hardening; the development server keeps plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

LOGIN_URL = "admin:login"

# Tabular imports (django-import-export) change rows: they need the model's change permission,
# not merely access to its list.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"

# The Site of django.contrib.sites: the domain of the sitemap's and feeds' absolute addresses,
# and the site of the small editable pages (About…: django.contrib.flatpages). Its domain and
# name are set from PUBLICATION_DOMAIN and PUBLICATION_NAME when migrating (reports 0011), and
# are editable in the admin (Sites).
SITE_ID = 1

# The publication's identity on the public site (wordmark, titles, footer, feeds, citations).
# PUBLICATION_DOMAIN names the publisher's domain in permanent ids (feed entries' tag URIs);
# unset, the host a request came to stands in.
PUBLICATION = {
    "name": os.environ.get("PUBLICATION_NAME", "Landmine and Cluster Munition Policy Monitor"),
    "short_name": os.environ.get("PUBLICATION_SHORT_NAME", "Monitor"),
    "tagline": os.environ.get(
        "PUBLICATION_TAGLINE",
        "Country-by-country research on the bans on landmines and cluster munitions, "
        "updated every year",
    ),
    "publisher": os.environ.get("PUBLICATION_PUBLISHER", "The Monitor research network"),
    "contact_email": os.environ.get("PUBLICATION_CONTACT_EMAIL", "monitor@example.org"),
    "domain": os.environ.get("PUBLICATION_DOMAIN", ""),
}

# Editorial rules that an installation may relax.
REQUIRE_SECOND_PAIR_OF_EYES = env_bool("REQUIRE_SECOND_PAIR_OF_EYES", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # WeasyPrint (an edition's PDF) warns of every screen-only CSS property it skips.
    "loggers": {"weasyprint": {"level": "ERROR"}},
}

WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
