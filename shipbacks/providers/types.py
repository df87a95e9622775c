"""Plain data passed between provider adapters and the tasks that call them.

A task loads our rows, builds these, calls an adapter, and records what comes back. Nothing
here knows a model, a session or a provider's JSON. States are our ``TextChoices`` values
(``ReturnOrderState``, ``ShipbackState``, ``QuoteState``, ``ActionTaken``) as plain strings.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Warehouse leg: return orders (Shippingbo, ShipBob, Kibo) ---------------------------------


@dataclass(frozen=True)
class ExpectedLine:
    """One expected item: what product, how many, and what to do with it on arrival."""

    sku: str  # our product reference: Shippingbo user_ref, Kibo SKU
    quantity: int
    requested_action: str = "default"  # a RequestedAction value
    provider_inventory_id: int | None = None  # ShipBob inventory id
    provider_order_item_id: int | None = None  # Kibo orderItemID
    lot_number: str = ""
    lot_date: date | None = None
    name: str = ""  # Kibo partName
    upc: str = ""
    part_number: str = ""
    reason: str = ""  # per-line reason where the provider takes one (Kibo)


@dataclass(frozen=True)
class ReturnOrderRequest:
    """A return order as we ask a warehouse provider to expect it.

    ``reference`` is our unique reference: the provider stores it where it can be searched, so
    a create repeated after a lost response finds the first one.
    """

    reference: str
    items: list[ExpectedLine]
    warehouse_provider_id: int | None = None  # supplier / fulfillment center / location id
    provider_order_id: int | None = None  # the order at the provider (Shippingbo, Kibo)
    source: str = ""  # or the order's source and reference (Shippingbo third party)
    source_ref: str = ""
    order_number: str = ""  # our order number (Kibo externalOrderID)
    original_shipment_id: int | None = None  # ShipBob original_shipment_id, Kibo shipmentID
    reason: str = ""
    reason_ref: str = ""
    type: str = "return_order_customer"  # a ReturnOrderType value
    tracking_number: str = ""


@dataclass(frozen=True)
class RemoteAction:
    """What the warehouse did with some units of one item."""

    action: str  # an ActionTaken value, "" when the provider's action has no equivalent
    raw_action: str
    quantity: int
    reason: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class RemoteItem:
    sku: str = ""
    provider_inventory_id: int | None = None
    provider_order_item_id: int | None = None
    name: str = ""
    quantity_expected: int = 0
    quantity_received: int = 0
    status: str = ""  # the provider's own item status, lower case (Kibo: accepted, ...)
    actions: list[RemoteAction] = field(default_factory=list)


@dataclass(frozen=True)
class RemoteTransaction:
    transaction_type: str
    amount: float


@dataclass(frozen=True)
class RemoteReturnOrder:
    """A return order as the provider reports it.

    ``state`` is a ``ReturnOrderState`` value, or None when the provider's status is one we do
    not know (``raw_status`` says which): the caller keeps its state and logs it.
    """

    provider_id: str
    state: str | None
    raw_status: str
    reference: str = ""
    tracking_number: str = ""
    items: list[RemoteItem] = field(default_factory=list)
    transactions: list[RemoteTransaction] = field(default_factory=list)
    completed_at: datetime | None = None


# Customer leg: ShopRunBack -------------------------------------------------------------------


@dataclass(frozen=True)
class BrandPayload:
    reference: str
    name: str


@dataclass(frozen=True)
class ProductPayload:
    reference: str
    label: str
    weight_grams: int
    ean: str = ""
    picture_url: str = ""  # public URL ShopRunBack fetches (picture_file_url)


@dataclass(frozen=True)
class AddressPayload:
    line1: str
    zipcode: str
    city: str
    country_code: str
    line2: str = ""
    state: str = ""


@dataclass(frozen=True)
class CustomerPayload:
    first_name: str
    last_name: str
    email: str
    address: AddressPayload
    phone: str = ""


@dataclass(frozen=True)
class OrderItemPayload:
    """One unit: ShopRunBack items have no quantity (seed 002 lists a product twice for two)."""

    reference: str  # unique per order (suffix per unit): the shipback's item_id names it
    product_reference: str
    label: str = ""


@dataclass(frozen=True)
class OrderPayload:
    order_number: str
    ordered_at: date
    customer: CustomerPayload
    items: list[OrderItemPayload]
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReturnedItemPayload:
    item_reference: str  # the OrderItemPayload.reference
    reason_code: str


@dataclass(frozen=True)
class ShipbackPayload:
    order_number: str
    rma: str
    items: list[ReturnedItemPayload]
    mode: str = ""  # a Mode value; chosen later with the quotes when empty
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteShipback:
    provider_id: str
    state: str | None  # a ShipbackState value, None when unknown (see raw_state)
    raw_state: str = ""
    rma: str = ""
    mode: str = ""
    label_url: str = ""
    tracking_number: str = ""
    carrier: str = ""
    price_cents: int | None = None
    customer_price_cents: int | None = None
    public_url: str = ""


@dataclass(frozen=True)
class DropoffPoint:
    code: str
    name: str = ""
    address: str = ""
    opening_hours: Any = None


@dataclass(frozen=True)
class PickupSlot:
    pickup_datetime: str  # as the provider wrote it ("2018-01-18 14:00:00"), sent back as is
    pickup_duration: int  # minutes


@dataclass(frozen=True)
class RemoteQuote:
    provider_id: str
    mode: str  # a QuoteMode value
    state: str  # a QuoteState value
    price_cents: int | None = None
    customer_price_cents: int | None = None
    dropoff_points: list[DropoffPoint] = field(default_factory=list)
    pickup_slots: list[PickupSlot] = field(default_factory=list)


@dataclass(frozen=True)
class WebhookEvent:
    """A provider's webhook, parsed after its signature was checked."""

    id: str
    event: str
    created_at: datetime | None
    data: dict[str, Any]
