"""What the provider would quote for a return (prices after the merchant's sponsoring, drop-off
points, pickup slots), the mode the customer picks, and the quotes as the provider computed
them."""

from datetime import datetime, timedelta

from orders.models import Address

from ..models import Quote, RelocationRule, Shipback, SponsoringRule
from ..services import ReturnedItemData, quote_record_result, quotes_request
from .data import Country
from .orders import at, street_line

SB = Shipback.State

OPENING_HOURS = (
    "Mon–Sat 09:00–19:00",
    "Mon–Fri 08:30–20:00, Sat 09:00–13:00",
    "Every day 07:00–22:00",
)


def _merchant_rule(items: list[ReturnedItemData], country: str) -> SponsoringRule | None:
    """The most generous sponsoring rule among the items' reasons (demo assumption)."""
    rules = [
        SponsoringRule.objects.matching(reason_id=item.reason.pk, country_code=country).first()
        for item in items
    ]
    return max((r for r in rules if r), key=lambda r: r.percentage, default=None)


def provider_offer(
    rng, country: Country, near: Address, items, slots_from
) -> dict[str, dict | None]:
    """What the provider would quote for each mode (None: mode not offered there), with
    drop-off points near the customer."""
    rule = _merchant_rule(items, country.code)
    offer = {}
    for mode, price in country.return_prices.items():
        if price is None:
            offer[mode] = None
            continue
        customer_price = price * (100 - (rule.percentage if rule else 0)) // 100
        if rule and rule.customer_fee_max_cents is not None:
            customer_price = min(customer_price, rule.customer_fee_max_cents)
        offer[mode] = {"price_cents": price, "customer_price_cents": customer_price}
    if offer.get(Quote.Mode.DROPOFF):
        offer[Quote.Mode.DROPOFF]["dropoff_points"] = [
            {
                "code": f"{country.code}{rng.randint(1000, 9999)}",
                "name": f"{country.dropoff_network} – {shop}",
                "address": f"{street_line(country, street, rng.randint(1, 90))}, "
                f"{near.zipcode} {near.city}",
                "opening_hours": rng.choice(OPENING_HOURS),
            }
            for shop, (street, *_) in zip(
                rng.sample(country.shops, 3), rng.sample(country.places, 3), strict=True
            )
        ]
    if offer.get(Quote.Mode.PICKUP):
        days = [slots_from + timedelta(days=n) for n in range(5)]
        weekdays = [day for day in days if day.weekday() < 5][:2]
        offer[Quote.Mode.PICKUP]["pickup_slots"] = [
            {"pickup_datetime": at(day, hour).isoformat(), "pickup_duration": 240}
            for day in weekdays
            for hour in (9, 14)
        ]
    return offer


def choose_mode(rng, target, country: Country, items, offer) -> str:
    modes = [m for m in (Quote.Mode.POSTAL, Quote.Mode.DROPOFF, Quote.Mode.PICKUP) if offer[m]]
    weights = [{"postal": 40, "dropoff": 35, "pickup": 20}[m] for m in modes]
    # Direct returns skip the label: only where every destination accepts them.
    destinations = [
        RelocationRule.objects.matching(reason_id=i.reason.pk, country_code=country.code).first()
        for i in items
    ]
    if target != SB.LABELLED and all(
        r and r.warehouse.accepts_direct_returns for r in destinations
    ):
        modes.append(Shipback.Mode.DIRECT)
        weights.append(10)
    return rng.choices(modes, weights)[0]


def record_quotes(shipback: Shipback, offer: dict, *, expires_at: datetime) -> None:
    """The three quotes, as the provider computed them."""
    for quote in quotes_request(shipback_id=shipback.pk):
        result = offer[quote.mode]
        if result is None:
            quote_record_result(quote_id=quote.pk, state=Quote.State.UNAVAILABLE)
            continue
        quote_record_result(
            quote_id=quote.pk,
            state=Quote.State.AVAILABLE,
            price_cents=result["price_cents"],
            customer_price_cents=result["customer_price_cents"],
            dropoff_points=result.get("dropoff_points"),
            pickup_slots=result.get("pickup_slots"),
            provider_reference=f"Q{shipback.rma[1:]}{quote.mode[:2].upper()}",
            expires_at=expires_at,
        )
