"""The portal's background work: the customer's e-mails. Found by Celery's autodiscovery
because ``shipbacks.portal`` is an installed app."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from .emails import customer_email_send


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),  # SMTP and connection errors: the mail server may come back
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_customer_email(shipback_id: str, kind: str, at: str | None = None) -> bool:
    """E-mail the customer about their return (registered, label ready, received, completed)."""
    return customer_email_send(
        shipback_id=shipback_id, kind=kind, at=parse_datetime(at) if at else None
    )
