"""Kibo OMS: our return orders <-> its returns (seed 004), and the steps a task calls.

Kibo OMS keeps no reference of ours on a return and documents no search of returns, so a create
cannot find an earlier one: ``CAN_FIND_BY_REFERENCE`` is False and the caller records the
``returnID`` as soon as it has it (a create lost in flight may be duplicated at Kibo).
"""

import logging

from shipbacks.models.return_orders import ReturnOrderState

from ..errors import ProviderRejected
from ..parsing import drop_empty, parse_datetime, to_int
from ..types import RemoteItem, RemoteReturnOrder, ReturnOrderRequest
from .client import KiboClient

logger = logging.getLogger("shipbacks.providers")

CAN_FIND_BY_REFERENCE = False
CAN_CANCEL = False

CREATION_SOURCE = "API"  # seed 004: CCUI, API or FULFILLER; API is ours
REFUND_TYPE = "STANDARD"  # seed 004: STANDARD or GIFT_CARD

# Seed 004: the return's status is OPEN, PROCESSING or CLOSED. An open return waits for the
# parcel; a closed one was processed, whether its items were accepted or rejected.
STATES = {
    "OPEN": ReturnOrderState.AWAITING_ARRIVAL,
    "PROCESSING": ReturnOrderState.PROCESSING,
    "CLOSED": ReturnOrderState.COMPLETED,
}
# Seed 004: each item is ACCEPTED, PENDING or REJECTED.
ITEM_STATUSES = {"ACCEPTED": "accepted", "PENDING": "pending", "REJECTED": "rejected"}


def return_body(request: ReturnOrderRequest) -> dict:
    """The Create Return body of seed 004: ``item`` (its name for the array) with orderItemID
    and quantity required, plus creationSource, refundType and the order's ids."""
    missing: dict[str, list[str]] = {}
    if not request.provider_order_id:
        missing["orderID"] = ["The order has no Kibo order id."]
    if not request.original_shipment_id:
        missing["shipmentID"] = ["The order has no Kibo shipment id."]
    if not request.items:
        missing["item"] = ["A Kibo return needs at least one item."]
    items = []
    for index, line in enumerate(request.items):
        if line.provider_order_item_id is None:  # 0 is a valid orderItemID
            missing[f"item[{index}].orderItemID"] = [f"Item {line.sku} has no Kibo orderItemID."]
            continue
        items.append(
            drop_empty(
                {
                    "orderItemID": line.provider_order_item_id,
                    "quantity": line.quantity,
                    "reason": line.reason or request.reason,
                    "SKU": line.sku,
                    "UPC": line.upc,
                    "partNumber": line.part_number,
                    "partName": line.name,
                }
            )
        )
    if missing:
        raise ProviderRejected(
            "Kibo",
            f"Return order {request.reference} cannot be sent to Kibo: "
            + "; ".join(message for messages in missing.values() for message in messages),
            field_errors=missing,
        )
    return drop_empty(
        {
            "item": items,
            "creationSource": CREATION_SOURCE,
            "refundType": REFUND_TYPE,
            "externalOrderID": request.order_number,
            "returnLocation": request.warehouse_provider_id,
            "orderID": request.provider_order_id,
            "shipmentID": request.original_shipment_id,
        }
    )


def parse_return(data: dict) -> RemoteReturnOrder:
    raw_status = str(data.get("status") or "")
    state = STATES.get(raw_status.upper())
    if state is None:
        logger.warning("Kibo return %s has unknown status %r", data.get("returnID"), raw_status)
    items = data.get("item") if data.get("item") is not None else data.get("items")
    return RemoteReturnOrder(
        provider_id=str(data.get("returnID") or ""),
        state=state,
        raw_status=raw_status,
        items=[_item(item) for item in items or [] if isinstance(item, dict)],
        completed_at=parse_datetime(data.get("clearedTime"))
        if raw_status.upper() == "CLOSED"
        else None,
    )


# Steps a task calls -----------------------------------------------------------------------


def create_return_order(client: KiboClient, request: ReturnOrderRequest) -> RemoteReturnOrder:
    body = return_body(request)
    return parse_return(client.create_return(body["orderID"], body["shipmentID"], body))


def get_return_order(client: KiboClient, provider_id: str) -> RemoteReturnOrder | None:
    data = client.get_return(provider_id)
    return parse_return(data) if data else None


def ensure_return_order(client: KiboClient, request: ReturnOrderRequest) -> RemoteReturnOrder:
    """Create the return: Kibo cannot be asked whether it exists (see the module docstring)."""
    return create_return_order(client, request)


def _item(item: dict) -> RemoteItem:
    raw_status = str(item.get("status") or "").upper()
    quantity = to_int(item.get("quantity")) or 0
    return RemoteItem(
        sku=str(item.get("SKU") or ""),
        provider_order_item_id=to_int(item.get("orderItemID")),
        name=str(item.get("partName") or ""),
        quantity_expected=quantity,
        # Kibo reports a decision per item, not units counted: accepted means received.
        quantity_received=quantity if raw_status == "ACCEPTED" else 0,
        status=ITEM_STATUSES.get(raw_status, raw_status.lower()),
    )
