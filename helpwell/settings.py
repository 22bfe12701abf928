"""Helpwell settings: one module, read from environment variables.

With no environment at all it runs on SQLite in ./var with the database task queue,
so `make run` works on a laptop. Set DATABASE_URL for PostgreSQL and
HELPWELL_TASK_BACKEND=rq (with REDIS_URL) to scale out.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HELPWELL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("HELPWELL_DEBUG", False)
SECRET_KEY = os.environ.get("HELPWELL_SECRET_KEY", "insecure-dev-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = os.environ.get("HELPWELL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
SITE_URL = os.environ.get("HELPWELL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "helpwell.system",
    "helpwell.people",
    "helpwell.tickets",
    "helpwell.mail",
    "helpwell.feedback",
    "helpwell.portal",
    "helpwell.api",
    "helpwell.demo",
    "helpwell.sla",
    "helpwell.kb",
    "helpwell.search",
    "helpwell.guidelines",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the browser's middleware: the bulk ticket intake answers token-authenticated requests.
    "helpwell.api.intake.TicketIntakeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "helpwell.urls"
# The first signs people in; Django's own stays so that sessions it signed in before remain valid.
AUTHENTICATION_BACKENDS = ["helpwell.people.auth.AgentBackend", "django.contrib.auth.backends.ModelBackend"]
WSGI_APPLICATION = "helpwell.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "helpwell" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpwell.system.context.site",
            ],
        },
    },
]

# SQLite by default, with a busy timeout and IMMEDIATE transactions so that the web
# server and the worker never fail with "database is locked". Connections are kept for a minute
# on both databases: opening one (and, on SQLite, setting it up) cost more than a small request.
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'helpwell.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with writers taking turns instead of polling SQLite's lock (its module says why).
    DATABASES["default"]["ENGINE"] = "helpwell.lib.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    # Tests run in memory, Django's default for SQLite, said outright: pytest-django knows SQLite only by
    # the stock engine's name and would otherwise give each test process a file named after the path.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
else:
    # No health check (Django's default): it is a round trip before every request's first query, a
    # fifth of the API's intake time. After a database restart, each kept connection fails the one
    # request that finds it broken and is then replaced.
    # Parameters bound by the server and statements prepared once a connection has run them twice:
    # PostgreSQL then parses and plans a page's queries once per connection, not on every request
    # (a ticket page ~17 % faster on the benchmark database). A connection pooler in transaction
    # mode must support prepared statements (PgBouncer 1.21+, max_prepared_statements), or set
    # HELPWELL_PG_PREPARED_STATEMENTS=false.
    if env_bool("HELPWELL_PG_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
TASK_BACKEND = os.environ.get("HELPWELL_TASK_BACKEND", "database")
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if os.environ.get("HELPWELL_CACHE", "") == "redis"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tickets-queue"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("HELPWELL_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Static files are served from the app's folders (WHITENOISE_USE_FINDERS); an empty STATIC_ROOT keeps
# whitenoise from warning, in every process and test, that it is missing.
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "helpwell" / "static"]
MEDIA_ROOT = Path(os.environ.get("HELPWELL_MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = True

# Mail: everything goes through helpwell.mail.outbox; this is the SMTP server it talks to.
# By default that is the local mail catcher that `helpwell run` starts.
EMAIL_BACKEND = os.environ.get("HELPWELL_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("HELPWELL_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("HELPWELL_SMTP_PORT", "8025"))
EMAIL_HOST_USER = os.environ.get("HELPWELL_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HELPWELL_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HELPWELL_SMTP_TLS", False)
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = os.environ.get("HELPWELL_FROM_EMAIL", "support@helpwell.localhost")
MAILCATCHER_ENABLED = env_bool("HELPWELL_MAILCATCHER", True)
# Inbound mail: the SMTP listener `helpwell run` starts (0 turns it off there), and the token an
# email provider's inbound webhook sends to POST raw MIME to /mail/inbound/ (empty: endpoint off).
INBOUND_SMTP_PORT = int(os.environ.get("HELPWELL_INBOUND_SMTP_PORT", "2525"))
INBOUND_MAIL_TOKEN = os.environ.get("HELPWELL_INBOUND_MAIL_TOKEN", "")
# Inbound mails per client address per hour, on the webhook and the SMTP listener.
INBOUND_MAIL_RATE = int(os.environ.get("HELPWELL_INBOUND_MAIL_RATE", "600"))
# After how long a mail a worker claimed but never finished is sent again (0: the outbox's 10 minutes).
MAIL_STALE_CLAIM_SECONDS = int(os.environ.get("HELPWELL_MAIL_STALE_CLAIM_SECONDS", "0"))

# Attachments: what customers and agents may upload.
ATTACHMENT_MAX_BYTES = int(os.environ.get("HELPWELL_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# How long an API process trusts an agent token it has checked; a revoked token stops working
# everywhere within this many seconds (at once in the process that revoked it). 0: check every call.
API_TOKEN_CACHE_SECONDS = float(os.environ.get("HELPWELL_API_TOKEN_CACHE_SECONDS", "10"))
# Priorities, teams, categories, team members and the site settings, as read on every agent page, are
# kept per process this long (helpwell.lib.process_cache); a change made in another process shows
# after at most this many seconds.
REFERENCE_CACHE_SECONDS = float(os.environ.get("HELPWELL_REFERENCE_CACHE_SECONDS", "30"))
MAGIC_LINK_MAX_AGE = int(os.environ.get("HELPWELL_MAGIC_LINK_MAX_AGE", str(14 * 24 * 3600)))
# How often each public form may be used per client address, per hour.
PUBLIC_FORM_RATE = int(os.environ.get("HELPWELL_PUBLIC_FORM_RATE", "20"))
# Article suggestions on the request form per client address per hour (one per pause in typing).
SUGGEST_RATE = int(os.environ.get("HELPWELL_SUGGEST_RATE", "600"))
# Sign-in attempts per client address, and per account name, in 15 minutes.
SIGN_IN_RATE = int(os.environ.get("HELPWELL_SIGN_IN_RATE", "10"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

WORKER_SWEEP_SECONDS = int(os.environ.get("HELPWELL_SWEEP_SECONDS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HELPWELL_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if os.environ.get("HELPWELL_TESTING"):
    # MD5 is insecure but makes the suite fast; tests never hold real passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
