"""Recordwarden settings: one file, read from the environment through small typed helpers.

Development (the default, ``RECORDWARDEN_ENV=development``) creates its own secret key and
data keys under ``var/`` on first use. Production (``RECORDWARDEN_ENV=production``) refuses to
start without ``SECRET_KEY``, ``ALLOWED_HOSTS`` and the key files, and turns on every secure
cookie and HTTPS setting so that ``manage.py check --deploy`` is clean.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name) or default)


ENVIRONMENT = env_str("RECORDWARDEN_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("RECORDWARDEN_ENV must be development or production.")
PRODUCTION = ENVIRONMENT == "production"
VAR_DIR = env_path("RECORDWARDEN_VAR_DIR", BASE_DIR / "var")


def _dev_secret(path: Path, nbytes: int) -> str:
    """Create (once, atomically) a random development secret under var/."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(nbytes))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret(VAR_DIR / "secret_key", 50)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

# Key material for SSN/protected-field encryption (AES-GCM) and keyed look-up hashes (HMAC),
# both derived from one 32-byte master key kept in a file outside the repository.
DATA_KEY_FILE = env_path("DATA_KEY_FILE", VAR_DIR / "keys" / "data.key")
# Ed25519 private key (PEM, PKCS#8) that signs audit checkpoints.
AUDIT_SIGNING_KEY_FILE = env_path(
    "AUDIT_SIGNING_KEY_FILE", VAR_DIR / "keys" / "audit-signing.pem"
)
AUDIT_LOG_ORIGIN = env_str("AUDIT_LOG_ORIGIN", "recordwarden.example.gov/audit")
if PRODUCTION:
    for _key in (DATA_KEY_FILE, AUDIT_SIGNING_KEY_FILE):
        if not _key.exists():
            raise ImproperlyConfigured(f"Key file {_key} does not exist.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "recordwarden.core",
    "recordwarden.accounts",
    "recordwarden.records",
    "recordwarden.audit",
    "recordwarden.policy",
    "recordwarden.matching",
    "recordwarden.intake",
    "recordwarden.review",
    "recordwarden.disclosure",
    "recordwarden.transparency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "recordwarden.core.middleware.SecurityHeadersMiddleware",
    "recordwarden.core.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "recordwarden.core.ratelimit.RateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "recordwarden.urls"
WSGI_APPLICATION = "recordwarden.wsgi.application"
ASGI_APPLICATION = "recordwarden.asgi.application"

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
                "recordwarden.accounts.context_processors.roles",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL")
        or f"sqlite:///{VAR_DIR / 'recordwarden.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL for concurrent readers, FULL sync so an acknowledged write survives a crash,
    # IMMEDIATE transactions so writers queue on the lock instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;"
            "PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
OTP_TOTP_ISSUER = "Recordwarden"
# Failed log-ins before an account is locked for LOGIN_LOCKOUT_MINUTES.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/Denver")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.ManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# In development WhiteNoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")

# Uploads: a legal-process document is at most this many bytes.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Any request body: a few documents' worth; larger ones are refused before being read.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 5 * UPLOAD_MAX_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# Security headers and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = PRODUCTION or env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = False
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "records-requests@dws.example.gov")

CACHES = {
    "default": {
        "BACKEND": env_str(
            "CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"
        ),
        "LOCATION": env_str("CACHE_LOCATION", str(VAR_DIR / "cache")),
    }
}
# Rate limits per scope: (requests, seconds), per signed-in user or per address.
RATE_LIMITS = {
    "login": (env_int("RATE_LIMIT_LOGIN", 20), 60),
    "portal": (env_int("RATE_LIMIT_PORTAL", 30), 60),
    "api": (env_int("RATE_LIMIT_API", 120), 60),
}

# Days a disclosure package's content is kept before it is purged (hash and accounting stay).
PACKAGE_RETENTION_DAYS = env_int("PACKAGE_RETENTION_DAYS", 90)
DOWNLOAD_LINK_HOURS = env_int("DOWNLOAD_LINK_HOURS", 72)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "recordwarden": {"handlers": ["console"], "level": "INFO"},
        "recordwarden.alerts": {"handlers": ["console"], "level": "WARNING"},
        # Server errors with their traceback (Django sends them only to ADMINS by
        # default, which is empty: a 500 would leave no trace).
        "django.request": {"handlers": ["console"], "level": "ERROR"},
    },
}
