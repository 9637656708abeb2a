"""Django settings for giaoban, read from environment variables (see README, Configuration)."""

import os
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from giaoban import config
from giaoban.ops import logs

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = config.data_dir(BASE_DIR)

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("DEBUG", False)
ALLOWED_HOSTS = config.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])
REDIS_URL = config.url_or_none("REDIS_URL", {"redis", "rediss", "unix"})
JANUS_URLS = config.url_list("JANUS_URL", {"ws", "wss", "http", "https"})
JANUS_BROWSER_URL = os.environ.get("JANUS_BROWSER_URL") or (JANUS_URLS[0] if JANUS_URLS else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "giaoban.core.third_party_apps.AxesConfig",
    "csp",
    "django_otp",
    "giaoban.core.third_party_apps.TotpConfig",
    "giaoban.core.third_party_apps.StaticConfig",
    "django_ratelimit",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "giaoban.core",
    "giaoban.orgs",
    "giaoban.reporting",
    "giaoban.meetings",
    "giaoban.followup",
    "giaoban.media",
    "giaoban.publishing",
    "giaoban.documents",
    "giaoban.ops",
    "giaoban.home",
]

MIDDLEWARE = [
    "giaoban.ops.logs.RequestIdMiddleware",  # first: every later log line carries the id
    "django.middleware.security.SecurityMiddleware",
    "giaoban.core.security.SecurityHeadersMiddleware",  # CSP and Permissions-Policy
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "giaoban.core.middleware.LanguageMiddleware",
    "giaoban.core.security.NulCharacterMiddleware",  # U+0000 in any text: 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "giaoban.core.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "giaoban.core.middleware.LoginRequiredMiddleware",  # anonymous users see only login
    "giaoban.core.middleware.ApplicationErrorMiddleware",
    # Axes goes last: it turns a lock-out into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "giaoban.urls"
ASGI_APPLICATION = "giaoban.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "giaoban" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "giaoban.home.context_processors.membership",
            ],
        },
    },
]

DATABASES = {"default": config.database(DATA_DIR)}
# At most this many HTTP requests run at once, the others wait their turn, up to HTTP_QUEUE_WAIT
# seconds before a 503 (giaoban/core/admission.py).
HTTP_CONCURRENCY = config.http_concurrency(DATABASES["default"])
HTTP_QUEUE_WAIT = config.env_int("HTTP_QUEUE_WAIT", 20, minimum=1, maximum=600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    # After Redis restarts every pooled connection is dead: reconnect and retry the command
    # rather than fail the console that uses it (giaoban/ops/tests/test_faults.py).
    _REDIS_RETRY = {
        "retry": Retry(ExponentialBackoff(cap=1, base=0.05), 3),
        "retry_on_error": [RedisConnectionError],
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py's default 5 s socket timeout races the layer's own 5 s blocking read and
            # drops idle consoles (measured in bench.live); a REDIS_URL ?socket_timeout= wins.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30} | _REDIS_RETRY]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "giaoban.core.layers.ThrottledInMemoryChannelLayer"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failed logins, per user name and address.
AXES_FAILURE_LIMIT = config.env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=config.env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The login lock-out and the API limits see the same client address (docs/security.md).
AXES_CLIENT_IP_CALLABLE = "giaoban.core.security.client_ip"

# The live room: up to this many bridge points every console receives every point's tile; in a
# larger conference a point's console receives only the host's and its own, with the counts.
LIVE_ALL_POINTS_UP_TO = config.env_int("LIVE_ALL_POINTS_UP_TO", 200, minimum=1)

# Background tasks (django-tasks, Django 6's django.tasks backported) stored in the database:
# enqueued by the apps and by the scheduler, run by `giaoban worker` or serve's thread (ops.worker).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Task reminders: days before a deadline, and seconds between runs of the task (serve, worker).
REMINDER_DAYS_BEFORE = config.env_int("REMINDER_DAYS_BEFORE", 3, minimum=0, maximum=365)
REMINDER_INTERVAL = config.env_int("REMINDER_INTERVAL", 3600, minimum=10, maximum=7 * 86400)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = config.env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "giaoban@localhost")

# Official documents' PDFs (docs/documents-signing.md): the LibreOffice binary (a name on PATH or
# a path), the seconds one conversion may run, the key the signing keys are encrypted with (empty:
# derived from SECRET_KEY), and the trusted roots (a PEM file, or a directory of them).
DOCUMENT_SOFFICE = os.environ.get("DOCUMENT_SOFFICE", "soffice")
DOCUMENT_PDF_TIMEOUT = config.env_int("DOCUMENT_PDF_TIMEOUT", 120, minimum=1, maximum=3600)
DOCUMENT_KEY = os.environ.get("DOCUMENT_KEY", "")
DOCUMENT_TRUSTED_ROOTS = Path(
    os.environ.get("DOCUMENT_TRUSTED_ROOTS") or DATA_DIR / "trusted-roots"
)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "giaoban" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["giaoban.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The app serves its own static files from the apps (no collectstatic needed for the demo).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security (docs/security.md). HTTPS=true when the site is served over TLS (by nginx, which
# must set X-Forwarded-Proto: the app then trusts it): redirect to https, HSTS, secure cookies.
HTTPS = config.env_bool("HTTPS", False)
# The proxies (nginx) whose X-Forwarded-For names the client; from anyone else the header is
# ignored, or a client could pick its own address and escape every per-address limit.
TRUSTED_PROXIES = config.env_networks("TRUSTED_PROXIES")
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = config.env_int("HSTS_SECONDS", 31536000 if HTTPS else 0, maximum=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = config.env_bool("SECURE_COOKIES", HTTPS)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the form, never from the cookie
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere; connect-src also gets the page's own ws:/wss: origin and
# JANUS_BROWSER_URL per request (giaoban.core.security.SecurityHeadersMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Two-factor login (TOTP, django-otp): required for these roles (admin, leader, officer,
# operator, viewer; superuser for accounts with no membership), optional for everyone else.
TWO_FACTOR_REQUIRED_ROLES = config.env_choices(
    "TWO_FACTOR_REQUIRED_ROLES",
    [],
    {"admin", "leader", "officer", "operator", "viewer", "superuser"},
)
OTP_TOTP_ISSUER = "giaoban"
# API limits, counted in the shared cache (Redis when REDIS_URL is set, so across processes):
# wrong tokens per address, and requests per token.
API_TOKEN_FAILURES = config.env_rate("API_TOKEN_FAILURES", "10/m")
API_TOKEN_RATE = config.env_rate("API_TOKEN_RATE", "600/m")
RATELIMIT_FAIL_OPEN = True
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # One process (the embedded default): its memory is the shared cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit warns about caches it does not list: Django's own Redis cache increments
# atomically (INCR), and the in-memory one is only used by a single process.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Load balancers probe, and Janus posts its events to, the app's own port over plain HTTP on
# loopback (docs/deploy.md): not redirected to https.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^media/janus/events/"]
# LOG_FORMAT=json: one JSON object per line, with the request's id (giaoban/ops/logs.py).
LOGGING = logs.logging_config(os.environ.get("LOG_FORMAT", "text"))
