"""Project-level background work: webhook deliveries and housekeeping."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .api.idempotency import purge_idempotency_keys
from .csvio.tasks import check_import, run_import  # noqa: F401 (registered here, autodiscovered)
from .webhooks import webhook_deliver, webhooks_due


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> None:
    """One attempt. A short wait before the next one is a countdown; longer waits are left to
    the sweeper, so no message waits in the broker longer than TASK_MAX_COUNTDOWN."""
    delivery = webhook_deliver(delivery_id=delivery_id)
    if delivery is None or delivery.next_attempt_at is None:
        return
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    if wait <= settings.TASK_MAX_COUNTDOWN.total_seconds():
        deliver_webhook.apply_async((delivery_id,), countdown=max(wait, 0))


@shared_task(acks_late=True)
def sweep_webhooks() -> int:
    """Periodic: re-enqueue deliveries that are due (lost messages, long retry delays)."""
    due = webhooks_due()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)


@shared_task(acks_late=True)
def purge_expired_idempotency_keys() -> int:
    return purge_idempotency_keys()
