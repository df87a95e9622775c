"""Shipbacks: creating, registering, cancelling, deleting, and every state change."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from orders.models import Customer, Order, OrderItem
from orders.services import customer_copy
from returns_portal.actors import Actor
from returns_portal.errors import DomainError
from returns_portal.models import InvalidTransition, lock_and_become

from ..models import (
    ExpectedItem,
    ReturnedItem,
    ReturnOrder,
    ReturnReason,
    Shipback,
    ShipbackEvent,
    Warehouse,
)
from ..selectors import relocation_warehouse_for
from .notifications import notify_returned_item, notify_shipback
from .return_orders import record_created
from .sync import triggers

logger = logging.getLogger(__name__)

SHIPBACK_REGISTERED_MESSAGE = "This shipback is already processing. You can't delete it."

OVERRIDE_FIELDS = frozenset(
    {
        "relocation_warehouse",
        "dropoff_customer_price_cents",
        "postal_customer_price_cents",
        "pickup_customer_price_cents",
        "try_at_home",
    }
)
CREATE_FIELDS = OVERRIDE_FIELDS | {
    "dropoff_code",
    "pickup_datetime",
    "pickup_duration",
    "weight_grams",
}


@dataclass
class ReturnedItemData:
    order_item: OrderItem
    reason: ReturnReason
    quantity: int = 1
    comment: str = ""
    photo: object = None  # an uploaded file, when the reason asks for one


def _record(shipback, previous: str, state: str, actor: Actor, note: str = "", item=None):
    """The event row of a state change, and the webhook telling integrators about it."""
    ShipbackEvent.objects.create(
        shipback=shipback,
        returned_item=item,
        from_state=previous,
        to_state=state,
        actor=actor.label,
        actor_user=actor.user,
        note=note,
    )
    if item is None:
        notify_shipback(shipback)
    else:
        notify_returned_item(item)


def check_items(order: Order, items: list[ReturnedItemData], exclude_shipback=None) -> None:
    """Each item belongs to the order, once, with a reason and no more than is left to return."""
    if not items:
        raise DomainError("Choose at least one item to return.", code="REQUIRED", field="items")
    seen = set()
    for item in items:
        if item.order_item.order_id != order.pk:
            raise DomainError(
                f"Item {item.order_item.reference} does not belong to order {order}.",
                code="INVALID_ITEM",
                field="items",
            )
        if item.order_item.pk in seen:
            raise DomainError(
                f"Item {item.order_item.reference} is listed twice.",
                code="DUPLICATE",
                field="items",
            )
        seen.add(item.order_item.pk)
        if not item.reason.active:
            raise DomainError(
                f"The reason {item.reason.code} is no longer offered.",
                code="INVALID_REASON",
                field="reason_code",
            )
    already = dict(
        ReturnedItem.objects.filter(order_item__in=seen)
        .exclude(shipback__state__in=(Shipback.State.CANCELLED, Shipback.State.FAILED))
        .exclude(shipback=exclude_shipback)
        .values("order_item")
        .annotate(total=Sum("quantity"))
        .values_list("order_item", "total")
    )
    for item in items:
        left = item.order_item.quantity - already.get(item.order_item.pk, 0)
        if item.quantity < 1 or item.quantity > left:
            raise DomainError(
                f"Item {item.order_item.reference}: {left} left to return, {item.quantity} asked.",
                code="INVALID_QUANTITY",
                field="quantity",
            )


@transaction.atomic
def shipback_create(
    *,
    order: Order,
    items: list[ReturnedItemData],
    actor: Actor,
    customer: Customer | None = None,
    mode: str = "",
    metadata: dict | None = None,
    **fields,
) -> Shipback:
    """Create a shipback for some items of an order.

    Without ``customer``, the order's customer is copied (ShopRunBack's rule). ``fields`` are
    the customer's choices (dropoff_code, pickup_datetime, pickup_duration, weight_grams) and the
    overrides (relocation_warehouse, <mode>_customer_price_cents, try_at_home); nothing else
    (not a state, a price or a label) can be set this way.
    """
    unknown = set(fields) - CREATE_FIELDS
    if unknown:
        raise TypeError(f"shipback_create() cannot set {', '.join(sorted(unknown))}")
    # Lock the order's items, so two returns created at once cannot both take the last unit.
    list(OrderItem.objects.select_for_update().filter(order=order).values_list("pk", flat=True))
    check_items(order, items)
    if mode and mode not in Shipback.Mode.values:
        raise DomainError(f"Unknown mode {mode}.", code="INVALID_MODE", field="mode")
    shipback = Shipback.objects.create(
        order=order,
        customer=customer or customer_copy(customer=order.customer),
        mode=mode,
        metadata=metadata or {},
        **fields,
    )
    for item in items:
        ReturnedItem.objects.create(
            shipback=shipback,
            order_item=item.order_item,
            product_id=item.order_item.product_id,
            reason=item.reason,
            quantity=item.quantity,
            comment=item.comment,
            photo=item.photo or "",
        )
    _record(shipback, "", Shipback.State.CREATED, actor)
    triggers.shipback_created(shipback)
    return shipback


@transaction.atomic
def shipback_transition(*, shipback_id, to: str, actor: Actor, note: str = "") -> Shipback:
    """The one way a shipback changes state: locked, checked, stamped, recorded."""
    shipback, previous = lock_and_become(Shipback, shipback_id, to)
    _record(shipback, previous, to, actor, note)
    return shipback


@transaction.atomic
def returned_item_transition(*, returned_item_id, to: str, actor: Actor, note: str = ""):
    item, previous = lock_and_become(ReturnedItem, returned_item_id, to)
    _record(item.shipback, previous, to, actor, note, item=item)
    return item


def _refuse_unless_modifiable(shipback: Shipback, message: str = SHIPBACK_REGISTERED_MESSAGE):
    if not shipback.is_modifiable:
        raise DomainError(message, code="SHIPBACK_REGISTERED")


@transaction.atomic
def shipback_cancel(*, shipback_id, actor: Actor, note: str = "") -> Shipback:
    shipback = Shipback.objects.select_for_update().get(pk=shipback_id)
    _refuse_unless_modifiable(
        shipback, "This shipback is already registered; it can no longer be cancelled."
    )
    triggers.shipback_removed(shipback)
    return shipback_transition(
        shipback_id=shipback_id, to=Shipback.State.CANCELLED, actor=actor, note=note
    )


@transaction.atomic
def shipback_delete(*, shipback_id, actor: Actor) -> None:
    """Delete a shipback not yet registered, with its customer copy."""
    shipback = Shipback.objects.select_for_update().select_related("customer").get(pk=shipback_id)
    _refuse_unless_modifiable(shipback)
    triggers.shipback_removed(shipback)
    customer = shipback.customer
    shipback.delete()
    if customer.pk != shipback.order.customer_id and not customer.shipbacks.exists():
        address = customer.address
        customer.delete()
        if address:
            address.delete()
    logger.info("shipback %s deleted by %s", shipback.rma, actor.label)


def _check_mode(shipback: Shipback, destinations: dict) -> None:
    Mode = Shipback.Mode
    if not shipback.mode:
        raise DomainError("Choose how the parcel is sent back.", code="REQUIRED", field="mode")
    if shipback.mode == Mode.DROPOFF and not shipback.dropoff_code:
        raise DomainError("Choose a drop-off point.", code="REQUIRED", field="dropoff_code")
    if shipback.mode == Mode.PICKUP and not (shipback.pickup_datetime and shipback.pickup_duration):
        raise DomainError("Choose a pickup slot.", code="REQUIRED", field="pickup_datetime")
    if shipback.mode == Mode.DIRECT and not all(w.accepts_direct_returns for w in destinations):
        raise DomainError(
            "This return cannot be sent without a carrier label.", code="INVALID_MODE", field="mode"
        )


@transaction.atomic
def shipback_register(*, shipback_id, actor: Actor) -> Shipback:
    """Confirm the return: the mode is valid, and each destination warehouse gets a return order.

    Items go to the shipback's relocation override, else to the warehouse the relocation rules
    give for their reason and the customer's country. One return order per warehouse, with one
    expected item per returned item.
    """
    # Lock the shipback row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer joins (customer address, relocation override).
    shipback = (
        Shipback.objects.select_for_update(of=("self",))
        .select_related("customer__address", "relocation_warehouse", "order")
        .get(pk=shipback_id)
    )
    if not shipback.can_become(Shipback.State.REGISTERED):
        raise DomainError(SHIPBACK_REGISTERED_MESSAGE, code="SHIPBACK_REGISTERED")
    items = list(shipback.returned_items.select_related("order_item__product", "reason"))
    if not items:
        raise DomainError("The return has no items.", code="REQUIRED", field="items")
    destinations: dict[Warehouse, list[ReturnedItem]] = defaultdict(list)
    for item in items:
        destinations[relocation_warehouse_for(shipback=shipback, returned_item=item)].append(item)
    _check_mode(shipback, destinations)
    shipback = shipback_transition(
        shipback_id=shipback.pk, to=Shipback.State.REGISTERED, actor=actor
    )
    # The dashboard's copies of the registration time and warehouse (see shipbacks.dashboard).
    registered_at = shipback.registered_at
    for warehouse, warehouse_items in destinations.items():
        ReturnedItem.objects.filter(pk__in=[item.pk for item in warehouse_items]).update(
            shipback_registered_at=registered_at, warehouse=warehouse
        )
        return_order = ReturnOrder.objects.create(
            shipback=shipback,
            order=shipback.order,
            warehouse=warehouse,
            reason=", ".join(sorted({i.reason.label("en") for i in warehouse_items})),
            reason_ref=shipback.rma,
            type=ReturnOrder.Type.CUSTOMER,
            shipback_registered_at=registered_at,
        )
        ExpectedItem.objects.bulk_create(
            ExpectedItem(
                return_order=return_order,
                product=item.order_item.product,
                returned_item=item,
                quantity_expected=item.quantity,
            )
            for item in warehouse_items
        )
        record_created(return_order, actor)
    triggers.shipback_registered(shipback)  # ShopRunBack's label, and the warehouses' leg
    return shipback


@transaction.atomic
def shipback_record_label(
    *,
    shipback_id,
    actor: Actor,
    tracking_number: str,
    carrier: str = "",
    label_url: str = "",
    label_pdf: bytes | None = None,
) -> Shipback:
    """Store the carrier label of a registered shipback and move it to labelled."""
    shipback = Shipback.objects.select_for_update().get(pk=shipback_id)
    if not shipback.can_become(Shipback.State.LABELLED):
        raise InvalidTransition(shipback, Shipback.State.LABELLED)
    shipback.tracking_number = tracking_number
    shipback.carrier = carrier
    shipback.label_url = label_url
    if label_pdf is not None:
        shipback.label_file.save(f"{shipback.rma}.pdf", ContentFile(label_pdf), save=False)
    shipback.save(update_fields=["tracking_number", "carrier", "label_url", "label_file"])
    return shipback_transition(shipback_id=shipback.pk, to=Shipback.State.LABELLED, actor=actor)


def shipbacks_cancel_abandoned(*, older_than: timedelta) -> int:
    """Cancel returns a customer started and never confirmed. Returns how many were cancelled."""
    cancelled = 0
    stale = Shipback.objects.abandoned(before=timezone.now() - older_than)
    for shipback_id in stale.values_list("pk", flat=True):
        try:
            shipback_cancel(
                shipback_id=shipback_id, actor=Actor.system(), note="Not confirmed in time."
            )
        except (DomainError, InvalidTransition):
            continue  # it moved on meanwhile (confirmed by the customer): leave it
        cancelled += 1
    return cancelled
