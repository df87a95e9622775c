"""Every request body printed in ShopRunBack's documents, replayed as printed, is accepted.

Ruby's examples are replayed twice: as the JSON text printed, and as HTTParty actually sends a
Hash body (Rails-style form fields under a JSON Content-Type).
"""

import pytest

from catalog.models import Brand, Product
from orders.models import Order
from shipbacks.models import Quote, Shipback
from tests.factories import ProductFactory, ReturnReasonFactory, WarehouseFactory

from .helpers import (
    APPLE_ID,
    apple_brand,
    apple_product,
    httparty_form,
    loads_printed,
    order_with_items,
    send,
    shipback_with_quotes,
)
from .seed_bodies import BODIES

pytestmark = pytest.mark.django_db


def _setup_and_call(section: str):
    """The records the example assumes, and the request it is sent with."""
    if section == "Create a brand":
        return "POST", "/api/v1/brands", 201
    if section == "Add your products":
        apple_brand()
        return "POST", "/api/v1/products", 201
    if section == "Create a product with its brand":
        return "POST", "/api/v1/products", 201
    if section == "Create an order":
        apple_product()
        return "POST", "/api/v1/orders", 201
    if section == "Update an order":
        apple_product()
        order_with_items(order_number="4548-9854")
        return "PUT", "/api/v1/orders/4548-9854", 200
    if section == "Create the order":
        ProductFactory(reference="reference1")
        ProductFactory(reference="reference2")
        return "POST", "/api/v1/orders", 201
    if section == "Create the shipback":
        ReturnReasonFactory(code="doesnt_fit")
        order_with_items(order_number="1234567")
        return "POST", "/api/v1/shipbacks", 201
    if section == "Mode Dropoff":
        shipback = shipback_with_quotes(dropoff=Quote.State.AVAILABLE)
    elif section == "Mode Pickup":
        shipback = shipback_with_quotes(pickup=Quote.State.AVAILABLE)
    else:  # overrides: before the quotes are computed, the mode is a preference
        WarehouseFactory(reference="E002")
        shipback = shipback_with_quotes()
    return "POST", f"/api/v1/shipbacks/{shipback.pk}", 200


def _check(section: str, sent: dict, response) -> None:
    body = response.json()
    if section == "Create a brand":
        assert Brand.objects.get(reference="apple").name == "Apple"
    elif section in ("Add your products", "Create a product with its brand"):
        product = Product.objects.select_related("brand").get(reference="IPHONE 14S B")
        assert product.brand.reference == "apple"
        assert body["brand"]["reference"] == "apple"
        assert Brand.objects.filter(reference="apple").count() == 1
    elif section in ("Create an order", "Create the order"):
        order = Order.objects.get(order_number=sent["order_number"])
        assert body["ordered_at"] == sent["ordered_at"]
        assert body["metadata"] == sent.get("metadata", {})
        assert order.items.count() == len(sent["items"])
        assert body["customer"]["email"] == sent["customer"]["email"]
    elif section == "Update an order":
        assert body["metadata"] == {"foo": "bar"}
        assert body["customer"]["first_name"] == "Steve"
    elif section == "Create the shipback":
        assert [i["item"]["reference"] for i in body["returned_items"]] == ["item 2"]
    else:
        shipback = Shipback.objects.get(pk=body["id"])
        for key, value in sent.get("overrides", {}).items():
            if key == "relocation_warehouse_id":
                assert shipback.relocation_warehouse.reference == value
            else:
                assert getattr(shipback, key) == value
        if "mode" in sent:
            assert shipback.mode == sent["mode"]


@pytest.mark.parametrize(
    ("document", "language", "section", "body"),
    BODIES,
    ids=[f"{d}-{lang}-{section}" for d, lang, section, _ in BODIES],
)
def test_the_printed_body_is_accepted(api, document, language, section, body):
    method, path, expected = _setup_and_call(section)

    if language == "ruby-httparty":
        response = api.generic(method, path, body, content_type="application/json")
    elif section == "Try at Home" and language == "curl":
        # `curl -X POST -d '{…}'` without -H: curl labels the JSON as a form.
        response = api.generic(method, path, body, "application/x-www-form-urlencoded")
    else:
        response = send(api, method, path, body)

    assert response.status_code == expected, response.json()
    sent = loads_printed(body) if body.lstrip().startswith("{") else {}
    _check(section, sent, response)


RUBY = [(d, section, body) for d, lang, section, body in BODIES if lang == "ruby"]


@pytest.mark.parametrize(
    ("document", "section", "body"), RUBY, ids=[f"{d}-{section}" for d, section, _ in RUBY]
)
def test_the_ruby_example_as_httparty_sends_it_is_accepted(api, document, section, body):
    method, path, expected = _setup_and_call(section)
    form = httparty_form(loads_printed(body))

    response = api.generic(method, path, form, content_type="application/json")

    assert response.status_code == expected, response.json()


def test_the_php_library_creates_an_order_then_its_shipback_by_ids(api):
    # given: seed 003's PHP example: the shipback names the order and its item by their ids
    ReturnReasonFactory(code="doesnt_fit")
    apple_product()
    order = send(
        api,
        "POST",
        "/api/v1/orders",
        {
            "order_number": "4548-9854",
            "customer": {
                "email": "steve@apple.com",
                "phone": "555-878-456",
                "last_name": "Jobs",
                "first_name": "Steve",
                "address": {
                    "country_code": "US",
                    "line2": "Building B",
                    "state": "California",
                    "line1": "One Infinite Loop",
                    "zipcode": "95014",
                    "city": "Cupertino",
                },
            },
            "items": [{"product_id": APPLE_ID}],
            "ordered_at": "2017-02-03",
        },
    ).json()

    # when
    response = send(
        api,
        "POST",
        "/api/v1/shipbacks",
        {
            "order_id": order["id"],
            "items": [{"item_id": order["items"][0]["id"], "reason_code": "doesnt_fit"}],
        },
    )

    # then
    assert response.status_code == 201, response.json()
    assert response.json()["returned_items"][0]["item_id"] == order["items"][0]["id"]
