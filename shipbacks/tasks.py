"""Background work: tasks take ids or nothing, and call one service."""

from celery import shared_task
from django.conf import settings

from .services import shipbacks_cancel_abandoned
from .services.sync import inbound, outbox, recovery


@shared_task(acks_late=True)
def cancel_abandoned_shipbacks() -> int:
    """Periodic (beat): cancel returns the customer never confirmed. Safe to run twice."""
    return shipbacks_cancel_abandoned(older_than=settings.RETURNS_ABANDONED_SHIPBACK_AFTER)


@shared_task(acks_late=True)
def send_provider_call(call_id: int) -> None:
    """One attempt of an outbox row, and of the other calls due now that its claim takes
    along (up to SYNC_SEND_BATCH); the service schedules the next one (retry or poll).

    Safe to receive twice: a call is claimed under a row lock, and only when it is due."""
    outbox.call_send(call_id=call_id)


@shared_task(acks_late=True)
def sweep_provider_calls() -> int:
    """Periodic (beat): send the provider calls that are due or stuck, and the webhooks
    received whose task was lost. A lost message or a killed worker loses nothing."""
    for event_id in inbound.inbound_events_due():
        process_inbound_event.delay(event_id)
    return recovery.calls_sweep()


@shared_task(acks_late=True)
def process_inbound_event(event_id: int) -> None:
    """Apply one webhook a provider sent (stored once by the view)."""
    inbound.inbound_event_process(event_id=event_id)
