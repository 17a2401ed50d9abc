"""Django settings for Probity, read from PROBITY_* environment variables.

Two modes: development (the default; safe local defaults) and production
(PROBITY_MODE=production; refuses to start without real secrets).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("PROBITY_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


MODE = os.environ.get("PROBITY_MODE", "development").strip().lower()
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured("PROBITY_MODE must be 'development' or 'production'")
PRODUCTION = MODE == "production"

# A fixed, public development key: production refuses it (see below).
DEV_SECRET_KEY = "probity-development-only-key-never-use-in-production-0123456789abcdef"  # noqa: S105
# A fixed, public development field key (Fernet): production refuses it too.
DEV_FIELD_KEY = "cHJvYml0eS1kZXZlbG9wbWVudC1maWVsZC1rZXktMDE="

SECRET_KEY = os.environ.get("PROBITY_SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
FIELD_KEYS = _env_list("PROBITY_FIELD_KEYS", [] if PRODUCTION else [DEV_FIELD_KEY])
DEBUG = _env_bool("PROBITY_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    problems = []
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY == DEV_SECRET_KEY:
        problems.append("PROBITY_SECRET_KEY must be set to a random value of at least 50 characters")
    if not FIELD_KEYS or DEV_FIELD_KEY in FIELD_KEYS:
        problems.append("PROBITY_FIELD_KEYS must hold at least one Fernet key of your own")
    if DEBUG:
        problems.append("PROBITY_DEBUG must be false in production")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production mode: " + "; ".join(problems))

ALLOWED_HOSTS = _env_list(
    "PROBITY_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = _env_list("PROBITY_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "axes",
    "treebeard",
    "django_tasks_db",
    "ninja",
    "probity.core",
    "probity.intake",
    "probity.investigations",
    "probity.oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "probity.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "probity.urls"
WSGI_APPLICATION = "probity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "probity.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite (WAL, immediate transactions so concurrent writers queue instead of failing)
# by default; PostgreSQL in production through PROBITY_DATABASE_URL.
DATABASE_URL = os.environ.get("PROBITY_DATABASE_URL", f"sqlite:///{VAR_DIR / 'probity.sqlite3'}")
# Persistent connections (seconds) save a connection set-up per request on PostgreSQL.
_database = dj_database_url.parse(
    DATABASE_URL,
    conn_max_age=int(os.environ.get("PROBITY_DB_CONN_MAX_AGE", "60")),
    conn_health_checks=True,
)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failures (django-axes): per user name, so an attacker cannot lock a
# whole office out from one address.
AXES_FAILURE_LIMIT = int(os.environ.get("PROBITY_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("PROBITY_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Idle session timeout: the cookie is renewed on every request and expires after this idle time.
SESSION_COOKIE_AGE = int(os.environ.get("PROBITY_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("PROBITY_STATIC_ROOT", VAR_DIR / "static"))
_NODE_MODULES = PROJECT_DIR / "node_modules"
_USWDS = _NODE_MODULES / "@uswds" / "uswds" / "dist"
STATICFILES_DIRS = [
    *((f"uswds/{part}", _USWDS / part) for part in ("css", "js", "img", "fonts")),
    ("htmx", _NODE_MODULES / "htmx.org" / "dist"),
]
MEDIA_ROOT = Path(os.environ.get("PROBITY_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: content-checked limits (see core.files).
PROBITY_UPLOAD_MAX_BYTES = int(os.environ.get("PROBITY_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
# Accepted upload types as detected from the content (never the name): MIME type → plain name.
# Several MIME types may share a name because libmagic reports some formats under more than one.
PROBITY_UPLOAD_ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "image/heic": "HEIC image",
    "image/heif": "HEIC image",
    "image/tiff": "TIFF image",
    "audio/mpeg": "MP3 audio",
    "audio/x-wav": "WAV audio",
    "audio/wav": "WAV audio",
    "audio/vnd.wave": "WAV audio",
    "audio/x-m4a": "M4A/AAC audio",
    "audio/mp4": "M4A/AAC audio",
    "audio/aac": "M4A/AAC audio",
    "audio/x-hx-aac-adts": "M4A/AAC audio",
    "video/mp4": "MP4 video",
    "video/quicktime": "QuickTime video",
    "video/webm": "WebM video",
    "text/plain": "plain text",
    "text/csv": "CSV",
    "application/csv": "CSV",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook (XLSX)",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("PROBITY_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Security headers. The CSP allows only our own origin: no inline script, no third parties.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

if PRODUCTION:
    SECURE_SSL_REDIRECT = _env_bool("PROBITY_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Office-specific numbers that are configuration rather than code.
PROBITY_API_TOKEN_DAYS = int(os.environ.get("PROBITY_API_TOKEN_DAYS", "90"))
PROBITY_DEMO_PASSWORD = os.environ.get("PROBITY_DEMO_PASSWORD", "")

# Lock-out is by account name on purpose (AC-7); rate limiting by address belongs to the proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
CSRF_FAILURE_VIEW = "probity.core.views.errors.csrf_failure"
PROBITY_AGENCY_TIME_ZONE = os.environ.get("PROBITY_AGENCY_TIME_ZONE", "America/New_York")

# --- Public portal (/report/ and /api/v1/public/) ----------------------------------------------
# Per-address limits, counted in the database so that every web process shares them. The bench
# raises them; a kiosk or partner site posting from one address may need them raised too.
PROBITY_PORTAL_SUBMISSIONS_PER_HOUR = int(os.environ.get("PROBITY_PORTAL_SUBMISSIONS_PER_HOUR", "5"))
PROBITY_PORTAL_STATUS_CHECKS_PER_HOUR = int(os.environ.get("PROBITY_PORTAL_STATUS_CHECKS_PER_HOUR", "20"))
PROBITY_PORTAL_MAX_FILES = 10
PROBITY_PORTAL_MAX_PEOPLE = 20
# What the public may attach, by the type detected from the content (a subset of
# PROBITY_UPLOAD_ALLOWED_TYPES; sizes follow PROBITY_UPLOAD_MAX_BYTES).
PROBITY_PORTAL_UPLOAD_KINDS = ("image/", "audio/", "video/", "application/pdf")

# Duplicate and related-allegation suggestions (intake). Weights stay in code
# (probity.intake.duplicates.MatchWeights) unless PROBITY_DUPLICATE_WEIGHTS is set here.
# Investigations: the org unit (by code) whose field offices own cases.
PROBITY_OPR_UNIT_CODE = os.environ.get("PROBITY_OPR_UNIT_CODE", "OPR")
PROBITY_CASE_AGE_WARNING_DAYS = int(os.environ.get("PROBITY_CASE_AGE_WARNING_DAYS", "30"))
PROBITY_DUPLICATE_MATCHING = os.environ.get("PROBITY_DUPLICATE_MATCHING", "task")
if PROBITY_DUPLICATE_MATCHING not in {"inline", "task", "off"}:
    raise ImproperlyConfigured("PROBITY_DUPLICATE_MATCHING must be inline, task or off")
PROBITY_DUPLICATE_THRESHOLD = float(os.environ.get("PROBITY_DUPLICATE_THRESHOLD", "0.65"))
PROBITY_DUPLICATE_WINDOW_DAYS = int(os.environ.get("PROBITY_DUPLICATE_WINDOW_DAYS", "365"))
PROBITY_DUPLICATE_DATE_TOLERANCE_DAYS = int(os.environ.get("PROBITY_DUPLICATE_DATE_TOLERANCE_DAYS", "14"))
PROBITY_DUPLICATE_MAX_SUGGESTIONS = int(os.environ.get("PROBITY_DUPLICATE_MAX_SUGGESTIONS", "20"))

# Public tables (the annual PREA report): counts from 1 to this minus one are shown as "fewer
# than N", with whatever else would reveal them (probity.lib.small_cells). 1 switches it off.
PROBITY_PUBLIC_MIN_CELL = int(os.environ.get("PROBITY_PUBLIC_MIN_CELL", "5"))
if PROBITY_PUBLIC_MIN_CELL < 1:
    raise ImproperlyConfigured("PROBITY_PUBLIC_MIN_CELL must be 1 or more")
