"""Kibo OMS returns (API v2): HTTP and authentication only. Bodies are built by ``adapter.py``.

Documents: seed 004 (Kibo OMS "Create Return", https://kibocommerce.com/oms-dev/return/create/)
and Kibo OMS "Get Return Information" (https://kibocommerce.com/oms-dev/return/get/). Seed 004
says the order and shipment ids "must be appended to the endpoint" without printing it: the
documented OMS form is ``POST {base}/return/`` on https://integration.shopatron.com/api/v2, so
we call ``POST {base}/return/{orderID}/{shipmentID}`` (and repeat both ids in the body).

Authentication: a static bearer token (KIBO_TOKEN), or OAuth client credentials exchanged for a
bearer token at the auth URL (Kibo's "API Authentication": POST JSON client_id, client_secret,
grant_type=client_credentials -> access_token, expires_in), kept until shortly before it expires.
"""

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from ..base import BaseClient, segment
from ..errors import ProviderRejected

# A token is dropped this long before Kibo says it expires, so no call carries a dying one.
TOKEN_EXPIRY_MARGIN = 60


class TokenCache(Protocol):
    """What Django's cache offers; pass ``django.core.cache.cache`` to share tokens between
    processes."""

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, timeout: float) -> None: ...

    def delete(self, key: str) -> Any: ...


class MemoryTokenCache:
    """The default: one token per process and credentials."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._values: dict[str, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            value, expires_at = self._values.get(key, (None, 0.0))
            if value is not None and self.clock() < expires_at:
                return value
            self._values.pop(key, None)
            return None

    def set(self, key: str, value: Any, timeout: float) -> None:
        with self._lock:
            self._values[key] = (value, self.clock() + timeout)

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


PROCESS_TOKENS = MemoryTokenCache()


class KiboClient(BaseClient):
    provider = "Kibo"

    def __init__(
        self,
        *,
        token: str = "",
        client_id: str = "",
        client_secret: str = "",
        auth_url: str = "",
        token_cache: TokenCache | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.token = token
        self.client_id = client_id
        self.client_secret = client_secret
        self.auth_url = auth_url or self.url("oauth/token")
        self.token_cache = token_cache if token_cache is not None else PROCESS_TOKENS

    @property
    def _token_key(self) -> str:
        return f"providers:kibo:token:{self.auth_url}:{self.client_id}"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token()}"}

    def access_token(self) -> str:
        if self.token:
            return self.token
        if not (self.client_id and self.client_secret):
            raise ProviderRejected(
                self.provider,
                "No credentials: set KIBO_TOKEN, or KIBO_CLIENT_ID and KIBO_CLIENT_SECRET.",
            )
        cached = self.token_cache.get(self._token_key)
        if cached:
            return cached
        response = self.send(
            "POST",
            self.auth_url,
            json={
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "grant_type": "client_credentials",
            },
            authenticate=False,
        )
        self.raise_for_status(response)
        answer = self.decode(response) or {}
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise ProviderRejected(self.provider, "The token endpoint answered no access_token.")
        lifetime = float(answer.get("expires_in") or 3600)
        keep = (
            lifetime - TOKEN_EXPIRY_MARGIN if lifetime > 2 * TOKEN_EXPIRY_MARGIN else lifetime / 2
        )
        self.token_cache.set(self._token_key, token, keep)
        return token

    def request(self, method: str, path: str, **kwargs) -> Any:
        try:
            return super().request(method, path, **kwargs)
        except ProviderRejected as exc:
            if exc.status != 401 or self.token:
                raise
            # The cached token was revoked or expired early: fetch a new one, once.
            self.token_cache.delete(self._token_key)
            return super().request(method, path, **kwargs)

    def create_return(self, order_id: int, shipment_id: int, body: dict) -> dict:
        # POST /return/{orderID}/{shipmentID} (seed 004 "Create Return").
        return self.post(f"return/{segment(order_id)}/{segment(shipment_id)}", json=body)

    def get_return(self, return_id: int | str) -> dict | None:
        # GET /return/{returnID} (OMS "Get Return Information").
        return self.get(f"return/{segment(return_id)}", not_found_ok=True)
