"""ShopRunBack as the sandbox simulates it (seeds 002 and 003): catalog, orders, shipbacks,
quotes, registration, labels and webhooks, with ShopRunBack's JSON and error bodies.

Errors are ``{"errors": [{"code", "message", "field"}]}``: 400 for the refusals the documents
name (``SHIPBACK_REGISTERED``, ``DEPENDENT_SHIPBACK``), 422 for invalid bodies, 404 for unknown
records. Quotes are computed when read: ``computing`` until SANDBOX_QUOTE_SECONDS after they were
requested, then ``available`` or ``unavailable`` (pickup outside
SANDBOX_SHOPRUNBACK_PICKUP_COUNTRIES).
"""

from .catalog import (
    as_uuid,
    brand_json,
    brands,
    create_brand,
    create_order,
    create_product,
    default_brand,
    delete_order,
    error,
    find,
    invalid,
    not_found,
    order_json,
    product_json,
    srb_time,
    update_order,
)
from .shipbacks import (
    MODES,
    advance,
    clear_quotes,
    create_shipback,
    delete_shipback,
    get_shipback,
    label_url,
    locked_shipback,
    move,
    quote_json,
    register_free,
    request_quotes,
    shipback_json,
    update_shipback,
)

__all__ = [
    "MODES",
    "advance",
    "as_uuid",
    "brand_json",
    "brands",
    "clear_quotes",
    "create_brand",
    "create_order",
    "create_product",
    "create_shipback",
    "default_brand",
    "delete_order",
    "delete_shipback",
    "error",
    "find",
    "get_shipback",
    "invalid",
    "label_url",
    "locked_shipback",
    "move",
    "not_found",
    "order_json",
    "product_json",
    "quote_json",
    "register_free",
    "request_quotes",
    "shipback_json",
    "srb_time",
    "update_order",
    "update_shipback",
]
