"""ShopRunBack webhooks (seed 003 "Webhooks", "Signature"): verify, then parse.

Each webhook is ``{id, event, created_at, data}`` POSTed as JSON with the hex HMAC-SHA256 of the
raw body, keyed with the secret set on the dashboard, in the ``Shoprunback-Signature`` header.
Our own outbound webhooks use the same format, so ``sign`` serves both.
"""

import hashlib
import hmac
import json
from typing import Any

from shipbacks.models.shipbacks import ShipbackState

from ..parsing import parse_datetime
from ..types import WebhookEvent

SIGNATURE_HEADER = "Shoprunback-Signature"


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str | None, secret: str) -> bool:
    """True when ``signature`` is the HMAC of the raw ``body``, compared in constant time.

    ShopRunBack signs with an empty key until a secret is set; we accept nothing then, since
    anyone can compute that signature.
    """
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(body, secret), signature.strip().lower())


def parse_event(body: bytes | str | dict[str, Any]) -> WebhookEvent:
    """The event of a verified body. Raises ValueError when it is not a ShopRunBack event."""
    payload = body if isinstance(body, dict) else json.loads(body)
    if not isinstance(payload, dict) or not payload.get("id") or not payload.get("event"):
        raise ValueError("not a ShopRunBack webhook: id and event are required")
    data = payload.get("data")
    return WebhookEvent(
        id=str(payload["id"]),
        event=str(payload["event"]),
        created_at=parse_datetime(payload.get("created_at")),
        data=data if isinstance(data, dict) else {},
    )


def shipback_state_from_event(event: str) -> str | None:
    """``shipback.labelled`` -> ``labelled``; None for events that are not a shipback state."""
    kind, _, name = event.partition(".")
    if kind != "shipback" or name not in ShipbackState.values:
        return None
    return name
