"""The provider calls each change causes, written in the transaction of that change.

The services call these functions where the change happens (``shipback_create`` calls
:func:`shipback_created`, and so on); each writes outbox rows through ``call_enqueue`` and
nothing else, so a change rolled back takes its calls with it. What a call sends is read when it
is sent: the provider gets the record as it is then.
"""

from django.conf import settings

from ...models import ProviderCall, ReturnOrder, Shipback, Warehouse
from .outbox import call_due_now, call_enqueue, calls_cancel, calls_enqueue, sync_enabled

Operation = ProviderCall.Operation
State = ProviderCall.State
SHOPRUNBACK = ProviderCall.Provider.SHOPRUNBACK


def _key(provider: str, target: str, name: str) -> str:
    return f"{provider}:{target}:{name}"


def _create_call(shipback: Shipback) -> ProviderCall | None:
    return ProviderCall.objects.filter(
        idempotency_key=_key(SHOPRUNBACK, shipback.rma, "create")
    ).first()


def _shoprunback(shipback: Shipback, operation: str, *, name: str = "", **kwargs):
    return call_enqueue(
        provider=SHOPRUNBACK,
        operation=operation,
        target=shipback.rma,
        shipback=shipback,
        key=_key(SHOPRUNBACK, shipback.rma, name) if name else "",
        **kwargs,
    )


# Customer leg (ShopRunBack) -------------------------------------------------------------------


def shipback_created(shipback: Shipback) -> None:
    """Push the shipback (its brands, products and order first). A direct return is sent by the
    customer without a carrier: ShopRunBack has no part in it."""
    if shipback.mode == Shipback.Mode.DIRECT:
        return
    _shoprunback(shipback, Operation.SHIPBACK_CREATE, name="create")


def quotes_requested(shipback: Shipback) -> None:
    """Quotes were asked for (new ones computing): ask ShopRunBack and poll them, unless a poll
    is already under way."""
    if not sync_enabled():
        return
    _shoprunback(shipback, Operation.SHIPBACK_CREATE, name="create")  # safe if already there
    polling = ProviderCall.objects.open().filter(
        provider=SHOPRUNBACK, target=shipback.rma, operation=Operation.QUOTES_POLL
    )
    if not polling.exists():
        _shoprunback(shipback, Operation.QUOTES_POLL, deadline=settings.SYNC_QUOTES_DEADLINE)


def quotes_cleared(shipback: Shipback) -> None:
    """The shipback changed: its quotes are recomputed. Polls under way are dropped (their
    answers are for the shipback as it was) and ShopRunBack is told to clear its quotes."""
    if not sync_enabled() or _create_call(shipback) is None:
        return
    polls = ProviderCall.objects.filter(
        provider=SHOPRUNBACK, target=shipback.rma, operation=Operation.QUOTES_POLL
    )
    if not polls.exists():
        return  # never requested: nothing to clear
    calls_cancel(polls, note="Superseded: the shipback changed.", running_too=True)
    _shoprunback(shipback, Operation.QUOTES_CLEAR)


def shipback_updated(shipback: Shipback) -> None:
    """The mode or the overrides changed: send them, once the shipback is at ShopRunBack."""
    if not sync_enabled() or _create_call(shipback) is None:
        return
    _shoprunback(shipback, Operation.SHIPBACK_UPDATE)


def shipback_registered(shipback: Shipback) -> None:
    """Confirmed: ShopRunBack registers it (mode, then free) and makes the label, which is
    polled; each return order goes to its warehouse's provider."""
    if not sync_enabled():
        return
    if shipback.mode == Shipback.Mode.DIRECT:
        shipback_removed(shipback)  # it may have been pushed while another mode was considered
    else:
        _shoprunback(shipback, Operation.SHIPBACK_CREATE, name="create")
        _shoprunback(shipback, Operation.SHIPBACK_FREE, name="free")
        _shoprunback(
            shipback, Operation.LABEL_POLL, name="label", deadline=settings.SYNC_LABEL_DEADLINE
        )
    for return_order in shipback.return_orders.select_related("warehouse"):
        return_order_created(return_order)


def shipback_removed(shipback: Shipback) -> None:
    """Deleted or cancelled before registration: deleted at ShopRunBack too. A create not sent
    yet is simply cancelled; one that may have reached ShopRunBack is followed by a delete."""
    create = _create_call(shipback)
    if create is None or create.state == State.CANCELLED:
        return
    open_calls = ProviderCall.objects.filter(provider=SHOPRUNBACK, target=shipback.rma)
    if create.attempts == 0 and create.state == State.PENDING:
        calls_cancel(open_calls, note="The shipback was removed before it was sent.")
        return
    calls_cancel(
        open_calls.exclude(pk=create.pk).exclude(operation=Operation.SHIPBACK_DELETE),
        note="The shipback was removed.",
        running_too=False,
    )
    _shoprunback(
        shipback,
        Operation.SHIPBACK_DELETE,
        name="delete",
        payload={"shoprunback_id": shipback.shoprunback_id},
    )


def label_poll_now(shipback: Shipback) -> bool:
    """ShopRunBack says the label is ready (webhook): poll now instead of at the next interval,
    with a new poll if the last one ended without the label. False while sync is off."""
    if not sync_enabled():
        return False
    polls = ProviderCall.objects.filter(
        provider=SHOPRUNBACK, target=shipback.rma, operation=Operation.LABEL_POLL
    )
    if pending := polls.filter(state=State.PENDING).first():
        call_due_now(pending)
    elif not polls.filter(state=State.RUNNING).exists():
        _shoprunback(shipback, Operation.LABEL_POLL, deadline=settings.SYNC_LABEL_DEADLINE)
    return True


# Warehouse leg (Shippingbo, ShipBob, Kibo) ----------------------------------------------------


def _warehouse_call(return_order: ReturnOrder, operation: str, name: str, **kwargs):
    return call_enqueue(**_warehouse_spec(return_order, operation, name, **kwargs))


def _warehouse_spec(return_order: ReturnOrder, operation: str, name: str, **kwargs) -> dict:
    provider = return_order.warehouse.provider
    return {
        "provider": provider,
        "operation": operation,
        "target": return_order.reference,
        "return_order": return_order,
        "key": _key(provider, return_order.reference, name),
        **kwargs,
    }


def return_order_created(return_order: ReturnOrder) -> None:
    """Push the return order to its warehouse's provider; the manual ones stay here."""
    if return_order.warehouse.provider == Warehouse.Provider.MANUAL:
        return
    _warehouse_call(return_order, Operation.RETURN_ORDER_CREATE, "create")


def return_order_follow(return_order: ReturnOrder) -> None:
    """Poll the return order at its provider until it is completed or cancelled, from one
    interval after its creation (which told us its state)."""
    return_orders_follow([return_order])


def return_orders_follow(return_orders: list[ReturnOrder]) -> None:
    """``return_order_follow`` for many return orders: their polls written in one insert."""
    calls_enqueue(
        [
            _warehouse_spec(
                return_order,
                Operation.RETURN_ORDER_POLL,
                "poll",
                deadline=settings.SYNC_RETURN_ORDER_DEADLINE,
                delay=settings.SYNC_RETURN_ORDER_POLL_INTERVAL,
            )
            for return_order in return_orders
            if return_order.warehouse.provider != Warehouse.Provider.MANUAL
        ]
    )


def return_order_cancelled(return_order: ReturnOrder) -> None:
    """Cancelled here (before arrival): cancelled at the provider, or never sent."""
    provider = return_order.warehouse.provider
    if provider == Warehouse.Provider.MANUAL or not sync_enabled():
        return
    calls = ProviderCall.objects.filter(provider=provider, target=return_order.reference)
    create = calls.filter(operation=Operation.RETURN_ORDER_CREATE).first()
    if create is None or create.state == State.CANCELLED:
        return
    if create.attempts == 0 and create.state == State.PENDING:
        calls_cancel(calls, note="The return order was cancelled before it was sent.")
        return
    calls_cancel(
        calls.filter(operation=Operation.RETURN_ORDER_POLL),
        note="The return order was cancelled.",
        running_too=True,
    )
    _warehouse_call(return_order, Operation.RETURN_ORDER_CANCEL, "cancel")
