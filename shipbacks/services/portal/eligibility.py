"""Steps 1 and 2: finding an order (number + e-mail or postcode, inside the return window) and
which of its items can be returned, with why the others cannot."""

import hmac
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Order, OrderItem

from ...models import ReturnedItem, ReturnPolicy, Shipback
from .errors import PortalError

# Returns that no longer hold their items.
RELEASED_STATES = (Shipback.State.CANCELLED, Shipback.State.FAILED)


# The return window.


@dataclass(frozen=True)
class ReturnWindow:
    """When an order's return window starts, under the current policy."""

    starts_on: date
    policy_days: int

    def deadline(self, product_days: int | None) -> date:
        """The last day to return a product whose own window is ``product_days`` (None: the
        policy's)."""
        days = self.policy_days if product_days is None else product_days
        return self.starts_on + timedelta(days=days)


def return_window(order: Order, *, policy: ReturnPolicy | None = None) -> ReturnWindow:
    """From the latest delivery of the order, or its order date when it was not delivered or
    when the policy counts from the order date. Two queries at most."""
    policy = policy or ReturnPolicy.current()
    starts_on = order.ordered_at
    if policy.window_starts_at == ReturnPolicy.WindowStart.DELIVERY:
        delivered = order.shipments.aggregate(last=Max("delivered_at"))["last"]
        if delivered is not None:
            starts_on = timezone.localdate(delivered)
    return ReturnWindow(starts_on=starts_on, policy_days=policy.window_days)


# Step 1: finding the order.


def normalize_postcode(value: str) -> str:
    return re.sub(r"[\s-]+", "", value or "").upper()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def order_find_for_return(*, order_number: str, contact: str, today=None) -> Order | None:
    """The order with this number whose e-mail or postcode is ``contact``, if any of its items
    is still inside its return window; else None, whatever was wrong."""
    number = (order_number or "").strip()
    contact = (contact or "").strip()
    if not number or not contact:
        return None
    # The exact number, or in capitals as printed on invoices: both use the unique index.
    order = (
        Order.objects.filter(order_number__in={number, number.upper()})
        .select_related("customer__address")
        .order_by("order_number")
        .first()
    )
    if order is None:
        return None
    customer = order.customer
    if "@" in contact:
        matches = _same(contact.casefold(), customer.email.strip().casefold())
    else:
        postcode = normalize_postcode(customer.address.zipcode) if customer.address else ""
        matches = bool(postcode) and _same(normalize_postcode(contact), postcode)
    if not matches:
        return None
    window = return_window(order)
    today = today or timezone.localdate()
    windows = order.items.values_list("product__return_window_days", flat=True)
    if not any(window.deadline(days) >= today for days in windows):
        return None
    return order


# Step 2: the items, and why some cannot be picked.


class Blocked:
    NOT_RETURNABLE = "not_returnable"
    IN_RETURN = "in_return"
    WINDOW_CLOSED = "window_closed"


@dataclass(frozen=True)
class ItemEligibility:
    order_item: OrderItem
    quantity_left: int
    deadline: date
    blocked: str = ""  # a Blocked value, empty when the item can be picked

    @property
    def selectable(self) -> bool:
        return not self.blocked

    @property
    def quantity_choices(self) -> range:
        return range(1, self.quantity_left + 1)

    @property
    def blocked_message(self) -> str:
        if self.blocked == Blocked.NOT_RETURNABLE:
            return _("This product cannot be returned.")
        if self.blocked == Blocked.IN_RETURN:
            return _("Already in a return.")
        if self.blocked == Blocked.WINDOW_CLOSED:
            return _("The return period for this item has ended.")
        return ""


@dataclass
class OrderReturnOptions:
    order: Order
    items: list[ItemEligibility]
    in_progress: list[Shipback] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.items[0].order_item.currency if self.items else "EUR"

    @property
    def any_selectable(self) -> bool:
        return any(item.selectable for item in self.items)

    def item(self, order_item_id) -> ItemEligibility | None:
        wanted = str(order_item_id)
        return next((e for e in self.items if str(e.order_item.pk) == wanted), None)


def held_quantities(order_item_ids, *, exclude_shipback=None) -> dict:
    """Units of each order item already in a return that still holds them (one query)."""
    held = ReturnedItem.objects.filter(order_item__in=order_item_ids).exclude(
        shipback__state__in=RELEASED_STATES
    )
    if exclude_shipback is not None:
        held = held.exclude(shipback=exclude_shipback)
    rows = held.values("order_item").annotate(total=Sum("quantity"))
    return {row["order_item"]: row["total"] for row in rows}


def order_return_options(*, order: Order, today=None) -> OrderReturnOptions:
    """Every item of the order, pickable or not (with why), and the returns the customer started
    and did not confirm. Six queries, whatever the number of items."""
    today = today or timezone.localdate()
    window = return_window(order)
    items = list(order.items.select_related("product").order_by("reference"))
    held = held_quantities([item.pk for item in items])
    eligibility = []
    for item in items:
        left = item.quantity - held.get(item.pk, 0)
        deadline = window.deadline(item.product.return_window_days)
        if not item.product.returnable:
            blocked = Blocked.NOT_RETURNABLE
        elif left <= 0:
            blocked = Blocked.IN_RETURN
        elif deadline < today:
            blocked = Blocked.WINDOW_CLOSED
        else:
            blocked = ""
        eligibility.append(ItemEligibility(item, max(left, 0), deadline, blocked))
    in_progress = list(order.shipbacks.modifiable().order_by("-created_at"))
    return OrderReturnOptions(order=order, items=eligibility, in_progress=in_progress)


@dataclass
class Selection:
    """What the customer picked on the items step: order item id -> quantity."""

    quantities: dict[str, int]

    def encode(self) -> str:
        return ",".join(f"{item_id}:{quantity}" for item_id, quantity in self.quantities.items())

    @classmethod
    def decode(cls, value: str) -> "Selection":
        quantities = {}
        for part in (value or "").split(","):
            item_id, _sep, quantity = part.partition(":")
            if item_id and quantity.isdigit():
                quantities[item_id] = int(quantity)
        return cls(quantities)


def selection_check(*, options: OrderReturnOptions, selection: Selection) -> list[ItemEligibility]:
    """The picked items, each pickable and in a quantity that is left; else PortalError."""
    if not selection.quantities:
        raise PortalError(_("Choose at least one item to return."), field="items")
    picked = []
    for item_id, quantity in selection.quantities.items():
        item = options.item(item_id)
        if item is None or not item.selectable:
            raise PortalError(
                _("Some of these items are no longer available to return."), field="items"
            )
        if not 1 <= quantity <= item.quantity_left:
            raise PortalError(
                _("Choose a quantity between 1 and %(left)s for %(label)s.")
                % {"left": item.quantity_left, "label": item.order_item.display_label},
                field="items",
            )
        picked.append(item)
    return picked
