"""ShopRunBack: our dataclasses <-> its JSON, and the idempotent steps a task calls.

Every create is preceded by a lookup under our own reference (brand and product reference,
order number), so a task that lost a response and runs again finds what it created.
"""

import logging
from typing import Any

from shipbacks.models.shipbacks import Mode, QuoteState, ShipbackState

from ..errors import ProviderRejected
from ..parsing import drop_empty, to_int
from ..types import (
    BrandPayload,
    DropoffPoint,
    OrderPayload,
    PickupSlot,
    ProductPayload,
    RemoteQuote,
    RemoteShipback,
    ShipbackPayload,
)
from .client import ShopRunBackClient

logger = logging.getLogger("shipbacks.providers")

# Error codes ShopRunBack answers with a 400 (003 "Delete an order", "Delete a shipback").
SHIPBACK_REGISTERED = "SHIPBACK_REGISTERED"
DEPENDENT_SHIPBACK = "DEPENDENT_SHIPBACK"

# ShopRunBack's shipback states are ours (ShipbackState was modelled on them).
SHIPBACK_STATES = {state.value: state.value for state in ShipbackState}
QUOTE_STATES = {
    "computing": QuoteState.COMPUTING,
    "available": QuoteState.AVAILABLE,
    "unavailable": QuoteState.UNAVAILABLE,
    "failed": QuoteState.FAILED,
}


# Our data -> their JSON -------------------------------------------------------------------


def brand_body(brand: BrandPayload) -> dict:
    return {"name": brand.name, "reference": brand.reference}


def product_body(product: ProductPayload, *, brand_id: str | None = None) -> dict:
    body: dict[str, Any] = {
        "label": product.label,
        "reference": product.reference,
        "weight_grams": product.weight_grams,
    }
    if product.ean:
        body["ean"] = product.ean
    if brand_id:  # without it ShopRunBack files the product under the default brand
        body["brand_id"] = brand_id
    if product.picture_url:
        body["picture_file_url"] = product.picture_url
    return body


def order_body(order: OrderPayload) -> dict:
    customer, address = order.customer, order.customer.address
    body = {
        "ordered_at": order.ordered_at.isoformat(),
        "order_number": order.order_number,
        "customer": {
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "email": customer.email,
            "phone": customer.phone,
            "address": drop_empty(
                {
                    "line1": address.line1,
                    "line2": address.line2,
                    "zipcode": address.zipcode,
                    "country_code": address.country_code,
                    "city": address.city,
                    "state": address.state,
                }
            ),
        },
        # Our item references let the shipback name its items without parsing this answer
        # (003 "Create the order and the return sequentially"); product_id takes a reference.
        "items": [
            drop_empty(
                {
                    "label": item.label,
                    "reference": item.reference,
                    "product_id": item.product_reference,
                }
            )
            for item in order.items
        ],
    }
    if order.metadata:
        body["metadata"] = order.metadata
    return body


def shipback_body(shipback: ShipbackPayload) -> dict:
    body: dict[str, Any] = {
        "order_id": shipback.order_number,
        "items": [
            {"item_id": item.item_reference, "reason_code": item.reason_code}
            for item in shipback.items
        ],
        # Our RMA rides in the metadata ShopRunBack keeps and echoes in its webhooks.
        "metadata": {**shipback.metadata, "rma": shipback.rma},
    }
    if shipback.mode:
        body["mode"] = shipback.mode
    return body


def mode_body(
    mode: str,
    *,
    dropoff_code: str = "",
    pickup_datetime: str = "",
    pickup_duration: int | None = None,
) -> dict:
    """003 "3. Select the mode": drop-off needs its point's code, pickup a slot from the quote."""
    body: dict[str, Any] = {"mode": mode}
    if mode == Mode.DROPOFF:
        if not dropoff_code:
            raise ProviderRejected(
                "ShopRunBack",
                "A drop-off return needs the drop-off point's code.",
                field_errors={"dropoff_code": ["Required for the dropoff mode."]},
            )
        body["dropoff_code"] = dropoff_code
    elif mode == Mode.PICKUP:
        if not pickup_datetime or not pickup_duration:
            raise ProviderRejected(
                "ShopRunBack",
                "A pickup return needs a pickup slot (time and duration).",
                field_errors={"pickup_datetime": ["Required for the pickup mode."]},
            )
        body["pickup_datetime"] = pickup_datetime
        body["pickup_duration"] = str(pickup_duration)
    return body


def overrides_body(
    *,
    relocation_warehouse_id: str = "",
    dropoff_customer_price_cents: int | None = None,
    postal_customer_price_cents: int | None = None,
    pickup_customer_price_cents: int | None = None,
    try_at_home: bool | None = None,
) -> dict:
    """003 "Overrides": only what is given is sent."""
    overrides: dict[str, Any] = {}
    if relocation_warehouse_id:
        overrides["relocation_warehouse_id"] = relocation_warehouse_id
    for name, value in (
        ("dropoff_customer_price_cents", dropoff_customer_price_cents),
        ("postal_customer_price_cents", postal_customer_price_cents),
        ("pickup_customer_price_cents", pickup_customer_price_cents),
        ("try_at_home", try_at_home),
    ):
        if value is not None:
            overrides[name] = value
    return {"overrides": overrides}


# Their JSON -> our data -------------------------------------------------------------------


def parse_shipback(data: dict) -> RemoteShipback:
    raw_state = str(data.get("state") or "")
    state = SHIPBACK_STATES.get(raw_state)
    if raw_state and state is None:
        logger.warning("ShopRunBack shipback %s has unknown state %r", data.get("id"), raw_state)
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    return RemoteShipback(
        provider_id=str(data.get("id") or ""),
        state=state,
        raw_state=raw_state,
        rma=str(data.get("rma") or metadata.get("rma") or ""),
        mode=str(data.get("mode") or ""),
        label_url=str(data.get("label_url") or ""),
        tracking_number=str(data.get("tracking_number") or ""),
        carrier=str(data.get("carrier") or ""),
        price_cents=to_int(data.get("price_cents")),
        customer_price_cents=to_int(data.get("customer_price_cents")),
        public_url=str(data.get("public_url") or ""),
    )


def parse_quote(data: dict) -> RemoteQuote:
    raw_state = str(data.get("state") or "")
    state = QUOTE_STATES.get(raw_state)
    if state is None:
        # Unknown: keep polling; the task's deadline marks the quote failed if it never settles.
        logger.warning("ShopRunBack quote %s has unknown state %r", data.get("id"), raw_state)
        state = QuoteState.COMPUTING
    points = data.get("dropoff_points") or data.get("dropoffs") or []
    slots = data.get("pickup_slots") or data.get("pickups") or []
    return RemoteQuote(
        provider_id=str(data.get("id") or ""),
        mode=str(data.get("mode") or ""),
        state=str(state),
        price_cents=to_int(data.get("price_cents")),
        customer_price_cents=to_int(data.get("customer_price_cents")),
        dropoff_points=[_dropoff_point(point) for point in points if isinstance(point, dict)],
        pickup_slots=[_pickup_slot(slot) for slot in slots if isinstance(slot, dict)],
    )


# Steps a task calls -----------------------------------------------------------------------


def find_brand(client: ShopRunBackClient, reference: str) -> dict | None:
    """GET /brands/:reference, else the brand list (documented, short) searched by reference."""
    found = client.get_brand(reference)
    if found:
        return found
    return next((b for b in client.list_brands() if b.get("reference") == reference), None)


def ensure_brand(client: ShopRunBackClient, brand: BrandPayload) -> str:
    """The brand's ShopRunBack id, creating the brand unless its reference is known."""
    return _ensure(
        lambda: find_brand(client, brand.reference), client.create_brand, brand_body(brand)
    )


def ensure_product(
    client: ShopRunBackClient, product: ProductPayload, *, brand_id: str | None = None
) -> str:
    """The product's ShopRunBack id; ``brand_id`` from ``ensure_brand`` (default brand if None)."""
    return _ensure(
        lambda: client.get_product(product.reference),
        client.create_product,
        product_body(product, brand_id=brand_id),
    )


def ensure_order(client: ShopRunBackClient, order: OrderPayload) -> str:
    """The order's ShopRunBack id, creating it unless its order number is known.

    Its products must exist first (``ensure_product``): items name them by reference.
    """
    return _ensure(
        lambda: client.get_order(order.order_number), client.create_order, order_body(order)
    )


def create_shipback(client: ShopRunBackClient, shipback: ShipbackPayload) -> RemoteShipback:
    """Create the shipback on its order (``ensure_order`` first). Store the id it returns:
    ShopRunBack documents no lookup of a shipback by our RMA."""
    return parse_shipback(client.create_shipback(shipback_body(shipback)))


def get_shipback(client: ShopRunBackClient, shipback_id: str) -> RemoteShipback | None:
    data = client.get_shipback(shipback_id)
    return parse_shipback(data) if data else None


def delete_shipback(client: ShopRunBackClient, shipback_id: str) -> bool:
    """Delete a shipback not yet registered; False when it was already gone.

    Raises ProviderRejected with ``code == SHIPBACK_REGISTERED`` once the customer registered it.
    """
    try:
        client.delete_shipback(shipback_id)
    except ProviderRejected as exc:
        if exc.status == 404:
            return False
        raise
    return True


def choose_mode(
    client: ShopRunBackClient,
    shipback_id: str,
    mode: str,
    *,
    dropoff_code: str = "",
    pickup_datetime: str = "",
    pickup_duration: int | None = None,
) -> RemoteShipback | None:
    """Select an available quote's mode; pickup slots are sent back as the quote gave them."""
    body = mode_body(
        mode,
        dropoff_code=dropoff_code,
        pickup_datetime=pickup_datetime,
        pickup_duration=pickup_duration,
    )
    data = client.update_shipback(shipback_id, body)
    return parse_shipback(data) if isinstance(data, dict) and data.get("id") else None


def set_overrides(client: ShopRunBackClient, shipback_id: str, **overrides: Any) -> None:
    """Relocation warehouse, customer prices per mode, try at home: see ``overrides_body``."""
    client.update_shipback(shipback_id, overrides_body(**overrides))


def get_quotes(client: ShopRunBackClient, shipback_id: str) -> list[RemoteQuote]:
    """Start (first call) or follow the computation of the three quotes: poll, never wait."""
    return [parse_quote(quote) for quote in client.list_quotes(shipback_id)]


def get_quote(client: ShopRunBackClient, shipback_id: str, mode: str) -> RemoteQuote | None:
    data = client.get_quote(shipback_id, mode)
    return parse_quote(data) if data else None


def clear_quotes(client: ShopRunBackClient, shipback_id: str) -> None:
    client.clear_quotes(shipback_id)


def register_free(client: ShopRunBackClient, shipback_id: str) -> None:
    """Confirm the chosen mode without payment; then poll ``get_shipback`` for the label."""
    client.free(shipback_id)


def download_label(client: ShopRunBackClient, label_url: str, *, max_bytes: int) -> bytes:
    """The label PDF behind ``label_url``, refused when larger than ``max_bytes`` or not a PDF."""
    content, _ = client.download(label_url, max_bytes=max_bytes)
    if not content.startswith(b"%PDF-"):
        raise ProviderRejected(client.provider, f"the label at {label_url} is not a PDF")
    return content


# Helpers ----------------------------------------------------------------------------------


def _ensure(find, create, body: dict) -> str:
    found = find()
    if found:
        return str(found["id"])
    try:
        return str(create(body)["id"])
    except ProviderRejected:
        # Created meanwhile by a concurrent run (the reference is then taken): use that one.
        found = find()
        if found:
            return str(found["id"])
        raise


def _dropoff_point(point: dict) -> DropoffPoint:
    address = point.get("address") or ""
    if isinstance(address, dict):
        address = ", ".join(
            str(address[key])
            for key in ("line1", "line2", "zipcode", "city", "country_code")
            if address.get(key)
        )
    return DropoffPoint(
        code=str(point.get("code") or point.get("dropoff_code") or ""),
        name=str(point.get("name") or ""),
        address=str(address),
        opening_hours=point.get("opening_hours"),
    )


def _pickup_slot(slot: dict) -> PickupSlot:
    return PickupSlot(
        pickup_datetime=str(slot.get("pickup_datetime") or ""),
        pickup_duration=to_int(slot.get("pickup_duration")) or 0,
    )
