"""Quotes: asking for them, and recording what the provider computed for each mode.

A quote holds two prices: ``price_cents``, the provider's price of the mode, and
``customer_price_cents``, what the customer pays of it (see :mod:`.pricing`: the shipback's
override, else the sponsoring rules, else the provider's figure). The customer is shown the
quote's customer price, and it is the price the shipback keeps when it is registered.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from returns_portal.actors import Actor
from returns_portal.models import lock_and_become

from ..models import Quote, Shipback, ShipbackEvent
from .pricing import shipback_pricing
from .sync import triggers


@transaction.atomic
def quotes_request(*, shipback_id) -> list[Quote]:
    """The shipback's quotes, one per mode; those missing are created, computing."""
    shipback = Shipback.objects.select_for_update().get(pk=shipback_id)
    existing = {quote.mode for quote in shipback.quotes.all()}
    missing = [mode for mode in Quote.Mode.values if mode not in existing]
    Quote.objects.bulk_create(Quote(shipback=shipback, mode=mode) for mode in missing)
    if missing:
        triggers.quotes_requested(shipback)  # computed by ShopRunBack, polled
    return list(shipback.quotes.order_by("mode"))


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
    actor: Actor | None = None,
) -> Quote:
    """Move a computing quote to available, unavailable or failed, with what was computed.

    ``customer_price_cents`` is what the provider says the customer pays; an available quote
    stores the customer's price as the shipback's override and sponsoring rules make it."""
    quote, previous = lock_and_become(Quote, quote_id, state)
    quote.price_cents = price_cents
    quote.customer_price_cents = customer_price_cents
    if state == Quote.State.AVAILABLE:
        pricing = shipback_pricing(shipback=quote.shipback)
        quote.customer_price_cents = pricing.customer_price_cents(
            mode=quote.mode,
            price_cents=price_cents,
            provider_customer_price_cents=customer_price_cents,
        )
    quote.dropoff_points = dropoff_points or []
    quote.pickup_slots = pickup_slots or []
    quote.provider_reference = provider_reference
    quote.computed_at = timezone.now()
    quote.expires_at = expires_at
    quote.save()
    actor = actor or Actor.system()
    ShipbackEvent.objects.create(
        shipback_id=quote.shipback_id,
        quote=quote,
        from_state=previous,
        to_state=state,
        actor=actor.label,
        actor_user=actor.user,
        note=f"{quote.get_mode_display()} quote",
    )
    return quote


def quotes_apply_overrides(*, shipback: Shipback) -> None:
    """Give the shipback's available quotes the customer price overrides set since they were
    computed, so the price shown is the price paid. Call while holding the shipback's lock."""
    for quote in shipback.quotes.filter(state=Quote.State.AVAILABLE):
        override = shipback.customer_price_override(quote.mode)
        if override is not None and override != quote.customer_price_cents:
            quote.customer_price_cents = override
            quote.save(update_fields=["customer_price_cents", "updated_at"])
