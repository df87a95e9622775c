from .common import csrf_failure
from .ordering import items, lookup, reasons
from .returning import cancel, details, quotes_retry, review, shipping, shipping_status
from .tracking import label, photo, picture, slip, status, track

__all__ = [
    "cancel",
    "csrf_failure",
    "details",
    "items",
    "label",
    "lookup",
    "photo",
    "picture",
    "quotes_retry",
    "reasons",
    "review",
    "shipping",
    "shipping_status",
    "slip",
    "status",
    "track",
]
