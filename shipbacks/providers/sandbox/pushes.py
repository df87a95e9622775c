"""What the sandbox does on its own: timed steps and webhooks to the portal, through Celery.

Nothing here waits. A record's next timed step is a task enqueued with a countdown (it
re-schedules itself while steps remain), and a webhook is an ``OutgoingWebhook`` row written in
the transaction that changed the state, sent by a task after commit. Reads catch up on due steps
too (see ``steps.catch_up``), so the state is right even with no worker running.

Webhooks go to ``{RETURNS_PUBLIC_URL}/webhooks/<provider>/``, signed as each provider signs:

- ShopRunBack (seed 003 "Signature"): ``Shoprunback-Signature``, the hex HMAC-SHA256 of the raw
  body keyed with ``SHOPRUNBACK_WEBHOOK_SECRET``.
- Shippingbo signs nothing (seed 000 "Make your system up-to-date"): the hook URL registered on
  its dashboard carries our token, ``?token=<SHIPPINGBO_WEBHOOK_TOKEN>``.
- ShipBob (Standard Webhooks): ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``
  ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` keyed with the base64 key after ``whsec_``
  of ``SHIPBOB_WEBHOOK_SECRET`` (or the raw secret), and the topic in ``x-webhook-topic``.

A provider whose secret is empty sends nothing: its webhooks are recorded as skipped.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import uuid
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import OutgoingWebhook, Provider

logger = logging.getLogger("shipbacks.providers.sandbox")

SECRET_SETTINGS = {
    Provider.SHOPRUNBACK: "SHOPRUNBACK_WEBHOOK_SECRET",
    Provider.SHIPPINGBO: "SHIPPINGBO_WEBHOOK_TOKEN",
    Provider.SHIPBOB: "SHIPBOB_WEBHOOK_SECRET",
}
TIMEOUT = (5, 15)


def enqueue(task, args: tuple, *, countdown: float = 0) -> None:
    """The one place the sandbox hands work to Celery: after the current transaction commits,
    so the task reads what it wrote. Tests replace this function to run tasks themselves."""
    task.apply_async_on_commit(args, countdown=max(0.0, countdown))


def schedule_next_step(record) -> None:
    """Enqueue the task that takes ``record``'s next timed step, if it has one, when it is due
    (or after TASK_MAX_COUNTDOWN, when the task looks again)."""
    from .tasks import advance_sandbox_record

    step = record.next_timed_step()
    if step is None:
        return
    wait = (step[1] - timezone.now()).total_seconds()
    wait = min(wait, settings.TASK_MAX_COUNTDOWN.total_seconds())
    enqueue(advance_sandbox_record, (record._meta.model_name, str(record.pk)), countdown=wait)


def queue_webhook(
    *, provider: str, event: str, payload: dict, object_id: Any, event_id: uuid.UUID
) -> OutgoingWebhook:
    """Record a webhook for the portal and send it after commit; skipped when no secret is set.

    Call inside the transaction that made the change it reports.
    """
    from .tasks import send_sandbox_webhook

    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False)
    webhook = OutgoingWebhook(
        provider=provider,
        event=event,
        event_id=event_id,
        object_id=str(object_id),
        body=body,
        url=webhook_url(provider),
    )
    if not _secret(provider):
        webhook.status = OutgoingWebhook.Status.SKIPPED
        webhook.error = f"{SECRET_SETTINGS[provider]} is empty: nothing is sent."
    webhook.save()
    if webhook.status == OutgoingWebhook.Status.PENDING:
        enqueue(send_sandbox_webhook, (webhook.pk,))
    return webhook


def resend(webhook: OutgoingWebhook) -> None:
    """Send a webhook again from the admin: a new series of attempts, same body and id."""
    from .tasks import send_sandbox_webhook

    webhook.status = OutgoingWebhook.Status.PENDING
    webhook.attempts = 0
    webhook.error = ""
    webhook.save(update_fields=["status", "attempts", "error"])
    enqueue(send_sandbox_webhook, (webhook.pk,))


def webhook_url(provider: str) -> str:
    return f"{settings.RETURNS_PUBLIC_URL.rstrip('/')}/webhooks/{provider}/"


def send(webhook_id: int) -> OutgoingWebhook | None:
    """One attempt to deliver a pending webhook; the next one is enqueued with a backoff until
    SANDBOX_WEBHOOK_ATTEMPTS is reached. The network call is made outside any transaction."""
    webhook = OutgoingWebhook.objects.filter(
        pk=webhook_id, status=OutgoingWebhook.Status.PENDING
    ).first()
    if webhook is None:
        return None
    secret = _secret(webhook.provider)
    if not secret:
        webhook.status = OutgoingWebhook.Status.SKIPPED
        webhook.error = f"{SECRET_SETTINGS[webhook.provider]} is empty: nothing is sent."
        webhook.save(update_fields=["status", "error"])
        return webhook
    body = webhook.body.encode()
    url, headers = webhook_url(webhook.provider), {"Content-Type": "application/json"}
    if webhook.provider == Provider.SHOPRUNBACK:
        headers["Shoprunback-Signature"] = hmac.new(secret.encode(), body, "sha256").hexdigest()
        headers["User-Agent"] = "ShopRunBack-Sandbox"
    elif webhook.provider == Provider.SHIPPINGBO:
        url = f"{url}?token={quote(secret, safe='')}"
        headers["User-Agent"] = "Shippingbo-Sandbox"
    else:
        msg_id, timestamp = f"msg_{webhook.event_id.hex}", int(timezone.now().timestamp())
        headers.update(
            {
                "webhook-id": msg_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": standard_signature(secret, msg_id, timestamp, body),
                "x-webhook-topic": webhook.event,
                "User-Agent": "ShipBob-Sandbox",
            }
        )
    webhook.attempts += 1
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        )
    except requests.RequestException as exc:
        webhook.response_status, webhook.error = None, f"{type(exc).__name__}: {exc}"
    else:
        webhook.response_status = response.status_code
        webhook.error = "" if response.ok else response.text[:1000]
    if webhook.response_status and 200 <= webhook.response_status < 300:
        webhook.status, webhook.sent_at = OutgoingWebhook.Status.SENT, timezone.now()
    elif webhook.attempts >= settings.SANDBOX_WEBHOOK_ATTEMPTS:
        webhook.status = OutgoingWebhook.Status.FAILED
    webhook.save(update_fields=["status", "attempts", "response_status", "error", "sent_at"])
    if webhook.status == OutgoingWebhook.Status.PENDING:
        from .tasks import send_sandbox_webhook

        logger.info("sandbox webhook %s to %s failed: %s", webhook.event, url, webhook.error)
        enqueue(send_sandbox_webhook, (webhook.pk,), countdown=10 * 3**webhook.attempts)
    return webhook


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    if secret.startswith("whsec_"):
        try:
            key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            key = secret.encode()
    else:
        key = secret.encode()
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _secret(provider: str) -> str:
    return getattr(settings, SECRET_SETTINGS[provider], "") or ""
