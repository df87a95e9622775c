"""Return orders: creating one (from an order or a third party's source) and its state changes."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from catalog.models import Product
from orders.models import Order
from returns_portal.actors import Actor
from returns_portal.errors import DomainError
from returns_portal.models import become_together, lock_and_become

from ..models import (
    ExpectedItem,
    ProviderCall,
    ReturnedItem,
    ReturnOrder,
    ReturnOrderEvent,
    Shipback,
    Warehouse,
)
from .notifications import notify_return_order, notify_return_orders
from .sync import triggers
from .sync.outbox import call_due_now
from .sync.recovery import call_retry


@dataclass
class ExpectedItemData:
    product: Product
    quantity: int = 1
    requested_action: str = ExpectedItem.RequestedAction.DEFAULT
    lot_number: str = ""
    lot_date: date | None = None
    returned_item: ReturnedItem | None = None


def _record(return_order, previous: str, state: str, actor: Actor, note: str = "") -> None:
    """The event row of a state change, and the webhook telling integrators about it."""
    _event(return_order, previous, state, actor, note).save(force_insert=True)
    notify_return_order(return_order)


def _event(return_order, previous: str, state: str, actor: Actor, note: str) -> ReturnOrderEvent:
    return ReturnOrderEvent(
        return_order=return_order,
        from_state=previous,
        to_state=state,
        actor=actor.label,
        actor_user=actor.user,
        note=note,
    )


def return_orders_transition_together(
    moves: list[tuple[ReturnOrder, str]], *, to: str, actor: Actor, also=()
) -> None:
    """``return_order_transition`` for return orders moving to the same state together (the
    answers of a batch of provider calls), each with its note: locked by the caller in its
    transaction, with changes of their own to the fields ``also``, saved with the state in one
    update; their events in one insert, integrators told."""
    return_orders = [return_order for return_order, _ in moves]
    previous = become_together(ReturnOrder, return_orders, to, also=also)
    ReturnOrderEvent.objects.bulk_create(
        _event(return_order, before, to, actor, note)
        for (return_order, note), before in zip(moves, previous, strict=True)
    )
    notify_return_orders(return_orders, to)


def record_created(return_order: ReturnOrder, actor: Actor) -> None:
    _record(return_order, "", return_order.state, actor)


@transaction.atomic
def return_order_create(
    *,
    warehouse: Warehouse,
    actor: Actor,
    order: Order | None = None,
    source: str = "",
    source_ref: str = "",
    shipback: Shipback | None = None,
    reason: str = "",
    reason_ref: str = "",
    type: str = ReturnOrder.Type.CUSTOMER,
    tracking_number: str = "",
    reference: str = "",
    skip_expected_items_creation: bool = False,
    expected_items: list[ExpectedItemData] = (),
) -> ReturnOrder:
    """Create a return order, as Shippingbo does.

    From an order, every item of the order is expected unless ``skip_expected_items_creation``;
    the ``expected_items`` given are added. From a third party's ``source`` + ``source_ref``,
    the order is linked when it is known here.
    """
    if order is None and not (source and source_ref):
        raise DomainError(
            "Give the order, or its source and source reference.", code="REQUIRED", field="order_id"
        )
    if order is None:
        order = Order.objects.filter(source=source, source_ref=source_ref).first()
    if not warehouse.active:
        raise DomainError(
            f"The warehouse {warehouse} is not active.", code="INVALID_WAREHOUSE", field="warehouse"
        )
    lines = list(expected_items)
    if order is not None and not skip_expected_items_creation:
        lines = [
            ExpectedItemData(product=item.product, quantity=item.quantity)
            for item in order.items.select_related("product")
        ] + lines
    if not lines:
        raise DomainError(
            "A return order expects at least one item.",
            code="REQUIRED",
            field="return_order_expected_items_attributes",
        )
    for line in lines:
        if line.quantity < 1:
            raise DomainError(
                "Expected quantities are at least 1.", code="INVALID_QUANTITY", field="quantity"
            )
    return_order = ReturnOrder(
        warehouse=warehouse,
        order=order,
        source=source,
        source_ref=source_ref,
        shipback=shipback,
        reason=reason,
        reason_ref=reason_ref,
        type=type,
        tracking_number=tracking_number,
    )
    if reference:
        return_order.reference = reference
    return_order.full_clean(exclude=["warehouse", "order", "shipback"])
    return_order.save()
    ExpectedItem.objects.bulk_create(
        ExpectedItem(
            return_order=return_order,
            product=line.product,
            returned_item=line.returned_item,
            quantity_expected=line.quantity,
            requested_action=line.requested_action,
            lot_number=line.lot_number,
            lot_date=line.lot_date,
        )
        for line in lines
    )
    record_created(return_order, actor)
    triggers.return_order_created(return_order)  # to the warehouse's provider
    return return_order


def return_order_transition(
    *, return_order_id, to: str, actor: Actor, note: str = "", locked=None, also=()
) -> ReturnOrder:
    """The one way a return order changes state: locked, checked, stamped, recorded.

    ``locked``: the return order, already locked by the caller in this transaction, whose
    fields ``also`` it changed: saved with the state. That transaction is then the unit (no
    savepoint of its own, two round trips saved when a provider's answer is recorded): a
    refused change rolls all of it back."""
    with transaction.atomic(savepoint=locked is None):
        return_order, previous = lock_and_become(
            ReturnOrder, return_order_id, to, locked=locked, also=also
        )
        _record(return_order, previous, to, actor, note)
    return return_order


@transaction.atomic
def return_order_cancel(*, return_order_id, actor: Actor, note: str = "") -> ReturnOrder:
    """Cancel a return order; only possible before the parcel arrived."""
    return_order = return_order_transition(
        return_order_id=return_order_id, to=ReturnOrder.State.CANCELLED, actor=actor, note=note
    )
    triggers.return_order_cancelled(return_order)  # at the warehouse's provider too
    return return_order


@transaction.atomic
def return_order_sync_retry(*, return_order_id) -> int:
    """Send the return order's provider calls again, now: those that failed (a fresh series of
    attempts, as ``call_retry`` gives them) and those waiting for their next attempt. Returns
    how many; refused when there is none to send."""
    return_order = ReturnOrder.objects.select_related("warehouse").get(pk=return_order_id)
    calls = list(
        ProviderCall.objects.filter(
            return_order=return_order,
            state__in=(ProviderCall.State.FAILED, ProviderCall.State.PENDING),
        ).order_by("pk")  # a create goes before the calls that need it
    )
    if not calls:
        if return_order.warehouse.provider == Warehouse.Provider.MANUAL:
            raise DomainError(
                f"Return order {return_order} is handled at {return_order.warehouse}, which has "
                "no provider to sync with.",
                code="NO_PROVIDER",
            )
        raise DomainError(
            f"Return order {return_order} has no failed or pending provider call.",
            code="NOTHING_TO_RETRY",
        )
    for call in calls:
        if call.state == ProviderCall.State.FAILED:
            call_retry(call_id=call.pk)
        else:
            call_due_now(call)
    return len(calls)
