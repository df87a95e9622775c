"""Outbound webhooks to integrators, in ShopRunBack's format, signed two ways.

Body: ``{"id", "event", "created_at", "data"}``. Headers: ``Shoprunback-Signature`` (hex
HMAC-SHA256 of the raw body with the endpoint's secret, as ShopRunBack signs) and the Standard
Webhooks trio ``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` (``v1,<base64 HMAC of
"id.timestamp.body">``) so receivers can reject replays.

:func:`webhook_emit` writes one delivery row per subscribed endpoint in the caller's transaction
and enqueues the sends after commit; :func:`webhook_deliver` makes one attempt and schedules the
next one with exponential backoff for about three days.
"""

import base64
import hashlib
import hmac
import itertools
import json
import logging
import random
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# Delay before attempt 2, 3, …: about three days in all, then the delivery is marked failed.
RETRY_DELAYS = [
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
    timedelta(hours=24),
]


def sign_shoprunback(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sign_standard(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def webhook_subscribers(event: str) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to ``event``."""
    return [e for e in WebhookEndpoint.objects.filter(active=True) if e.wants(event)]


def _deliveries(event: str, data: dict, endpoints, created_at: str) -> list[WebhookDelivery]:
    """One delivery of the event per endpoint, all with the same body and event id."""
    event_id = uuid.uuid4()
    body = json.dumps(
        {"id": str(event_id), "event": event, "created_at": created_at, "data": data},
        cls=DjangoJSONEncoder,
    )
    return [
        WebhookDelivery(
            endpoint=endpoint,
            event_id=event_id,
            event=event,
            body=body,
            next_attempt_at=timezone.now(),
        )
        for endpoint in endpoints
    ]


def _send_after_commit(delivery_ids: list[int]) -> None:
    def enqueue():
        from .tasks import deliver_webhook

        for delivery_id in delivery_ids:
            deliver_webhook.delay(delivery_id)

    transaction.on_commit(enqueue)


def webhook_emit(*, event: str, data: dict | Callable[[], dict]) -> list[WebhookDelivery]:
    """Queue ``event`` for every active endpoint subscribed to it. Call inside the transaction
    of the change it reports: the rows commit (or roll back) with it. ``data``: the payload, or
    a function giving it, called only when an endpoint subscribes (a record's serialization
    costs more than finding that nobody listens)."""
    endpoints = webhook_subscribers(event)
    if not endpoints:
        return []
    if callable(data):
        data = data()
    deliveries = WebhookDelivery.objects.bulk_create(
        _deliveries(event, data, endpoints, timezone.now().isoformat(timespec="seconds"))
    )
    _send_after_commit([d.pk for d in deliveries])
    return deliveries


def webhook_emit_many(*, event: str, datas: Iterable[dict], batch_size: int = 1000) -> int:
    """``webhook_emit`` for many records at once (an import): one event per record, its
    deliveries inserted ``batch_size`` events at a time. Returns how many deliveries."""
    endpoints = webhook_subscribers(event)
    if not endpoints:
        return 0
    created_at = timezone.now().isoformat(timespec="seconds")
    ids = []
    records = iter(datas)
    while part := list(itertools.islice(records, batch_size)):
        deliveries = [d for data in part for d in _deliveries(event, data, endpoints, created_at)]
        ids += [d.pk for d in WebhookDelivery.objects.bulk_create(deliveries)]
    _send_after_commit(ids)
    return len(ids)


def _headers(delivery: WebhookDelivery, body: bytes) -> dict:
    timestamp = int(timezone.now().timestamp())
    msg_id = f"msg_{delivery.event_id.hex}"
    secret = delivery.endpoint.secret
    return {
        "Content-Type": "application/json",
        "User-Agent": "ReturnsPortal-Webhooks/1",
        "Shoprunback-Signature": sign_shoprunback(secret, body),
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_standard(secret, msg_id, timestamp, body),
    }


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """One attempt, made outside any transaction. Returns the delivery, or None when there is
    nothing to do (already delivered, given up, or not due yet)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
            .first()
        )
        if delivery is None or (
            delivery.next_attempt_at and delivery.next_attempt_at > timezone.now()
        ):
            return None
        # Claim the attempt: a second worker picking the same row now finds it not due.
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + settings.WEBHOOK_TIMEOUT * 2
        delivery.save(update_fields=["attempts", "next_attempt_at"])

    body = delivery.body.encode()
    status_code, error = None, ""
    try:
        response = requests.post(
            delivery.endpoint.url,
            data=body,
            headers=_headers(delivery, body),
            timeout=settings.WEBHOOK_TIMEOUT.total_seconds(),
            allow_redirects=False,
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:500]}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]

    delivery.last_status_code = status_code
    delivery.last_error = error
    if not error:
        delivery.state = WebhookDelivery.State.SUCCEEDED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts > len(RETRY_DELAYS):
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
    else:
        delay = RETRY_DELAYS[delivery.attempts - 1]
        jitter = delay.total_seconds() * random.uniform(0, 0.1)
        delivery.next_attempt_at = timezone.now() + delay + timedelta(seconds=jitter)
    delivery.save(
        update_fields=["state", "last_status_code", "last_error", "delivered_at", "next_attempt_at"]
    )
    if error:
        logger.info("webhook %s to %s failed: %s", delivery.event, delivery.endpoint.url, error)
    return delivery


def webhook_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (from the admin): a fresh series of attempts, same body and id."""
    delivery.state = WebhookDelivery.State.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])

    def enqueue():
        from .tasks import deliver_webhook

        deliver_webhook.delay(delivery.pk)

    transaction.on_commit(enqueue)
    return delivery


def webhooks_due() -> list[int]:
    """Ids of deliveries whose next attempt is due (the sweeper re-enqueues them)."""
    return list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:1000]
    )
