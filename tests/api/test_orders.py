import pytest

from orders.models import Order, OrderItem
from shipbacks.models import Shipback
from tests.factories import ProductFactory, ReturnOrderFactory, ShipbackFactory, shipback_in_state

from .helpers import order_with_items, send

pytestmark = pytest.mark.django_db


def order_body(product, **fields):
    return {
        "ordered_at": "2017-02-03",
        "order_number": "4548-9854",
        "customer": {
            "first_name": " Steve",
            "last_name": "Jobs ",
            "email": "steve@apple.com",
            "phone": "555-878-456",
            "address": {
                "line1": "One Infinite Loop",
                "line2": "Building B",
                "zipcode": "95014",
                "country_code": "US",
                "city": "Cupertino",
                "state": "California",
            },
        },
        "items": [{"product_id": product.reference, "price_cents": 119900}],
        "metadata": {"foo": "bar", "nested": {"list": [1, "two", None], "n": 1.5}},
        **fields,
    }


def test_an_order_is_created_with_its_customer_items_and_metadata_unaltered(api):
    product = ProductFactory()
    body = order_body(product)

    response = send(api, "POST", "/api/v1/orders", body)

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["ordered_at"] == "2017-02-03"
    assert created["metadata"] == body["metadata"]
    assert created["customer"]["first_name"] == " Steve"
    assert created["customer"]["last_name"] == "Jobs "
    assert created["customer"]["address"]["state"] == "California"
    (item,) = created["items"]
    assert item["reference"] == "1"
    assert item["price_cents"] == 119900
    assert item["product_id"] == str(product.pk)
    assert item["product"]["reference"] == product.reference
    assert item["product"]["brand_name"] == "default"
    assert created["shipback"] is None


def test_an_order_date_with_a_time_keeps_the_date(api):
    response = send(
        api,
        "POST",
        "/api/v1/orders",
        order_body(ProductFactory(), ordered_at="2017-02-03 10:20:30"),
    )

    assert response.status_code == 201, response.json()
    assert Order.objects.get().ordered_at.isoformat() == "2017-02-03"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ordered_at": "03/02/2017"}, "ordered_at"),
        ({"items": []}, "items"),
        ({"items": [{"product_id": "nope"}]}, "items[0].product_id"),
        ({"customer": {"first_name": "Steve"}}, "customer.last_name"),
        ({"metadata": ["not", "an", "object"]}, "metadata"),
    ],
)
def test_a_bad_order_is_422_with_the_field_and_nothing_written(api, change, field):
    response = send(api, "POST", "/api/v1/orders", order_body(ProductFactory(), **change))

    assert response.status_code == 422
    assert field in [error.get("field") for error in response.json()["errors"]]
    assert not Order.objects.exists()


def test_an_address_country_not_in_iso_capitals_is_422_and_writes_nothing(api):
    body = order_body(ProductFactory())
    body["customer"]["address"]["country_code"] = "usa"

    response = send(api, "POST", "/api/v1/orders", body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("country_code")
    assert not Order.objects.exists()


def test_an_order_number_is_unique(api):
    order_with_items(1, order_number="4548-9854")

    response = send(api, "POST", "/api/v1/orders", order_body(ProductFactory()))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "order_number"


def test_an_order_is_found_by_id_or_number_with_its_latest_shipback(api):
    order = order_with_items(1, order_number="4548-9854")
    shipback = ShipbackFactory(order=order, items=1)

    by_id = api.get(f"/api/v1/orders/{order.pk}").json()
    by_number = api.get("/api/v1/orders/4548-9854").json()

    assert by_id == by_number
    assert by_id["shipback"] == {
        "id": str(shipback.pk),
        "state": "created",
        "mode": None,
        "created_at": by_id["shipback"]["created_at"],
        "public_url": shipback.public_url,
    }


def test_an_update_changes_only_the_keys_given(api):
    order = order_with_items(1, order_number="4548-9854")

    response = send(
        api,
        "PUT",
        "/api/v1/orders/4548-9854",
        {"metadata": {"foo": "bar"}, "customer": {"phone": "0102030405"}, "unknown": 1},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["metadata"] == {"foo": "bar"}
    assert body["customer"]["phone"] == "0102030405"
    assert body["customer"]["email"] == order.customer.email
    assert body["order_number"] == "4548-9854"


def test_an_order_with_a_registered_return_cannot_be_updated(api):
    shipback = shipback_in_state(Shipback.State.REGISTERED, items=1)

    response = send(
        api, "PUT", f"/api/v1/orders/{shipback.order.order_number}", {"metadata": {"x": 1}}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "SHIPBACK_REGISTERED"


def test_an_order_without_shipback_is_deleted_with_its_customer(api):
    order = order_with_items(1)

    response = api.delete(f"/api/v1/orders/{order.pk}", "[]", content_type="application/json")

    assert response.status_code == 200
    assert response.json()["order_number"] == order.order_number
    assert not Order.objects.exists()


def test_deleting_an_order_with_a_shipback_is_refused_as_shoprunback_documents(api):
    shipback = ShipbackFactory(items=1)

    response = api.delete(f"/api/v1/orders/{shipback.order.pk}")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"code": "DEPENDENT_SHIPBACK", "message": f"dependent shipback found ({shipback.pk})"}
        ]
    }


def test_order_items_are_listed_added_read_changed_and_removed(api):
    order = order_with_items(1, order_number="A1")
    product = ProductFactory(reference="CAP")

    added = send(
        api,
        "POST",
        "/api/v1/orders/A1/items",
        {"product_id": "CAP", "reference": "cap", "quantity": 2},
    )
    listed = api.get("/api/v1/orders/A1/items")
    read = api.get("/api/v1/orders/A1/items/cap")
    changed = send(api, "PUT", "/api/v1/orders/A1/items/cap", {"label": "Red cap"})
    removed = api.delete(f"/api/v1/orders/A1/items/{added.json()['id']}")

    assert added.status_code == 201, added.json()
    assert added.json()["product_id"] == str(product.pk)
    assert [i["reference"] for i in listed.json()["items"]] == ["item 1", "cap"]
    assert read.json()["quantity"] == 2
    assert changed.json()["label"] == "Red cap"
    assert removed.status_code == 200
    assert list(OrderItem.objects.filter(order=order).values_list("reference", flat=True)) == [
        "item 1"
    ]


def test_an_item_in_a_return_cannot_be_removed(api):
    shipback = ShipbackFactory(items=1)
    item = shipback.returned_items.get().order_item

    response = api.delete(f"/api/v1/orders/{shipback.order.pk}/items/{item.pk}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "DEPENDENT_SHIPBACK"


def test_an_unknown_order_is_404(api):
    assert api.get("/api/v1/orders/nope").status_code == 404
    assert api.get("/api/v1/orders/nope/items").status_code == 404


def test_deleting_an_order_with_a_return_order_is_refused(api):
    return_order = ReturnOrderFactory(items=1)

    response = api.delete(f"/api/v1/orders/{return_order.order.pk}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "DEPENDENT_RETURN_ORDER"
