"""Shippingbo as the sandbox simulates it (seed 000 and the spec): return orders, their search,
their state and the update hook.

Single objects are wrapped under their root key (``{"return_order": {...}}``) and lists too
(``{"return_orders": [...]}``), as the live API does. A return order goes ``new`` →
``sent_to_logistics`` → ``returned`` (received and restocked), one step every
SANDBOX_WAREHOUSE_STEP_SECONDS, or from the admin; each change of state is POSTed to the portal
as the update hook of seed 000 ("select state in field") would.

Orders: the seed answers 404 when Shippingbo cannot match the order. The sandbox knows the orders
of its admin (``ShippingboOrder``) and takes any other as known, except order ids from
SANDBOX_UNKNOWN_IDS_FROM on and source_refs that start with "unknown" or are listed in
SANDBOX_SHIPPINGBO_UNKNOWN_SOURCE_REFS.
"""

import hashlib
import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import pushes, steps
from .http import SandboxError, integer, text
from .models import Provider, ShippingboOrder, ShippingboReturnOrder

State = ShippingboReturnOrder.State
TYPES = ("return_order_label", "return_order_carrier", "return_order_customer")
# Spec "Update a ReturnOrder": "Only canceled, returned, closed and in_trouble must be used by
# your system"; a return order that was restocked or closed is not cancelled any more.
SETTABLE = {State.CANCELED, State.RETURNED, State.CLOSED, State.IN_TROUBLE}
FINAL = {State.RETURNED, State.CLOSED, State.CANCELED}
SEARCHABLE = {"id", "reason_ref", "order_id", "source", "source_ref", "state", "supplier_id"}


def error(status: int, message: str, errors: dict | None = None) -> SandboxError:
    body: dict = {"error": message}
    if errors:
        body["errors"] = errors
    return SandboxError(status, body)


def iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def product_id(user_ref: str) -> int:
    """A stable Shippingbo product id for one of our SKUs."""
    return 100_000 + int(hashlib.sha256(user_ref.encode()).hexdigest(), 16) % 900_000


def order_is_known(*, order_id: int | None, source: str, source_ref: str) -> bool:
    if order_id is not None:
        if ShippingboOrder.objects.filter(pk=order_id).exists():
            return True
        return 0 < order_id < settings.SANDBOX_UNKNOWN_IDS_FROM
    if ShippingboOrder.objects.filter(source=source, source_ref=source_ref).exists():
        return True
    unknown = {ref.lower() for ref in settings.SANDBOX_SHIPPINGBO_UNKNOWN_SOURCE_REFS}
    return not source_ref.lower().startswith("unknown") and source_ref.lower() not in unknown


def create_return_order(data: dict) -> ShippingboReturnOrder:
    """POST /return_orders (seed 000), linked to its order by ``order_id`` or by ``source`` +
    ``source_ref``; 404 when the order is unknown."""
    order_id = integer(data.get("order_id"))
    source, source_ref = text(data.get("source")), text(data.get("source_ref"))
    if data.get("order_id") is not None and order_id is None:
        raise error(422, "order_id must be an integer", {"order_id": ["is not a number"]})
    if order_id is None and not (source and source_ref):
        raise error(
            422,
            "An order is required: order_id, or source and source_ref",
            {"order": ["must exist"]},
        )
    kind = text(data.get("return_order_type")) or "return_order_customer"
    if kind not in TYPES:
        raise error(422, "Invalid return_order_type", {"return_order_type": ["is not included"]})
    attributes = data.get("return_order_expected_items_attributes") or []
    if not isinstance(attributes, list):
        raise error(422, "Invalid expected items", {"return_order_expected_items": ["invalid"]})
    lines = []
    for index, raw in enumerate(attributes):
        raw = raw if isinstance(raw, dict) else {}
        quantity, user_ref = integer(raw.get("quantity")), text(raw.get("user_ref"))
        if not user_ref or quantity is None or quantity < 1:
            raise error(
                422,
                "Each expected item needs a user_ref and a quantity of at least 1",
                {f"return_order_expected_items[{index}]": ["is invalid"]},
            )
        lines.append({"user_ref": user_ref, "quantity": quantity})
    if not order_is_known(order_id=order_id, source=source, source_ref=source_ref):
        what = f"id {order_id}" if order_id is not None else f"{source} {source_ref}"
        raise error(404, f"Order not found ({what})")
    order = (
        ShippingboOrder.objects.filter(pk=order_id).first()
        if order_id is not None
        else ShippingboOrder.objects.filter(source=source, source_ref=source_ref).first()
    )
    if order is not None and not data.get("skip_expected_items_creation"):
        # Seed 000: "By default, all the products from the original order are" expected.
        lines = [*order.items, *lines]
    if order_id is None:
        # Matched by source: the sandbox's id for an order it did not list.
        order_id = order.pk if order else product_id(f"{source}:{source_ref}") * 10
    now = timezone.now()
    return_order = ShippingboReturnOrder.objects.create(
        reason_ref=text(data.get("reason_ref")),
        order_id=order_id,
        source=source,
        source_ref=source_ref,
        supplier_id=integer(data.get("supplier_id")),
        state_changed_at=now,
        body={
            "reason": text(data.get("reason")),
            "return_order_type": kind,
            "lines": [
                {"user_ref": str(line["user_ref"]), "quantity": int(line["quantity"])}
                for line in lines
            ],
        },
    )
    pushes.schedule_next_step(return_order)
    return return_order


def return_order_json(return_order: ShippingboReturnOrder) -> dict:
    """The spec's ReturnOrder."""
    body, pk = return_order.body, return_order.pk
    expected = [
        {
            "id": pk * 100 + index,
            "product_id": product_id(line["user_ref"]),
            "product_user_ref": line["user_ref"],
            "quantity": line["quantity"],
            "return_order_id": pk,
            "user_ref": line["user_ref"],
        }
        for index, line in enumerate(body.get("lines", []), start=1)
    ]
    received = [
        {
            "id": pk * 100 + 50 + index,
            "product_id": item["product_id"],
            "quantity": item["quantity"],
            "return_order_id": pk,
        }
        for index, item in enumerate(expected, start=1)
        if body.get("received")
    ]
    return {
        "id": pk,
        "order_id": return_order.order_id,
        "source": return_order.source or None,
        "source_ref": return_order.source_ref or None,
        "reason": body.get("reason", ""),
        "reason_ref": return_order.reason_ref,
        "return_order_type": body.get("return_order_type"),
        "state": return_order.state,
        "supplier_id": return_order.supplier_id,
        "shipping_ref": body.get("shipping_ref"),
        "barcode": body.get("shipping_ref"),
        "returned_at": body.get("returned_at"),
        "user_email": "api@sandbox.invalid",
        "created_at": iso(return_order.created_at),
        "updated_at": iso(return_order.updated_at),
        "return_order_expected_items": expected,
        "return_order_items": received,
        "returned_product_not_restockables": [],
    }


def current(return_order_id) -> ShippingboReturnOrder:
    found = steps.current(ShippingboReturnOrder, move, pk=return_order_id)
    if found is None:
        raise error(404, "Not found")
    return found


def search(params) -> list[ShippingboReturnOrder]:
    """GET /return_orders with the spec's ``search[<field>__eq|__contains|__starts_with]``,
    ``limit`` and ``offset``."""
    records = ShippingboReturnOrder.objects.order_by("id")
    for key, value in params.items():
        if not key.startswith("search["):
            continue
        field, _, operator = key[len("search[") :].split("]")[0].partition("__")
        if field not in SEARCHABLE:
            raise error(400, f"Unknown search field {field!r}")
        lookup = {"eq": "", "contains": "__contains", "starts_with": "__startswith"}.get(operator)
        if lookup is None:
            raise error(400, f"Unknown search operator {operator!r}")
        if field in ("id", "order_id", "supplier_id") and integer(value) is None:
            return []
        records = records.filter(**{f"{'pk' if field == 'id' else field}{lookup}": value})
    offset, limit = integer(params.get("offset")) or 0, integer(params.get("limit")) or 50
    found = list(records[offset : offset + min(max(limit, 1), 200)])
    with transaction.atomic():
        return [current(record.pk) for record in found]


def set_state(return_order_id, data: dict) -> ShippingboReturnOrder:
    """PATCH /return_orders/{id} {state} (spec "Update a ReturnOrder")."""
    state = text(data.get("state"))
    if state not in State.values:
        raise error(422, f"Invalid state {state!r}", {"state": ["is not included in the list"]})
    if state not in SETTABLE:
        raise error(422, f"The state {state!r} is Shippingbo's to set")
    with transaction.atomic():
        return_order = (
            ShippingboReturnOrder.objects.select_for_update().filter(pk=return_order_id).first()
        )
        if return_order is None:
            raise error(404, "Not found")
        steps.catch_up(return_order, move)
        if return_order.state == state:
            return return_order
        if return_order.state in FINAL:
            raise error(
                422,
                f"Return order {return_order.pk} is {return_order.state}: it cannot become "
                f"{state}.",
                {"state": ["cannot be changed"]},
            )
        move(return_order, state, at=timezone.now())
        return return_order


def move(return_order: ShippingboReturnOrder, state: str, *, at: datetime) -> None:
    previous = return_order.state
    return_order.state, return_order.state_changed_at = state, at
    if state == State.SENT_TO_LOGISTICS and not return_order.body.get("shipping_ref"):
        digits = int(hashlib.sha256(str(return_order.pk).encode()).hexdigest(), 16) % 10**11
        return_order.body["shipping_ref"] = f"8R{digits:011d}"
    if state == State.RETURNED:
        return_order.body["received"] = True
        return_order.body["returned_at"] = iso(at)
    return_order.save()
    # The update hook's body: the hook's definition and the object (its "object").
    pushes.queue_webhook(
        provider=Provider.SHIPPINGBO,
        event=f"ReturnOrder.state.{state}",
        object_id=return_order.pk,
        event_id=uuid.uuid4(),
        payload={
            "object_class": "ReturnOrder",
            "field": "state",
            "from_value": previous,
            "to_value": state,
            "object": return_order_json(return_order),
        },
    )


def advance(return_order_id) -> bool:
    """Admin: the return order's next state now (sent to logistics, returned, closed)."""
    with transaction.atomic():
        record = ShippingboReturnOrder.objects.select_for_update().get(pk=return_order_id)
        moved = steps.advance(record, move)
        if moved:
            pushes.schedule_next_step(record)
        return moved
