"""ShipBob returns (API 2025-07) as the sandbox simulates them: seed 001 and the spec.

Create answers 201 with a PublicReturnV1Dto whose status reads "Awaiting Arrival" (seed 001);
reads answer PublicReturnDto with the 2025-07 status names ("AwaitingArrival", as the filters
and status_history write them). Invalid bodies get a 400 ProblemDetails with field errors; an
original shipment the sandbox does not know (id from SANDBOX_UNKNOWN_IDS_FROM on) a 422 ApiError.

Statuses: AwaitingArrival → Arrived → Processing → Completed, one step every
SANDBOX_WAREHOUSE_STEP_SECONDS or from the admin; Completed fills each item's action_taken (the
requested action, Default meaning Restock) and the transactions. Cancelled only while awaiting
arrival. Webhooks use the spec's topics (Webhooks.Topics): return.created, return.updated (each
later status but Completed) and return.completed.
"""

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import pushes, steps
from .http import SandboxError, integer, text
from .models import Provider, ShipBobReturn

State = ShipBobReturn.State
ACTIONS = ("Default", "Restock", "Quarantine", "Dispose")
FULFILLMENT_CENTERS = {8: "Cicero (IL)", 9: "Moreno Valley (CA)", 10: "Bethlehem (PA)"}
MILESTONES = {
    State.AWAITING_ARRIVAL: "awaiting_arrival_date",
    State.ARRIVED: "arrived_date",
    State.PROCESSING: "processing_date",
    State.COMPLETED: "completed_date",
    State.CANCELLED: "cancelled_date",
}
PROCESSING_FEE, RESTOCK_FEE_PER_UNIT = 3.0, 0.5


def problem(status: int, title: str, detail: str, errors: dict | None = None) -> SandboxError:
    """Returns.ProblemDetails (with ValidationProblemDetails' ``errors`` when there are some)."""
    body = {
        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": None,
    }
    if errors:
        body["errors"] = errors
    return SandboxError(status, body)


def api_error(message: str, errors: list[str]) -> SandboxError:
    """Returns.ApiError, with 422 (seed 001)."""
    return SandboxError(
        422, {"details": None, "errors": errors, "message": message, "stackTrace": None}
    )


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def create_return(data: dict, *, channel_id: int) -> ShipBobReturn:
    """POST /2025-07/return (seed 001 Returns.CreateReturnRequest)."""
    errors: dict[str, list[str]] = {}
    center = data.get("fulfillment_center")
    center_id = integer(center.get("id")) if isinstance(center, dict) else None
    if center_id is None or center_id < 1:
        errors["fulfillment_center.id"] = ["The fulfillment center id is required."]
    reference = text(data.get("reference_id"))
    if not reference:
        errors["reference_id"] = ["The reference_id field is required."]
    elif ShipBobReturn.objects.filter(reference_id=reference).exists():
        errors["reference_id"] = ["A return with this reference already exists."]
    inventory = data.get("inventory")
    if not isinstance(inventory, list) or not inventory:
        errors["inventory"] = ["At least one inventory item is required."]
        inventory = []
    lines = []
    for index, raw in enumerate(inventory):
        raw = raw if isinstance(raw, dict) else {}
        inventory_id, quantity = integer(raw.get("id")), integer(raw.get("quantity"))
        action = raw.get("requested_action")
        if inventory_id is None or inventory_id < 1:
            errors[f"inventory[{index}].id"] = ["The inventory id is required."]
        if quantity is None or quantity < 1:
            errors[f"inventory[{index}].quantity"] = ["Quantity must be greater than 0."]
        if action not in ACTIONS:
            errors[f"inventory[{index}].requested_action"] = [
                f"requested_action must be one of {', '.join(ACTIONS)}."
            ]
        lines.append(
            {
                "id": inventory_id,
                "quantity": quantity,
                "requested_action": action,
                "lot_number": text(raw.get("lot_number")) or None,
                "lot_date": text(raw.get("lot_date")) or None,
            }
        )
    shipment = data.get("original_shipment_id")
    if shipment is not None and integer(shipment) is None:
        errors["original_shipment_id"] = ["The original_shipment_id must be an integer."]
    if errors:
        raise problem(
            400, "One or more validation errors occurred.", "The return request is invalid.", errors
        )
    shipment = integer(shipment)
    if shipment is not None and shipment >= settings.SANDBOX_UNKNOWN_IDS_FROM:
        raise api_error(
            "The return order could not be created.", [f"Shipment {shipment} was not found."]
        )
    now = timezone.now()
    record = ShipBobReturn.objects.create(
        reference_id=reference,
        fulfillment_center_id=center_id,
        state_changed_at=now,
        body={
            "channel_id": channel_id,
            "lines": lines,
            "original_shipment_id": shipment,
            "tracking_number": text(data.get("tracking_number")) or None,
            "history": [{"status": State.AWAITING_ARRIVAL, "timestamp": iso(now)}],
        },
    )
    _webhook(record, "return.created")
    pushes.schedule_next_step(record)
    return record


def return_json(record: ShipBobReturn) -> dict:
    """Returns.PublicReturnDto (GET, lists, webhooks)."""
    body = record.body
    completed = record.state == State.COMPLETED
    dates = dict.fromkeys(MILESTONES.values())
    for entry in body.get("history", []):
        dates[MILESTONES[entry["status"]]] = entry["timestamp"]
    transactions = body.get("transactions", []) if completed else []
    return {
        **dates,
        "channel": {"id": body.get("channel_id"), "name": "Returns Portal sandbox"},
        "customer_name": "Sandbox merchant",
        "fulfillment_center": {
            "id": record.fulfillment_center_id,
            "name": FULFILLMENT_CENTERS.get(
                record.fulfillment_center_id, f"Fulfillment center {record.fulfillment_center_id}"
            ),
        },
        "id": record.pk,
        "insert_date": iso(record.created_at),
        "inventory": [_inventory_json(line, completed) for line in body.get("lines", [])],
        "invoice": {
            "amount": sum(t["amount"] for t in transactions) if completed else None,
            "currency_code": "USD",
        },
        "original_shipment_id": body.get("original_shipment_id"),
        "reference_id": record.reference_id,
        "return_type": "Regular",
        "shipment_tracking_number": None,
        "status": record.state,
        "status_history": body.get("history", []),
        "store_order_id": None,
        "tracking_number": body.get("tracking_number"),
        "transactions": transactions,
    }


def created_json(record: ShipBobReturn) -> dict:
    """Returns.PublicReturnV1Dto, the create answer of seed 001."""
    full = return_json(record)
    keys = (
        "channel", "completed_date", "customer_name", "fulfillment_center", "id", "insert_date",
        "original_shipment_id", "reference_id", "return_type", "store_order_id",
        "tracking_number", "transactions",
    )  # fmt: skip
    inventory = [
        {key: item[key] for key in ("action_requested", "action_taken", "id", "name", "quantity")}
        | {"bundle_parent_sku": None}
        for item in full["inventory"]
    ]
    return {key: full[key] for key in keys} | {
        "inventory": inventory,
        "invoice_amount": full["invoice"]["amount"],
        "status": record.get_state_display(),
    }


def _inventory_json(line: dict, completed: bool) -> dict:
    action = line["requested_action"]
    taken = []
    if completed:
        done = "Restock" if action == "Default" else action
        reason = {"Restock": "Good condition", "Quarantine": "Held for inspection"}
        taken = [
            {
                "action": done,
                "action_reason": reason.get(done, "Not sellable"),
                "image_url": None,
                "quantity_processed": line["quantity"],
            }
        ]
    return {
        "action_requested": {
            "action": action,
            "action_type": "InventoryDefault" if action == "Default" else "OverriddenByMerchant",
            "instructions": None,
        },
        "action_taken": taken,
        "barcodes": [],
        "bundle_parent_sku": None,
        "id": line["id"],
        "lot_information": {"number": line.get("lot_number"), "expiration": line.get("lot_date")},
        "name": f"Inventory {line['id']}",
        "quantity": line["quantity"],
        "sku": f"SKU-{line['id']}",
    }


def current(return_id) -> ShipBobReturn:
    found = steps.current(ShipBobReturn, move, pk=return_id)
    if found is None:
        raise problem(404, "Not Found", f"Return {return_id} was not found.")
    return found


def search(params) -> tuple[list[ShipBobReturn], int, int, int]:
    """GET /2025-07/return: comma-separated filters, ``Limit`` and ``Cursor`` (a page number).
    Returns (the page's returns, how many match, page, limit)."""
    records = ShipBobReturn.objects.order_by("-id")
    filters = {
        "Ids": "pk__in",
        "ReferenceIds": "reference_id__in",
        "FulfillmentCenterIds": "fulfillment_center_id__in",
    }
    for name, lookup in filters.items():
        if values := [v.strip() for v in params.get(name, "").split(",") if v.strip()]:
            if lookup != "reference_id__in" and any(integer(v) is None for v in values):
                raise problem(400, "Bad Request", f"{name} takes comma-separated integers.")
            records = records.filter(**{lookup: values})
    if params.get("SortOrder") == "Asc":
        records = records.order_by("id")
    limit = min(max(integer(params.get("Limit")) or 50, 1), 250)
    page = max(integer(params.get("Cursor")) or 1, 1)
    with transaction.atomic():
        found = [current(record.pk) for record in records]
    # Statuses are compared after catching up: they move with time.
    statuses = [v.strip().replace(" ", "") for v in params.get("Status", "").split(",")]
    if any(statuses):
        found = [record for record in found if record.state in statuses]
    return found[(page - 1) * limit : page * limit], len(found), page, limit


def cancel(return_id) -> None:
    """POST /2025-07/return/{id}:cancel: only while the return awaits arrival, else 400."""
    with transaction.atomic():
        record = ShipBobReturn.objects.select_for_update().filter(pk=return_id).first()
        if record is None:
            raise problem(404, "Not Found", f"Return {return_id} was not found.")
        steps.catch_up(record, move)
        if record.state == State.CANCELLED:
            return
        if record.state != State.AWAITING_ARRIVAL:
            raise problem(
                400,
                "Bad Request",
                f"Return {record.pk} cannot be cancelled: its status is {record.state}.",
            )
        move(record, State.CANCELLED, at=timezone.now())


def move(record: ShipBobReturn, state: str, *, at: datetime) -> None:
    record.state, record.state_changed_at = state, at
    record.body.setdefault("history", []).append({"status": state, "timestamp": iso(at)})
    if state == State.COMPLETED:
        units = sum(line["quantity"] for line in record.body.get("lines", []))
        record.body["transactions"] = [
            {"amount": PROCESSING_FEE, "transaction_type": "ReturnProcessingFee"},
            {"amount": RESTOCK_FEE_PER_UNIT * units, "transaction_type": "ReturnToStockFee"},
        ]
    record.save()
    _webhook(record, "return.completed" if state == State.COMPLETED else "return.updated")


def advance(return_id) -> bool:
    """Admin: the return's next status now (Arrived, Processing, Completed)."""
    with transaction.atomic():
        record = ShipBobReturn.objects.select_for_update().get(pk=return_id)
        moved = steps.advance(record, move)
        if moved:
            pushes.schedule_next_step(record)
        return moved


def _webhook(record: ShipBobReturn, topic: str) -> None:
    pushes.queue_webhook(
        provider=Provider.SHIPBOB,
        event=topic,
        object_id=record.pk,
        event_id=uuid.uuid4(),
        payload={"topic": topic, "data": return_json(record)},
    )
