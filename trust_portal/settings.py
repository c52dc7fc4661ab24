"""The one settings module. Every deployment difference is an environment variable.

Development needs none of them: DEBUG defaults to on and the database defaults
to the private cluster that `make run` starts under var/. The production image
sets DEBUG=0, which makes SECRET_KEY mandatory and turns on the HTTPS settings.
"""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from trust_portal.env import env_bool, env_hostname, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-used-when-debug-is-off"

# School hosts are <school-slug>.<PORTAL_DOMAIN>; the bare domain is the portal.
PORTAL_DOMAIN = env_hostname("PORTAL_DOMAIN", "localhost")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [PORTAL_DOMAIN, "." + PORTAL_DOMAIN])
# How links in emails, feeds and webhooks begin, where no request says it: scheme and an optional port
# (a school's link is <scheme>://<school-slug>.<PORTAL_DOMAIN><port>/...).
PUBLIC_SCHEME = env_str("PUBLIC_SCHEME", "http" if DEBUG else "https")
if PUBLIC_SCHEME not in ("http", "https") or (not DEBUG and PUBLIC_SCHEME != "https"):
    raise ImproperlyConfigured(f"PUBLIC_SCHEME must be https (or http with DEBUG on), got {PUBLIC_SCHEME!r}")
PUBLIC_PORT = env_int("PUBLIC_PORT", 8000 if DEBUG else 443, minimum=1, maximum=65535)


def _database(variable, url):
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{variable} must be a postgres:// URL (django-tenants needs PostgreSQL), got scheme {scheme!r}"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} is not a valid database URL: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{variable} must name a database, e.g. postgres://user@host:5432/portal")
    config["ENGINE"] = "django_tenants.postgresql_backend"
    return config


# Two roles (docs/operations.md, "Database roles"): DATABASE_URL is the app role, which owns
# nothing; DATABASE_OWNER_URL is the owner, used only where schemas are made (creating a
# school). Migrations run with DATABASE_URL set to the owner's URL. Unset DATABASE_URL means
# the private cluster started by `scripts/pg start`, with both roles.
PGPORT = env_int("PGPORT", 54329, minimum=1, maximum=65535)
_PRIVATE = f"postgres://{{role}}@127.0.0.1:{PGPORT}/trust_portal"
_DATABASE_URL = env_str("DATABASE_URL")
_OWNER_URL = env_str("DATABASE_OWNER_URL") or ("" if _DATABASE_URL else _PRIVATE.format(role="portal_owner"))
DATABASES = {"default": _database("DATABASE_URL", _DATABASE_URL or _PRIVATE.format(role="portal_app"))}
if _OWNER_URL:
    # The same database under another role. In tests it follows the test database (MIRROR);
    # conftest.py lets tests reach it, and provisioning commits through it on its own.
    DATABASES["owner"] = {**_database("DATABASE_OWNER_URL", _OWNER_URL), "TEST": {"MIRROR": "default"}}
    if DATABASES["owner"]["NAME"] != DATABASES["default"]["NAME"]:
        raise ImproperlyConfigured("DATABASE_OWNER_URL must name the same database as DATABASE_URL")
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SHARED_APPS = [
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Admin is in both lists so that each school keeps its own admin log:
    # a shared log would show one school's edits on another school's dashboard.
    "django.contrib.admin",
    "simple_history",
    "axes",
    "django_tasks_db",
    # After contrib.auth and contrib.admin, so tenants.admin can drop the Group admin.
    "tenants",
    "announcements",
]
TENANT_APPS = [
    "django.contrib.admin",
    "simple_history",
    "notices",
    "subscriptions",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.School"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "trust_portal.urls_public"
ROOT_URLCONF = "trust_portal.urls_tenants"
# Only send SET search_path when the schema actually changes.
TENANT_LIMIT_SET_CALLS = True
# New schools are copied from this migrated, empty template schema instead of
# running every migration again (tenants/migrating.py keeps it up to date,
# tenants/cloning.py copies it).
TENANT_BASE_SCHEMA = "school_template"
# migrate_schemas skips schemas that have nothing to migrate (one catalogue query).
GET_EXECUTOR_FUNCTION = "tenants.migrating.get_executor"
AUTH_USER_MODEL = "tenants.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files need no school: whitenoise answers them before any host lookup.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Repeat requests for a school's public pages are answered here from memory,
    # about as cheaply as whitenoise answers a static file (notices/cache.py).
    "notices.cache.PageMemoMiddleware",
    "tenants.middleware.HostTenantMiddleware",
    # Right inside host routing: a view that cannot reach the database answers 503 (tenants/outage.py).
    "tenants.outage.OutageMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Already-rendered public pages are answered here, inside the header-setting
    # middleware above and before sessions, auth, CSRF and the view.
    "notices.cache.CachedPageMiddleware",
    # A template admin address on the portal host runs in its trust's workspace schema (never a cached page).
    "trust_portal.workspaces.WorkspaceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "trust_portal.wsgi.application"


# Bounds for the file and local-memory caches (Redis is bounded by its own maxmemory policy).
# A school has about ten entries in use at once: its pages token, its host, and the pages
# parents opened within the hour an entry lives (home, current, PDF, JSON, archive, latest
# version), so 20,000 holds 2,000 schools. Django's file cache lists its directory on every
# write, which at 20,000 entries took 93 ms on a loaded 2-core machine: beyond this size, use
# Redis. When full it deletes a random tenth of its entries (2,000 files, 232 ms, in the one
# request that writes), not Django's default third: fewer schools' pages render again at
# once and one request's stall stays short, while culling still only every 2,000 writes.
CACHE_MAX_ENTRIES = env_int("CACHE_MAX_ENTRIES", 20_000, minimum=1000)
CACHE_CULL_FREQUENCY = 10


def _cache(url):
    parts = urlsplit(url)
    bounded = {"OPTIONS": {"MAX_ENTRIES": CACHE_MAX_ENTRIES, "CULL_FREQUENCY": CACHE_CULL_FREQUENCY}}
    if parts.scheme == "file":
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": parts.path, **bounded}
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", **bounded}
    if parts.scheme in {"redis", "rediss"}:
        if not parts.hostname:
            raise ImproperlyConfigured(
                f"CACHE_URL must name the Redis host, e.g. redis://127.0.0.1:6379/0; got {url!r}"
            )
        # Short timeouts: while Redis is unreachable each request falls back to the database in well under a second.
        return {
            "BACKEND": "trust_portal.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    raise ImproperlyConfigured(f"CACHE_URL must start with file://, locmem:// or redis://, got {url!r}")


# The default is a file cache so every gunicorn worker on the machine sees the
# same entries, and a publish in one process invalidates pages for all of them.
CACHES = {"default": _cache(env_str("CACHE_URL") or f"file://{VAR_DIR / 'cache'}")}
CACHES["default"]["KEY_FUNCTION"] = "django_tenants.cache.make_key"
# Two deployments sharing one cache server must not share entries: give each its own prefix.
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX") or DATABASES["default"]["NAME"]

MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
# Files live under MEDIA_ROOT/<schema>/, so one school's files never share a path with another's.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]


def _storage(url):
    """Where PDFs are kept: the tenant-aware local folder (MEDIA_ROOT), or s3://<bucket>[/<prefix>]."""
    if not url:
        return {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"}
    shape = "s3://<bucket>[/<prefix>][?endpoint_url=https://...&region_name=...]"
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname or parts.username or parts.password:
        raise ImproperlyConfigured(
            f"STORAGE_URL must be {shape} (credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
            f"got {url!r}"
        )
    try:
        query = parse_qs(parts.query, strict_parsing=bool(parts.query))
    except ValueError:
        raise ImproperlyConfigured(f"STORAGE_URL's query is not name=value pairs, got {url!r}") from None
    unknown = set(query) - {"endpoint_url", "region_name"}
    if unknown or any(len(values) != 1 for values in query.values()):
        raise ImproperlyConfigured(f"STORAGE_URL takes endpoint_url and region_name once each, got {url!r}")
    options = {name: values[0] for name, values in query.items()}
    if urlsplit(options.get("endpoint_url", "https://s3")).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(f"STORAGE_URL's endpoint_url must be an http(s) address, got {url!r}")
    from botocore.config import Config

    return {
        "BACKEND": "trust_portal.storage.TenantS3Storage",
        "OPTIONS": {
            "bucket_name": parts.hostname,
            "location": parts.path.strip("/"),
            **options,
            # Never replace an object (store_pdf refuses to write beside one), never make one public.
            "file_overwrite": False,
            "default_acl": None,
            # A publish whose upload cannot reach the store fails within seconds and leaves no version.
            "client_config": Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 2}),
        },
    }


STORAGES = {
    "default": _storage(env_str("STORAGE_URL")),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

AUTHENTICATION_BACKENDS = [
    # Throttles logins: after AXES_FAILURE_LIMIT failures a client address is locked out (tenants/logins.py).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
# Per address (a stranger cycling through emails) and per (email, address); never
# per email alone, which would let anyone lock a DPL out everywhere.
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "tenants.logins.ThrottleHandler"
# Login forms post the email in a field called "username" (AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "tenants.logins.throttle_username"
# Behind the TLS proxy every connection comes from the proxy, so the client is
# the address the proxy appended last to X-Forwarded-For; earlier entries are
# whatever the client sent and are ignored. Without the proxy the header is the
# client's own invention and only the socket's address counts.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if BEHIND_TLS_PROXY else ("REMOTE_ADDR",)
AXES_IPWARE_PROXY_COUNT = 0
# Forged or malformed entries before the proxy's are skipped, not a reason to fall
# back to the proxy's own address (which every such client would then share).
IPWARE_STRICT = False
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Background work: a database-backed queue in the public schema, drained by `manage.py run_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A trust-wide publish is leased to the process executing it and renewed before every notice (about a second each);
# a run whose lease lapsed is resumed by a live worker, and failed with its reason after this many attempts.
PUBLISH_RUN_LEASE_SECONDS = env_int("PUBLISH_RUN_LEASE_SECONDS", 60, minimum=2)
PUBLISH_RUN_MAX_ATTEMPTS = env_int("PUBLISH_RUN_MAX_ATTEMPTS", 3, minimum=1)
# Trusts' webhooks (announcements.webhooks): each attempt waits this long for the receiver, a delivery is failed
# after this many attempts (back-off doubling from 30 s, about 64 minutes over 8), and plain-http loopback
# addresses are accepted only in development and tests, never in production.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1, maximum=30)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1, maximum=20)
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", DEBUG)
if WEBHOOK_ALLOW_LOOPBACK and not DEBUG:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_LOOPBACK must be off when DEBUG is off (webhooks go to https only)")
# The largest notice file import_notice accepts (notices.importing), 10 MB by default.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The audit log (failed logins include the email typed) is kept this long, then
# `manage.py purge_audit_log` may delete older entries. Never under a year.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730, minimum=365)

# The school admin's notice page posts every register row at once, about 14
# fields a row: Django's default of 1,000 refused notices only ~47 rows larger
# than the demo and lost what was typed. Kept finite against oversized posts.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# Host-only cookies: no SESSION_COOKIE_DOMAIN, so a school's session cookie is
# never sent to another school's host.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Password-reset mail and the emails to families. In development without EMAIL_HOST each message is written
# to a file under var/mail, where a newcomer can read it; in production it goes over SMTP (a local MTA on
# localhost:25 unless EMAIL_HOST says otherwise).
if DEBUG and not env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25, minimum=1, maximum=65535),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                # A mail server that stops answering must not hold the worker (and its row locks) for ever.
                "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
            },
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"privacy-portal@{PORTAL_DOMAIN}")

# Emails to families who asked for them (subscriptions). A confirmation link works this many days, and an address
# never confirmed is deleted after them; an announcement is tried this many times (with growing waits) before it
# is marked failed; a school's subscribe form takes this many requests an hour per address and per client address.
SUBSCRIPTION_CONFIRM_DAYS = env_int("SUBSCRIPTION_CONFIRM_DAYS", 7, minimum=1)
SUBSCRIPTION_MAX_ATTEMPTS = env_int("SUBSCRIPTION_MAX_ATTEMPTS", 6, minimum=1)
SUBSCRIPTION_RATE_PER_ADDRESS = env_int("SUBSCRIPTION_RATE_PER_ADDRESS", 3, minimum=1)
SUBSCRIPTION_RATE_PER_IP = env_int("SUBSCRIPTION_RATE_PER_IP", 20, minimum=1)
SUBSCRIPTION_RATE_WINDOW_SECONDS = 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
