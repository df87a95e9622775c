"""Background work: tasks take ids or nothing, and call one service."""

from celery import shared_task
from django.conf import settings

from .services import shipbacks_cancel_abandoned


@shared_task(acks_late=True)
def cancel_abandoned_shipbacks() -> int:
    """Periodic (beat): cancel returns the customer never confirmed. Safe to run twice."""
    return shipbacks_cancel_abandoned(older_than=settings.RETURNS_ABANDONED_SHIPBACK_AFTER)
