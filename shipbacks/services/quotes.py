"""Quotes: recording what the provider computed for one mode."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from returns_portal.models import lock_and_become

from ..models import Quote


@transaction.atomic
def quote_record_result(
    *,
    quote_id,
    state: str,
    price_cents: int | None = None,
    customer_price_cents: int | None = None,
    dropoff_points: list | None = None,
    pickup_slots: list | None = None,
    provider_reference: str = "",
    expires_at: datetime | None = None,
) -> Quote:
    """Move a computing quote to available, unavailable or failed, with what was computed."""
    quote, _ = lock_and_become(Quote, quote_id, state)
    quote.price_cents = price_cents
    quote.customer_price_cents = customer_price_cents
    quote.dropoff_points = dropoff_points or []
    quote.pickup_slots = pickup_slots or []
    quote.provider_reference = provider_reference
    quote.computed_at = timezone.now()
    quote.expires_at = expires_at
    quote.save()
    return quote
