"""The customer leg at ShopRunBack (seeds 002 and 003), one handler per operation (its webhooks:
``shoprunback_events``).

The order of a shipback's calls is the order of the changes (the outbox runs the calls on one
shipback one at a time): create (brands, products and order first, each found by its reference
before it is created), then quotes requested and polled, cleared when the shipback changes,
mode and overrides, free, the label polled and stored; or delete.

ShopRunBack documents no lookup of a shipback by our RMA, so a create whose answer was lost
cannot be checked: the id it answers is stored in the transaction that marks the call done, and
the call is only repeated when that transaction never happened (the worker died between the
answer and the commit, or the answer never came back). That window is the residual risk of a
duplicate shipback at ShopRunBack; such calls are flagged ``possible_duplicate`` in their
result, for staff to check on ShopRunBack's dashboard.
"""

import logging
from dataclasses import asdict

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.utils import timezone

from orders.models import Order, OrderItem
from returns_portal.actors import Actor

from ...models import ProviderCall, Quote, ReturnedItem, Shipback
from ...providers import ProviderRejected, get_client
from ...providers.shoprunback import adapter
from ...providers.types import (
    AddressPayload,
    BrandPayload,
    CustomerPayload,
    OrderItemPayload,
    OrderPayload,
    ProductPayload,
    ReturnedItemPayload,
    ShipbackPayload,
)
from ..editing import as_datetime
from ..quotes import quote_record_result
from ..shipbacks import (
    shipback_record_label,
)
from .outbox import Again, Done

logger = logging.getLogger("shipbacks.sync")

PROVIDER = ProviderCall.Provider.SHOPRUNBACK
ACTOR = Actor.provider(PROVIDER)
Operation = ProviderCall.Operation
S = Shipback.State
# The journey, in order: a shipback never moves back along it.
JOURNEY = [
    S.CREATED,
    S.REGISTERING,
    S.REGISTERED,
    S.LABELLED,
    S.DELIVERING,
    S.DELIVERED,
    S.IDENTIFIED,
    S.RELOCATING,
    S.RELOCATED,
]
# Products and brands found or created at ShopRunBack are remembered this long.
CATALOG_MEMORY = 24 * 3600


# Our data -> the adapter's payloads -------------------------------------------------------------


def unit_references(order_item: OrderItem) -> list[str]:
    """ShopRunBack's order items have no quantity: one item per unit, each with its own
    reference (ours, suffixed ``#n`` when the line has several units)."""
    if order_item.quantity == 1:
        return [order_item.reference]
    return [f"{order_item.reference}#{n}" for n in range(1, order_item.quantity + 1)]


def base_reference(unit_reference: str) -> str:
    reference, sep, number = unit_reference.rpartition("#")
    return reference if sep and number.isdigit() else unit_reference


def order_payload(order: Order, items: list[OrderItem], shipback: Shipback) -> OrderPayload:
    customer = order.customer
    address = customer.address or shipback.customer.address
    if address is None:
        raise ProviderRejected(
            "ShopRunBack",
            f"Order {order} has no customer address: ShopRunBack needs one.",
            field_errors={"customer.address": ["Required."]},
        )
    return OrderPayload(
        order_number=order.order_number,
        ordered_at=order.ordered_at,
        customer=CustomerPayload(
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
            phone=customer.phone,
            address=AddressPayload(
                line1=address.line1,
                line2=address.line2,
                zipcode=address.zipcode,
                city=address.city,
                state=address.state,
                country_code=address.country_code,
            ),
        ),
        items=[
            OrderItemPayload(
                reference=unit,
                product_reference=item.product.reference,
                label=item.display_label,
            )
            for item in items
            for unit in unit_references(item)
        ],
        metadata=order.metadata,
    )


def shipback_payload(shipback: Shipback) -> ShipbackPayload:
    items = []
    for returned in shipback.returned_items.select_related("order_item", "reason"):
        # Units other returns of this line took come first.
        taken = (
            ReturnedItem.objects.filter(
                order_item=returned.order_item, created_at__lt=returned.created_at
            )
            .exclude(shipback=shipback)
            .exclude(shipback__state__in=(S.CANCELLED, S.FAILED))
            .aggregate(total=Sum("quantity"))["total"]
            or 0
        )
        units = unit_references(returned.order_item)
        chosen = units[taken : taken + returned.quantity] or units[-returned.quantity :]
        items += [
            ReturnedItemPayload(item_reference=unit, reason_code=returned.reason.code)
            for unit in chosen
        ]
    mode = shipback.mode if shipback.mode in Quote.Mode.values else ""
    return ShipbackPayload(
        order_number=shipback.order.order_number, rma=shipback.rma, items=items, mode=mode
    )


def _ensure_catalog(client, products) -> None:
    """Brands and products before the order that names them: each found by its reference, and
    created once. Those already seen are remembered, so each order does not look them up."""
    brand_ids: dict = {}
    for product in {p.pk: p for p in products}.values():
        remembered = f"sync:shoprunback:product:{product.reference}"
        if cache.get(remembered):
            continue
        brand = product.brand
        if brand.pk not in brand_ids:
            # The default brand is ShopRunBack's own default: products without brand_id go there.
            brand_ids[brand.pk] = (
                None
                if brand.is_default
                else adapter.ensure_brand(client, BrandPayload(brand.reference, brand.name))
            )
        adapter.ensure_product(
            client,
            ProductPayload(
                reference=product.reference,
                label=product.label,
                weight_grams=product.weight_grams
                or getattr(settings, "RETURNS_DEFAULT_WEIGHT_GRAMS", 1000),
                ean=product.ean,
            ),
            brand_id=brand_ids[brand.pk],
        )
        cache.set(remembered, True, CATALOG_MEMORY)


# Handlers -----------------------------------------------------------------------------------


def _shipback(call: ProviderCall) -> Shipback | None:
    if call.shipback_id is None:
        return None
    return (
        Shipback.objects.select_related("order__customer__address", "customer__address")
        .filter(pk=call.shipback_id)
        .first()
    )


def _remote_id(call: ProviderCall, shipback: Shipback | None) -> str:
    """The shipback's id at ShopRunBack, from the shipback, the call or the create call."""
    remote_id = (shipback.shoprunback_id if shipback else "") or call.payload.get(
        "shoprunback_id", ""
    )
    if not remote_id:
        created = (
            ProviderCall.objects.filter(
                provider=PROVIDER,
                target=call.target,
                operation=Operation.SHIPBACK_CREATE,
                state=ProviderCall.State.SUCCEEDED,
            )
            .values_list("result", flat=True)
            .first()
        )
        remote_id = (created or {}).get("shoprunback_id", "")
    return remote_id


def _required_remote_id(call: ProviderCall, shipback: Shipback | None) -> str:
    remote_id = _remote_id(call, shipback)
    if not remote_id:
        raise ProviderRejected(
            "ShopRunBack",
            f"Shipback {call.target} is not at ShopRunBack: its creation has not succeeded "
            "(retry that call first).",
        )
    return remote_id


GONE = Done({"skipped": "The shipback no longer exists here."})


def shipback_create(call: ProviderCall) -> Done:
    shipback = _shipback(call)
    if shipback is None:
        return GONE
    if shipback.shoprunback_id:
        return Done({"shoprunback_id": shipback.shoprunback_id})
    result = {}
    if call.attempts > 1:
        # An earlier attempt may have created it and its answer was lost: not searchable.
        logger.warning("ShopRunBack shipback %s created again after an uncertain attempt", call)
        result["possible_duplicate"] = True
    client = get_client(PROVIDER)
    order = shipback.order
    items = list(order.items.select_related("product__brand"))
    _ensure_catalog(client, [item.product for item in items])
    order_id = adapter.ensure_order(client, order_payload(order, items, shipback))
    remote = adapter.create_shipback(client, shipback_payload(shipback))

    def record():
        Shipback.objects.filter(pk=shipback.pk, shoprunback_id="").update(
            shoprunback_id=remote.provider_id
        )

    result.update({"shoprunback_id": remote.provider_id, "order_id": order_id})
    return Done(result, record)


def _quotes_of(call: ProviderCall, shipback: Shipback):
    """The quotes this poll is for: those that existed when it was written (later ones belong
    to a later poll, after the shipback changed)."""
    return shipback.quotes.filter(created_at__lte=call.created_at)


def quotes_poll(call: ProviderCall) -> Done | Again:
    """003 "2. Request the quotes": the first GET starts the computation, later ones follow it
    (every SYNC_QUOTES_POLL_INTERVAL) until each mode is available or unavailable."""
    shipback = _shipback(call)
    if shipback is None:
        return GONE
    computing = list(_quotes_of(call, shipback).filter(state=Quote.State.COMPUTING))
    if not computing:
        return Done({"quotes": "settled"})
    remote_quotes = adapter.get_quotes(get_client(PROVIDER), _required_remote_id(call, shipback))
    settled = {q.mode: q for q in remote_quotes if q.state != Quote.State.COMPUTING}
    result = {"quotes": {q.mode: q.state for q in remote_quotes}}

    def record():
        for quote in computing:
            remote = settled.get(quote.mode)
            if (
                remote is None
                or not Quote.objects.filter(pk=quote.pk, state=Quote.State.COMPUTING).exists()
            ):
                continue
            quote_record_result(
                quote_id=quote.pk,
                state=remote.state,
                price_cents=remote.price_cents,
                customer_price_cents=remote.customer_price_cents,
                dropoff_points=[asdict(point) for point in remote.dropoff_points],
                pickup_slots=[asdict(slot) for slot in remote.pickup_slots],
                provider_reference=remote.provider_id,
                actor=ACTOR,
            )

    if all(quote.mode in settled for quote in computing):
        return Done(result, record)
    return Again(settings.SYNC_QUOTES_POLL_INTERVAL, result, record)


def quotes_expire(call: ProviderCall) -> None:
    """At the deadline, the quotes still computing fail: the customer may ask again."""
    shipback = _shipback(call)
    if shipback is None:
        return
    for quote_id in (
        _quotes_of(call, shipback).filter(state=Quote.State.COMPUTING).values_list("pk", flat=True)
    ):
        quote_record_result(quote_id=quote_id, state=Quote.State.FAILED, actor=ACTOR)


def quotes_clear(call: ProviderCall) -> Done:
    """003 "Clear the quotes": the next request computes them for the shipback as it is now."""
    shipback = _shipback(call)
    remote_id = _remote_id(call, shipback)
    if not remote_id:
        return Done({"skipped": "Not at ShopRunBack: nothing to clear."})
    adapter.clear_quotes(get_client(PROVIDER), remote_id)
    return Done({"cleared": True})


def _mode_choice(shipback: Shipback) -> dict:
    """The mode and its drop-off point or pickup slot, the slot written as the quote gave it."""
    choice = {"dropoff_code": shipback.dropoff_code}
    if shipback.mode == Shipback.Mode.PICKUP and shipback.pickup_datetime:
        quote = shipback.quotes.filter(mode=shipback.mode).first()
        chosen = as_datetime(shipback.pickup_datetime)
        offered = [
            slot.get("pickup_datetime")
            for slot in (quote.pickup_slots if quote else [])
            if as_datetime(slot.get("pickup_datetime")) == chosen
        ]
        choice["pickup_datetime"] = (
            offered[0] if offered else timezone.localtime(chosen).strftime("%Y-%m-%d %H:%M:%S")
        )
        choice["pickup_duration"] = shipback.pickup_duration
    return choice


def _overrides(shipback: Shipback) -> dict:
    overrides = {
        "relocation_warehouse_id": (
            shipback.relocation_warehouse.reference if shipback.relocation_warehouse_id else ""
        ),
        "dropoff_customer_price_cents": shipback.dropoff_customer_price_cents,
        "postal_customer_price_cents": shipback.postal_customer_price_cents,
        "pickup_customer_price_cents": shipback.pickup_customer_price_cents,
        "try_at_home": shipback.try_at_home or None,
    }
    return {key: value for key, value in overrides.items() if value not in ("", None)}


def shipback_update(call: ProviderCall) -> Done:
    """003 "3. Select the mode" (once its quote is available) and "Overrides"."""
    shipback = _shipback(call)
    if shipback is None:
        return GONE
    if not shipback.is_modifiable:
        return Done({"skipped": "Registered: the mode went with free."})
    client = get_client(PROVIDER)
    remote_id = _required_remote_id(call, shipback)
    sent = {}
    available = shipback.quotes.filter(mode=shipback.mode, state=Quote.State.AVAILABLE).exists()
    if shipback.mode in Quote.Mode.values and available:
        adapter.choose_mode(client, remote_id, shipback.mode, **_mode_choice(shipback))
        sent["mode"] = shipback.mode
    if overrides := _overrides(shipback):
        adapter.set_overrides(client, remote_id, **overrides)
        sent["overrides"] = overrides
    return Done({"sent": sent})


REGISTERED_OR_LATER = set(JOURNEY[JOURNEY.index(S.REGISTERED) :])


def shipback_free(call: ProviderCall) -> Done:
    """The chosen mode, then ``POST shipbacks/:id/free`` (003 "4. Get the label"). Repeated
    after a lost answer, ShopRunBack refuses the mode of a registered shipback: it is then
    read back, and registered means done."""
    shipback = _shipback(call)
    if shipback is None:
        return GONE
    client = get_client(PROVIDER)
    remote_id = _required_remote_id(call, shipback)
    try:
        adapter.choose_mode(client, remote_id, shipback.mode, **_mode_choice(shipback))
        adapter.register_free(client, remote_id)
    except ProviderRejected as exc:
        if exc.status is None:
            raise  # refused before sending: our data is incomplete
        remote = adapter.get_shipback(client, remote_id)
        if remote is None or remote.state not in REGISTERED_OR_LATER:
            raise
        return Done({"registered": remote.state, "already": True})
    return Done({"registered": True})


def label_poll(call: ProviderCall) -> Done | Again:
    """Poll the shipback until ShopRunBack gives its label_url (within a minute, 003 "4."),
    download the PDF and store it: the shipback is labelled."""
    shipback = _shipback(call)
    if shipback is None:
        return GONE
    if shipback.label_file:
        return Done({"label": "stored"})
    if shipback.state in Shipback.FINAL_STATES and shipback.state != S.RELOCATED:
        return Done({"skipped": f"The shipback is {shipback.state}."})
    client = get_client(PROVIDER)
    remote = adapter.get_shipback(client, _required_remote_id(call, shipback))
    if remote is None:
        raise ProviderRejected(
            "ShopRunBack", f"ShopRunBack no longer knows shipback {call.target}."
        )
    if not remote.label_url:
        return Again(settings.SYNC_LABEL_POLL_INTERVAL, {"state": remote.raw_state})
    pdf = adapter.download_label(
        client, remote.label_url, max_bytes=settings.PROVIDER_LABEL_MAX_BYTES
    )
    return Done(
        {"label_url": remote.label_url, "tracking_number": remote.tracking_number},
        lambda: _store_label(shipback.pk, remote, pdf),
    )


def _store_label(shipback_id, remote, pdf: bytes) -> None:
    shipback = Shipback.objects.select_for_update().get(pk=shipback_id)
    if shipback.label_file:
        return
    if shipback.can_become(S.LABELLED):
        shipback_record_label(
            shipback_id=shipback_id,
            actor=ACTOR,
            tracking_number=remote.tracking_number,
            carrier=remote.carrier,
            label_url=remote.label_url,
            label_pdf=pdf,
        )
        return
    # Already moved on by webhooks (delivering, ...): the label is kept all the same.
    shipback.tracking_number = shipback.tracking_number or remote.tracking_number
    shipback.carrier = shipback.carrier or remote.carrier
    shipback.label_url = remote.label_url
    shipback.label_file.save(f"{shipback.rma}.pdf", ContentFile(pdf), save=False)
    shipback.save(update_fields=["tracking_number", "carrier", "label_url", "label_file"])


def shipback_delete(call: ProviderCall) -> Done:
    """003 "Delete a shipback", before it is registered (else SHIPBACK_REGISTERED, shown)."""
    remote_id = _remote_id(call, _shipback(call))
    if not remote_id:
        return Done({"skipped": "Never created at ShopRunBack."})
    deleted = adapter.delete_shipback(get_client(PROVIDER), remote_id)
    return Done({"deleted": deleted, "shoprunback_id": remote_id})


HANDLERS = {
    Operation.SHIPBACK_CREATE: shipback_create,
    Operation.QUOTES_POLL: quotes_poll,
    Operation.QUOTES_CLEAR: quotes_clear,
    Operation.SHIPBACK_UPDATE: shipback_update,
    Operation.SHIPBACK_FREE: shipback_free,
    Operation.LABEL_POLL: label_poll,
    Operation.SHIPBACK_DELETE: shipback_delete,
}
ON_DEADLINE = {Operation.QUOTES_POLL: quotes_expire}
