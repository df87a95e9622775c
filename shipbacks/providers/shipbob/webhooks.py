"""ShipBob webhooks (topics return.created, return.updated, return.completed): Standard Webhooks.

Each delivery carries ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature``: space-separated ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``.
The secret is given as ``whsec_<base64 key>`` or as the raw key.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..types import RemoteReturnOrder, WebhookEvent
from .adapter import parse_return

DEFAULT_TOLERANCE = 300  # seconds, as the Standard Webhooks libraries


def secret_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("the whsec_ secret is not valid base64") from None
    return secret.encode()


def sign(body: bytes, *, msg_id: str, timestamp: int | str, secret: str) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_webhook(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True for a correctly signed, fresh delivery of the raw ``body``.

    Refused: no secret set, a missing header, a timestamp further than ``tolerance`` seconds from
    now (a replay), or no ``v1`` signature matching in constant time.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    msg_id = lowered.get("webhook-id", "")
    timestamp = lowered.get("webhook-timestamp", "")
    signatures = lowered.get("webhook-signature", "")
    if not (secret and msg_id and timestamp and signatures):
        return False
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    try:
        expected = sign(body, msg_id=msg_id, timestamp=timestamp, secret=secret).encode()
    except ValueError:
        return False
    matched = False
    for candidate in signatures.split():
        version, _, _ = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(candidate.encode(), expected):
            matched = True  # no early return: every candidate is compared
    return matched


def parse_event(body: bytes | str, headers: Mapping[str, str]) -> WebhookEvent:
    """A verified delivery: the topic (``topic`` or ``type``) and the return under ``data``
    (or the body itself when it is the return)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    payload: Any = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("a ShipBob webhook body is a JSON object")
    data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
    timestamp = lowered.get("webhook-timestamp", "")
    return WebhookEvent(
        id=lowered.get("webhook-id", ""),
        event=str(payload.get("topic") or payload.get("type") or lowered.get("shipbob-topic", "")),
        created_at=datetime.fromtimestamp(int(timestamp), UTC) if timestamp.isdigit() else None,
        data=data,
    )


def return_order_from_event(event: WebhookEvent) -> RemoteReturnOrder:
    return parse_return(event.data)
