"""ShopRunBack's shipbacks in the sandbox (seed 003): creation, quotes, the chosen mode,
registration by ``free``, the label and the webhooks of each state."""

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import pushes, steps
from ..http import integer, text
from ..models import Provider, ShopRunBackRecord, ShopRunBackShipback
from .catalog import Kind, as_uuid, error, find, invalid, not_found, order_json, srb_time

State = ShopRunBackShipback.State
MODES = ("postal", "pickup", "dropoff")
CARRIERS = {"postal": "Colissimo", "pickup": "Chronopost", "dropoff": "Mondial Relay"}
# Base price of each mode, and what each further returned item adds (cents).
PRICES = {"postal": (650, 150), "pickup": (1200, 150), "dropoff": (450, 100)}
DROPOFF_NAMES = ("Tabac de la Gare", "Relais Colis du Centre", "Proxi Super")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
OPENING_HOURS = dict.fromkeys(WEEKDAYS, "08:00-19:00") | {"saturday": "09:00-12:00"}
REGISTERED_MESSAGE = "This shipback is already processing. You can't delete it."
# Events whose data is the full shipback (003 "Shipback" examples); the others carry id and rma.
FULL_EVENTS = {State.REGISTERED, State.LABELLED}


def create_shipback(data: dict, *, base_url: str) -> ShopRunBackShipback:
    """003 "Create the order and the return sequentially": ``order_id`` is the order's id or
    number, each item's ``item_id`` an order item's id or reference. The RMA is ours unless the
    metadata brings one (the portal sends its own there)."""
    order_key = text(data.get("order_id"))
    order = find(Kind.ORDER, order_key) if order_key else None
    if order is None:
        raise invalid(f"no order {order_key!r}", "order_id")
    order_items = order.body.get("items", [])
    items = []
    for index, raw in enumerate(data.get("items") or []):
        raw = raw if isinstance(raw, dict) else {}
        key = text(raw.get("item_id"))
        item = next((i for i in order_items if key and key in (i["id"], i.get("reference"))), None)
        if item is None:
            raise invalid(f"no item {key!r} in order {order.reference}", f"items[{index}].item_id")
        reason = text(raw.get("reason_code"))
        if not reason:
            raise invalid("reason_code can't be blank", f"items[{index}].reason_code")
        items.append({"id": str(uuid.uuid4()), "item_id": item["id"], "reason_code": reason})
    mode = text(data.get("mode"))
    if mode and mode not in MODES:
        raise invalid(f"mode must be one of {', '.join(MODES)}", "mode")
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    shipback = ShopRunBackShipback(order=order, mode=mode, base_url=base_url)
    shipback.rma = text(metadata.get("rma")) or str(100_000_000 + secrets.randbelow(900_000_000))
    shipback.state_changed_at = timezone.now()
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else None
    shipback.body = {
        "items": items,
        "metadata": metadata,
        "customer": customer or order.body.get("customer"),
        "overrides": _overrides({}, data.get("overrides")),
    }
    shipback.save()
    return shipback


def get_shipback(shipback_id: str) -> ShopRunBackShipback:
    as_id = as_uuid(shipback_id)
    shipback = steps.current(ShopRunBackShipback, move, pk=as_id) if as_id else None
    if shipback is None:
        raise not_found("shipback", shipback_id)
    return shipback


def locked_shipback(shipback_id: str) -> ShopRunBackShipback:
    """The shipback, locked and caught up; call inside a transaction."""
    as_id = as_uuid(shipback_id)
    shipback = ShopRunBackShipback.objects.select_for_update().filter(pk=as_id).first()
    if shipback is None:
        raise not_found("shipback", shipback_id)
    steps.catch_up(shipback, move)
    return shipback


def shipback_json(shipback: ShopRunBackShipback) -> dict:
    body = shipback.body
    labelled = bool(body.get("tracking_number"))
    weight = _weight(shipback)
    order_items = {item["id"]: item for item in order_json(shipback.order)["items"]}
    return {
        "id": str(shipback.pk),
        "rma": shipback.rma,
        "state": shipback.state,
        "mode": shipback.mode or None,
        "order_id": str(shipback.order_id),
        "order_number": shipback.order.reference,
        "created_at": srb_time(shipback.created_at),
        "registered_at": srb_time(shipback.registered_at),
        "weight_in_grams": str(weight),
        "computed_weight_in_grams": str(weight),
        "size": "S" if weight < 1000 else "M" if weight < 5000 else "L",
        "public_url": f"{shipback.base_url}web/{shipback.pk}",
        "metadata": body.get("metadata") or {},
        "price_cents": _cents(body.get("price_cents")),
        "customer_price_cents": _cents(body.get("customer_price_cents")),
        "carrier": body.get("carrier"),
        "label_url": label_url(shipback) if labelled else None,
        "tracking_number": body.get("tracking_number"),
        "dropoff_code": body.get("dropoff_code"),
        "pickup_datetime": body.get("pickup_datetime"),
        "pickup_duration": body.get("pickup_duration"),
        "overrides": body.get("overrides") or {},
        "customer": body.get("customer"),
        "items": [
            {**item, "item": order_items.get(item["item_id"])} for item in body.get("items", [])
        ],
    }


def label_url(shipback: ShopRunBackShipback) -> str:
    return f"{shipback.base_url}labels/{shipback.pk}.pdf"


def update_shipback(shipback: ShopRunBackShipback, data: dict) -> None:
    """003 "3. Select the mode" and "Overrides", POSTed (or PUT) on the shipback."""
    if "mode" in data:
        if shipback.state not in ShopRunBackShipback.DELETABLE:
            raise error(
                400,
                "SHIPBACK_REGISTERED",
                "This shipback is already processing. You can't change its mode.",
            )
        mode = text(data.get("mode"))
        if mode not in MODES:
            raise invalid(f"mode must be one of {', '.join(MODES)}", "mode")
        choice = {
            "dropoff_code": text(data.get("dropoff_code")) or None,
            "pickup_datetime": text(data.get("pickup_datetime")) or None,
            "pickup_duration": integer(data.get("pickup_duration")),
        }
        quote = quote_json(shipback, mode) if shipback.quotes_requested_at else None
        if quote and quote["state"] == "unavailable":
            raise invalid(f"the {mode} mode is not available for this shipback", "mode")
        if quote and quote["state"] == "available":
            _check_choice(quote, choice)
        shipback.mode = mode
        shipback.body.update(
            {
                "dropoff_code": choice["dropoff_code"] if mode == "dropoff" else None,
                "pickup_datetime": choice["pickup_datetime"] if mode == "pickup" else None,
                "pickup_duration": choice["pickup_duration"] if mode == "pickup" else None,
            }
        )
    if "overrides" in data:
        shipback.body["overrides"] = _overrides(shipback.body.get("overrides"), data["overrides"])
    if isinstance(data.get("metadata"), dict):
        shipback.body["metadata"] = {**shipback.body.get("metadata", {}), **data["metadata"]}
    shipback.save()


def delete_shipback(shipback: ShopRunBackShipback) -> None:
    """003 "Delete a shipback": 400 SHIPBACK_REGISTERED once registered."""
    if shipback.state not in ShopRunBackShipback.DELETABLE:
        raise error(400, "SHIPBACK_REGISTERED", REGISTERED_MESSAGE)
    shipback.delete()


def register_free(shipback: ShopRunBackShipback) -> None:
    """003 "4. Get the label": validate the chosen mode without payment. The label follows
    after SANDBOX_LABEL_SECONDS. A repeated call on a registered shipback changes nothing."""
    if shipback.state in (State.FAILED, State.CANCELLED):
        raise error(422, "INVALID_STATE", f"This shipback is {shipback.state}.")
    if shipback.state not in ShopRunBackShipback.DELETABLE:
        return
    if not shipback.mode:
        raise invalid("choose a mode before validating the shipback", "mode")
    if not shipback.quotes_requested_at:
        raise error(422, "QUOTE_NOT_AVAILABLE", "Request the quotes before choosing a mode.")
    quote = quote_json(shipback, shipback.mode)
    if quote["state"] != "available":
        raise error(
            422,
            "QUOTE_NOT_AVAILABLE",
            f"The {shipback.mode} quote is {quote['state']}, not available.",
            "mode",
        )
    _check_choice(
        quote,
        {key: shipback.body.get(key) for key in ("dropoff_code", "pickup_datetime")}
        | {"pickup_duration": shipback.body.get("pickup_duration")},
    )
    shipback.body["price_cents"] = quote["price_cents"]
    shipback.body["customer_price_cents"] = quote["customer_price_cents"]
    shipback.body["carrier"] = CARRIERS[shipback.mode]
    shipback.registered_at = timezone.now()
    move(shipback, State.REGISTERED, at=shipback.registered_at)
    pushes.schedule_next_step(shipback)


def move(shipback: ShopRunBackShipback, state: str, *, at: datetime) -> None:
    """Change the state (the caller holds the lock), fill what it brings, tell the portal."""
    shipback.state, shipback.state_changed_at = state, at
    if state == State.LABELLED and not shipback.body.get("tracking_number"):
        digits = int(hashlib.sha256(shipback.pk.bytes).hexdigest(), 16) % 10**11
        shipback.body["tracking_number"] = f"6A{digits:011d}"
    shipback.save()
    data = {"id": str(shipback.pk), "rma": shipback.rma}
    if state in FULL_EVENTS:
        full = shipback_json(shipback)
        keys = (
            "registered_at", "mode", "weight_in_grams", "size", "computed_weight_in_grams",
            "public_url", "metadata", "price_cents", "customer_price_cents",
        )  # fmt: skip
        data |= {key: full[key] for key in keys}
        if state == State.LABELLED:
            data |= {"label_url": full["label_url"], "tracking_number": full["tracking_number"]}
    event_id = uuid.uuid4()
    pushes.queue_webhook(
        provider=Provider.SHOPRUNBACK,
        event=f"shipback.{state}",
        object_id=shipback.pk,
        event_id=event_id,
        payload={
            "id": str(event_id),
            "event": f"shipback.{state}",
            "created_at": srb_time(at),
            "data": data,
        },
    )


def advance(shipback_id) -> bool:
    """Admin: the shipback's next state now (labelled, delivering, ... relocated)."""
    with transaction.atomic():
        shipback = ShopRunBackShipback.objects.select_for_update().get(pk=shipback_id)
        moved = steps.advance(shipback, move)
        if moved:
            pushes.schedule_next_step(shipback)
        return moved


# Quotes -------------------------------------------------------------------------------------


def request_quotes(shipback: ShopRunBackShipback) -> None:
    """003 "2. Request the quotes": the first request starts the computation of all three."""
    if shipback.quotes_requested_at is None:
        shipback.quotes_requested_at = timezone.now()
        shipback.body["quote_ids"] = {mode: str(uuid.uuid4()) for mode in MODES}
        shipback.save()


def clear_quotes(shipback: ShopRunBackShipback) -> None:
    """003 "Clear the quotes": the next request computes them again."""
    if shipback.state not in ShopRunBackShipback.DELETABLE:
        raise error(400, "SHIPBACK_REGISTERED", "This shipback is already processing.")
    shipback.quotes_requested_at = None
    shipback.body.pop("quote_ids", None)
    shipback.save()


def quote_json(shipback: ShopRunBackShipback, mode: str, *, now: datetime | None = None) -> dict:
    quote = {
        "id": shipback.body.get("quote_ids", {}).get(mode),
        "state": "computing",
        "mode": mode,
        "price_cents": None,
        "customer_price_cents": None,
    }
    ready_at = shipback.quotes_requested_at + timedelta(seconds=settings.SANDBOX_QUOTE_SECONDS)
    if (now or timezone.now()) < ready_at:
        return quote
    address = (shipback.body.get("customer") or {}).get("address") or {}
    country = str(address.get("country_code") or "").upper()
    if mode == "pickup" and country not in settings.SANDBOX_SHOPRUNBACK_PICKUP_COUNTRIES:
        return quote | {"state": "unavailable"}
    base, per_item = PRICES[mode]
    price = base + per_item * max(0, len(shipback.body.get("items", [])) - 1)
    overrides = shipback.body.get("overrides") or {}
    customer_price = overrides.get(f"{mode}_customer_price_cents")
    if customer_price is None:
        customer_price = 0 if overrides.get("try_at_home") else price
    quote |= {"state": "available", "price_cents": price, "customer_price_cents": customer_price}
    if mode == "dropoff":
        quote["dropoff_points"] = _dropoff_points(address)
    if mode == "pickup":
        quote["pickup_slots"] = _pickup_slots(shipback.quotes_requested_at)
    return quote


def _dropoff_points(address: dict) -> list[dict]:
    zipcode = str(address.get("zipcode") or "00000")
    country = str(address.get("country_code") or "FR").upper()
    return [
        {
            "code": f"{country}{zipcode.replace(' ', '')}{number:02d}",
            "name": name,
            "address": {
                "line1": f"{number * 12} {address.get('line1') or 'rue du Commerce'}",
                "zipcode": zipcode,
                "city": address.get("city") or "",
                "country_code": country,
            },
            "opening_hours": OPENING_HOURS,
        }
        for number, name in enumerate(DROPOFF_NAMES, start=1)
    ]


def _pickup_slots(requested_at: datetime) -> list[dict]:
    """Mornings (4 h) and afternoons (2 h) of the next three working days."""
    day, slots = timezone.localtime(requested_at).date(), []
    while len(slots) < 6:
        day += timedelta(days=1)
        if day.weekday() < 5:
            slots.append({"pickup_datetime": f"{day} 09:00:00", "pickup_duration": 240})
            slots.append({"pickup_datetime": f"{day} 14:00:00", "pickup_duration": 120})
    return slots


def _check_choice(quote: dict, choice: dict) -> None:
    """003: drop-off needs a point's code from the quote, pickup one of its slots."""
    if quote["mode"] == "dropoff":
        codes = [point["code"] for point in quote.get("dropoff_points", [])]
        if choice.get("dropoff_code") not in codes:
            raise invalid("dropoff_code must be one of the dropoff quote's points", "dropoff_code")
    if quote["mode"] == "pickup":
        slot = (choice.get("pickup_datetime"), choice.get("pickup_duration"))
        offered = [(s["pickup_datetime"], s["pickup_duration"]) for s in quote["pickup_slots"]]
        if slot not in offered:
            raise invalid(
                "pickup_datetime and pickup_duration must be a slot of the pickup quote",
                "pickup_datetime",
            )


def _overrides(current: dict | None, given) -> dict:
    """003 "Overrides": relocation warehouse, customer price per mode, try at home."""
    if given is None:
        return dict(current or {})
    if not isinstance(given, dict):
        raise invalid("overrides must be an object", "overrides")
    overrides = dict(current or {})
    for key, value in given.items():
        if key.endswith("_customer_price_cents"):
            cents = integer(value)
            if cents is None or cents < 0:
                raise invalid("must be a number of cents", f"overrides.{key}")
            value = cents
        elif key == "try_at_home" and not isinstance(value, bool):
            raise invalid("must be true or false", f"overrides.{key}")
        overrides[key] = value
    return overrides


def _weight(shipback: ShopRunBackShipback) -> int:
    items = {item["id"]: item for item in shipback.order.body.get("items", [])}
    product_ids = [
        items[returned["item_id"]]["product_id"]
        for returned in shipback.body.get("items", [])
        if returned["item_id"] in items  # an item the order no longer has weighs nothing
    ]
    weights = {
        str(p.pk): integer(p.body.get("weight_grams")) or 0
        for p in ShopRunBackRecord.objects.filter(pk__in=product_ids)
    }
    return sum(weights.get(product_id, 0) for product_id in product_ids)


def _cents(value) -> str | None:
    """Prices travel as strings in ShopRunBack's shipbacks ("price_cents": "10000")."""
    return None if value is None else str(value)
