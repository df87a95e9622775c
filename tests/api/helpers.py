"""Helpers for API tests: sending bodies as clients do, and records in the states tests need."""

import json
import re
import uuid
from urllib.parse import quote

from catalog.models import Brand
from shipbacks.models import Quote
from tests.factories import (
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    QuoteFactory,
    RelocationRuleFactory,
    ReturnReasonFactory,
    ShipbackFactory,
)

APPLE_ID = "1f27f9d9-3b5c-4152-98b7-760f56967dea"


def send(api, method: str, path: str, body=None, **headers):
    """Send ``body`` as a JSON text exactly as given (str), or JSON-encoded (anything else)."""
    call = getattr(api, method.lower())
    if body is None:
        return call(path, **headers)
    if isinstance(body, str):
        return call(path, body, content_type="application/json; charset=utf-8", **headers)
    return call(path, body, format="json", **headers)


def new_key() -> str:
    return str(uuid.uuid4())


def loads_printed(text: str):
    """A printed body as data (its trailing commas removed), for tests that need its values."""
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


def httparty_form(data, prefix: str = "") -> str:
    """What Ruby's HTTParty sends for a Hash ``body``: Rails-style nested form fields
    (``a[b]=c``, ``items[][k]=v``), whatever the Content-Type header says."""
    pairs = []

    def walk(key, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{key}[{k}]" if key else k, v)
        elif isinstance(value, list):
            for element in value:
                walk(f"{key}[]", element)
        else:
            text = "true" if value is True else "false" if value is False else str(value)
            pairs.append(f"{quote(key, safe='[]')}={quote(text)}")

    walk(prefix, data)
    return "&".join(pairs)


def apple_brand() -> Brand:
    """Seed 002's brand, with the id its examples use."""
    return Brand.objects.create(id=APPLE_ID, name="Apple", reference="apple")


def apple_product():
    """Seed 002's product id (``1f27f9d9-…``), as its order examples name it."""
    return ProductFactory(id=APPLE_ID, label="Iphone 14S Red", reference="IPHONE 14S R")


def order_with_items(count: int = 2, **fields):
    order = OrderFactory(**fields)
    for index in range(count):
        OrderItemFactory(order=order, reference=f"item {index + 1}")
    return order


def warehouse_rule():
    """A catch-all relocation rule, so shipbacks can be registered."""
    return RelocationRuleFactory()


def shipback_with_quotes(**states):
    """A created shipback of one item, and its quotes (``postal="available"``…). Available
    drop-off quotes offer point O4001, pickup ones the slot 2018-01-18 14:00:00 for 120 min."""
    reason = ReturnReasonFactory(code="doesnt_fit")
    shipback = ShipbackFactory(items=1, items__reason=reason)
    for mode, state in states.items():
        quote = QuoteFactory(shipback=shipback, mode=mode)
        fields = {"state": state}
        if state == Quote.State.AVAILABLE:
            fields.update(price_cents=600, customer_price_cents=500)
            if mode == Quote.Mode.DROPOFF:
                fields["dropoff_points"] = [
                    {
                        "code": "O4001",
                        "name": "Relais Rivoli",
                        "address": "12 rue de Rivoli, 75004 Paris",
                        "opening_hours": {"mon": "09:00-19:00"},
                    }
                ]
            if mode == Quote.Mode.PICKUP:
                fields["pickup_slots"] = [
                    {"pickup_datetime": "2018-01-18 14:00:00", "pickup_duration": 120}
                ]
        Quote.objects.filter(pk=quote.pk).update(**fields)
    return shipback
