"""ShipBob: our return orders <-> its returns (API 2025-07), and the steps a task calls.

Our reference is the return's ``reference_id`` ("client-defined external unique identifier",
the RMA on the box), which ``GET /2025-07/return?ReferenceIds=`` filters on.
"""

import logging
from datetime import date, datetime

from shipbacks.models.return_orders import ActionTaken, RequestedAction, ReturnOrderState

from ..errors import ProviderRejected
from ..parsing import parse_datetime, to_int
from ..types import (
    RemoteAction,
    RemoteItem,
    RemoteReturnOrder,
    RemoteTransaction,
    ReturnOrderRequest,
)
from .client import ShipBobClient

logger = logging.getLogger("shipbacks.providers")

CAN_FIND_BY_REFERENCE = True
CAN_CANCEL = True

# Seed 001 Returns.ReturnAction.
REQUESTED_ACTIONS = {
    RequestedAction.DEFAULT: "Default",
    RequestedAction.RESTOCK: "Restock",
    RequestedAction.QUARANTINE: "Quarantine",
    RequestedAction.DISPOSE: "Dispose",
}
# action_taken[].action, compared in lower case.
ACTIONS_TAKEN = {
    "restock": ActionTaken.RESTOCK,
    "quarantine": ActionTaken.QUARANTINE,
    "dispose": ActionTaken.DISPOSE,
}
# status: seed 001 writes "Awaiting Arrival", the 2025-07 filters "AwaitingArrival"; compared
# without spaces or underscores, in lower case.
STATES = {
    "awaitingarrival": ReturnOrderState.AWAITING_ARRIVAL,
    "arrived": ReturnOrderState.ARRIVED,
    "processing": ReturnOrderState.PROCESSING,
    "completed": ReturnOrderState.COMPLETED,
    "cancelled": ReturnOrderState.CANCELLED,
}


def return_body(request: ReturnOrderRequest) -> dict:
    """The POST /2025-07/return body (seed 001 Returns.CreateReturnRequest)."""
    missing: dict[str, list[str]] = {}
    if not request.warehouse_provider_id:
        missing["fulfillment_center.id"] = ["The warehouse has no ShipBob fulfillment center id."]
    if not request.items:
        missing["inventory"] = ["A ShipBob return needs at least one item."]
    inventory = []
    for index, line in enumerate(request.items):
        if not line.provider_inventory_id:
            missing[f"inventory[{index}].id"] = [f"Product {line.sku} has no ShipBob inventory id."]
            continue
        item: dict = {
            "id": line.provider_inventory_id,
            "quantity": line.quantity,
            "requested_action": REQUESTED_ACTIONS[RequestedAction(line.requested_action)],
        }
        if line.lot_number:
            item["lot_number"] = line.lot_number
        if line.lot_date:
            item["lot_date"] = _datetime_text(line.lot_date)
        inventory.append(item)
    if missing:
        raise ProviderRejected(
            "ShipBob",
            f"Return order {request.reference} cannot be sent to ShipBob: "
            + "; ".join(message for messages in missing.values() for message in messages),
            field_errors=missing,
        )
    body: dict = {
        "fulfillment_center": {"id": request.warehouse_provider_id},
        "inventory": inventory,
        "reference_id": request.reference,
    }
    if request.original_shipment_id:
        body["original_shipment_id"] = request.original_shipment_id
    if request.tracking_number:
        body["tracking_number"] = request.tracking_number
    return body


def parse_return(data: dict) -> RemoteReturnOrder:
    """A return as created (PublicReturnV1Dto) or read (PublicReturnDto)."""
    raw_status = str(data.get("status") or "")
    state = STATES.get(raw_status.replace(" ", "").replace("_", "").lower())
    if state is None:
        logger.warning("ShipBob return %s has unknown status %r", data.get("id"), raw_status)
    return RemoteReturnOrder(
        provider_id=str(data.get("id") or ""),
        state=state,
        raw_status=raw_status,
        reference=str(data.get("reference_id") or ""),
        tracking_number=str(data.get("tracking_number") or ""),
        items=[_item(item) for item in data.get("inventory") or [] if isinstance(item, dict)],
        transactions=[
            RemoteTransaction(
                transaction_type=str(transaction.get("transaction_type") or ""),
                amount=float(transaction.get("amount") or 0),
            )
            for transaction in data.get("transactions") or []
            if isinstance(transaction, dict)
        ],
        completed_at=parse_datetime(data.get("completed_date")),
    )


# Steps a task calls -----------------------------------------------------------------------


def create_return_order(client: ShipBobClient, request: ReturnOrderRequest) -> RemoteReturnOrder:
    return parse_return(client.create_return(return_body(request)))


def get_return_order(client: ShipBobClient, provider_id: str) -> RemoteReturnOrder | None:
    data = client.get_return(provider_id)
    return parse_return(data) if data else None


def find_return_order(client: ShipBobClient, reference: str) -> RemoteReturnOrder | None:
    """The return created under our ``reference`` (its reference_id), if any."""
    for data in client.list_returns(ReferenceIds=reference):
        if data.get("reference_id") == reference:
            return parse_return(data)
    return None


def ensure_return_order(client: ShipBobClient, request: ReturnOrderRequest) -> RemoteReturnOrder:
    """Create the return unless one exists under our reference: safe to repeat."""
    return find_return_order(client, request.reference) or create_return_order(client, request)


def cancel_return_order(client: ShipBobClient, provider_id: str) -> None:
    """Cancel before arrival; ShipBob answers 400 (ProviderRejected) once it arrived."""
    client.cancel_return(provider_id)


def _item(item: dict) -> RemoteItem:
    actions = []
    for taken in item.get("action_taken") or []:
        if not isinstance(taken, dict):
            continue
        raw_action = str(taken.get("action") or "")
        action = ACTIONS_TAKEN.get(raw_action.lower(), "")
        if not action:
            logger.warning("ShipBob action %r has no equivalent here", raw_action)
        actions.append(
            RemoteAction(
                action=action,
                raw_action=raw_action,
                quantity=to_int(taken.get("quantity_processed")) or 0,
                reason=str(taken.get("action_reason") or ""),
                image_url=str(taken.get("image_url") or ""),
            )
        )
    return RemoteItem(
        sku=str(item.get("sku") or ""),
        provider_inventory_id=to_int(item.get("id")),
        name=str(item.get("name") or ""),
        quantity_expected=to_int(item.get("quantity")) or 0,
        quantity_received=sum(action.quantity for action in actions),
        actions=actions,
    )


def _datetime_text(value: date | datetime) -> str:
    """lot_date is a date-time in the spec; our lot dates are days (midnight UTC)."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return f"{value.isoformat()}T00:00:00Z"
