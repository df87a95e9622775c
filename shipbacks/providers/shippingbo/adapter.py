"""Shippingbo: our return orders <-> its ReturnOrder JSON, and the steps a task calls.

Our reference goes in ``reason_ref``: the spec's ReturnOrder calls it "Reference of the return"
(its own example reads "Your own reference") and it can be searched, whereas ``source_ref`` names
the *order* when ``source`` + ``source_ref`` link a third party's order. Our reason code, which the
seed puts in ``reason_ref`` ("REPAiR"), then travels inside ``reason``.
"""

import hmac
import logging

from shipbacks.models.return_orders import ActionTaken, ReturnOrderState

from ..errors import ProviderRejected
from ..parsing import parse_datetime, to_int
from ..types import RemoteAction, RemoteItem, RemoteReturnOrder, ReturnOrderRequest
from .client import ShippingboClient, unwrap

logger = logging.getLogger("shipbacks.providers")

CAN_FIND_BY_REFERENCE = True
CAN_CANCEL = True

# Spec: ReturnOrder.state (and the PATCH enum, which adds pregenerated and sent_to_logistics).
# Shippingbo has no "arrived"/"processing": a return is expected, then returned (restocked,
# seed 000) or closed.
STATES = {
    "new": ReturnOrderState.AWAITING_ARRIVAL,
    "pregenerated": ReturnOrderState.AWAITING_ARRIVAL,
    "sent_to_logistics": ReturnOrderState.AWAITING_ARRIVAL,
    "dispatched": ReturnOrderState.AWAITING_ARRIVAL,
    "returned": ReturnOrderState.COMPLETED,
    "closed": ReturnOrderState.COMPLETED,
    "canceled": ReturnOrderState.CANCELLED,
    "in_trouble": ReturnOrderState.IN_TROUBLE,
}
RESTOCKED_STATES = {"returned", "closed"}
CANCELED = "canceled"


def return_order_body(request: ReturnOrderRequest) -> dict:
    """The POST /return_orders body (seed 000), linked to the order by id or by source."""
    body: dict = {}
    if request.provider_order_id:
        body["order_id"] = request.provider_order_id
    elif request.source and request.source_ref:
        body["source"] = request.source
        body["source_ref"] = request.source_ref
    else:
        raise ProviderRejected(
            "Shippingbo",
            f"Return order {request.reference} names no Shippingbo order: give its order id, "
            "or its source and source reference.",
            field_errors={"order_id": ["Required unless source and source_ref are given."]},
        )
    reason = request.reason
    if request.reason_ref:
        reason = f"{reason} ({request.reason_ref})" if reason else request.reason_ref
    body.update(
        {
            "reason": reason,
            "reason_ref": request.reference,
            "return_order_type": request.type,
            # Expect exactly our lines; without any, let Shippingbo expect the whole order.
            "skip_expected_items_creation": bool(request.items),
            "return_order_expected_items_attributes": [
                {"quantity": line.quantity, "user_ref": line.sku} for line in request.items
            ],
        }
    )
    if request.warehouse_provider_id:
        body["supplier_id"] = request.warehouse_provider_id
    return body


def parse_return_order(data: dict) -> RemoteReturnOrder:
    """A ReturnOrder (bare or wrapped) -> RemoteReturnOrder.

    Received units are the ``return_order_items``; once the return is ``returned`` (restocked)
    they count as restocked, except the ``returned_product_not_restockables`` (one unit each),
    recorded as quarantined with Shippingbo's reason.
    """
    data = unwrap(data, "return_order")
    raw_status = str(data.get("state") or "")
    state = STATES.get(raw_status)
    if state is None:
        logger.warning(
            "Shippingbo return order %s has unknown state %r", data.get("id"), raw_status
        )
    received: dict[int | None, int] = {}
    for item in data.get("return_order_items") or []:
        product_id = to_int(item.get("product_id"))
        received[product_id] = received.get(product_id, 0) + (to_int(item.get("quantity")) or 0)
    not_restockable: dict[int | None, list[dict]] = {}
    for product in data.get("returned_product_not_restockables") or []:
        not_restockable.setdefault(to_int(product.get("product_id")), []).append(product)

    items = []
    for expected in data.get("return_order_expected_items") or []:
        product_id = to_int(expected.get("product_id"))
        items.append(
            _item(
                product_id,
                sku=str(expected.get("user_ref") or expected.get("product_user_ref") or ""),
                expected=to_int(expected.get("quantity")) or 0,
                received=received.pop(product_id, 0),
                refused=not_restockable.get(product_id, []),
                restocked=raw_status in RESTOCKED_STATES,
            )
        )
    for product_id, quantity in received.items():  # received without being expected
        items.append(
            _item(
                product_id,
                sku="",
                expected=0,
                received=quantity,
                refused=not_restockable.get(product_id, []),
                restocked=raw_status in RESTOCKED_STATES,
            )
        )
    return RemoteReturnOrder(
        provider_id=str(data.get("id") or ""),
        state=state,
        raw_status=raw_status,
        reference=str(data.get("reason_ref") or ""),
        tracking_number=str(data.get("shipping_ref") or ""),
        items=items,
        completed_at=parse_datetime(data.get("returned_at")),
    )


# Steps a task calls -----------------------------------------------------------------------


def suppliers_available(client: ShippingboClient) -> list[tuple[int, str]]:
    """(supplier id, name) of the warehouses that take returns: a Warehouse's supplier id."""
    return [
        (to_int(supplier.get("id")) or 0, str(supplier.get("name") or ""))
        for supplier in client.suppliers_available_for_return_order()
    ]


def create_return_order(client: ShippingboClient, request: ReturnOrderRequest) -> RemoteReturnOrder:
    body = return_order_body(request)
    try:
        return parse_return_order(client.create_return_order(body))
    except ProviderRejected as exc:
        if exc.status != 404:
            raise
        # Seed 000: "Shippingbo will match the right order ..., if not an error 404".
        order = (
            f"id {body['order_id']}"
            if "order_id" in body
            else f"{body['source']} {body['source_ref']}"
        )
        raise ProviderRejected(
            client.provider,
            f"Shippingbo does not know order {order}.",
            status=404,
            field_errors={"order_id" if "order_id" in body else "source_ref": ["Unknown order."]},
        ) from exc


def get_return_order(client: ShippingboClient, provider_id: str) -> RemoteReturnOrder | None:
    data = client.get_return_order(provider_id)
    return parse_return_order(data) if data else None


def find_return_order(client: ShippingboClient, reference: str) -> RemoteReturnOrder | None:
    """The return order created under our ``reference`` (its reason_ref), if any."""
    for data in client.search_return_orders("reason_ref", reference):
        # Checked here too: the filter is Shippingbo's generic search, not listed on the route.
        if data.get("reason_ref") == reference:
            return parse_return_order(data)
    return None


def ensure_return_order(client: ShippingboClient, request: ReturnOrderRequest) -> RemoteReturnOrder:
    """Create the return order unless one exists under our reference: safe to repeat."""
    return find_return_order(client, request.reference) or create_return_order(client, request)


def cancel_return_order(client: ShippingboClient, provider_id: str) -> RemoteReturnOrder:
    """Spec "Update a ReturnOrder": our system may set canceled, returned, closed, in_trouble."""
    return parse_return_order(client.update_return_order_state(provider_id, CANCELED))


# Update hooks (seed 000 "Make your system up-to-date") -------------------------------------


def verify_update_hook_token(provided: str | None, expected: str) -> bool:
    """Shippingbo signs no hook: the endpoint URL we register carries a secret token
    (``.../?token=<SHIPPINGBO_WEBHOOK_TOKEN>``). Constant-time; an unset token accepts nothing."""
    if not expected or not provided:
        return False
    return hmac.compare_digest(provided.encode(), expected.encode())


def parse_update_hook(payload: dict) -> RemoteReturnOrder:
    """The ReturnOrder an update hook carries: under ``object`` or ``return_order``, or bare."""
    data = payload.get("object") if isinstance(payload.get("object"), dict) else payload
    return parse_return_order(data)


def _item(
    product_id: int | None,
    *,
    sku: str,
    expected: int,
    received: int,
    refused: list[dict],
    restocked: bool,
) -> RemoteItem:
    actions = []
    if restocked:
        actions = [
            RemoteAction(
                action=ActionTaken.QUARANTINE,
                raw_action="not_restockable",
                quantity=1,
                reason=str(product.get("reason") or product.get("reason_ref") or ""),
            )
            for product in refused
        ]
        if received > len(refused):
            restock = RemoteAction(
                action=ActionTaken.RESTOCK, raw_action="returned", quantity=received - len(refused)
            )
            actions.insert(0, restock)
    return RemoteItem(
        sku=sku,
        provider_inventory_id=product_id,
        quantity_expected=expected,
        quantity_received=received,
        actions=actions,
    )
