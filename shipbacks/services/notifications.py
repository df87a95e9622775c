"""What integrators are told: the webhook events of shipbacks, returned items and return orders.

Events follow ShopRunBack's names (``shipback.<state>``, ``returneditem.<state>``) and ours for
the warehouse leg (``return_order.<state>``). They are queued in the transaction of the change.

Customers are told too, by e-mail (see ``shipbacks.portal.emails``): registered, label ready,
parcel received (by the carrier or a warehouse), return completed. The e-mail is enqueued after
commit, with the shipback's id, what happened and when.
"""

from django.conf import settings

from returns_portal.webhooks import webhook_emit, webhook_emit_many

from ..models import ReturnedItem, ReturnOrder, Shipback
from .sync.outbox import sync_enabled


def _datetime(value):
    return value.isoformat() if value else None


def shipback_data(shipback: Shipback) -> dict:
    computed = sum(
        (item.order_item.product.weight_grams or 0) * item.quantity
        for item in shipback.returned_items.select_related("order_item__product")
    )
    data = {
        "id": str(shipback.pk),
        "rma": shipback.rma,
        "state": shipback.state,
        "mode": shipback.mode or None,
        "order_id": str(shipback.order_id),
        "registered_at": _datetime(shipback.registered_at),
        "weight_in_grams": shipback.weight_grams or computed,
        "computed_weight_in_grams": computed,
        "public_url": shipback.public_url,
        "metadata": shipback.metadata,
        "price_cents": shipback.price_cents,
        "customer_price_cents": shipback.customer_price_cents,
    }
    if shipback.tracking_number or shipback.label_url or shipback.label_file:
        data["label_url"] = shipback.label_url or None
        data["tracking_number"] = shipback.tracking_number or None
    return data


def returned_item_data(item: ReturnedItem) -> dict:
    order_item = item.order_item
    return {
        "id": str(item.pk),
        "shipback_id": str(item.shipback_id),
        "state": item.state,
        "reason_code": item.reason.code,
        "quantity": item.quantity,
        "item": {
            "id": str(order_item.pk),
            "barcode": order_item.barcode,
            "label": order_item.display_label,
            "reference": order_item.reference,
        },
    }


def return_order_data(return_order: ReturnOrder) -> dict:
    return {
        "id": str(return_order.pk),
        "reference": return_order.reference,
        "state": return_order.state,
        "type": return_order.type,
        "warehouse_id": str(return_order.warehouse_id),
        "shipback_id": str(return_order.shipback_id) if return_order.shipback_id else None,
        "order_id": str(return_order.order_id) if return_order.order_id else None,
        "source": return_order.source,
        "source_ref": return_order.source_ref,
        "tracking_number": return_order.tracking_number or None,
    }


# The shipback states the customer is e-mailed about: (e-mail, the milestone it is about).
CUSTOMER_EMAILS = {
    Shipback.State.REGISTERED: ("registered", "registered_at"),
    Shipback.State.LABELLED: ("label_ready", "labelled_at"),
    Shipback.State.DELIVERED: ("received", "delivered_at"),
    Shipback.State.RELOCATED: ("completed", "relocated_at"),
}


def notify_customer(*, shipback_id, kind: str, at=None) -> None:
    """E-mail the return's customer after commit (RETURNS_CUSTOMER_EMAILS turns it off).

    History loaded with the provider sync paused (``sync_paused()``: the demo data) e-mails
    nobody either."""
    if not settings.RETURNS_CUSTOMER_EMAILS or (settings.SYNC_ENABLED and not sync_enabled()):
        return
    # The portal's task; imported here because the portal itself imports these services.
    from ..portal.tasks import send_customer_email

    send_customer_email.delay_on_commit(str(shipback_id), kind, _datetime(at))


def notify_shipback(shipback: Shipback) -> None:
    webhook_emit(event=f"shipback.{shipback.state}", data=lambda: shipback_data(shipback))
    if shipback.state in CUSTOMER_EMAILS:
        kind, milestone = CUSTOMER_EMAILS[shipback.state]
        notify_customer(shipback_id=shipback.pk, kind=kind, at=getattr(shipback, milestone))


def notify_returned_item(item: ReturnedItem) -> None:
    webhook_emit(event=f"returneditem.{item.state}", data=lambda: returned_item_data(item))


def notify_return_order(return_order: ReturnOrder) -> None:
    webhook_emit(
        event=f"return_order.{return_order.state}", data=lambda: return_order_data(return_order)
    )
    _return_order_customer(return_order)


def notify_return_orders(return_orders: list[ReturnOrder], state: str) -> None:
    """``notify_return_order`` for return orders that reached ``state`` together."""
    webhook_emit_many(
        event=f"return_order.{state}", datas=(return_order_data(ro) for ro in return_orders)
    )
    for return_order in return_orders:
        _return_order_customer(return_order)


def _return_order_customer(return_order: ReturnOrder) -> None:
    if return_order.state == ReturnOrder.State.ARRIVED and return_order.shipback_id:
        notify_customer(
            shipback_id=return_order.shipback_id, kind="received", at=return_order.arrived_at
        )
