"""The one settings file. Every value comes from the environment; `.env.example` lists them all.

Development needs nothing: SQLite in SMARTSEOUL_DATA_DIR, development keys, console e-mail.
Production (SMARTSEOUL_ENV=production) refuses to start without its secrets; `smartseoul check`
prints what is missing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


ENVIRONMENT = env("SMARTSEOUL_ENV", "development")  # development | test | production
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test" or "pytest" in sys.modules

DATA_DIR = Path(env("SMARTSEOUL_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Development-only fallbacks. A production start without the real values fails (see core.checks).
_DEV_SECRET = "development-only-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
# Key for encrypting personal fields (phone numbers): 32 url-safe base64 bytes (Fernet).
FIELD_ENCRYPTION_KEY = env("SMARTSEOUL_FIELD_KEY", "" if PRODUCTION else "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMzJieXQ=")
# Pepper for keyed hashes (phone look-up, census lists, vote nullifiers).
HASH_KEY = env("SMARTSEOUL_HASH_KEY", "" if PRODUCTION else "development-only-hash-key")
# Ed25519 seed for the ballot-log checkpoints: a file path or hex; development generates one in DATA_DIR.
LEDGER_KEY = env("SMARTSEOUL_LEDGER_KEY", "")
LEDGER_ORIGIN = env("SMARTSEOUL_LEDGER_ORIGIN", "vote.smartseoul.local/log")

# Django's debug pages show settings, code and data: only ever on when DEBUG=1 is set explicitly,
# never by default, not even for the demo (which shows the platform's own error pages).
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'smartseoul.sqlite3'}"),
        # Persistent connections: each server thread keeps its own (opening a SQLite connection
        # with its pragmas costs ~6 ms, a PostgreSQL one 10-20 ms) - docs/adr/0004-production-server.md.
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
    # A process-wide psycopg pool per server worker hands connections across its threads, and
    # across the fresh thread each ASGI request would run in (docs/adr/0003-database-connection-pool.md).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(env("DATABASE_POOL_MIN_SIZE", "2")),
        "max_size": int(env("DATABASE_POOL_MAX_SIZE", "16")),
        "timeout": float(env("DATABASE_POOL_TIMEOUT_S", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
    }
    # Tests use a file database like production (WAL, busy timeout), not the shared-cache
    # in-memory one, whose table locks fail at once instead of waiting for the writer.
    DATABASES["default"]["TEST"] = {"NAME": env("SMARTSEOUL_TEST_SQLITE", str(DATA_DIR / "test-smartseoul.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "smartseoul.core.apps.BackOfficeAdminConfig",  # Django's admin, behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "smartseoul.core",
    "smartseoul.accounts",
    "smartseoul.complaints",
    "smartseoul.voting",
    "smartseoul.democracy",
    "smartseoul.budget",
    "smartseoul.opendata",
    "smartseoul.sensors",
    "smartseoul.analytics",
    "smartseoul.dashboard",
]

# WhiteNoise serves /static/ (compressed, hashed, cached for a year) before any of Django's request
# handling; turn it off when a proxy serves STATIC_ROOT itself. Outside production it also finds
# files not collected yet, so a checkout serves without `collectstatic`.
SERVE_STATIC = env_bool("SMARTSEOUL_SERVE_STATIC", not TESTING)  # tests: pytest-django's live server serves them
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
ACCESS_LOG = env_bool("SMARTSEOUL_ACCESS_LOG", True)  # one line per request from `smartseoul serve`
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if SERVE_STATIC else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "smartseoul.accounts.policy.SecondFactorMiddleware",
    "smartseoul.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "smartseoul.urls"
ASGI_APPLICATION = "smartseoul.asgi.application"
WSGI_APPLICATION = "smartseoul.wsgi.application"
APPEND_SLASH = False  # protocol endpoints have no trailing slash and never redirect a POST

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "smartseoul.core.context_processors.platform",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "template_partials.templatetags.partials",
                "smartseoul.core.templatetags.ui",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # argon2 at full cost makes thousands of test users slow; production never takes this branch
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_MAX_FAILURES = int(env("SMARTSEOUL_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(env("SMARTSEOUL_LOGIN_LOCKOUT_SECONDS", "900"))
# Sign-in attempts one address may make in 5 minutes, whatever accounts it tries.
LOGIN_MAX_PER_ADDRESS = int(env("SMARTSEOUL_LOGIN_MAX_PER_ADDRESS", "30"))

LANGUAGE_CODE = env("SMARTSEOUL_LANGUAGE", "ko")
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("SMARTSEOUL_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise reads it at start-up, before any `collectstatic`


def _package_dir(module: str, *parts: str) -> str:
    """Assets shipped inside installed wheels (Leaflet, plotly.js): served, never copied into the repo."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return str(PROJECT_DIR / "static")
    return str(Path(spec.origin).parent.joinpath(*parts))


STATICFILES_FINDERS = [
    "smartseoul.core.staticfiles.FileSystemFinder",  # STATICFILES_DIRS, less unused vendored files
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [
    PROJECT_DIR / "static",
    ("vendor", PROJECT_DIR / "build" / "static" / "vendor"),  # KRDS and Pretendard GOV, built by `make install`
    ("vendor/leaflet", _package_dir("leaflet", "static", "leaflet")),
    ("vendor/plotly", _package_dir("plotly", "package_data")),
    ("vendor/swagger-ui", _package_dir("ninja", "static", "ninja")),  # Swagger UI for /api/docs
]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"
LAKE_DIR = DATA_DIR / "lake"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names need `collectstatic`; the test suite links plain names (its servers serve from
    # the finders), whatever a `make run` left in STATIC_ROOT.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if TESTING
                    else "smartseoul.core.staticfiles.StaticStorage"},
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache" if not env("CACHE_URL") else env("CACHE_BACKEND"),
        "LOCATION": env("CACHE_URL", "smartseoul"),
    }
}

TASKS = {
    "default": {
        "BACKEND": env(
            "SMARTSEOUL_TASK_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        ),
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "no-reply@smartseoul.local")
SMS_GATEWAY = env("SMARTSEOUL_SMS_GATEWAY", "smartseoul.core.notifications.OutboxSmsGateway")

MQTT_URL = env("SMARTSEOUL_MQTT_URL", "mqtt://127.0.0.1:1883")
# Where to report a vulnerability (mailto: or https: URIs, comma-separated): /.well-known/security.txt
SECURITY_CONTACT = env_list("SMARTSEOUL_SECURITY_CONTACT")
OPEN311_JURISDICTION = env("SMARTSEOUL_OPEN311_JURISDICTION", "seoul.go.kr")

# Cookies: never readable by scripts, not sent on cross-site sub-requests, HTTPS-only in production.
# Pages hand the CSRF token to scripts in the markup (hx-headers, data-csrf-token), never the cookie.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "smartseoul.core.views.csrf_failure"  # the platform's 403 page, not Django's


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto: https` -> ("HTTP_X_FORWARDED_PROTO", "https"): the header a TLS-terminating
    proxy sets on every request. Empty: no header is trusted (the default; a client could forge it)."""
    if not value.strip():
        return None
    name, _sep, expected = value.partition(":")
    if not name.strip() or not expected.strip():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER reads 'Name: value', e.g. 'X-Forwarded-Proto: https'.")
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip()


# HTTPS in production: redirect plain HTTP (health checks excepted), HSTS for a year on every
# subdomain. Behind a proxy that terminates TLS, either let `smartseoul serve` trust the proxy's
# address (FORWARDED_ALLOW_IPS, read by smartseoul/wsgi.py) or name its header in SECURE_PROXY_SSL_HEADER.
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1")
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(env("SECURE_PROXY_SSL_HEADER"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS") or ("31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
# The preload flag only makes the site eligible: nothing happens until the domain is submitted to
# the browsers' preload list, which is a decision for the city's domain owners.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
# No page is framed, not even by the platform itself; the embeddable maps are exempt and governed
# by the CSP's frame-ancestors list (SMARTSEOUL_EMBED_ANCESTORS).
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # map tiles: list the tile URL's own host too (`https://*.host` does not match `https://host`)
        "img-src": [
            "'self'",
            "data:",
            "blob:",
            *env_list("SMARTSEOUL_TILE_HOSTS", "https://tile.openstreetmap.org,https://*.tile.openstreetmap.org"),
        ],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'", *env_list("SMARTSEOUL_EMBED_ANCESTORS")],
        "worker-src": ["'self'", "blob:"],
    }
}

# Map tiles: the tile URL a city's map uses (OpenStreetMap by default; set your own tile server).
MAP_TILE_URL = env("SMARTSEOUL_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = env("SMARTSEOUL_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "smartseoul.core.logging.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

# Module settings (see .env.example); modules read them with safe defaults.
OPENDATA_SQL_ENABLED = env_bool("OPENDATA_SQL_ENABLED", False)
OPENDATA_SQL_MAX_ROWS = int(env("OPENDATA_SQL_MAX_ROWS", "32000"))
OPENDATA_SQL_TIMEOUT_S = float(env("OPENDATA_SQL_TIMEOUT_S", "5"))
OPENDATA_SQL_MEMORY_LIMIT = env("OPENDATA_SQL_MEMORY_LIMIT", "256MB")
OPENDATA_SQL_TEMP_LIMIT = env("OPENDATA_SQL_TEMP_LIMIT", "512MB")
OPENDATA_SQL_TEMP_DIR = env("OPENDATA_SQL_TEMP_DIR") or str(DATA_DIR / "tmp" / "sql")
OPENDATA_SQL_THREADS = int(env("OPENDATA_SQL_THREADS", "1"))
OPENDATA_SQL_CONCURRENCY = int(env("OPENDATA_SQL_CONCURRENCY", "2"))
DASHBOARD_WIDGET_TTL = int(env("DASHBOARD_WIDGET_TTL", "20"))
DASHBOARD_REFRESH_SECONDS = int(env("DASHBOARD_REFRESH_SECONDS", "600"))
DASHBOARD_LAYER_TTL = int(env("DASHBOARD_LAYER_TTL", "30"))
MQTT_PUBLIC_URL = env("MQTT_PUBLIC_URL", MQTT_URL)
LAKE_THREADS = int(env("LAKE_THREADS", "2"))
ANALYTICS_DUCKDB_MEMORY = env("ANALYTICS_DUCKDB_MEMORY", "8GB")
