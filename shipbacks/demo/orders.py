"""Customers' orders: the fixed ones of the portal demo (DEMO-1001, DEMO-1002) and the generated
ones, each drawn from its own ``random.Random``, with their outbound shipments."""

import random
import unicodedata
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from catalog.models import Product
from orders.models import Order, Shipment
from orders.services import AddressData, CustomerData, OrderData, OrderItemData, order_create

from .data import COUNTRIES, FIXED_ORDERS, SEED, Country


def order_number(position: int) -> str:
    """The demo orders are DEMO-1001, DEMO-1002, ..."""
    return f"DEMO-{1000 + position}"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def ensure_orders(count: int, today: date, products: dict) -> None:
    numbers = [order_number(position) for position in range(1, count + 1)]
    existing = set(
        Order.objects.filter(order_number__in=numbers).values_list("order_number", flat=True)
    )
    shipments = []
    for position, number in enumerate(numbers, start=1):
        if number in existing:
            continue
        if position <= len(FIXED_ORDERS):
            data, shipment = _fixed_order(FIXED_ORDERS[position - 1], today, products)
        else:
            data, shipment = _generated_order(number, today, products)
        order = order_create(data=data)
        if shipment:
            shipments.append(Shipment(order=order, **shipment))
    # Outbound shipments have no service: nothing but plain rows, no state.
    Shipment.objects.bulk_create(shipments)


def _fixed_order(spec: dict, today: date, products: dict) -> tuple[OrderData, dict]:
    ordered_at = today - timedelta(days=spec["ordered_days_ago"])
    delivered = today - timedelta(days=spec["delivered_days_ago"])
    items = [_item(products[reference], quantity, "EUR") for reference, quantity in spec["items"]]
    data = OrderData(
        order_number=spec["order_number"],
        ordered_at=ordered_at,
        customer=spec["customer"],
        items=items,
    )
    shipment = {
        "carrier": "Colissimo",
        "tracking_number": spec["tracking_number"],
        "shipped_at": at(ordered_at + timedelta(days=1), 17, 30),
        "delivered_at": at(delivered, 11, 40),
    }
    return data, shipment


def _item(product: Product, quantity: int, currency: str) -> OrderItemData:
    price = product.metadata.get("price_cents", 1990)
    rate = {"EUR": 1, "GBP": 0.86, "USD": 1.08}[currency]
    return OrderItemData(
        product=product,
        label=product.label,
        barcode=product.ean,
        price_cents=max(int(round(price * rate, -2)) - 10, 90),
        currency=currency,
        quantity=quantity,
    )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _generated_order(number: str, today: date, products: dict) -> tuple[OrderData, dict | None]:
    rng = random.Random(f"{SEED}:order:{number}")
    country = rng.choices(list(COUNTRIES.values()), [c.weight for c in COUNTRIES.values()])[0]
    street, zipcode, city, state, locale = rng.choice(country.places)
    if country.code == "FR" and rng.random() < 0.15:
        locale = "en"
    first_name = rng.choice(country.first_names)
    last_name = rng.choice(country.last_names)
    domain = rng.choice(("example.com", "example.org", "example.net"))
    customer = CustomerData(
        first_name=first_name,
        last_name=last_name,
        email=f"{_ascii(first_name)}.{_ascii(last_name).replace(' ', '')}{number[5:]}@{domain}",
        phone="".join(str(rng.randint(0, 9)) if c == "#" else c for c in country.phone),
        locale=locale,
        address=AddressData(
            line1=street_line(country, street, rng.randint(1, 140)),
            zipcode=zipcode,
            city=city,
            state=state,
            country_code=country.code,
        ),
    )
    catalog = sorted(products.values(), key=lambda p: p.reference)
    picked = rng.sample(catalog, rng.choices((1, 2, 3), (55, 30, 15))[0])
    items = [_item(p, 2 if rng.random() < 0.15 else 1, country.currency) for p in picked]
    ordered_at = today - timedelta(days=rng.randint(2, 60))
    source, source_ref = "", ""
    if rng.random() < 0.1:
        source = "amazon"
        source_ref = f"40{rng.randint(1, 9)}-{rng.randint(10**6, 10**7 - 1)}-{number[5:]}000"
    data = OrderData(
        order_number=number,
        ordered_at=ordered_at,
        customer=customer,
        items=items,
        source=source,
        source_ref=source_ref,
    )
    shipped = ordered_at + timedelta(days=rng.randint(0, 2))
    if shipped >= today:
        return data, None
    delivered = shipped + timedelta(days=rng.randint(1, 4) + (2 if country.code == "US" else 0))
    return data, {
        "carrier": country.carrier,
        "tracking_number": tracking(rng, country),
        "shipped_at": at(shipped, 17, rng.randint(0, 59)),
        # Not delivered yet when the delivery day is still ahead.
        "delivered_at": at(delivered, rng.randint(9, 18), rng.randint(0, 59))
        if delivered < today
        else None,
    }


def tracking(rng: random.Random, country: Country) -> str:
    prefix, suffix = country.tracking
    return f"{prefix}{rng.randint(10**10, 10**11 - 1)}{suffix}"


def street_line(country: Country, street: str, house: int) -> str:
    return f"{house} {street}" if country.number_first else f"{street} {house}"
