"""Settings for Returns Portal, read from the environment (django-environ).

With nothing set, the project runs on one machine with nothing else installed: DEBUG on, SQLite
and a file-based Celery broker under ``var/``, the provider sandbox enabled. Production sets
``DEBUG=false``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``CELERY_BROKER_URL``.
Every variable is listed in the README.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    # Development only: check --deploy refuses this key, and DEBUG off demands a real one.
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-returns-portal-development-key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    try:
        SECRET_KEY = env.str("SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "SECRET_KEY and ALLOWED_HOSTS must be set when DEBUG is off."
        ) from exc
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name at least one host when DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "returns_portal",
    "catalog",
    "orders",
    "shipbacks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files in production (gunicorn behind a proxy or not).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "returns_portal.urls"
WSGI_APPLICATION = "returns_portal.wsgi.application"
ASGI_APPLICATION = "returns_portal.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL switches (postgres://user@host/db).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat write to the same file: WAL lets readers go on while
    # one writes, IMMEDIATE takes the write lock at BEGIN so writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif env.bool("DATABASE_POOL", default=False):
    # psycopg's connection pool; it replaces persistent connections.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (product pictures, return photos, labels) live outside the static root.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="returns@localhost")

# Security. Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER_NAME (for example
# HTTP_X_FORWARDED_PROTO) so Django knows the request was HTTPS.
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
if proxy_header := env.str("SECURE_PROXY_SSL_HEADER_NAME", default=""):
    SECURE_PROXY_SSL_HEADER = (proxy_header, "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["returns_portal.api.parsers.LenientJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "returns_portal.api.authentication.IntegratorTokenAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["returns_portal.api.authentication.IsIntegrator"],
    "DEFAULT_THROTTLE_CLASSES": ["returns_portal.api.throttling.IntegratorRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"integrator": env.str("API_THROTTLE_RATE", default="1200/min")},
    "EXCEPTION_HANDLER": "returns_portal.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
}

# Celery. With no broker set, kombu's filesystem transport under var/ needs no server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("broker", "processed", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "broker"),
        "data_folder_out": str(_celery_dir / "broker"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
else:
    # Redis re-delivers an unacknowledged message after this timeout: keep every countdown
    # (polling, retries) well below it so nothing is delivered twice while it waits.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True  # no result backend: tasks record their outcome in the database
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# No task waits in the broker longer than this: longer delays are left to the periodic sweepers.
TASK_MAX_COUNTDOWN = timedelta(seconds=env.int("TASK_MAX_COUNTDOWN_SECONDS", default=300))

# Integrator API.
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48))
WEBHOOK_TIMEOUT = timedelta(seconds=env.int("WEBHOOK_TIMEOUT_SECONDS", default=10))

# Returns.
RETURNS_MERCHANT_NAME = env.str("RETURNS_MERCHANT_NAME", default="Returns Portal")
# The public address of this site, for links sent to customers and integrators.
RETURNS_PUBLIC_URL = env.str("RETURNS_PUBLIC_URL", default="http://127.0.0.1:8000")
# Shipbacks a customer started but never confirmed are cancelled after this long.
RETURNS_ABANDONED_SHIPBACK_AFTER = timedelta(
    hours=env.int("RETURNS_ABANDONED_SHIPBACK_AFTER_HOURS", default=72)
)
# The built-in provider sandbox: on by default with DEBUG, never implied in production.
PROVIDERS_SANDBOX = env.bool("PROVIDERS_SANDBOX", default=DEBUG)

# --- Providers (shipbacks/providers) --------------------------------------------------------
# One block for the provider clients; see shipbacks/providers/config.py. A provider whose URL is
# empty talks to the built-in sandbox at {SANDBOX_BASE_URL}/sandbox/<provider>. Secrets have no
# default: empty means "not configured".
SANDBOX_BASE_URL = env.str("SANDBOX_BASE_URL", default="http://127.0.0.1:8000")
PROVIDER_CONNECT_TIMEOUT = env.float("PROVIDER_CONNECT_TIMEOUT", default=5.0)
PROVIDER_READ_TIMEOUT = env.float("PROVIDER_READ_TIMEOUT", default=30.0)
# Largest label a provider may hand us (ShopRunBack labels are PDFs of a few hundred KB).
PROVIDER_LABEL_MAX_BYTES = env.int("PROVIDER_LABEL_MAX_BYTES", default=5 * 1024 * 1024)
# Standard Webhooks (ShipBob): how old a signed timestamp may be, in seconds.
PROVIDER_WEBHOOK_TOLERANCE = env.int("PROVIDER_WEBHOOK_TOLERANCE", default=300)

SHOPRUNBACK_URL = env.str("SHOPRUNBACK_URL", default="")  # https://dashboard.shoprunback.com/api/v1
SHOPRUNBACK_TOKEN = env.str("SHOPRUNBACK_TOKEN", default="")
SHOPRUNBACK_WEBHOOK_SECRET = env.str("SHOPRUNBACK_WEBHOOK_SECRET", default="")

SHIPPINGBO_URL = env.str("SHIPPINGBO_URL", default="")  # https://app.shippingbo.com
SHIPPINGBO_APP_ID = env.str("SHIPPINGBO_APP_ID", default="")
SHIPPINGBO_TOKEN = env.str("SHIPPINGBO_TOKEN", default="")
SHIPPINGBO_WEBHOOK_TOKEN = env.str("SHIPPINGBO_WEBHOOK_TOKEN", default="")

SHIPBOB_URL = env.str("SHIPBOB_URL", default="")  # https://api.shipbob.com
SHIPBOB_TOKEN = env.str("SHIPBOB_TOKEN", default="")
SHIPBOB_CHANNEL_ID = env.str("SHIPBOB_CHANNEL_ID", default="")
SHIPBOB_WEBHOOK_SECRET = env.str("SHIPBOB_WEBHOOK_SECRET", default="")

KIBO_URL = env.str("KIBO_URL", default="")  # https://integration.shopatron.com/api/v2
# Either a static token, or OAuth client credentials exchanged at KIBO_AUTH_URL (empty: the
# token endpoint of the Kibo base URL, <base>/oauth/token, which the sandbox serves; Kibo's is
# https://home.mozu.com/api/platform/applications/authtickets/oauth).
KIBO_TOKEN = env.str("KIBO_TOKEN", default="")
KIBO_CLIENT_ID = env.str("KIBO_CLIENT_ID", default="")
KIBO_CLIENT_SECRET = env.str("KIBO_CLIENT_SECRET", default="")
KIBO_AUTH_URL = env.str("KIBO_AUTH_URL", default="")

PROVIDERS = {
    "shoprunback": {
        "BACKEND": "shipbacks.providers.shoprunback.client.ShopRunBackClient",
        "OPTIONS": {"token": SHOPRUNBACK_TOKEN},
    },
    "shippingbo": {
        "BACKEND": "shipbacks.providers.shippingbo.client.ShippingboClient",
        "OPTIONS": {"app_id": SHIPPINGBO_APP_ID, "token": SHIPPINGBO_TOKEN},
    },
    "shipbob": {
        "BACKEND": "shipbacks.providers.shipbob.client.ShipBobClient",
        "OPTIONS": {"token": SHIPBOB_TOKEN, "channel_id": SHIPBOB_CHANNEL_ID},
    },
    "kibo": {
        "BACKEND": "shipbacks.providers.kibo.client.KiboClient",
        "OPTIONS": {
            "token": KIBO_TOKEN,
            "client_id": KIBO_CLIENT_ID,
            "client_secret": KIBO_CLIENT_SECRET,
            "auth_url": KIBO_AUTH_URL,
        },
    },
}
# --- end of Providers -------------------------------------------------------------------------
