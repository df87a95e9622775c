"""Step 4: how the parcel is sent back. The quotes of each mode as the provider computes them,
the direct mode where every destination warehouse takes parcels without a carrier label, and the
customer's choice among them."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from returns_portal.errors import DomainError

from ...models import Quote, ReturnedItem, ReturnOrder, Shipback
from ...selectors import relocation_warehouse_for
from ..editing import as_datetime, shipback_update
from ..quotes import quotes_request
from .errors import CUSTOMER, SERVICE_MESSAGES, PortalError, customer_message

# The order the modes are offered in: the cheapest for the merchant first.
MODE_ORDER = (Shipback.Mode.DROPOFF, Shipback.Mode.PICKUP, Shipback.Mode.POSTAL)


# Step 4: how the parcel is sent back.


@dataclass
class Destination:
    warehouse: object
    items: list[ReturnedItem]


def shipback_destinations(*, shipback: Shipback, items: list[ReturnedItem]) -> list[Destination]:
    """Where the items go: the return orders once registered, else what the relocation rules
    say (one query per distinct reason, none per item)."""
    if shipback.registered_at is not None:
        return_orders = (
            ReturnOrder.objects.filter(shipback=shipback)
            .select_related("warehouse__address")
            .prefetch_related("expected_items")
        )
        by_item = {item.pk: item for item in items}
        return [
            Destination(
                return_order.warehouse,
                [
                    by_item[line.returned_item_id]
                    for line in return_order.expected_items.all()
                    if line.returned_item_id in by_item
                ],
            )
            for return_order in return_orders
            if return_order.state != ReturnOrder.State.CANCELLED
        ]
    warehouse_by_reason = {}
    grouped = defaultdict(list)
    for item in items:
        if item.reason_id not in warehouse_by_reason:
            warehouse_by_reason[item.reason_id] = relocation_warehouse_for(
                shipback=shipback, returned_item=item
            )
        grouped[warehouse_by_reason[item.reason_id]].append(item)
    return [Destination(warehouse, grouped_items) for warehouse, grouped_items in grouped.items()]


@dataclass
class ModeOffer:
    mode: str
    state: str  # a Quote state; "available" for the direct mode
    customer_price_cents: int | None = None
    dropoff_points: list = field(default_factory=list)
    pickup_slots: list = field(default_factory=list)
    expired: bool = False

    @property
    def available(self) -> bool:
        return self.state == Quote.State.AVAILABLE and not self.expired

    @property
    def computing(self) -> bool:
        return self.state == Quote.State.COMPUTING

    @property
    def retryable(self) -> bool:
        return self.state == Quote.State.FAILED or self.expired

    @property
    def free(self) -> bool:
        """The customer pays nothing: a price of 0, never a price nobody gave."""
        return self.customer_price_cents == 0


@dataclass
class ShippingOptions:
    shipback: Shipback
    offers: list[ModeOffer]
    destinations: list[Destination]

    @property
    def computing(self) -> bool:
        return any(offer.computing for offer in self.offers)

    @property
    def retryable(self) -> bool:
        return any(offer.retryable for offer in self.offers)

    @property
    def any_available(self) -> bool:
        return any(offer.available for offer in self.offers)

    def offer(self, mode: str) -> ModeOffer | None:
        return next((offer for offer in self.offers if offer.mode == mode), None)


def _customer_price(quote: Quote) -> int | None:
    """What the customer is shown they pay: the quote's customer price, else the provider's."""
    return quote.price_cents if quote.customer_price_cents is None else quote.customer_price_cents


def _unpriced(quote: Quote) -> bool:
    """Available, but with no price at all: the customer cannot be told what the mode costs."""
    return quote.state == Quote.State.AVAILABLE and _customer_price(quote) is None


def _offer_from_quote(quote: Quote, now: datetime) -> ModeOffer:
    # A mode nobody priced is not offered as free: it is shown as a failed quote ("Price
    # unavailable"), cannot be chosen, and the customer may ask for the prices again.
    return ModeOffer(
        mode=quote.mode,
        state=Quote.State.FAILED if _unpriced(quote) else quote.state,
        customer_price_cents=_customer_price(quote),
        dropoff_points=[p for p in quote.dropoff_points if isinstance(p, dict) and p.get("code")],
        pickup_slots=[s for s in quote.pickup_slots if isinstance(s, dict)],
        expired=quote.expires_at is not None and quote.expires_at < now,
    )


def shipping_options(*, shipback: Shipback, items: list[ReturnedItem]) -> ShippingOptions:
    """The quotes of each mode as they are now, and the direct mode when every warehouse the
    items go to takes parcels without a carrier label."""
    now = timezone.now()
    quotes = {quote.mode: quote for quote in shipback.quotes.all()}
    offers = [
        _offer_from_quote(quotes[mode], now)
        if mode in quotes
        else ModeOffer(mode=mode, state=Quote.State.COMPUTING)
        for mode in MODE_ORDER
    ]
    try:
        destinations = shipback_destinations(shipback=shipback, items=items)
    except DomainError:
        destinations = []
    if destinations and all(d.warehouse.accepts_direct_returns for d in destinations):
        offers.append(ModeOffer(mode=Shipback.Mode.DIRECT, state=Quote.State.AVAILABLE))
    return ShippingOptions(shipback=shipback, offers=offers, destinations=destinations)


def portal_quotes_ensure(*, shipback: Shipback) -> None:
    """Ask for the quotes missing (after a change cleared them); nothing when all exist."""
    if shipback.is_modifiable and shipback.quotes.count() < len(Quote.Mode.values):
        quotes_request(shipback_id=shipback.pk)


@transaction.atomic
def portal_quotes_retry(*, shipback_id) -> None:
    """Ask again for the quotes that failed, expired or came without a price."""
    shipback = Shipback.objects.select_for_update().get(pk=shipback_id)
    if not shipback.is_modifiable:
        raise PortalError(str(SERVICE_MESSAGES["SHIPBACK_REGISTERED"]))
    now = timezone.now()
    stale = [
        quote.pk
        for quote in shipback.quotes.all()
        if quote.state == Quote.State.FAILED
        or _unpriced(quote)
        or (quote.expires_at and quote.expires_at < now)
    ]
    Quote.objects.filter(pk__in=stale).delete()
    quotes_request(shipback_id=shipback.pk)


def slot_value(slot: dict) -> str:
    """A pickup slot as a form value: its time as the provider wrote it, and its duration."""
    return f"{slot.get('pickup_datetime')}|{int(slot.get('pickup_duration') or 0)}"


@transaction.atomic
def portal_mode_choose(
    *, shipback_id, mode: str, dropoff_code: str = "", pickup_slot: str = ""
) -> Shipback:
    """Record the mode the customer chose, with its drop-off point or pickup slot, among what
    the quotes offer (the direct mode only where every destination takes it)."""
    # Lock the shipback row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join to the customer's address.
    shipback = (
        Shipback.objects.select_for_update(of=("self",))
        .select_related("customer__address")
        .get(pk=shipback_id)
    )
    items = list(shipback.returned_items.select_related("order_item__product", "reason"))
    options = shipping_options(shipback=shipback, items=items)
    offer = options.offer(mode)
    if offer is None or not offer.available:
        raise PortalError(str(SERVICE_MESSAGES["UNAVAILABLE_MODE"]), field="mode")
    changes = {"mode": mode, "dropoff_code": ""}
    if mode == Shipback.Mode.DROPOFF:
        codes = {str(point.get("code")) for point in offer.dropoff_points}
        if dropoff_code not in codes:
            raise PortalError(str(SERVICE_MESSAGES["INVALID_DROPOFF_CODE"]), field="dropoff_code")
        changes["dropoff_code"] = dropoff_code
    if mode == Shipback.Mode.PICKUP:
        slot = next((s for s in offer.pickup_slots if slot_value(s) == pickup_slot), None)
        if slot is None:
            raise PortalError(str(SERVICE_MESSAGES["INVALID_PICKUP_SLOT"]), field="pickup_slot")
        changes["pickup_datetime"] = as_datetime(slot.get("pickup_datetime"))
        changes["pickup_duration"] = int(slot.get("pickup_duration") or 0)
    try:
        return shipback_update(shipback_id=shipback.pk, actor=CUSTOMER, **changes)
    except DomainError as error:
        raise PortalError(customer_message(error), field=error.field or "mode") from error


def chosen_offer(options: ShippingOptions) -> ModeOffer | None:
    """The offer of the mode the return has, if it is still available."""
    offer = options.offer(options.shipback.mode) if options.shipback.mode else None
    return offer if offer and offer.available else None


def chosen_dropoff_point(shipback: Shipback, offer: ModeOffer | None) -> dict | None:
    if offer is None or shipback.mode != Shipback.Mode.DROPOFF:
        return None
    return next(
        (p for p in offer.dropoff_points if str(p.get("code")) == shipback.dropoff_code), None
    )


def shipback_dropoff_point(shipback: Shipback) -> dict | None:
    """The drop-off point of a drop-off return, as its quote described it (one query)."""
    if shipback.mode != Shipback.Mode.DROPOFF or not shipback.dropoff_code:
        return None
    quote = shipback.quotes.filter(mode=Quote.Mode.DROPOFF).first()
    points = quote.dropoff_points if quote else []
    return next(
        (p for p in points if isinstance(p, dict) and str(p.get("code")) == shipback.dropoff_code),
        None,
    )
