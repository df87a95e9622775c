"""Which client serves a provider, built from settings like Django builds STORAGES.

``settings.PROVIDERS`` maps an alias to ``{"BACKEND": dotted client class, "OPTIONS": kwargs}``.
``get_client(alias)`` adds the base URL and the timeouts and instantiates it. A provider whose
``<ALIAS>_URL`` setting is empty talks to the built-in sandbox at
``{SANDBOX_BASE_URL}/sandbox/<alias>``, which serves the same paths as the real API root:

| alias | real base URL (the root endpoint paths are joined to) |
|---|---|
| shoprunback | https://dashboard.shoprunback.com/api/v1 |
| shippingbo | https://app.shippingbo.com |
| shipbob | https://api.shipbob.com (paths carry the /2025-07 version) |
| kibo | https://integration.shopatron.com/api/v2 (Kibo OMS) |
"""

import os
import threading
from importlib import import_module
from types import ModuleType

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import BaseClient

# Warehouse providers whose adapters share one interface (see shipbacks/providers/__init__.py).
WAREHOUSE_PROVIDERS = ("shippingbo", "shipbob", "kibo")


def provider_base_url(name: str) -> str:
    """The configured ``<NAME>_URL``, or the sandbox's URL for this provider when it is empty."""
    configured = getattr(settings, f"{name.upper()}_URL", "")
    if configured:
        return configured.rstrip("/")
    return f"{settings.SANDBOX_BASE_URL.rstrip('/')}/sandbox/{name}"


def uses_sandbox(name: str) -> bool:
    return not getattr(settings, f"{name.upper()}_URL", "")


# One requests.Session per provider and thread: its connections are kept alive from one call to
# the next (no TCP and TLS handshake per call), and a session is never shared between threads.
_sessions = threading.local()


def provider_session(name: str) -> requests.Session:
    """This thread's session for the provider ``name`` at its configured URL."""
    sessions = getattr(_sessions, "by_provider", None)
    if sessions is None:
        sessions = _sessions.by_provider = {}
    key = (name, provider_base_url(name))
    if key not in sessions:
        sessions[key] = _session(key[1])
    return sessions[key]


def _session(base_url: str) -> requests.Session:
    """A session for ``base_url`` that reads the environment once, here: its proxies (honouring
    NO_PROXY for this URL) and its CA bundle. Left to requests, every request reads the whole
    environment again, twice: a third of a push's client CPU in the sync bench."""
    session = requests.Session()
    session.trust_env = False
    session.proxies = requests.utils.get_environ_proxies(base_url)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.verify = bundle or True
    return session


def get_client(name: str) -> BaseClient:
    """A new client for the provider alias ``name`` (cheap: build one per task run), on this
    thread's kept-alive session for the provider."""
    try:
        conf = settings.PROVIDERS[name]
    except KeyError:
        raise ImproperlyConfigured(f"No provider {name!r} in settings.PROVIDERS.") from None
    backend = import_string(conf["BACKEND"])
    options = {
        "base_url": provider_base_url(name),
        "timeout": (settings.PROVIDER_CONNECT_TIMEOUT, settings.PROVIDER_READ_TIMEOUT),
        "session": provider_session(name),
        **conf.get("OPTIONS", {}),
    }
    return backend(**options)


def warehouse_adapter(name: str) -> ModuleType:
    """The adapter module of a warehouse provider: ``ensure_return_order``, ``get_return_order``…"""
    if name not in WAREHOUSE_PROVIDERS:
        raise ImproperlyConfigured(f"{name!r} is not a warehouse provider.")
    return import_module(f"shipbacks.providers.{name}.adapter")
