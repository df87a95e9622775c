"""Kibo OMS returns as the sandbox simulates them (seed 004), and its OAuth token endpoint.

Tokens are what ``POST oauth/token`` (client credentials) hands out: signed with the project's
SECRET_KEY and valid SANDBOX_KIBO_TOKEN_SECONDS, so every process checks them without a table,
and a token the sandbox did not issue (or that expired) gets a 401.

A return is created from its order and shipment (``POST return/{orderID}/{shipmentID}``; orders
from SANDBOX_UNKNOWN_IDS_FROM on are unknown: 404) and goes OPEN → PROCESSING (its items
accepted) → CLOSED, one step every SANDBOX_WAREHOUSE_STEP_SECONDS or from the admin.
Errors are ``{"message", "errors": [{"field", "message"}]}``: seed 004 shows none.
"""

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from . import pushes, steps
from .http import SandboxError, integer, text
from .models import KiboReturn

State = KiboReturn.State
TOKEN_SALT = "shipbacks.providers.sandbox.kibo.token"  # noqa: S105 (a salt)
CREATION_SOURCES = ("CCUI", "API", "FULFILLER")
REFUND_TYPES = ("STANDARD", "GIFT_CARD")
ITEM_FIELDS = ("reason", "SKU", "UPC", "partNumber", "partName", "returnSubtotal")


def error(status: int, message: str, errors: dict | None = None) -> SandboxError:
    body: dict = {"message": message}
    if errors:
        body["errors"] = [{"field": field, "message": text} for field, text in errors.items()]
    return SandboxError(status, body)


def kibo_time(moment: datetime | None) -> str | None:
    """Kibo writes "2017-01-13T19:27:27+0000"."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S%z") if moment else None


# OAuth ---------------------------------------------------------------------------------------


def issue_token(data: dict) -> dict:
    """Client credentials (JSON or form): any non-empty id and secret get a bearer token."""
    if text(data.get("grant_type")) != "client_credentials":
        raise SandboxError(
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "grant_type must be client_credentials",
            },
        )
    client_id, secret = text(data.get("client_id")), text(data.get("client_secret"))
    if not (client_id and secret):
        raise SandboxError(
            401,
            {"error": "invalid_client", "error_description": "client_id and client_secret"},
        )
    lifetime = settings.SANDBOX_KIBO_TOKEN_SECONDS
    return {
        "access_token": signing.dumps({"client_id": client_id}, salt=TOKEN_SALT),
        "token_type": "bearer",
        "expires_in": lifetime,
        "refresh_token": None,
    }


def token_is_valid(token: str) -> bool:
    try:
        signing.loads(token, salt=TOKEN_SALT, max_age=settings.SANDBOX_KIBO_TOKEN_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return False
    return True


# Returns -------------------------------------------------------------------------------------


def create_return(order_id: int, shipment_id: int, data: dict) -> KiboReturn:
    """Seed 004 "Create Return": ``item`` (orderItemID and quantity required), creationSource
    (default API), refundType, and the ids appended to the endpoint."""
    errors: dict[str, str] = {}
    for name, value in (("orderID", order_id), ("shipmentID", shipment_id)):
        given = data.get(name)
        if given is not None and integer(given) != value:
            errors[name] = f"{name} {given} does not match the endpoint's {value}."
    source = text(data.get("creationSource")) or "API"
    if source not in CREATION_SOURCES:
        errors["creationSource"] = f"creationSource must be one of {', '.join(CREATION_SOURCES)}."
    refund = text(data.get("refundType")) or "STANDARD"
    if refund not in REFUND_TYPES:
        errors["refundType"] = f"refundType must be one of {', '.join(REFUND_TYPES)}."
    raw_items = data.get("item")
    if not isinstance(raw_items, list) or not raw_items:
        errors["item"] = "At least one return item is required."
        raw_items = []
    items = []
    for index, raw in enumerate(raw_items):
        raw = raw if isinstance(raw, dict) else {}
        order_item_id, quantity = integer(raw.get("orderItemID")), integer(raw.get("quantity"))
        if order_item_id is None or order_item_id < 0:
            errors[f"item[{index}].orderItemID"] = "orderItemID is required (minimum 0)."
        if quantity is None or quantity < 1:
            errors[f"item[{index}].quantity"] = "quantity is required (minimum 1)."
        items.append(
            {"orderItemID": order_item_id, "quantity": quantity}
            | {key: raw[key] for key in ITEM_FIELDS if raw.get(key) not in (None, "")}
        )
    if errors:
        raise error(400, "The return is invalid.", errors)
    if order_id >= settings.SANDBOX_UNKNOWN_IDS_FROM:
        raise error(404, f"Order {order_id} was not found.")
    record = KiboReturn.objects.create(
        order_id=order_id,
        shipment_id=shipment_id,
        state_changed_at=timezone.now(),
        body={
            "creationSource": source,
            "refundType": refund,
            "externalOrderID": text(data.get("externalOrderID")) or None,
            "returnLocation": integer(data.get("returnLocation")),
            "item": items,
        },
    )
    pushes.schedule_next_step(record)
    return record


def return_json(record: KiboReturn) -> dict:
    body = record.body
    item_status = "PENDING" if record.state == State.OPEN else "ACCEPTED"
    items = [
        {"returnItemID": record.pk * 100 + index} | item | {"status": item_status}
        for index, item in enumerate(body.get("item", []), start=1)
    ]
    total = sum(float(item.get("returnSubtotal") or 0) for item in items)
    return {
        "returnID": record.pk,
        "status": record.state,
        "creationSource": body.get("creationSource"),
        "refundType": body.get("refundType"),
        "externalOrderID": body.get("externalOrderID"),
        "orderID": record.order_id,
        "shipmentID": record.shipment_id,
        "returnLocation": body.get("returnLocation"),
        "returnTotal": total,
        "createdTime": kibo_time(record.created_at),
        "confirmTime": body.get("confirmTime"),
        "clearedTime": body.get("clearedTime"),
        "item": items,
    }


def current(return_id) -> KiboReturn:
    found = steps.current(KiboReturn, move, pk=return_id)
    if found is None:
        raise error(404, f"Return {return_id} was not found.")
    return found


def move(record: KiboReturn, state: str, *, at: datetime) -> None:
    record.state, record.state_changed_at = state, at
    if state == State.PROCESSING:
        record.body["confirmTime"] = kibo_time(at)  # seed 004: "accepted/rejected"
    if state == State.CLOSED:
        record.body["clearedTime"] = kibo_time(at)
    record.save()


def advance(return_id) -> bool:
    """Admin: the return's next status now (PROCESSING, CLOSED)."""
    with transaction.atomic():
        record = KiboReturn.objects.select_for_update().get(pk=return_id)
        moved = steps.advance(record, move)
        if moved:
            pushes.schedule_next_step(record)
        return moved
