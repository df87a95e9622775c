"""ShopRunBack's webhooks (seed 003 "Webhooks"), applied to our shipbacks and returned items.

``shipback.<state>`` moves the shipback forward along its journey (registered through relocated,
and failed), through each state a late or lost event skipped; ``shipback.labelled`` asks the
label poll to look now. ``returneditem.<state>`` moves the returned item its unit reference
names. Duplicates and events out of order change nothing they should not.
"""

from django.utils import timezone

from ...models import ProviderCall, ReturnedItem, Shipback
from ...providers.shoprunback.webhooks import shipback_state_from_event
from ...providers.types import WebhookEvent
from ..shipbacks import returned_item_transition, shipback_register, shipback_transition
from . import triggers
from .inbound import EventIgnored
from .sending import call_send
from .shoprunback import ACTOR, JOURNEY, base_reference

S = Shipback.State


def event_apply(event: WebhookEvent) -> str:
    """Apply a verified event; returns the RMA it was applied to. Call inside a transaction.

    Duplicates and events out of order change nothing they should not: a shipback only moves
    forward along its journey, through each state between (the walk a late event skipped).
    """
    kind = event.event.partition(".")[0]
    if kind == "shipback":
        return _apply_shipback_event(event)
    if kind == "returneditem":
        return _apply_returned_item_event(event)
    raise EventIgnored(f"{event.event}: not about a shipback or a returned item.")


def _find_shipback(data: dict) -> Shipback | None:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    remote_id = str(data.get("id") or "")
    rmas = {str(value) for value in (metadata.get("rma"), data.get("rma")) if value}
    shipbacks = Shipback.objects.select_for_update(of=("self",))
    if remote_id and (found := shipbacks.filter(shoprunback_id=remote_id).first()):
        return found
    return shipbacks.filter(rma__in=rmas).first() if rmas else None


def _rank(state: str) -> int:
    return JOURNEY.index(state) if state in JOURNEY else len(JOURNEY)


def _walk(shipback: Shipback, target: str) -> list[str]:
    """The states from the shipback's to ``target``. A labelled shipback has a label to get:
    one registered with a carrier goes through labelled, even if a webhook skipped it."""
    if (
        shipback.state == S.REGISTERED
        and shipback.mode != Shipback.Mode.DIRECT
        and _rank(target) > _rank(S.LABELLED)
    ):
        return [S.LABELLED, *Shipback.path(S.LABELLED, target)]
    return Shipback.path(shipback.state, target)


def _apply_shipback_event(event: WebhookEvent) -> str:
    target = shipback_state_from_event(event.event)
    if target is None:
        raise EventIgnored(f"{event.event}: not a shipback state.")
    shipback = _find_shipback(event.data)
    if shipback is None:
        raise EventIgnored(f"No shipback here for ShopRunBack shipback {event.data.get('id')}.")
    if not shipback.shoprunback_id and event.data.get("id"):
        Shipback.objects.filter(pk=shipback.pk).update(shoprunback_id=str(event.data["id"]))
    note = f"ShopRunBack {event.event} ({event.id})"
    if shipback.state in Shipback.FINAL_STATES or target == S.CREATED:
        return shipback.rma
    if target in (S.CANCELLED, S.REGISTERING, S.FAILED):
        if shipback.state != target and shipback.can_become(target):
            shipback_transition(shipback_id=shipback.pk, to=target, actor=ACTOR, note=note)
        return shipback.rma
    if _rank(target) <= _rank(shipback.state):
        _label_if_missing(shipback, target)
        return shipback.rma  # a duplicate, or an event older than what we know
    if (
        target == S.LABELLED
        and shipback.state == S.REGISTERED
        and _label_if_missing(shipback, target)
    ):
        # Labelled comes with the label itself: the poll, asked now, fetches and stores it.
        return shipback.rma
    if shipback.is_modifiable:
        # Registered at ShopRunBack (on its own return pages): registered here the same way,
        # with the return orders for the warehouses.
        if not shipback.mode and event.data.get("mode") in Shipback.Mode.values:
            Shipback.objects.filter(pk=shipback.pk).update(mode=event.data["mode"])
        shipback = shipback_register(shipback_id=shipback.pk, actor=ACTOR)
    for step in _walk(shipback, target) if shipback.state != target else []:
        shipback = shipback_transition(shipback_id=shipback.pk, to=step, actor=ACTOR, note=note)
    _label_if_missing(shipback, target)
    return shipback.rma


def _label_if_missing(shipback: Shipback, target: str) -> bool:
    """ShopRunBack says the label exists: fetch it now rather than at the next poll. True when
    a poll was asked for."""
    if (
        _rank(target) >= _rank(S.LABELLED)
        and shipback.mode != Shipback.Mode.DIRECT
        and not shipback.label_file
    ):
        return triggers.label_poll_now(shipback)
    return False


def label_fetch_now(*, rma: str) -> None:
    """Call once an event is applied and committed. The label poll it made due now (through
    :func:`_label_if_missing`) is sent here, by the worker that applied it, rather than after
    every message queued before its own (a burst of labels is a queue of tasks). It is sent
    alone: a webhook's task stays short, it takes no backlog of calls with it. Its message
    still goes: whichever comes first sends it, the other finds it done. A poll held back by
    an earlier call (the free) waits for it, as it would anyway."""
    due = (
        ProviderCall.objects.filter(
            provider=ProviderCall.Provider.SHOPRUNBACK,
            target=rma,
            operation=ProviderCall.Operation.LABEL_POLL,
            state=ProviderCall.State.PENDING,
            next_attempt_at__lte=timezone.now(),
        )
        .values_list("pk", flat=True)
        .first()
    )
    if due is not None:
        call_send(call_id=due, alone=True)


def _apply_returned_item_event(event: WebhookEvent) -> str:
    """``returneditem.<state>``: the item is named by our order item reference (its unit's)."""
    target = event.event.partition(".")[2]
    if target not in ReturnedItem.State.values:
        raise EventIgnored(f"{event.event}: not a returned item state.")
    item_data = event.data.get("item") if isinstance(event.data.get("item"), dict) else {}
    reference = base_reference(str(item_data.get("reference") or ""))
    candidates = ReturnedItem.objects.filter(
        order_item__reference=reference, shipback__registered_at__isnull=False
    ).exclude(shipback__shoprunback_id="")
    if shipback_id := event.data.get("shipback_id"):
        candidates = candidates.filter(shipback__shoprunback_id=str(shipback_id))
    candidates = list(candidates.exclude(shipback__state__in=Shipback.FINAL_STATES)[:2])
    if len(candidates) != 1:
        raise EventIgnored(
            f"{event.event}: {'no' if not candidates else 'more than one'} open returned item "
            f"here for reference {reference!r}."
        )
    item = ReturnedItem.objects.select_for_update().get(pk=candidates[0].pk)
    try:
        steps = ReturnedItem.path(item.state, target) if item.state != target else []
    except ValueError:
        steps = []  # already past it
    for step in steps:
        returned_item_transition(
            returned_item_id=item.pk, to=step, actor=ACTOR, note=f"ShopRunBack {event.event}"
        )
    return item.shipback.rma
