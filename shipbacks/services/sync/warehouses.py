"""The warehouse leg: return orders pushed to Shippingbo, ShipBob or Kibo and followed to
completion, and what their webhooks report.

A return order whose warehouse is not managed here is created at its provider under our
reference (Shippingbo ``reason_ref``, ShipBob ``reference_id``). A create tried again after an
attempt whose outcome is unknown looks the return up by that reference first, so it finds the
first one; a first attempt creates straight away (one request, not two: Shippingbo counts each
route against its rate limit). Kibo OMS cannot be searched (seed 004): its ``returnID`` is
stored in the transaction that marks the create done, and the residual risk is the same as for
ShopRunBack shipbacks (see ``shoprunback.py``).

Then the return order is polled until it is completed or cancelled: the receipts and the
actions taken (ShipBob ``action_taken``, Shippingbo restocked or not restockable units, Kibo's
accepted items) go through ``return_order_receive`` and ``return_order_complete``, which settle
the customer's returned items and shipback as staff receiving a parcel would.
"""

import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch

from returns_portal.actors import Actor

from ...models import ExpectedItem, ItemAction, ProviderCall, ReturnOrder, Warehouse
from ...providers import ProviderRejected, get_client, warehouse_adapter
from ...providers.config import WAREHOUSE_PROVIDERS
from ...providers.shippingbo import adapter as shippingbo
from ...providers.types import ExpectedLine, RemoteReturnOrder, ReturnOrderRequest
from ..receiving import ActionData, ReceivedLineData, return_order_complete, return_order_receive
from ..return_orders import return_order_transition, return_orders_transition_together
from . import triggers
from .inbound import EventIgnored
from .outbox import Again, Done

logger = logging.getLogger("shipbacks.sync")

Operation = ProviderCall.Operation
RO = ReturnOrder.State
# How far along a return order is; in trouble is off the track.
PROGRESS = [RO.NEW, RO.AWAITING_ARRIVAL, RO.ARRIVED, RO.PROCESSING, RO.COMPLETED]


# Our return order -> the adapters' request ------------------------------------------------------


def return_order_request(return_order: ReturnOrder) -> ReturnOrderRequest:
    warehouse, order = return_order.warehouse, return_order.order
    provider = warehouse.provider
    shipments = list(order.shipments.all()) if order else []

    def shipment_id(field: str):
        return next((getattr(s, field) for s in shipments if getattr(s, field)), None)

    lines = []
    for item in _expected_to_send(return_order):
        returned = item.returned_item
        lines.append(
            ExpectedLine(
                sku=item.product.reference,
                quantity=item.quantity_expected,
                requested_action=item.requested_action,
                provider_inventory_id=item.product.shipbob_inventory_id,
                provider_order_item_id=returned.order_item.kibo_order_item_id if returned else None,
                lot_number=item.lot_number,
                lot_date=item.lot_date,
                name=item.product.label,
                upc=item.product.ean,
                reason=returned.reason.label("en") if returned else "",
            )
        )
    tracking = return_order.tracking_number or (
        return_order.shipback.tracking_number if return_order.shipback_id else ""
    )
    return ReturnOrderRequest(
        reference=return_order.reference,
        items=lines,
        warehouse_provider_id=getattr(warehouse, Warehouse.PROVIDER_ID_FIELDS[provider]),
        provider_order_id={
            Warehouse.Provider.SHIPPINGBO: order.shippingbo_order_id if order else None,
            Warehouse.Provider.KIBO: order.kibo_order_id if order else None,
        }.get(provider),
        source=return_order.source or (order.source if order else ""),
        source_ref=return_order.source_ref or (order.source_ref if order else ""),
        order_number=order.order_number if order else "",
        original_shipment_id=shipment_id(
            "kibo_shipment_id" if provider == Warehouse.Provider.KIBO else "shipbob_shipment_id"
        ),
        reason=return_order.reason,
        reason_ref=return_order.reason_ref,
        type=return_order.type,
        tracking_number=tracking,
    )


def _expected_items_sent():
    # Units received without being expected are not asked for.
    return ExpectedItem.objects.filter(unexpected=False).select_related(
        "product", "returned_item__order_item", "returned_item__reason"
    )


def _expected_to_send(return_order: ReturnOrder) -> list[ExpectedItem]:
    """The expected items a create sends: loaded with the return order by ``calls_prepare``,
    else now."""
    prefetched = getattr(return_order, "expected_to_send", None)
    if prefetched is not None:
        return prefetched
    return list(_expected_items_sent().filter(return_order=return_order))


# Handlers -----------------------------------------------------------------------------------


def _return_orders():
    return ReturnOrder.objects.select_related("warehouse", "order", "shipback")


def _return_order(call: ProviderCall) -> ReturnOrder | None:
    if call.return_order_id is None:
        return None
    if ProviderCall.return_order.is_cached(call):
        return call.return_order  # loaded by calls_prepare
    return _return_orders().filter(pk=call.return_order_id).first()


def calls_prepare(calls: list[ProviderCall]) -> None:
    """Load the return orders of a batch of calls in a few queries, with what their creates
    send (expected items and products, the order's shipments), for their handlers."""
    calls = [
        call for call in calls if call.return_order_id and call.provider in WAREHOUSE_PROVIDERS
    ]
    if not calls:
        return
    return_orders = _return_orders().filter(pk__in={call.return_order_id for call in calls})
    if any(call.operation == Operation.RETURN_ORDER_CREATE for call in calls):
        return_orders = return_orders.prefetch_related(
            Prefetch("expected_items", _expected_items_sent(), to_attr="expected_to_send"),
            "order__shipments",
        )
    found = {return_order.pk: return_order for return_order in return_orders}
    for call in calls:
        if call.return_order_id in found:
            call.return_order = found[call.return_order_id]


GONE = Done({"skipped": "The return order no longer exists here."})


def return_order_create(call: ProviderCall) -> Done:
    return_order = _return_order(call)
    if return_order is None:
        return GONE
    if return_order.state == RO.CANCELLED and not return_order.provider_id:
        return Done({"skipped": "Cancelled before it was sent."})
    if return_order.provider_id:
        return Done(
            {"provider_id": return_order.provider_id},
            lambda: triggers.return_order_follow(return_order),
        )
    adapter = warehouse_adapter(call.provider)
    # A first attempt creates: nothing can be at the provider under our reference yet. After an
    # attempt whose outcome is unknown (a timeout, a 5xx, a worker gone), the adapter looks the
    # return up first, where the provider can be asked (not Kibo: see above).
    tried_before = call.attempts > 1
    result = {}
    if tried_before and not adapter.CAN_FIND_BY_REFERENCE:
        logger.warning(
            "%s return created again after an uncertain attempt: %s", call.provider, call
        )
        result["possible_duplicate"] = True
    push = adapter.ensure_return_order if tried_before else adapter.create_return_order
    remote = push(get_client(call.provider), return_order_request(return_order))

    def record():
        return_order_apply_remote(
            return_order_id=return_order.pk, remote=remote, provider=call.provider
        )
        triggers.return_order_follow(return_order)

    result.update({"provider_id": remote.provider_id, "status": remote.raw_status})
    # Where a return can be found by our reference, its answer may wait for those of the
    # batch and be recorded with them: lost with a worker, it is found again, not duplicated.
    together = (
        (return_orders_record_created, (return_order, remote, call.provider))
        if adapter.CAN_FIND_BY_REFERENCE
        else None
    )
    return Done(result, record, together)


def return_order_poll(call: ProviderCall) -> Done | Again:
    """Read the return order back every SYNC_RETURN_ORDER_POLL_INTERVAL until it is final."""
    return_order = _return_order(call)
    if return_order is None:
        return GONE
    if return_order.is_final:
        return Done({"state": return_order.state})
    if not return_order.provider_id:
        raise ProviderRejected(
            call.provider,
            f"Return order {return_order} is not at the provider: its creation has not "
            "succeeded (retry that call first).",
        )
    adapter = warehouse_adapter(call.provider)
    remote = adapter.get_return_order(get_client(call.provider), return_order.provider_id)
    if remote is None:
        raise ProviderRejected(
            call.provider,
            f"The provider no longer knows return order {return_order.provider_id}.",
            status=404,
        )
    result = {
        "status": remote.raw_status,
        "transactions": [vars(t) for t in remote.transactions],
    }

    def record():
        return_order_apply_remote(
            return_order_id=return_order.pk, remote=remote, provider=call.provider
        )

    if remote.state in ReturnOrder.FINAL_STATES:
        return Done(result, record)
    return Again(settings.SYNC_RETURN_ORDER_POLL_INTERVAL, result, record)


def return_order_cancel(call: ProviderCall) -> Done:
    """Cancel at the provider (ShipBob and Shippingbo; ShipBob only while awaiting arrival)."""
    return_order = _return_order(call)
    adapter = warehouse_adapter(call.provider)
    created = (
        ProviderCall.objects.filter(
            provider=call.provider, target=call.target, operation=Operation.RETURN_ORDER_CREATE
        )
        .values_list("result", flat=True)
        .first()
    )
    provider_id = (return_order.provider_id if return_order else "") or (created or {}).get(
        "provider_id", ""
    )
    if not provider_id:
        return Done({"skipped": "Never created at the provider."})
    if not adapter.CAN_CANCEL:
        raise ProviderRejected(
            call.provider,
            f"{ProviderCall.Provider(call.provider).label} offers no way to cancel a return "
            f"through its API: cancel return {provider_id} there.",
        )
    adapter.cancel_return_order(get_client(call.provider), provider_id)
    return Done({"cancelled": provider_id})


HANDLERS = {
    Operation.RETURN_ORDER_CREATE: return_order_create,
    Operation.RETURN_ORDER_POLL: return_order_poll,
    Operation.RETURN_ORDER_CANCEL: return_order_cancel,
}
ON_DEADLINE: dict = {}


# Recording what the provider reports ----------------------------------------------------------


def return_order_apply_remote(
    *, return_order_id, remote: RemoteReturnOrder, provider: str
) -> ReturnOrder:
    """Bring our return order up to what the provider reports, never back: its id, the units
    received and the actions taken (added, not repeated), then its state. Call inside a
    transaction (the caller's records the outcome of the call or of the webhook with it)."""
    return_order = ReturnOrder.objects.select_for_update().get(pk=return_order_id)
    actor = Actor.provider(provider)
    changed = _take_remote_fields(return_order, remote)
    target = remote.state

    def save_changed() -> None:
        if changed:
            return_order.save(update_fields=[*changed, "updated_at"])

    if return_order.is_final or target is None:
        if target is None:
            logger.warning(
                "%s reports %r for %s: kept as is", provider, remote.raw_status, return_order
            )
        save_changed()
        return return_order
    if target in (RO.CANCELLED, RO.IN_TROUBLE):
        if return_order.state != target and return_order.can_become(target):
            return return_order_transition(
                return_order_id=return_order.pk,
                to=target,
                actor=actor,
                note=remote.raw_status,
                locked=return_order,
                also=changed,
            )
        save_changed()
        return return_order
    if return_order.state == RO.IN_TROUBLE and target == RO.AWAITING_ARRIVAL:
        save_changed()
        return return_order  # staff flagged it; the provider has not moved since
    reported = any(item.quantity_received or item.actions for item in remote.items)
    lines = _received_lines(return_order, remote, provider) if reported else []
    if lines or target == RO.COMPLETED:
        save_changed()
        if lines:
            return_order = return_order_receive(
                return_order_id=return_order.pk, lines=lines, actor=actor
            )
        if target == RO.COMPLETED:
            return _complete(return_order, provider, actor)
        return _walk(return_order, target, actor, remote.raw_status)
    # The usual case, a create or a poll: what the provider says saved with the first step.
    before = return_order.state
    walked = _walk(return_order, target, actor, remote.raw_status, locked_changes=changed)
    if walked.state == before:  # no step: saved on its own
        save_changed()
    return walked


def _take_remote_fields(return_order: ReturnOrder, remote: RemoteReturnOrder) -> list[str]:
    """What the provider reports of the return order besides its state (its id, tracking
    number and transactions), taken on the locked row; returns the fields changed."""
    changed = []
    if remote.provider_id and not return_order.provider_id:
        return_order.provider_id = remote.provider_id
        changed.append("provider_id")
    if remote.tracking_number and not return_order.tracking_number:
        return_order.tracking_number = remote.tracking_number
        changed.append("tracking_number")
    transactions = [vars(t) for t in remote.transactions]
    if transactions and transactions != return_order.provider_transactions:
        return_order.provider_transactions = transactions
        changed.append("provider_transactions")
    return changed


def _one_step(return_order: ReturnOrder, remote: RemoteReturnOrder) -> bool:
    """Whether what the provider reports moves the return order one step on its track and
    brings nothing else (no units received, no cancellation): a create's usual answer."""
    target = remote.state
    return (
        target in PROGRESS
        and target != RO.COMPLETED
        and return_order.state in PROGRESS
        and PROGRESS.index(target) > PROGRESS.index(return_order.state)
        and len(ReturnOrder.path(return_order.state, target)) == 1
        and not any(item.quantity_received or item.actions for item in remote.items)
    )


def return_orders_record_created(created: list[tuple[ReturnOrder, RemoteReturnOrder, str]]):
    """What providers answered to a batch of creates (return order, answer, provider), recorded
    together: the usual answer, one step on the track, for all of them in a few statements
    (``return_order_apply_remote`` would take a dozen each); any other, as that does. Then
    each return order is followed."""
    locked = ReturnOrder.objects.select_for_update().in_bulk(
        [return_order.pk for return_order, _, _ in created]
    )
    created = [each for each in created if each[0].pk in locked]  # not deleted meanwhile
    stepping = defaultdict(list)  # (provider, state reached) -> [(return order, note, fields)]
    for return_order, remote, provider in created:
        current = locked[return_order.pk]
        if _one_step(current, remote):
            changed = _take_remote_fields(current, remote)
            stepping[(provider, remote.state)].append((current, remote.raw_status, changed))
        else:
            return_order_apply_remote(
                return_order_id=return_order.pk, remote=remote, provider=provider
            )
    for (provider, state), moves in stepping.items():
        return_orders_transition_together(
            [(return_order, note) for return_order, note, _ in moves],
            to=state,
            actor=Actor.provider(provider),
            also=sorted({field for _, _, changed in moves for field in changed}),
        )
    triggers.return_orders_follow([return_order for return_order, _, _ in created])


def _walk(
    return_order: ReturnOrder,
    target: str,
    actor: Actor,
    note: str,
    *,
    locked_changes: list[str] | None = None,
) -> ReturnOrder:
    """Through each state from the return order's to ``target``; none when it is there or
    further already. ``locked_changes``: the return order is locked, with changes to those
    fields, saved with its first step (then it is returned as is when there is no step)."""
    current = return_order.state
    if current != RO.IN_TROUBLE and PROGRESS.index(target) <= PROGRESS.index(current):
        return return_order
    for n, step in enumerate(ReturnOrder.path(current, target)):
        carried = locked_changes is not None and n == 0
        return_order = return_order_transition(
            return_order_id=return_order.pk,
            to=step,
            actor=actor,
            note=note,
            locked=return_order if carried else None,
            also=locked_changes if carried else (),
        )
    return return_order


def _complete(return_order: ReturnOrder, provider: str, actor: Actor) -> ReturnOrder:
    """The provider closed it: every unit received gets an action (the one requested, or
    restock, when the provider reports none, as Kibo does), then it completes."""
    if return_order.state in (RO.NEW, RO.AWAITING_ARRIVAL, RO.IN_TROUBLE):
        _walk(return_order, RO.ARRIVED, actor, "completed")
    lines = []
    for item in _items(return_order):
        missing = item.quantity_received - item.acted
        if missing > 0:
            action = (
                item.requested_action
                if item.requested_action in ItemAction.Action.values
                else ItemAction.Action.RESTOCK
            )
            reason = f"{ProviderCall.Provider(provider).label} reported it done without an action."
            lines.append(
                ReceivedLineData(
                    quantity_received=item.quantity_received,
                    expected_item_id=item.pk,
                    actions=[ActionData(action=action, quantity=missing, reason=reason)],
                )
            )
    if lines:
        return_order_receive(return_order_id=return_order.pk, lines=lines, actor=actor)
    return return_order_complete(return_order_id=return_order.pk, actor=actor)


def _items(return_order: ReturnOrder) -> list[ExpectedItem]:
    items = list(
        return_order.expected_items.select_related("product", "returned_item__order_item")
        .prefetch_related("actions")
        .order_by("created_at")
    )
    for item in items:
        item.acted = sum(action.quantity for action in item.actions.all())
    return items


def _matches(item: ExpectedItem, remote_item, provider: str) -> bool:
    if provider == Warehouse.Provider.SHIPBOB and remote_item.provider_inventory_id:
        return item.product.shipbob_inventory_id == remote_item.provider_inventory_id
    if provider == Warehouse.Provider.KIBO and remote_item.provider_order_item_id is not None:
        returned = item.returned_item
        if returned and returned.order_item.kibo_order_item_id is not None:
            return returned.order_item.kibo_order_item_id == remote_item.provider_order_item_id
    return bool(remote_item.sku) and item.product.reference == remote_item.sku


def _received_lines(
    return_order: ReturnOrder, remote: RemoteReturnOrder, provider: str
) -> list[ReceivedLineData]:
    """What arrived since we last heard: for each expected item the provider's count of units
    received (as a total, never less than ours) and the actions it took that we have not
    recorded yet (compared per action, so a repeated report adds nothing)."""
    items = [item for item in _items(return_order) if not item.unexpected]
    used: set = set()
    lines = []
    for remote_item in remote.items:
        item = next(
            (i for i in items if i.pk not in used and _matches(i, remote_item, provider)), None
        )
        if item is None:
            if remote_item.quantity_received:
                logger.warning(
                    "%s reports %s units of %r not expected in %s: left to staff",
                    provider,
                    remote_item.quantity_received,
                    remote_item.sku or remote_item.provider_inventory_id,
                    return_order,
                )
            continue
        used.add(item.pk)
        received = max(
            item.quantity_received, min(remote_item.quantity_received, item.quantity_expected)
        )
        known = Counter()
        for action in item.actions.all():
            known[action.action] += action.quantity
        reported = Counter()
        reasons = {}
        for action in remote_item.actions:
            if action.action in ItemAction.Action.values and action.quantity > 0:
                reported[action.action] += action.quantity
                reasons.setdefault(action.action, action.reason)
        room = received - item.acted
        new_actions = []
        for action, quantity in reported.items():
            extra = min(quantity - known[action], room)
            if extra > 0:
                new_actions.append(
                    ActionData(action=action, quantity=extra, reason=reasons[action])
                )
                room -= extra
        if received > item.quantity_received or new_actions:
            lines.append(
                ReceivedLineData(
                    quantity_received=received, expected_item_id=item.pk, actions=new_actions
                )
            )
    return lines


# Webhooks (Shippingbo update hooks, ShipBob) --------------------------------------------------


def event_apply(provider: str, remote: RemoteReturnOrder) -> str:
    """A return order a webhook carries, applied like a poll's answer (never backwards).
    Returns our reference. Call inside a transaction."""
    found = ReturnOrder.objects.filter(warehouse__provider=provider)
    return_order = None
    if remote.provider_id:
        return_order = found.filter(provider_id=remote.provider_id).first()
    if return_order is None and remote.reference:
        return_order = found.filter(reference=remote.reference).first()
    if return_order is None:
        raise EventIgnored(
            f"No return order here for {provider} return {remote.provider_id or '?'} "
            f"({remote.reference or 'no reference'})."
        )
    return_order_apply_remote(return_order_id=return_order.pk, remote=remote, provider=provider)
    return return_order.reference


# Shippingbo suppliers (seed 000 "Propagate the return") --------------------------------------


def shippingbo_suppliers() -> list[tuple[int, str]]:
    """The Shippingbo suppliers that take returns: (supplier id, name)."""
    return shippingbo.suppliers_available(get_client(Warehouse.Provider.SHIPPINGBO))


@transaction.atomic
def warehouse_link_shippingbo_supplier(*, warehouse_id, supplier_id: int) -> Warehouse:
    """Serve a warehouse through Shippingbo, as the supplier ``supplier_id`` (one of those
    available for return orders). Call with the list already fetched: no provider call here."""
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse_id)
    warehouse.provider = Warehouse.Provider.SHIPPINGBO
    warehouse.shippingbo_supplier_id = supplier_id
    warehouse.full_clean()
    warehouse.save(update_fields=["provider", "shippingbo_supplier_id", "updated_at"])
    return warehouse
