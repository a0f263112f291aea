"""Settings for Servicepunkter, read from the environment (twelve-factor).

Every variable is documented in `.env.example`. Production is the default: DEBUG is off
unless set, and the secure settings follow from it.
"""

import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see .env.example)."
        )
    SECRET_KEY = "insecure-development-key-used-only-with-debug-on"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "servicepunkter.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "import_export",
    "pgtrigger",
    "pghistory",
    "sequences",
    # Background jobs on PostgreSQL (README: Background work); before the apps
    # whose tasks.py it discovers.
    "procrastinate.contrib.django",
    "servicepunkter",
    "core",
    "securitylog",
    "outlets",
    "accounts",
    "agreements",
    "followup",
    "deliveries",
    "reminders",
    "surveys",
    "programme",
    "reports",
    "analysis",
    "region",
    "statements",
    "public",
    "calendarfeed",
    "privacy",
]

MIDDLEWARE = [
    # Outermost: every log line of the request carries its id (servicepunkter/logs.py).
    "servicepunkter.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outermost, so that every answer carries the frame denial and the policy: the
    # refusals of the middleware below (400, 413) too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "servicepunkter.middleware.ChosenLanguageMiddleware",
    # Before anything reads the body (CSRF does): see REQUEST_MAX_BYTES_ANONYMOUS.
    "core.middleware.RequestBodyLimitMiddleware",
    # /healthz and /readyz, answered before CommonMiddleware asks for the host: a load
    # balancer asks by the server's address, not a name in ALLOWED_HOSTS.
    "servicepunkter.health.HealthCheckMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the user verified when the session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    # Ends idle and too-old sessions before anything acts on the signed-in user.
    "accounts.middleware.SessionLimitsMiddleware",
    # Records who and which page behind every tracked change (the audit trail).
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A signed-in user who owes a second factor reaches only its set-up or check.
    "accounts.middleware.TwoFactorMiddleware",
    # Logs refused pages and every download of a signed-in person.
    "securitylog.middleware.SecurityEventMiddleware",
    "servicepunkter.middleware.RequestHygieneMiddleware",
    # Faults and logs (issue 13): no-store on every answer to a signed-in person;
    # after the hygiene check, whose 400 page holds nothing personal.
    "servicepunkter.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicepunkter.urls"
WSGI_APPLICATION = "servicepunkter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicepunkter.context_processors.navigation",
            ],
        },
    },
]

# PostgreSQL only. Without DATABASE_URL a project-local embedded server under var/pgdata
# is started on demand (development and tests; `make db-stop` stops it); a set
# DATABASE_URL always wins.
# Two roles (README: Database roles): the app connects with DATABASE_URL's runtime
# role, which reads and writes rows but owns nothing, so it can neither disable the
# triggers that keep signed records nor alter the tables; `migrate`, `restore` (and
# `createcachetable`, for a cache table of another name) connect as the owner,
# MIGRATION_DATABASE_URL (unset: DATABASE_URL's role). The embedded server has both
# roles; the test suite, which creates its test databases, keeps its superuser.
OWNER_COMMANDS = {"migrate", "restore", "createcachetable"}
runs_as_owner = len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    if runs_as_owner and env.str("MIGRATION_DATABASE_URL", default=""):
        DATABASES = {"default": env.db_url("MIGRATION_DATABASE_URL")}
else:
    from servicepunkter.embedded_db import ROLES, embedded_database_settings

    # The benchmarks, like the test suite, create and drop databases of their own:
    # they ask for the superuser (bench/*.py set EMBEDDED_DATABASE_ROLE). `migrate`
    # and `restore` stay the owner's, whose tables the runtime role is granted.
    embedded_role = env.str("EMBEDDED_DATABASE_ROLE", default="")
    if embedded_role and embedded_role not in ROLES:
        raise ImproperlyConfigured(
            f"EMBEDDED_DATABASE_ROLE must be one of {', '.join(ROLES)}."
        )
    DATABASES = {
        "default": embedded_database_settings(
            BASE_DIR / "var" / "pgdata",
            role="owner"
            if runs_as_owner
            else embedded_role
            or ("superuser" if "pytest" in sys.modules else "runtime"),
        )
    }
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Servicepunkter runs on PostgreSQL only.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Two test runs on one server (e.g. two checkouts) each need their own test database.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}

# Database connection pool (issue 19; README: Production, Connections). With
# DATABASE_POOL_MAX_SIZE set, each process keeps a psycopg pool of at most that many
# connections (Django 5.2's OPTIONS["pool"]), shared by its threads; a pool replaces
# persistent connections, so CONN_MAX_AGE is 0 then (Django refuses both). Unset: a
# connection per thread, kept CONN_MAX_AGE seconds, as before.
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=0)
if DATABASE_POOL_MAX_SIZE:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int(
            "DATABASE_POOL_MIN_SIZE", default=min(2, DATABASE_POOL_MAX_SIZE)
        ),
        "max_size": DATABASE_POOL_MAX_SIZE,
        # Seconds a request waits for a free connection before it fails.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Behind pgbouncer in transaction mode instead: a cursor cannot outlive its
# transaction there.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
)

# Shared cache (issue 19; README: Production, Shared cache). The throttle counters
# (accounts/throttles.py) and the cached public pages, map squares and signs live
# here, so every server and worker process sees the same. CACHE_URL names it
# (django-environ): redis://host:6379/0 is Django's RedisCache, dbcache://table the
# database cache, locmemcache:// one process's memory. Default: process memory in
# development and the tests, the database cache with DEBUG off (its table made by
# core's first migration: no other service to run). The database cache's counters
# are atomic and keep their window (core/cache.py).
CACHE_TABLE = "servicepunkter_cache"
CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default="locmemcache://"
        if DEBUG or "pytest" in sys.modules
        else f"dbcache://{CACHE_TABLE}",
    )
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    CACHES["default"]["BACKEND"] = "core.cache.DatabaseCache"
# Django culls the database and memory caches beyond 300 entries, throttle counters
# with the rest; a national deployment's pages need more room.
if "Redis" not in CACHES["default"]["BACKEND"]:
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password rules as OWASP ASVS level 2 asks: at least 12 characters, passphrases
# welcome, no composition rules; common passwords and guessable ones (zxcvbn) refused.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.PasswordStrengthValidator"},
]
# E-mail is unique case-insensitively (a constraint on Lower("email")), which the
# field-level check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "start"

# Two factors (issue 13): TOTP from an authenticator app, with recovery codes.
# Required for the system owner and administrators; anyone may add one. A wrong
# code makes the next attempt wait OTP_TOTP_THROTTLE_FACTOR seconds, doubling.
OTP_TOTP_ISSUER = "Servicepunkter"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_RECOVERY_CODES = 10
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# An invitation's link to set one's first password works this many days, once.
INVITATION_VALID_DAYS = 7

# Sign-in protection (accounts/lockout.py). Failures count per address as sign-in
# reads it, whatever its spelling: AXES_FAILURE_LIMIT from one client address locks the
# address for that client, AXES_ADDRESS_FAILURE_LIMIT from anywhere locks it for all,
# each for AXES_COOLOFF_TIME. The client address is the one the configured number of
# reverse proxies (env AXES_PROXY_COUNT) saw.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "accounts.lockout.AddressLockoutHandler"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
# The login form posts the e-mail address as "username" (axes defaults to "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# (Not AXES_PROXY_COUNT: axes reserves that name for a deprecated setting.)
TRUSTED_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.requests.client_address"
# Password reset and the password-change form's old-password check, throttled in the
# default cache (shared by every process unless CACHE_URL is locmemcache://).
PASSWORD_RESET_MAILS_PER_ADDRESS = env.int(
    "PASSWORD_RESET_MAILS_PER_ADDRESS", default=3
)
PASSWORD_RESET_MAILS_PER_CLIENT = env.int("PASSWORD_RESET_MAILS_PER_CLIENT", default=10)
PASSWORD_CHANGE_FAILURE_LIMIT = env.int("PASSWORD_CHANGE_FAILURE_LIMIT", default=10)
# Answers to the customer survey from one client address in a minute, all service
# points together: a family or a shop's own tablet answers a few, a flood is refused.
SURVEY_ANSWERS_PER_MINUTE = env.int("SURVEY_ANSWERS_PER_MINUTE", default=10)
# How often one calendar address may be fetched in an hour (calendar apps ask every
# few hours; more is a leaked address or a broken client), counted as above.
CALENDAR_FEED_FETCHES_PER_HOUR = env.int("CALENDAR_FEED_FETCHES_PER_HOUR", default=60)
# Sessions end after SESSION_IDLE_MINUTES without a page load and SESSION_MAX_HOURS
# after sign-in, whichever comes first (accounts/middleware.py), and at a password
# change everywhere but where it was changed.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["servicepunkter.formats"]

if DEBUG:
    # Development serves static files from the finders; there is no STATIC_ROOT yet.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
WHITENOISE_USE_FINDERS = DEBUG
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Files in object storage (README: Files in object storage). A bucket named in the
# environment holds the stored files instead of MEDIA_ROOT, through django-storages'
# S3 backend and its own setting names. The files stay private: no ACL of ours (the
# bucket's own, private, applies), and no URL of a stored file is ever handed out;
# the app's permission-checked views serve them.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
# Unset: boto3's own chain (its environment variables, an instance role).
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
# "path" for servers that take the bucket in the path only (bucket.host unresolvable).
AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="auto")
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
# A name in use gets a suffix, as on disk; nothing is replaced silently.
AWS_S3_FILE_OVERWRITE = False
# A file read from the bucket spools to disk beyond this (django-storages' default
# keeps a whole road network in memory).
AWS_S3_MAX_MEMORY_SIZE = 5 * 1024 * 1024
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config

    # An unreachable server fails /readyz and a request in seconds, not minutes.
    AWS_S3_CLIENT_CONFIG = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"mode": "standard", "max_attempts": 3},
        s3={"addressing_style": AWS_S3_ADDRESSING_STYLE},
    )
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Servicepunkter <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address links in e-mail start with. Unset in production: links are bare paths.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
# A functional address (a mailbox, never a person's) for questions about the open
# data, given as the contact point of its DCAT description; unset: none given.
OPEN_DATA_CONTACT_EMAIL = env.str("OPEN_DATA_CONTACT_EMAIL", default="")

# Uploads larger than this are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security headers are on everywhere; HTTPS-only settings whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer asks each server's health checks over plain HTTP (issue 19).
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)$"]
# /readyz answers from its last check (a storage write, the migration graph) for this
# long, per process: a flood of requests costs one check in that time.
READINESS_CACHE_SECONDS = env.float("READINESS_CACHE_SECONDS", default=5)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
# The preload flag only consents to the browsers' preload list; submitting the domain
# is a separate, deliberate step by whoever owns it.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The largest outlet file an import accepts, in bytes.
OUTLET_IMPORT_MAX_BYTES = env.int("OUTLET_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# Limits on what anyone can send (issue 13). A request body is refused (413) by its
# Content-Length before anything reads it: anonymous requests up to 1 MB, signed-in
# users up to 5 MB, upload pages (by URL name) their file's limit plus 2 MB, so that a
# file a little over its limit still gets the form's own message. The reverse proxy's
# client_max_body_size should match (README).
REQUEST_MAX_BYTES_ANONYMOUS = env.int(
    "REQUEST_MAX_BYTES_ANONYMOUS", default=1024 * 1024
)
REQUEST_MAX_BYTES_SIGNED_IN = env.int(
    "REQUEST_MAX_BYTES_SIGNED_IN", default=DATA_UPLOAD_MAX_MEMORY_SIZE
)
REQUEST_UPLOAD_FORM_BYTES = 2 * 1024 * 1024
REQUEST_MAX_BYTES_BY_VIEW = {
    "outlets:outlet_import": "OUTLET_IMPORT_MAX_BYTES",
    # followup.photos.MAX_UPLOAD_BYTES and PaperSignForm's limit on the scan.
    "followup:site_photo_add": 15 * 1024 * 1024,
    "agreements:agreement_sign_paper": 20_000_000,
}
# An outlet workbook or CSV is refused beyond these; cells are counted as they are
# read, whatever size the sheet declares (national size is about 20 000 rows).
OUTLET_IMPORT_MAX_ROWS = env.int("OUTLET_IMPORT_MAX_ROWS", default=100_000)
OUTLET_IMPORT_MAX_COLUMNS = env.int("OUTLET_IMPORT_MAX_COLUMNS", default=200)
OUTLET_IMPORT_MAX_CELLS = env.int("OUTLET_IMPORT_MAX_CELLS", default=1_000_000)
# Population and road files (import_population, import_road_network): squares per
# municipality (Sweden has about 600 000 populated 250 m squares in all), road
# features, GeoJSON bytes (parsing takes about ten times as much memory; larger
# networks come as GeoPackage), and seconds SQLite may spend reading a GeoPackage.
POPULATION_MAX_SQUARES = env.int("POPULATION_MAX_SQUARES", default=700_000)
ROAD_NETWORK_MAX_FEATURES = env.int("ROAD_NETWORK_MAX_FEATURES", default=3_000_000)
ROAD_NETWORK_GEOJSON_MAX_BYTES = env.int(
    "ROAD_NETWORK_GEOJSON_MAX_BYTES", default=256 * 1024 * 1024
)
GEOPACKAGE_READ_SECONDS = env.int("GEOPACKAGE_READ_SECONDS", default=300)
# Analyses in the background (issue 19): a page that finds no stored result computes
# it while the request waits only when it is small: straight lines (no road network)
# over at most this many squares; any other goes to a background job.
ANALYSIS_INLINE_MAX_SQUARES = env.int("ANALYSIS_INLINE_MAX_SQUARES", default=50_000)
# The largest population or road file the web app accepts for a load, in bytes;
# refused by its size before it is read.
POPULATION_UPLOAD_MAX_BYTES = env.int(
    "POPULATION_UPLOAD_MAX_BYTES", default=100 * 1024 * 1024
)
ROAD_NETWORK_UPLOAD_MAX_BYTES = env.int(
    "ROAD_NETWORK_UPLOAD_MAX_BYTES", default=512 * 1024 * 1024
)
REQUEST_MAX_BYTES_BY_VIEW |= {
    "analysis:population_upload": "POPULATION_UPLOAD_MAX_BYTES",
    "analysis:road_network_upload": "ROAD_NETWORK_UPLOAD_MAX_BYTES",
}

# Background work (procrastinate; README: Background work). `manage.py procrastinate
# worker` runs the jobs. A worker sends a heartbeat every WORKER_HEARTBEAT_SECONDS;
# one silent for WORKER_STALLED_SECONDS is taken as dead, and a periodic job
# (core.retry_stalled_jobs, at STALLED_JOBS_RETRY_CRON, read in TIME_ZONE) puts the
# jobs it held back in the queue. On stop (SIGTERM) a worker lets a running job
# finish for WORKER_SHUTDOWN_SECONDS.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10.0)
WORKER_STALLED_SECONDS = env.float("WORKER_STALLED_SECONDS", default=60.0)
STALLED_JOBS_RETRY_CRON = env.str("STALLED_JOBS_RETRY_CRON", default="*/5 * * * *")
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": WORKER_HEARTBEAT_SECONDS,
    "stalled_worker_timeout": WORKER_STALLED_SECONDS,
    "shutdown_graceful_timeout": env.float("WORKER_SHUTDOWN_SECONDS", default=60.0),
    "delete_jobs": "successful",
}
# A job's log lines carry its id (servicepunkter/logs.py; Logs below).
from servicepunkter.logs import job_log_context  # noqa: E402

PROCRASTINATE_WORKER_DEFAULTS["worker_middleware"] = [job_log_context]

# The daily job and e-mail in the background (README: Background work, Daily run).
# RUN_DAILY_CRON: when the periodic job `followup.run_daily` runs, read in TIME_ZONE
# (core.tasks.periodic_tasks_in_time_zone); each day's work is done once
# (followup.DailyRun), whether cron's `run_daily` runs too or not. EMAIL_QUEUE (on by
# default with DEBUG off): each e-mail is a job on the `mail` queue that a worker
# sends through the backend EMAIL_URL names (EMAIL_DELIVERY_BACKEND).
RUN_DAILY_CRON = env.str("RUN_DAILY_CRON", default="0 5 * * *")
PROCRASTINATE_ON_APP_READY = "core.tasks.periodic_tasks_in_time_zone"
EMAIL_QUEUE = env.bool("EMAIL_QUEUE", default=not DEBUG)
EMAIL_DELIVERY_BACKEND = EMAIL_BACKEND  # noqa: F821 - set from EMAIL_URL above
if EMAIL_QUEUE:
    EMAIL_BACKEND = "core.mail.QueuedEmailBackend"

# The deployment's certificate (PKCS#12) that seals signed agreement PDFs; unset, they
# are stored unsealed. `manage.py create_signing_certificate` makes a self-signed one.
SIGNING_CERTIFICATE_PATH = env.str("SIGNING_CERTIFICATE_PATH", default="")
SIGNING_CERTIFICATE_PASSPHRASE = env.str("SIGNING_CERTIFICATE_PASSPHRASE", default="")

# Map background tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png, or a path
# on this site (/static/tiles/{z}/{x}/{y}.png), with the attribution their licence asks
# for. Unset, the maps draw their markers on a plain background and need no network.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
_tiles = urlsplit(MAP_TILE_URL.replace("{s}", "*"))
# The tile server for the image sources: none for a path on this site ('self').
MAP_TILE_ORIGINS = (
    [f"{_tiles.scheme}://{_tiles.netloc}" if _tiles.scheme else _tiles.netloc]
    if _tiles.netloc
    else []
)

# A strict Content Security Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"]
        + MAP_TILE_ORIGINS
        + env.list("CSP_IMG_SRC", default=[]),
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Logs (issue 19; README: Production, Logs). LOG_FORMAT=json writes one JSON object
# a line (servicepunkter/logs.py) with the request id or the background job's id,
# and a line per answered request (servicepunkter.access); plain: the message alone.
# Default: plain with DEBUG on, json with it off.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT is plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No log line names a secret in a path (a calendar address, an invitation, a
    # password reset link: servicepunkter/logs.py SECRET_PATHS) or a background
    # job's arguments (a queued e-mail's recipients and text): every handler has
    # the filters, and the loggers that Django's own defaults give
    # handlers without it ("django", "django.server": runserver's access log) are
    # given these instead.
    "filters": {
        "secret_paths": {"()": "servicepunkter.logs.SecretPathFilter"},
        "job_arguments": {"()": "servicepunkter.logs.JobArgumentsFilter"},
        "context": {"()": "servicepunkter.logs.ContextFilter"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "json": {"()": "servicepunkter.logs.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["job_arguments", "secret_paths", "context"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["job_arguments", "secret_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # No handler of its own: its lines go to the root's console.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
        },
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Its start-up lines on every manage.py command; a worker logs its jobs.
        "procrastinate": {"level": "WARNING"},
        # One line per answered request, in JSON only (runserver and gunicorn have
        # access logs of their own).
        "servicepunkter.access": {
            "level": "INFO" if LOG_FORMAT == "json" else "WARNING"
        },
    },
}

# Error reporting (issue 19; README: Production, Errors): to Sentry when SENTRY_DSN
# is set, without personal data (servicepunkter/sentry.py); unset, nothing is sent
# and the SDK is not started.
# Failed, cancelled and aborted background jobs (a failed e-mail with its message
# and recipients) are deleted this many days after they ended (privacy/retention.py).
FAILED_JOBS_KEEP_DAYS = env.int("FAILED_JOBS_KEEP_DAYS", default=30)

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from servicepunkter.sentry import sentry_start

    sentry_start(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
    )
