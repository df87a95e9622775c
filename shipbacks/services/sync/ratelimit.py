"""Requests a minute per provider and route, counted in the cache (fixed one-minute windows).

Shippingbo documents 50 to 200 requests a minute per route; ``settings.SYNC_RATE_LIMITS`` gives
the limit per provider (0: none). One operation counts as one route: a Shippingbo create is a
search then a create, each on its own route, so counting the operation once per call stays
within the limit of each route.
"""

import random
import time

from django.conf import settings
from django.core.cache import cache

WINDOW = 60  # seconds


def rate_limit_wait(provider: str, route: str, *, now: float | None = None) -> float:
    """0 when a request may go now (and count it), else the seconds until the next window."""
    limit = (getattr(settings, "SYNC_RATE_LIMITS", {}) or {}).get(provider) or 0
    if limit <= 0:
        return 0.0
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    key = f"sync:rate:{provider}:{route}:{window}"
    cache.add(key, 0, timeout=WINDOW * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW * 2)
        count = 1
    if count <= limit:
        return 0.0
    # Spread the calls held back over the first seconds of the next window.
    return (window + 1) * WINDOW - now + random.uniform(0, 5)
