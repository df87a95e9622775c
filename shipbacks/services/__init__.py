"""Every write to shipbacks, quotes and return orders goes through these functions."""

from .quotes import quote_record_result, quotes_request
from .receiving import (
    ActionData,
    ReceivedLineData,
    return_order_complete,
    return_order_receive,
)
from .return_orders import (
    ExpectedItemData,
    return_order_cancel,
    return_order_create,
    return_order_transition,
)
from .shipbacks import (
    ReturnedItemData,
    returned_item_transition,
    shipback_cancel,
    shipback_create,
    shipback_delete,
    shipback_record_label,
    shipback_register,
    shipback_transition,
    shipbacks_cancel_abandoned,
)
from .warehouses import warehouse_create

__all__ = [
    "ActionData",
    "ExpectedItemData",
    "ReceivedLineData",
    "ReturnedItemData",
    "quote_record_result",
    "quotes_request",
    "return_order_cancel",
    "return_order_complete",
    "return_order_create",
    "return_order_receive",
    "return_order_transition",
    "returned_item_transition",
    "shipback_cancel",
    "shipback_create",
    "shipback_delete",
    "shipback_record_label",
    "shipback_register",
    "shipback_transition",
    "shipbacks_cancel_abandoned",
    "warehouse_create",
]
