"""What integrators are told: the webhook events of shipbacks, returned items and return orders.

Events follow ShopRunBack's names (``shipback.<state>``, ``returneditem.<state>``) and ours for
the warehouse leg (``return_order.<state>``). They are queued in the transaction of the change.
"""

from returns_portal.webhooks import webhook_emit

from ..models import ReturnedItem, ReturnOrder, Shipback


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


def notify_shipback(shipback: Shipback) -> None:
    webhook_emit(event=f"shipback.{shipback.state}", data=shipback_data(shipback))


def notify_returned_item(item: ReturnedItem) -> None:
    webhook_emit(event=f"returneditem.{item.state}", data=returned_item_data(item))


def notify_return_order(return_order: ReturnOrder) -> None:
    webhook_emit(event=f"return_order.{return_order.state}", data=return_order_data(return_order))
