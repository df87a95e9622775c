"""The customer return portal: which orders and items can be returned, and the portal's steps.

The portal is a thin interface over the same services as the API and the admin
(``shipback_create``, ``quotes_request``, ``shipback_update``, ``shipback_free``,
``returned_item_update``, ``shipback_cancel``); what is only the portal's lives here: the order
lookup (order number + e-mail or postcode, inside the return window), each item's eligibility
and the reason it cannot be picked, the customer's choice of mode among the computed quotes, and
the timeline of a return as the customer sees it.

Messages are for customers: translated, and never saying which part of a lookup was wrong.
Every reader here runs a fixed number of queries whatever the size of the order.
"""

from .eligibility import (
    Blocked,
    ItemEligibility,
    OrderReturnOptions,
    ReturnWindow,
    Selection,
    held_quantities,
    normalize_postcode,
    order_find_for_return,
    order_return_options,
    return_window,
    selection_check,
)
from .errors import CUSTOMER, SERVICE_MESSAGES, PortalError, customer_message
from .returns import (
    ItemChange,
    ReturnLine,
    active_reasons,
    portal_return_abandon,
    portal_return_confirm,
    portal_return_start,
    portal_returned_items_update,
)
from .shipping import (
    Destination,
    ModeOffer,
    ShippingOptions,
    chosen_dropoff_point,
    chosen_offer,
    portal_mode_choose,
    portal_quotes_ensure,
    portal_quotes_retry,
    shipback_destinations,
    shipback_dropoff_point,
    shipping_options,
    slot_value,
)
from .tracking import (
    TimelineStep,
    completed_at,
    label_pending,
    received_at,
    shipback_timeline,
)

__all__ = [
    "CUSTOMER",
    "SERVICE_MESSAGES",
    "Blocked",
    "Destination",
    "ItemChange",
    "ItemEligibility",
    "ModeOffer",
    "OrderReturnOptions",
    "PortalError",
    "ReturnLine",
    "ReturnWindow",
    "Selection",
    "ShippingOptions",
    "TimelineStep",
    "active_reasons",
    "chosen_dropoff_point",
    "chosen_offer",
    "completed_at",
    "customer_message",
    "held_quantities",
    "label_pending",
    "normalize_postcode",
    "order_find_for_return",
    "order_return_options",
    "portal_mode_choose",
    "portal_quotes_ensure",
    "portal_quotes_retry",
    "portal_return_abandon",
    "portal_return_confirm",
    "portal_return_start",
    "portal_returned_items_update",
    "received_at",
    "return_window",
    "selection_check",
    "shipback_destinations",
    "shipback_dropoff_point",
    "shipback_timeline",
    "shipping_options",
    "slot_value",
]
