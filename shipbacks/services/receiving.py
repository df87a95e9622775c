"""Receiving a return order at the warehouse, and completing it.

A warehouse system (through the API) or staff report, per expected item, how many units
arrived and what was done with them (restock, quarantine, dispose). Completing the return
order then settles the customer's returned items (relocated, missing) and, once everything
of a shipback is settled, the shipback itself (relocated).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce

from catalog.models import Product
from returns_portal.actors import Actor
from returns_portal.errors import DomainError
from returns_portal.models import InvalidTransition

from ..models import ExpectedItem, ItemAction, ReturnedItem, ReturnOrder, Shipback
from .return_orders import return_order_transition
from .shipbacks import returned_item_transition, shipback_transition

State = ReturnOrder.State
RECEIVABLE = (State.NEW, State.AWAITING_ARRIVAL, State.ARRIVED, State.PROCESSING, State.IN_TROUBLE)
SETTLED_ITEM_STATES = (ReturnedItem.State.RELOCATED, ReturnedItem.State.MISSING)


@dataclass
class ActionData:
    action: str  # an ItemAction.Action value: restock, quarantine, dispose
    quantity: int = 1
    reason: str = ""
    photo: object = None  # a checked image file (``checked_photo``: re-encoded, safe name)


@dataclass
class ReceivedLineData:
    """What arrived of one expected item: named by ``expected_item_id``, else by the product's
    reference (Shippingbo's ``user_ref``). ``unexpected`` lines add a product that was not
    expected (by reference, with a note); their quantity is not bounded."""

    quantity_received: int
    expected_item_id: object = None
    product_reference: str = ""
    unexpected: bool = False
    note: str | None = None
    actions: list[ActionData] = field(default_factory=list)


def _with_acted(queryset):
    """The lines with their product and units acted on, in the order errors number them."""
    return (
        queryset.select_related("product")
        .annotate(acted=Coalesce(Sum("actions__quantity"), 0))
        .order_by("created_at", "pk")
    )


def _target(lines_by_id, items, line: ReceivedLineData, used: set, where: str) -> ExpectedItem:
    """The expected item a reported line is about (a new unexpected one if so declared)."""
    if line.expected_item_id:
        item = lines_by_id.get(str(line.expected_item_id))
        if item is None:
            raise DomainError(
                f"This return order has no expected item {line.expected_item_id}.",
                code="UNKNOWN_ITEM",
                field=f"{where}.id",
            )
        return item
    if not line.product_reference:
        raise DomainError(
            "Name the expected item by its id, or the product by its reference (user_ref).",
            code="REQUIRED",
            field=f"{where}.user_ref",
        )
    if line.unexpected:
        product = Product.objects.filter(reference=line.product_reference).first()
        if product is None:
            raise DomainError(
                f"No product with reference {line.product_reference!r}.",
                code="UNKNOWN_PRODUCT",
                field=f"{where}.user_ref",
            )
        item = ExpectedItem(product=product, unexpected=True, quantity_expected=0)
        item.acted = 0
        return item
    candidates = [
        i for i in items if not i.unexpected and i.product.reference == line.product_reference
    ]
    if not candidates:
        raise DomainError(
            f"Product {line.product_reference!r} is not expected in this return order; report "
            "it as unexpected.",
            code="UNKNOWN_ITEM",
            field=f"{where}.user_ref",
        )
    unused = [i for i in candidates if i.pk not in used]
    return (unused or candidates)[0]


def _check_line(item: ExpectedItem, line: ReceivedLineData, where: str) -> None:
    if line.quantity_received < 0:
        raise DomainError(
            "A quantity received is 0 or more.",
            code="INVALID_QUANTITY",
            field=f"{where}.quantity_received",
        )
    if not item.unexpected and line.quantity_received > item.quantity_expected:
        raise DomainError(
            f"{item.product.reference}: {line.quantity_received} received, "
            f"{item.quantity_expected} expected; report the extra units as an unexpected line.",
            code="INVALID_QUANTITY",
            field=f"{where}.quantity_received",
        )
    for index, action in enumerate(line.actions):
        if action.action not in ItemAction.Action.values:
            raise DomainError(
                f"Unknown action {action.action!r}: restock, quarantine or dispose.",
                code="INVALID_ACTION",
                field=f"{where}.actions[{index}].action",
            )
        if action.quantity < 1:
            raise DomainError(
                "An action is taken on at least 1 unit.",
                code="INVALID_QUANTITY",
                field=f"{where}.actions[{index}].quantity",
            )
    acted = item.acted + sum(action.quantity for action in line.actions)
    if acted > line.quantity_received:
        raise DomainError(
            f"{item.product.reference}: actions on {acted} units, {line.quantity_received} "
            "received.",
            code="INVALID_QUANTITY",
            field=f"{where}.actions",
        )


@transaction.atomic
def return_order_receive(
    *, return_order_id, lines: list[ReceivedLineData], actor: Actor
) -> ReturnOrder:
    """Record what arrived and what was done with it, all or nothing, the row locked.

    ``quantity_received`` is the total received so far for the line (not an increment); the
    actions given are added to those already recorded, and never exceed it. The return order
    moves to arrived, and to processing once actions are recorded.
    """
    return_order = ReturnOrder.objects.select_for_update().get(pk=return_order_id)
    if return_order.state not in RECEIVABLE:
        raise DomainError(
            f"Return order {return_order} is {return_order.get_state_display().lower()}: "
            "nothing more can be received.",
            code="RETURN_ORDER_CLOSED",
            field="state",
        )
    if not lines:
        raise DomainError("Report at least one item.", code="REQUIRED", field="items")
    items = list(_with_acted(return_order.expected_items.all()))
    by_id = {str(item.pk): item for item in items}
    used: set = set()
    for index, line in enumerate(lines):
        where = f"items[{index}]"
        item = _target(by_id, items, line, used, where)
        if item.pk in used:
            raise DomainError(
                "This expected item is reported twice.", code="DUPLICATE", field=where
            )
        _check_line(item, line, where)
        used.add(item.pk)
        item.return_order = return_order
        item.quantity_received = line.quantity_received
        if line.note is not None:
            item.note = line.note
        item.full_clean(exclude=["return_order", "product", "returned_item"])
        item.save()
        ItemAction.objects.bulk_create(
            ItemAction(
                expected_item=item,
                action=action.action,
                reason=action.reason,
                quantity=action.quantity,
                photo=action.photo or "",
                performed_by=actor.user,
                # The dashboard's copies (see shipbacks.dashboard).
                shipback_registered_at=return_order.shipback_registered_at,
                warehouse_id=return_order.warehouse_id,
            )
            for action in line.actions
        )
    acting = any(line.actions for line in lines)
    return _move_on(return_order, acting=acting, actor=actor)


def _move_on(return_order: ReturnOrder, *, acting: bool, actor: Actor) -> ReturnOrder:
    """new/awaiting arrival → arrived, then → processing when actions are being recorded."""
    state = return_order.state
    target = State.PROCESSING if acting or state == State.PROCESSING else State.ARRIVED
    steps = []
    if state in (State.NEW, State.AWAITING_ARRIVAL) or (
        state == State.IN_TROUBLE and target == State.ARRIVED
    ):
        steps.append(State.ARRIVED)
    if target == State.PROCESSING and state != State.PROCESSING:
        steps.append(State.PROCESSING)
    for step in steps:
        return_order = return_order_transition(
            return_order_id=return_order.pk, to=step, actor=actor, note="Reported received."
        )
    return return_order


@transaction.atomic
def return_order_complete(*, return_order_id, actor: Actor) -> ReturnOrder:
    """Close a return order whose every received unit has an action, then settle the returned
    items it was for (relocated when fully received, missing when nothing arrived, error when
    part of it did) and their shipbacks (relocated once all their items and return orders are)."""
    return_order = ReturnOrder.objects.select_for_update().get(pk=return_order_id)
    if not return_order.can_become(State.COMPLETED):
        raise InvalidTransition(return_order, State.COMPLETED)
    items = list(_with_acted(return_order.expected_items.all()))
    for index, item in enumerate(items):
        if item.acted != item.quantity_received:
            raise DomainError(
                f"{item.product.reference}: {item.quantity_received - item.acted} unit(s) "
                "received without an action (restock, quarantine or dispose).",
                code="ACTION_MISSING",
                field=f"expected_items[{index}]",
            )
    return_order = return_order_transition(
        return_order_id=return_order.pk, to=State.COMPLETED, actor=actor
    )
    returned_ids = {item.returned_item_id for item in items if item.returned_item_id}
    shipback_ids = {return_order.shipback_id} - {None}
    for returned_item in ReturnedItem.objects.filter(pk__in=returned_ids).order_by("created_at"):
        _settle_returned_item(returned_item, actor)
        shipback_ids.add(returned_item.shipback_id)
    for shipback_id in sorted(shipback_ids, key=str):
        _settle_shipback(shipback_id, actor)
    return return_order


def _settle_returned_item(returned_item: ReturnedItem, actor: Actor) -> None:
    lines = ExpectedItem.objects.filter(
        returned_item=returned_item, return_order__state=State.COMPLETED
    )
    received = lines.aggregate(total=Coalesce(Sum("quantity_received"), 0))["total"]
    if received >= returned_item.quantity:
        target, note = ReturnedItem.State.RELOCATED, ""
    elif received == 0:
        target, note = ReturnedItem.State.MISSING, "Not received."
    else:
        target = ReturnedItem.State.ERROR
        note = f"{received} of {returned_item.quantity} received."
    if returned_item.state != target and returned_item.can_become(target):
        returned_item_transition(
            returned_item_id=returned_item.pk, to=target, actor=actor, note=note
        )


def _settle_shipback(shipback_id, actor: Actor) -> None:
    shipback = Shipback.objects.select_for_update().get(pk=shipback_id)
    if shipback.state in Shipback.FINAL_STATES or shipback.registered_at is None:
        return
    if shipback.return_orders.exclude(state__in=ReturnOrder.FINAL_STATES).exists():
        return
    if shipback.returned_items.exclude(state__in=SETTLED_ITEM_STATES).exists():
        return
    for step in Shipback.path(shipback.state, Shipback.State.RELOCATED):
        shipback_transition(shipback_id=shipback.pk, to=step, actor=actor)
