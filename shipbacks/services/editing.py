"""Changing a shipback before it is registered: its items, customer, mode and overrides.

Every change to what is returned clears the quotes (their prices no longer hold), as
ShopRunBack requires clients to do; choosing a mode checks it against the computed quotes; a
customer price override is written on the quotes of its mode, whose customer price is the one
the shipback takes when it is registered.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from orders.services import CustomerData, customer_create, customer_update
from returns_portal.actors import Actor
from returns_portal.errors import DomainError

from ..models import Quote, ReturnedItem, Shipback, Warehouse
from .quotes import quotes_apply_overrides
from .shipbacks import (
    OVERRIDE_FIELDS,
    SHIPBACK_REGISTERED_MESSAGE,
    ReturnedItemData,
    check_items,
    shipback_create,
    shipback_register,
)
from .sync import triggers

PRICE_OVERRIDE_FIELDS = frozenset(f"{mode}_customer_price_cents" for mode in Quote.Mode.values)


def _check_overrides(overrides: dict) -> None:
    unknown = set(overrides) - set(OVERRIDE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown overrides: {', '.join(sorted(unknown))}.", field="overrides")
    warehouse = overrides.get("relocation_warehouse")
    if isinstance(warehouse, Warehouse) and not warehouse.active:
        raise DomainError("This warehouse is not active.", field="relocation_warehouse_id")


@transaction.atomic
def shipback_open(
    *,
    order,
    items: list[ReturnedItemData],
    actor: Actor,
    customer: CustomerData | None = None,
    overrides: dict | None = None,
    **fields,
) -> Shipback:
    """Create a shipback as an integrator asks for it: with its own customer (else the order's is
    copied), a preferred mode and its details, overrides and metadata."""
    _check_overrides(overrides or {})
    return shipback_create(
        order=order,
        items=items,
        actor=actor,
        customer=customer_create(data=customer) if customer else None,
        **fields,
        **(overrides or {}),
    )


def _locked_modifiable(shipback_id) -> Shipback:
    shipback = Shipback.objects.select_for_update().select_related("order").get(pk=shipback_id)
    if not shipback.is_modifiable:
        raise DomainError(SHIPBACK_REGISTERED_MESSAGE, code="SHIPBACK_REGISTERED")
    return shipback


def quotes_clear(*, shipback: Shipback) -> None:
    """Forget the computed quotes, so they are computed again for the shipback as it is now."""
    shipback.quotes.all().delete()
    triggers.quotes_cleared(shipback)


def _available_quote(shipback: Shipback, mode: str) -> Quote:
    quote = shipback.quotes.filter(mode=mode).first()
    if quote is None or quote.state != Quote.State.AVAILABLE:
        raise DomainError(
            f"The {mode} mode is not available for this return.",
            code="UNAVAILABLE_MODE",
            field="mode",
        )
    return quote


def _check_choice(shipback: Shipback) -> Quote | None:
    """The chosen mode is offered by an available quote, with an offered point or slot."""
    Mode = Shipback.Mode
    if shipback.mode == Mode.DIRECT:
        return None
    quote = _available_quote(shipback, shipback.mode)
    if shipback.mode == Mode.DROPOFF and quote.dropoff_points:
        codes = {str(point.get("code")) for point in quote.dropoff_points}
        if shipback.dropoff_code not in codes:
            raise DomainError(
                "Choose one of the drop-off points offered.",
                code="INVALID_DROPOFF_CODE",
                field="dropoff_code",
            )
    if shipback.mode == Mode.PICKUP and quote.pickup_slots:
        offered = {
            (as_datetime(slot.get("pickup_datetime")), int(slot.get("pickup_duration") or 0))
            for slot in quote.pickup_slots
        }
        chosen = (as_datetime(shipback.pickup_datetime), int(shipback.pickup_duration or 0))
        if chosen not in offered:
            raise DomainError(
                "Choose one of the pickup slots offered.",
                code="INVALID_PICKUP_SLOT",
                field="pickup_datetime",
            )
    return quote


def as_datetime(value) -> datetime | None:
    """A slot time as an aware datetime; ShopRunBack writes them "YYYY-MM-DD HH:MM:SS"."""
    if value is not None and not isinstance(value, datetime):
        value = parse_datetime(str(value))
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def shipback_update(
    *,
    shipback_id,
    actor: Actor,
    mode: str | None = None,
    dropoff_code: str | None = None,
    pickup_datetime: datetime | None = None,
    pickup_duration: int | None = None,
    metadata: dict | None = None,
    weight_grams: int | None = None,
    overrides: dict | None = None,
) -> Shipback:
    """Change a shipback's mode (checked against its quotes when they exist), overrides and
    metadata. Only metadata may change once the shipback is registered. Arguments left at None
    stay as they are; an override given as None is removed."""
    shipback = Shipback.objects.select_for_update().get(pk=shipback_id)
    changes = {
        name: value
        for name, value in {
            "mode": mode,
            "dropoff_code": dropoff_code,
            "pickup_datetime": pickup_datetime,
            "pickup_duration": pickup_duration,
            "weight_grams": weight_grams,
        }.items()
        if value is not None
    } | (overrides or {})
    if changes and not shipback.is_modifiable:
        raise DomainError(SHIPBACK_REGISTERED_MESSAGE, code="SHIPBACK_REGISTERED")
    _check_overrides(overrides or {})
    if changes.get("mode") and changes["mode"] not in Shipback.Mode.values:
        raise DomainError(f"Unknown mode {changes['mode']}.", code="INVALID_MODE", field="mode")
    for name, value in changes.items():
        setattr(shipback, name, value)
    if metadata is not None:
        shipback.metadata = metadata
    # A mode chosen among computed quotes must be one of them; before any quote is computed a
    # mode is only a preference (ShopRunBack accepts it at creation), checked at registration.
    if "mode" in changes and shipback.mode and shipback.quotes.exists():
        _check_choice(shipback)
    shipback.save()
    if PRICE_OVERRIDE_FIELDS & set(changes):
        quotes_apply_overrides(shipback=shipback)  # the customer is shown what they will pay
    if changes:
        triggers.shipback_updated(shipback)  # the mode and overrides, to ShopRunBack
    return shipback


@transaction.atomic
def shipback_free(*, shipback_id, actor: Actor) -> Shipback:
    """Register a shipback without payment (ShopRunBack's ``POST shipbacks/:id/free``): the
    chosen mode must be offered by an available quote, whose prices the shipback takes: the
    provider's price, and the customer's price the quote was shown with (with the shipback's
    override for that mode, should one have been set since the quote was computed)."""
    shipback = _locked_modifiable(shipback_id)
    if not shipback.mode:
        raise DomainError("Choose how the parcel is sent back.", code="REQUIRED", field="mode")
    quotes_apply_overrides(shipback=shipback)
    quote = _check_choice(shipback)
    if quote is not None:
        shipback.price_cents = quote.price_cents
        shipback.customer_price_cents = quote.customer_price_cents
        shipback.save(update_fields=["price_cents", "customer_price_cents", "updated_at"])
    return shipback_register(shipback_id=shipback.pk, actor=actor)


@transaction.atomic
def returned_item_add(*, shipback_id, data: ReturnedItemData, actor: Actor) -> ReturnedItem:
    shipback = _locked_modifiable(shipback_id)
    check_items(shipback.order, [*_current_items(shipback), data], exclude_shipback=shipback)
    item = ReturnedItem.objects.create(
        shipback=shipback,
        order_item=data.order_item,
        product_id=data.order_item.product_id,
        reason=data.reason,
        quantity=data.quantity,
        comment=data.comment,
        photo=data.photo or "",
    )
    quotes_clear(shipback=shipback)
    return item


@transaction.atomic
def returned_item_update(*, item: ReturnedItem, actor: Actor, **fields) -> ReturnedItem:
    shipback = _locked_modifiable(item.shipback_id)
    for name, value in fields.items():
        setattr(item, name, value)
    others = [i for i in _current_items(shipback) if i.order_item.pk != item.order_item_id]
    check_items(
        shipback.order,
        [*others, ReturnedItemData(item.order_item, item.reason, item.quantity)],
        exclude_shipback=shipback,
    )
    item.save()
    quotes_clear(shipback=shipback)
    return item


@transaction.atomic
def returned_item_remove(*, item: ReturnedItem, actor: Actor) -> None:
    shipback = _locked_modifiable(item.shipback_id)
    if shipback.returned_items.count() <= 1:
        raise DomainError(
            "A return keeps at least one item; delete the shipback instead.",
            code="REQUIRED",
            field="items",
        )
    item.delete()
    quotes_clear(shipback=shipback)


def _current_items(shipback: Shipback) -> list[ReturnedItemData]:
    return [
        ReturnedItemData(item.order_item, item.reason, item.quantity)
        for item in shipback.returned_items.select_related("order_item", "reason")
    ]


@transaction.atomic
def shipback_customer_update(
    *, shipback_id, actor: Actor, address: dict | None = None, **fields
) -> Shipback:
    """Change the customer of a return (its own copy: the order's customer is untouched)."""
    shipback = _locked_modifiable(shipback_id)
    customer_update(customer=shipback.customer, address=address, **fields)
    quotes_clear(shipback=shipback)
    return shipback
