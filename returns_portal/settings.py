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
from kombu import Queue

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "returns_portal",
    "catalog",
    "orders",
    "shipbacks.providers.sandbox",
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
    # Who made a change, for the history kept on products, orders, returns and rules.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Locks out admin logins after repeated failures (last, as django-axes requires).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves it; collectstatic fills it

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

# --- Integrator API documentation (drf-spectacular) -----------------------------------------
# The OpenAPI schema at /api/schema/ and Swagger UI at /api/docs/, its assets served from
# drf-spectacular-sidecar's static files: no CDN.
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema"
SPECTACULAR_SETTINGS = {
    "TITLE": "Returns Portal integrator API",
    "DESCRIPTION": "ShopRunBack-compatible REST API (v1).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["returns_portal.api.schema.only_integrator_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "returns_portal.api.schema.describe_conventions",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ShipbackStateEnum": "shipbacks.models.shipbacks.ShipbackState",
        "ShipbackModeEnum": "shipbacks.models.shipbacks.Mode",
        "QuoteModeEnum": "shipbacks.models.shipbacks.QuoteMode",
        "ReturnOrderStateEnum": "shipbacks.models.return_orders.ReturnOrderState",
    },
}
# --- end of integrator API documentation ----------------------------------------------------

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
# Queues, all consumed by a worker not given -Q: webhooks, received and sent, are short tasks
# that someone waits on (a label ShopRunBack says is ready, an integrator's endpoint); in a queue
# of their own they take turns with the backlog of the default one (provider calls, imports,
# e-mails) instead of waiting behind all of it. The sandbox, a stand-in for the providers' own
# systems, has a queue of its own too: its timers and webhooks can be given workers apart.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = tuple(
    Queue(name, routing_key=name) for name in ("celery", "webhooks", "sandbox")
)
CELERY_TASK_ROUTES = {
    "shipbacks.tasks.process_inbound_event": {"queue": "webhooks"},
    "returns_portal.tasks.deliver_webhook": {"queue": "webhooks"},
    "shipbacks.providers.sandbox.tasks.*": {"queue": "sandbox"},
}

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

# --- Sandbox (shipbacks/providers/sandbox) ----------------------------------------------------
# The built-in provider sandbox, served under /sandbox/<provider>/ when PROVIDERS_SANDBOX is on.
# Delays are in seconds, short enough to watch a return go through with `make run`; tests set
# them to 0 or 1.
SANDBOX_QUOTE_SECONDS = env.int("SANDBOX_QUOTE_SECONDS", default=20)  # quotes computing
SANDBOX_LABEL_SECONDS = env.int("SANDBOX_LABEL_SECONDS", default=15)  # free -> labelled
SANDBOX_WAREHOUSE_STEP_SECONDS = env.int("SANDBOX_WAREHOUSE_STEP_SECONDS", default=60)
# Milliseconds every sandbox answer takes on top of its work, as a real provider's round trip
# across the internet does (benchmarks; 0: at once).
SANDBOX_RESPONSE_MS = env.int("SANDBOX_RESPONSE_MS", default=0)
# ShopRunBack offers pickup only in these countries (the quote is "unavailable" elsewhere).
SANDBOX_SHOPRUNBACK_PICKUP_COUNTRIES = env.list(
    "SANDBOX_SHOPRUNBACK_PICKUP_COUNTRIES", default=["FR", "BE", "DE"]
)
# Ids from this number on name nothing at the sandbox: a Shippingbo or Kibo order (404), a
# ShipBob original shipment (422). So do Shippingbo source_refs starting with "unknown" and
# those listed here.
SANDBOX_UNKNOWN_IDS_FROM = env.int("SANDBOX_UNKNOWN_IDS_FROM", default=900_000_000)
SANDBOX_SHIPPINGBO_UNKNOWN_SOURCE_REFS = env.list(
    "SANDBOX_SHIPPINGBO_UNKNOWN_SOURCE_REFS", default=[]
)
# GET /suppliers/available_for_return_order (28714: the demo data's Leipzig warehouse).
SANDBOX_SHIPPINGBO_SUPPLIERS = [
    {"id": 28714, "name": "Leipzig EU hub"},
    {"id": 28715, "name": "Entrepôt Lyon"},
]
SANDBOX_KIBO_TOKEN_SECONDS = env.int("SANDBOX_KIBO_TOKEN_SECONDS", default=3600)
# Webhooks to the portal: attempts per webhook before it is marked failed.
SANDBOX_WEBHOOK_ATTEMPTS = env.int("SANDBOX_WEBHOOK_ATTEMPTS", default=3)
if PROVIDERS_SANDBOX:
    # A provider served by the sandbox needs no account: it takes any non-empty credentials,
    # so the empty defaults above get placeholders, and the webhook secrets (shared only
    # between the sandbox and this site) get development values so webhooks flow in `make run`.
    # A provider with its own <NAME>_URL keeps exactly what the environment says.
    _sandbox_defaults = {
        "shoprunback": ({"token": "sandbox"}, "SHOPRUNBACK_WEBHOOK_SECRET", "sandbox-srb-secret"),
        "shippingbo": (
            {"app_id": "sandbox", "token": "sandbox"},
            "SHIPPINGBO_WEBHOOK_TOKEN",
            "sandbox-shippingbo-token",
        ),
        "shipbob": (
            {"token": "sandbox", "channel_id": "1"},
            "SHIPBOB_WEBHOOK_SECRET",
            "whsec_c2FuZGJveC1zaGlwYm9iLXNlY3JldC0x",
        ),
        "kibo": ({"client_id": "sandbox", "client_secret": "sandbox"}, "", ""),
    }
    for _name, (_credentials, _secret_setting, _secret) in _sandbox_defaults.items():
        if globals()[f"{_name.upper()}_URL"]:
            continue
        _options = PROVIDERS[_name]["OPTIONS"]
        if not (_name == "kibo" and _options["token"]):
            for _key, _value in _credentials.items():
                _options[_key] = _options[_key] or _value
        if _secret_setting and not globals()[_secret_setting]:
            globals()[_secret_setting] = _secret
# --- end of Sandbox ---------------------------------------------------------------------------

# --- Sync (shipbacks/services/sync) -----------------------------------------------------------
# Keeping the providers in step: every call is an outbox row (ProviderCall) sent by a task.
# Durations are in seconds; tests and the sandbox set them small.
SYNC_ENABLED = env.bool("SYNC_ENABLED", default=True)  # off: changes write no provider calls
# A running call whose worker went silent this long is taken again: longer than the task's hard
# time limit, so a live worker never loses its call.
SYNC_CLAIM_LEASE = timedelta(
    seconds=env.int("SYNC_CLAIM_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30)
)
# Transient failures (connection, timeout, 429, 5xx): exponential backoff with jitter, from the
# base delay, doubling up to the cap, at most SYNC_MAX_RETRIES in a row; then the call fails.
SYNC_MAX_RETRIES = env.int("SYNC_MAX_RETRIES", default=10)
SYNC_RETRY_BASE_DELAY = timedelta(seconds=env.float("SYNC_RETRY_BASE_DELAY_SECONDS", default=5))
SYNC_RETRY_MAX_DELAY = timedelta(seconds=env.float("SYNC_RETRY_MAX_DELAY_SECONDS", default=3600))
# A task sends the call of its message and up to SYNC_SEND_BATCH - 1 other calls due now, claimed
# with it, so a backlog (an import, a provider back after an outage) is not one claim and one
# broker round-trip per call; it starts none of them after SYNC_SEND_BATCH_SECONDS (the others
# are released, due now), well within the task's soft time limit. 1: one call per task.
SYNC_SEND_BATCH = env.int("SYNC_SEND_BATCH", default=20)
SYNC_SEND_BATCH_SECONDS = timedelta(seconds=env.float("SYNC_SEND_BATCH_SECONDS", default=10))
# A call written due now gets no task message of its own: it waits for a batch. Messages are sent
# for the oldest such calls while fewer than SYNC_SEND_AHEAD are on their way, each task ending by
# sending more, so that a backlog costs a message per batch, not per call.
SYNC_SEND_AHEAD = env.int("SYNC_SEND_AHEAD", default=4)
# The sweeper: how often it runs (beat), how many calls it sends at most per run, and how late a
# task message may be before it is taken for lost and sent again.
SYNC_SWEEP_INTERVAL = env.float("SYNC_SWEEP_INTERVAL_SECONDS", default=30)
SYNC_SWEEP_BATCH = env.int("SYNC_SWEEP_BATCH", default=1000)
SYNC_LOST_MESSAGE_AFTER = timedelta(
    seconds=env.float("SYNC_LOST_MESSAGE_AFTER_SECONDS", default=120)
)
# Polling. ShopRunBack: quotes take 30-90 s, poll every 20 s; a label comes within a minute.
SYNC_QUOTES_POLL_INTERVAL = timedelta(
    seconds=env.float("SYNC_QUOTES_POLL_INTERVAL_SECONDS", default=20)
)
SYNC_QUOTES_DEADLINE = timedelta(seconds=env.float("SYNC_QUOTES_DEADLINE_SECONDS", default=300))
SYNC_LABEL_POLL_INTERVAL = timedelta(
    seconds=env.float("SYNC_LABEL_POLL_INTERVAL_SECONDS", default=15)
)
SYNC_LABEL_DEADLINE = timedelta(seconds=env.float("SYNC_LABEL_DEADLINE_SECONDS", default=900))
# Warehouse return orders take days: polled every quarter of an hour (webhooks come sooner),
# given up after two months.
SYNC_RETURN_ORDER_POLL_INTERVAL = timedelta(
    seconds=env.float("SYNC_RETURN_ORDER_POLL_INTERVAL_SECONDS", default=15 * 60)
)
SYNC_RETURN_ORDER_DEADLINE = timedelta(
    seconds=env.float("SYNC_RETURN_ORDER_DEADLINE_SECONDS", default=60 * 24 * 3600)
)
# Requests a minute per provider and route (one route per operation); absent or 0: no limit.
# Shippingbo documents 50 to 200 a minute per route, depending on the route: 50 is safe. The
# counters live in the cache: set CACHE_URL to a shared cache (Redis) so that every worker
# counts together, else each worker process keeps its own count.
SYNC_RATE_LIMITS = {
    "shoprunback": env.int("SYNC_RATE_LIMIT_SHOPRUNBACK", default=0),
    "shippingbo": env.int("SYNC_RATE_LIMIT_SHIPPINGBO", default=50),
    "shipbob": env.int("SYNC_RATE_LIMIT_SHIPBOB", default=0),
    "kibo": env.int("SYNC_RATE_LIMIT_KIBO", default=0),
}
# A prefix for every key the Redis broker writes, so that several deployments (or test runs)
# share one Redis database without taking each other's messages.
_broker_prefix = env.str("CELERY_BROKER_KEY_PREFIX", default="")
if _broker_prefix and not CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = _broker_prefix
# End-to-end tests run Celery worker processes on the test database: a SQLite one must then be
# a file (an in-memory database is not shared between processes). Unset: Django's default.
if _test_database := env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": _test_database}
# --- end of Sync ------------------------------------------------------------------------------

# --- Portal (shipbacks/portal) ----------------------------------------------------------------
# The customer return portal at /returns/. Its own app, so Celery's autodiscovery finds its
# tasks (the customer e-mails) and Django its template tags.
INSTALLED_APPS = [*INSTALLED_APPS, "shipbacks.portal"]
# The merchant's logo in the portal's header: a path under the static files or an https URL.
RETURNS_MERCHANT_LOGO_URL = env.str("RETURNS_MERCHANT_LOGO_URL", default="portal/logo.svg")
# E-mail customers when their return is registered, labelled, received and completed.
RETURNS_CUSTOMER_EMAILS = env.bool("RETURNS_CUSTOMER_EMAILS", default=True)
# Order lookups that failed, per client address and per order number, before "try again later".
RETURNS_PORTAL_LOOKUP_ATTEMPTS = env.int("RETURNS_PORTAL_LOOKUP_ATTEMPTS", default=10)
RETURNS_PORTAL_LOOKUP_WINDOW = timedelta(
    minutes=env.int("RETURNS_PORTAL_LOOKUP_WINDOW_MINUTES", default=15)
)
# How long an order found by a browser stays open to it (its items, starting a return).
RETURNS_PORTAL_LOOKUP_LIFETIME = timedelta(
    minutes=env.int("RETURNS_PORTAL_LOOKUP_LIFETIME_MINUTES", default=120)
)
# Behind a proxy, the request header it appends the client's address to (the last one is used),
# for example HTTP_X_FORWARDED_FOR. Empty: REMOTE_ADDR.
RETURNS_PORTAL_CLIENT_IP_HEADER = env.str("RETURNS_PORTAL_CLIENT_IP_HEADER", default="")
# Photos of returned items: JPEG, PNG or WebP up to this size, re-encoded and kept in MEDIA_ROOT.
RETURNS_PORTAL_PHOTO_MAX_BYTES = env.int("RETURNS_PORTAL_PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
# The language the customer picks in the portal is kept for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
# Content Security Policy (django-csp), for every page: this site's own scripts, styles, images
# and connections only, nothing inline, no framing. The portal is written for it and the admin
# works with it; the API docs' Swagger UI page gets its inline script and style on its path.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "shipbacks.portal.csp.ScopedCSPMiddleware",
)
_logo_origin = (
    ["/".join(RETURNS_MERCHANT_LOGO_URL.split("/", 3)[:3])]
    if RETURNS_MERCHANT_LOGO_URL.startswith(("https://", "http://"))
    else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_logo_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
CONTENT_SECURITY_POLICY_PATH_UPDATES = {
    "/api/docs/": {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]},
}
# A failed CSRF check in the portal (an old tab, cookies off) gets a page in the portal's look.
CSRF_FAILURE_VIEW = "shipbacks.portal.views.csrf_failure"
# --- end of Portal ----------------------------------------------------------------------------

# --- Back office (the admin) ------------------------------------------------------------------
# Admin logins (django-axes): after this many failures from one client address, or for one
# username, logging in is refused for the cool-off time; a successful login resets the count.
# `manage.py axes_reset` lifts every lockout.
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind a proxy, the client's address comes from the same header as the portal's rate limits.
AXES_CLIENT_IP_CALLABLE = "shipbacks.portal.ratelimit.client_address"
AXES_VERBOSE = False
# History of products, orders, shipbacks, return orders and rules (django-simple-history): read
# in each record's "History" page. Reverting is off: states change only through the services.
SIMPLE_HISTORY_REVERT_DISABLED = True
# History is read record by record (its id is indexed), never across records by date: no index
# on history_date to keep up on every save (and on the rows of a 100,000-product import).
SIMPLE_HISTORY_DATE_INDEX = False
# --- end of Back office -----------------------------------------------------------------------

# --- CSV import and export --------------------------------------------------------------------
# Products, orders and return orders in and out of the admin as CSV files (returns_portal/csvio).
# Each kind of file is read, checked and written by the format named here.
CSV_FORMATS = {
    "products": "catalog.imports.ProductCsv",
    "orders": "orders.imports.OrderCsv",
    "return_orders": "shipbacks.imports.ReturnOrderCsv",
}
# Largest file accepted, in bytes (100,000 products take about 10 MB).
CSV_IMPORT_MAX_BYTES = env.int("CSV_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# Row errors kept on an import for its page (every error is counted).
CSV_IMPORT_MAX_ERRORS = env.int("CSV_IMPORT_MAX_ERRORS", default=1000)
# The progress bar moves every this many rows.
CSV_IMPORT_PROGRESS_ROWS = env.int("CSV_IMPORT_PROGRESS_ROWS", default=5000)
# Products written per batch where the database has no COPY (SQLite), and rows read per query
# by exports.
CSV_IMPORT_BATCH_SIZE = env.int("CSV_IMPORT_BATCH_SIZE", default=2000)
CSV_EXPORT_CHUNK_SIZE = env.int("CSV_EXPORT_CHUNK_SIZE", default=2000)
# Checking and importing a large file takes longer than other tasks: their own time limits, in
# seconds (below CELERY_VISIBILITY_TIMEOUT, so Redis does not hand a running import out twice).
CSV_IMPORT_SOFT_TIME_LIMIT = env.int("CSV_IMPORT_SOFT_TIME_LIMIT", default=30 * 60)
CSV_IMPORT_TIME_LIMIT = env.int("CSV_IMPORT_TIME_LIMIT", default=CSV_IMPORT_SOFT_TIME_LIMIT + 60)
# --- end of CSV import and export -------------------------------------------------------------
