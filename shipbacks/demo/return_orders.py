"""Return orders as the warehouses see them: each step at its time, the receiving report (units
received, actions taken on them), and the return orders that came without a shipback
(``RO-DEMO-*``)."""

import random

from orders.models import Order

from ..models import ItemAction, RelocationRule, ReturnOrder
from ..services import (
    ActionData,
    ReceivedLineData,
    return_order_create,
    return_order_receive,
    return_order_transition,
)
from .data import ACTOR, COUNTRIES, SEED
from .orders import tracking
from .timeline import STANDALONE_STEP_TIMES, timeline_of

RO = ReturnOrder.State

# Return orders a warehouse got without a shipback: (reference, type, states walked, note).
STANDALONE_RETURN_ORDERS = (
    ("RO-DEMO-01", ReturnOrder.Type.CARRIER, [RO.AWAITING_ARRIVAL, RO.CANCELLED],
     "Delivered to the customer at the second attempt: nothing comes back."),
    ("RO-DEMO-02", ReturnOrder.Type.CUSTOMER, [RO.CANCELLED], "The customer kept the parcel."),
    ("RO-DEMO-03", ReturnOrder.Type.CARRIER, [RO.AWAITING_ARRIVAL], ""),
    ("RO-DEMO-04", ReturnOrder.Type.CUSTOMER, [], ""),
    ("RO-DEMO-05", ReturnOrder.Type.LABEL,
     [RO.AWAITING_ARRIVAL, RO.ARRIVED, RO.PROCESSING, RO.COMPLETED], ""),
    ("RO-DEMO-06", ReturnOrder.Type.CUSTOMER, [RO.AWAITING_ARRIVAL, RO.ARRIVED, RO.IN_TROUBLE],
     "The parcel arrived open; one item is missing."),
)  # fmt: skip

ACTION_NOTES = {
    ItemAction.Action.RESTOCK: ("Unworn, tags attached", "As new, repacked", "Sealed"),
    ItemAction.Action.QUARANTINE: ("Stain on the front", "Packaging missing", "For QA to check"),
    ItemAction.Action.DISPOSE: ("Broken in transit", "Cracked, cannot be repaired"),
}


def move_return_order(
    return_order, state, rng, context, timeline, *, complete: bool, note=""
) -> None:
    """One step, at its time in ``timeline``. Processing starts when the warehouse reports
    what arrived and what it did with it (``complete``: for every line, else the first only)."""
    context.backdating.at(timeline[state])
    if state == RO.PROCESSING:
        _receive(return_order, rng, context, complete=complete)
    else:
        return_order_transition(return_order_id=return_order.pk, to=state, actor=ACTOR, note=note)


def _receive(return_order: ReturnOrder, rng: random.Random, context, *, complete: bool) -> None:
    """Report, through the receiving service, the units received (never more than expected)
    and the actions taken on them: the service moves the return order to processing."""
    items = list(
        return_order.expected_items.select_related("returned_item__reason").order_by(
            "created_at", "pk"
        )
    )
    received = [
        item.quantity_expected - (1 if item.quantity_expected >= 2 and rng.random() < 0.25 else 0)
        for item in items
    ]
    lines = []
    for position, (item, quantity) in enumerate(zip(items, received, strict=True)):
        actions = []
        if complete or position == 0:
            reason = item.returned_item.reason.code if item.returned_item else ""
            actions = [
                ActionData(action=action, quantity=units, reason=rng.choice(ACTION_NOTES[action]))
                for action, units in _actions_for(reason, quantity, rng)
            ]
        lines.append(
            ReceivedLineData(quantity_received=quantity, expected_item_id=item.pk, actions=actions)
        )
    return_order_receive(
        return_order_id=return_order.pk, lines=lines, actor=context.receiver(return_order)
    )


def _actions_for(reason: str, received: int, rng) -> list[tuple[str, int]]:
    Action = ItemAction.Action
    if received < 1:
        return []
    if reason == "damaged":
        return [(rng.choice((Action.DISPOSE, Action.QUARANTINE)), received)]
    if reason == "quality":
        return [(Action.QUARANTINE, received)]
    if rng.random() < 0.2:  # one unit not resalable as it is
        return [(Action.RESTOCK, received - 1), (Action.QUARANTINE, 1)][received < 2 :]
    return [(Action.RESTOCK, received)]


def seed_standalone_return_orders(candidates: list[Order], context) -> None:
    """Return orders warehouses got straight from a carrier, a label or a marketplace."""
    existing = set(
        ReturnOrder.objects.filter(
            reference__in=[spec[0] for spec in STANDALONE_RETURN_ORDERS]
        ).values_list("reference", flat=True)
    )
    candidates = iter(candidates)
    for reference, type_, states, note in STANDALONE_RETURN_ORDERS:
        if reference in existing:
            continue
        order = next(candidates, None)
        if order is None:
            return
        rng = random.Random(f"{SEED}:return-order:{reference}")
        country = COUNTRIES[order.customer.address.country_code]
        rule = RelocationRule.objects.matching(reason_id=None, country_code=country.code).first()
        if order.source:  # a marketplace's return names the order by its source reference
            names_order = {"source": order.source, "source_ref": order.source_ref}
        else:
            names_order = {"order": order}
        timeline = timeline_of(
            [RO.NEW, *states],
            STANDALONE_STEP_TIMES,
            after=max(s.delivered_at or s.shipped_at for s in order.shipments.all()),
            now=context.now,
            rng=random.Random(f"{SEED}:timeline:{reference}"),
        )
        context.backdating.at(timeline[RO.NEW])
        return_order = return_order_create(
            warehouse=rule.warehouse,
            actor=ACTOR,
            type=type_,
            reason="Returned by the carrier" if type_ == ReturnOrder.Type.CARRIER else "",
            tracking_number=tracking(rng, country),
            reference=reference,
            **names_order,
        )
        for position, state in enumerate(states, start=1):
            move_return_order(
                return_order,
                state,
                rng,
                context,
                timeline,
                complete=states[-1] == RO.COMPLETED,
                note=note if position == len(states) else "",
            )
