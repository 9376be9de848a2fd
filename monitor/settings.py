"""Settings come from the environment so one code base serves a first run, CI and production.

DATABASE_URL  unset: an SQLite file in the project folder
SECRET_KEY    required unless DEBUG
DEBUG         "true" for development
ALLOWED_HOSTS comma-separated
CACHE_URL     unset: local memory; redis://… uses Redis
"""

import datetime
import os
from pathlib import Path

import dj_database_url
import dj_email_url
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
    "axes",
    "health_check",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the JSON API's interactive docs, served from its own static files
    "reports",
    "sources",
]

MIDDLEWARE = [
    "reports.public.pagecache.PublicationMiddleware",
    "monitor.replicas.PublicReads",
    "django.middleware.security.SecurityMiddleware",
    "monitor.security.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "reports.public.moved.MovedPathMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "reports.editions.middleware.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "monitor.security.IdleTimeout",
    # Last, as django-axes asks: it turns a lockout raised during a login into its page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
# Read replicas: anonymous reads of the public site go to one of them (monitor.replicas).
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    _alias = f"replica_{_number}"
    DATABASES[_alias] = dj_database_url.parse(
        _url,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS"),
    )
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["monitor.replicas.ReplicaRouter"]
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
# While the database is unreachable, serve cached public pages that provably did not change
# (reports.public.pagecache). Needs a cache every process shares: on with Redis.
STALE_IF_ERROR = env_bool("STALE_IF_ERROR", CACHE_URL.startswith(("redis://", "rediss://")))

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

# Files attached to reports (their PDF) and editions (maps, figures), stored through Django's
# storage API (STORAGES["default"]) under unguessable names. The public site serves them only
# through views that check publication (reports.public.files): the web server must not serve
# MEDIA_ROOT itself. Uploads above ATTACHMENT_MAX_MB are refused with a form error.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
ATTACHMENT_MAX_MB = int(os.environ.get("ATTACHMENT_MAX_MB", "40"))

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

# Mail: the server as one URL (dj-email-url), e.g. smtp://user:password@mail.example.org:587/?tls=True
# or submission://…; unset, mails are printed on the console.
_email = dj_email_url.parse(os.environ.get("EMAIL_URL", "console://"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "monitor-cms@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the site is reached from outside: e-mails link to absolute addresses under it.
SITE_URL = os.environ.get(
    "SITE_URL",
    "http://127.0.0.1:8000" if DEBUG else (f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else ""),
).rstrip("/")

# Production hardening; the development server keeps plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Only a proxy that sets X-Forwarded-Proto itself (and drops the client's) may be believed: a
# client reaching gunicorn directly would otherwise claim HTTPS.
BEHIND_PROXY = env_bool("BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

LOGIN_URL = "admin:login"

# The task queue (django-tasks, database backend): large imports run in `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Content-Security-Policy (django-csp; monitor.security.ContentSecurityPolicy). The public site
# runs no script at all and loads only its own style sheet: nothing else may run or load. The
# admin runs Django's own scripts from /static/ (none inline), and keeps inline styles (style
# attributes of the editorial templates, django-import-export's), which run nothing.
_PUBLIC_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _PUBLIC_CSP}
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **_PUBLIC_CSP,
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "connect-src": ["'self'"],
    }
}

# Staff are signed out after this long without a request (monitor.security.IdleTimeout).
STAFF_IDLE_TIMEOUT = int(os.environ.get("STAFF_IDLE_MINUTES", "30")) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name
# from one address, that pair is locked out for the cool-off time, the failures are logged
# (logger "axes") and listed in the admin (Axes → Access attempts, where an admin unlocks).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "monitor.security.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password"]

# Tabular imports and exports (django-import-export) each need their own permission per model,
# "<app>.import_<model>" and "<app>.export_<model>" (monitor.roles: editors and up import).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

# The Site of django.contrib.sites: the domain of the sitemap's and feeds' absolute addresses,
# and the site of the small editable pages (About…: django.contrib.flatpages). Its domain and
# name are set from PUBLICATION_DOMAIN and PUBLICATION_NAME when migrating (reports 0014), and
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
# Seconds after which an edit page's soft lock lapses unless the open page renews it.
EDITING_LOCK_TIMEOUT = int(os.environ.get("EDITING_LOCK_TIMEOUT", "120"))

# Logs go to stdout, one line per record: JSON (LOG_FORMAT=json, the default without DEBUG) for
# the log collector, or plain text. Server errors are also mailed to ADMINS.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "propagate": False},
        # WeasyPrint (an edition's PDF) warns of every screen-only CSS property it skips.
        "weasyprint": {"level": "ERROR"},
    },
}
# Who gets a mail for every server error: comma-separated addresses.
ADMINS = [("", address) for address in env_list("ADMINS")]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
