"""Counting failed order lookups per client address and per order number, in the cache.

Fixed windows: a counter per (scope, key, window) that expires with its window. With several
web processes the cache must be shared (CACHE_URL=redis://...), as for the API's throttling.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the window ends


def _window() -> int:
    return int(settings.RETURNS_PORTAL_LOOKUP_WINDOW.total_seconds())


def _keys(scopes: dict[str, str]) -> list[str]:
    window = _window()
    bucket = int(time.time() // window)
    keys = []
    for scope, value in scopes.items():
        digest = hashlib.sha256(value.encode()).hexdigest()[:32]
        keys.append(f"portal:lookup:{scope}:{digest}:{bucket}")
    return keys


def _retry_after() -> int:
    window = _window()
    return window - int(time.time() % window)


def lookup_check(scopes: dict[str, str]) -> Verdict:
    """Whether one more lookup may be tried for these scopes (``{"ip": ..., "order": ...}``)."""
    counts = cache.get_many(_keys(scopes))
    if any(count >= settings.RETURNS_PORTAL_LOOKUP_ATTEMPTS for count in counts.values()):
        return Verdict(allowed=False, retry_after=_retry_after())
    return Verdict(allowed=True)


def lookup_failed(scopes: dict[str, str]) -> None:
    """Count one failed lookup in each scope."""
    timeout = _window() + 1
    for key in _keys(scopes):
        cache.add(key, 0, timeout=timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: start the new window
            cache.set(key, 1, timeout=timeout)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a proxy the last address it appended to
    RETURNS_PORTAL_CLIENT_IP_HEADER (for example HTTP_X_FORWARDED_FOR)."""
    header = settings.RETURNS_PORTAL_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def order_number_key(order_number: str) -> str:
    return (order_number or "").strip().upper()
