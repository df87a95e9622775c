"""Webhooks from the providers: stored once under their id, then applied by a task.

The view verifies the signature and calls :func:`inbound_event_store`, which answers at once;
:func:`inbound_event_process` (the task) applies the event in one transaction, under the row
locks of the records it changes, so events processed together or out of order end in the right
state: records only move forward.
"""

import hashlib
import json
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from returns_portal.errors import DomainError
from returns_portal.models import InvalidTransition

from ...models import InboundEvent
from ...providers.shipbob import webhooks as shipbob_webhooks
from ...providers.shippingbo import adapter as shippingbo
from ...providers.shoprunback import webhooks as shoprunback_webhooks
from ...providers.types import WebhookEvent

logger = logging.getLogger("shipbacks.sync")

Provider = InboundEvent.Provider
State = InboundEvent.State


class EventIgnored(Exception):
    """An event that is valid but changes nothing here (unknown record, not our concern)."""


def body_digest(body: bytes) -> str:
    """The id of an event that carries none (Shippingbo): the same body is the same event."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def inbound_event_store(
    *, provider: str, event_id: str, event_type: str, body: bytes
) -> tuple[InboundEvent, bool]:
    """Store a verified event once under its id; the task that applies it is sent after commit.
    Returns the event and whether it is new (False: a duplicate, ignored)."""
    from ...tasks import process_inbound_event

    with transaction.atomic():
        event, created = InboundEvent.objects.get_or_create(
            provider=provider,
            event_id=event_id[:200],
            defaults={
                "event_type": event_type[:100],
                "body": body.decode("utf-8", errors="replace"),
            },
        )
        if created:
            process_inbound_event.apply_async_on_commit((event.pk,))
    return event, created


def inbound_event_process(*, event_id: int) -> InboundEvent | None:
    """Apply one pending event: processed, ignored (valid, but about nothing of ours) or failed
    (with the reason, retried from the admin). None when it is not pending.

    Once it is applied, the label it says is ready is fetched by this worker (see
    ``shoprunback_events.label_fetch_now``)."""
    try:
        with transaction.atomic():
            event = (
                InboundEvent.objects.select_for_update(skip_locked=True)
                .filter(pk=event_id, state=State.PENDING)
                .first()
            )
            if event is None:
                return None
            event.target = _apply(event)
            event.attempts += 1
            event.state = State.PROCESSED
            event.error = ""
            event.processed_at = timezone.now()
            event.save()
    except EventIgnored as exc:
        return _close(event_id, State.IGNORED, str(exc))
    except (DomainError, InvalidTransition) as exc:
        return _close(event_id, State.FAILED, exc.message)
    except (ValueError, KeyError, TypeError) as exc:
        return _close(event_id, State.FAILED, f"Unreadable event: {exc}")
    if event.provider == Provider.SHOPRUNBACK:
        from . import shoprunback_events

        shoprunback_events.label_fetch_now(rma=event.target)
    return event


def _close(event_id: int, state: str, error: str) -> InboundEvent:
    logger.info("inbound event %s %s: %s", event_id, state, error)
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update().get(pk=event_id)
        event.attempts += 1
        event.state = state
        event.error = error
        event.processed_at = timezone.now()
        event.save()
    return event


def _apply(event: InboundEvent) -> str:
    from . import shoprunback_events, warehouses  # they apply what this module stores

    body = event.body.encode()
    if event.provider == Provider.SHOPRUNBACK:
        return shoprunback_events.event_apply(shoprunback_webhooks.parse_event(body))
    if event.provider == Provider.SHIPBOB:
        if not event.event_type.startswith("return."):
            raise EventIgnored(f"{event.event_type or 'This topic'}: not about a return.")
        parsed = WebhookEvent(
            id=event.event_id, event=event.event_type, created_at=None, data=_data(body)
        )
        return warehouses.event_apply(
            Provider.SHIPBOB, shipbob_webhooks.return_order_from_event(parsed)
        )
    if event.provider == Provider.SHIPPINGBO:
        return warehouses.event_apply(
            Provider.SHIPPINGBO, shippingbo.parse_update_hook(json.loads(body))
        )
    raise EventIgnored(f"No webhooks expected from {event.provider}.")


def _data(body: bytes) -> dict:
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("the body is not a JSON object")
    return payload["data"] if isinstance(payload.get("data"), dict) else payload


@transaction.atomic
def inbound_event_retry(*, event_id: int) -> InboundEvent:
    """Apply a failed or ignored event again (from the admin, once the data is fixed)."""
    from ...tasks import process_inbound_event

    event = InboundEvent.objects.select_for_update().get(pk=event_id)
    if event.state not in (State.FAILED, State.IGNORED):
        raise DomainError(
            f"Event {event} is {event.get_state_display().lower()}: only failed or ignored "
            "events are applied again.",
            code="NOT_FAILED",
        )
    event.state = State.PENDING
    event.error = ""
    event.save(update_fields=["state", "error"])
    process_inbound_event.apply_async_on_commit((event.pk,))
    return event


def inbound_events_due(*, limit: int = 1000) -> list[int]:
    """Pending events whose task was lost (the sweeper sends them again)."""
    stale = timezone.now() - settings.SYNC_LOST_MESSAGE_AFTER
    return list(
        InboundEvent.objects.filter(state=State.PENDING, received_at__lt=stale)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
