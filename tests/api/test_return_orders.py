import pytest

from shipbacks.models import ReturnOrder
from tests.factories import (
    AddressFactory,
    CustomerFactory,
    ProductFactory,
    RelocationRuleFactory,
    ReturnOrderFactory,
    WarehouseFactory,
    return_order_in_state,
)

from .helpers import order_with_items, send

pytestmark = pytest.mark.django_db
State = ReturnOrder.State


@pytest.fixture
def warehouse():
    return WarehouseFactory(reference="WH-PARIS", shippingbo_supplier_id=1)


def test_a_return_order_from_an_order_expects_its_items_and_those_listed(api, warehouse):
    order = order_with_items(2, order_number="123")
    ProductFactory(reference="my_sku")

    response = send(
        api,
        "POST",
        "/api/v1/return_orders",
        {
            "order_id": 123,
            "reason": "broken product",
            "reason_ref": "REPAiR",
            "return_order_type": "return_order_customer",
            "warehouse_id": "WH-PARIS",
            "return_order_expected_items_attributes": [{"quantity": 2, "user_ref": "my_sku"}],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "new"
    assert body["order_id"] == str(order.pk)
    assert body["reason"] == "broken product"
    assert body["reason_ref"] == "REPAiR"
    assert body["return_order_type"] == "return_order_customer"
    assert body["warehouse"]["reference"] == "WH-PARIS"
    assert body["supplier_id"] == 1
    expected = [(i["user_ref"], i["quantity"]) for i in body["return_order_expected_items"]]
    assert len(expected) == 3
    assert ("my_sku", 2) in expected


def test_skip_expected_items_creation_expects_only_those_listed(api, warehouse):
    order_with_items(2, order_number="123")
    ProductFactory(reference="my_sku")

    response = send(
        api,
        "POST",
        "/api/v1/return_orders",
        {
            "order_id": "123",
            "supplier_id": 1,
            "skip_expected_items_creation": True,
            "return_order_expected_items_attributes": [{"quantity": 2, "user_ref": "my_sku"}],
        },
    )

    assert response.status_code == 201, response.json()
    assert [
        (i["user_ref"], i["quantity"]) for i in response.json()["return_order_expected_items"]
    ] == [("my_sku", 2)]
    assert response.json()["warehouse"]["id"] == str(warehouse.pk)


def test_a_third_party_names_the_order_by_source_and_source_ref(api, warehouse):
    order = order_with_items(1, source="Amazon-123", source_ref="amazon_order_id")

    response = send(
        api,
        "POST",
        "/api/v1/return_orders",
        {
            "source": "Amazon-123",
            "source_ref": "amazon_order_id",
            "reason": "broken product",
            "supplier_id": 1,
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["order_id"] == str(order.pk)
    assert response.json()["source_ref"] == "amazon_order_id"


def test_an_order_not_matched_is_404_as_shippingbo_answers(api, warehouse):
    by_source = send(
        api,
        "POST",
        "/api/v1/return_orders",
        {"source": "Amazon", "source_ref": "nope", "supplier_id": 1},
    )
    by_id = send(api, "POST", "/api/v1/return_orders", {"order_id": 999, "supplier_id": 1})

    assert by_source.status_code == 404
    assert by_id.status_code == 404
    assert not ReturnOrder.objects.exists()


def test_the_order_is_also_found_by_its_shippingbo_id(api, warehouse):
    order = order_with_items(1, shippingbo_order_id=4242)

    response = send(api, "POST", "/api/v1/return_orders", {"order_id": 4242, "supplier_id": 1})

    assert response.status_code == 201
    assert response.json()["order_id"] == str(order.pk)


def test_without_a_warehouse_the_catch_all_relocation_rule_gives_it(api):
    rule = RelocationRuleFactory()
    order = order_with_items(1)

    response = send(api, "POST", "/api/v1/return_orders", {"order_id": str(order.pk)})

    assert response.status_code == 201, response.json()
    assert response.json()["warehouse_id"] == str(rule.warehouse_id)


def test_a_country_rule_wins_over_the_catch_all(api):
    RelocationRuleFactory()
    german = RelocationRuleFactory(country_code="DE")
    customer = CustomerFactory(address=AddressFactory(country_code="DE"))
    order = order_with_items(1, customer=customer)

    response = send(api, "POST", "/api/v1/return_orders", {"order_id": order.order_number})

    assert response.json()["warehouse_id"] == str(german.warehouse_id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "order_id"),
        ({"order_id": "123", "supplier_id": 77}, "supplier_id"),
        ({"order_id": "123", "warehouse_id": "NOPE"}, "warehouse_id"),
        ({"order_id": "123"}, "warehouse_id"),
        (
            {
                "order_id": "123",
                "supplier_id": 1,
                "return_order_expected_items_attributes": [{"quantity": 1, "user_ref": "nope"}],
            },
            "return_order_expected_items_attributes[0].user_ref",
        ),
        (
            {
                "order_id": "123",
                "supplier_id": 1,
                "return_order_expected_items_attributes": [{"quantity": 0, "user_ref": "SKU"}],
            },
            "return_order_expected_items_attributes[0].quantity",
        ),
        ({"order_id": "123", "supplier_id": 1, "return_order_type": "nope"}, "return_order_type"),
    ],
)
def test_a_bad_return_order_is_422_with_the_field(api, warehouse, body, field):
    order_with_items(1, order_number="123")
    ProductFactory(reference="SKU")

    response = send(api, "POST", "/api/v1/return_orders", body)

    assert response.status_code == 422, response.json()
    assert field in [error.get("field") for error in response.json()["errors"]]


def test_return_orders_are_listed_and_found_by_id_or_reference(api):
    return_order = ReturnOrderFactory(items=2)

    listed = api.get("/api/v1/return_orders")
    by_reference = api.get(f"/api/v1/return_orders/{return_order.reference}")

    assert [r["id"] for r in listed.json()["return_orders"]] == [str(return_order.pk)]
    assert by_reference.json() == listed.json()["return_orders"][0]
    assert api.get("/api/v1/return_orders/nope").status_code == 404


def test_a_return_order_is_cancelled_before_arrival_only(api):
    waiting = return_order_in_state(State.AWAITING_ARRIVAL, items=1)
    arrived = return_order_in_state(State.ARRIVED, items=1)

    cancelled = api.post(f"/api/v1/return_orders/{waiting.pk}/cancel")
    refused = api.post(f"/api/v1/return_orders/{arrived.pk}/cancel")

    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["cancelled_at"]
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "INVALID_TRANSITION"


def test_a_warehouse_reports_what_arrived_then_completes(api):
    return_order = ReturnOrderFactory(items=1, items__product__reference="SKU-A")
    ProductFactory(reference="SKU-X")
    url = f"/api/v1/return_orders/{return_order.reference}"

    received = send(
        api,
        "POST",
        f"{url}/receive",
        {
            "items": [
                {
                    "user_ref": "SKU-A",
                    "quantity_received": 1,
                    "actions": [{"action": "restock", "quantity": 1}],
                },
                {
                    "user_ref": "SKU-X",
                    "quantity_received": 1,
                    "unexpected": True,
                    "note": "Not ordered",
                    "actions": [{"action": "quarantine", "reason": "?"}],
                },
            ]
        },
    )
    completed = api.post(f"{url}/complete")

    assert received.status_code == 200, received.json()
    assert received.json()["state"] == "processing"
    lines = received.json()["return_order_expected_items"]
    assert [(i["user_ref"], i["quantity_received"], i["unexpected"]) for i in lines] == [
        ("SKU-A", 1, False),
        ("SKU-X", 1, True),
    ]
    assert lines[1]["note"] == "Not ordered"
    assert lines[0]["actions"][0]["action"] == "restock"
    assert completed.status_code == 200, completed.json()
    assert completed.json()["state"] == "completed"


def test_receiving_more_than_expected_is_422_and_writes_nothing(api):
    return_order = ReturnOrderFactory(items=1, items__product__reference="SKU-A")

    response = send(
        api,
        "POST",
        f"/api/v1/return_orders/{return_order.pk}/receive",
        {"items": [{"user_ref": "SKU-A", "quantity_received": 2}]},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items[0].quantity_received"
    return_order.refresh_from_db()
    assert return_order.state == State.NEW


def test_completing_with_units_without_action_is_422(api):
    return_order = ReturnOrderFactory(items=1, items__product__reference="SKU-A")
    send(
        api,
        "POST",
        f"/api/v1/return_orders/{return_order.pk}/receive",
        {"items": [{"user_ref": "SKU-A", "quantity_received": 1}]},
    )

    response = api.post(f"/api/v1/return_orders/{return_order.pk}/complete")

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "ACTION_MISSING"


def test_a_completed_return_order_receives_nothing_more(api):
    completed = return_order_in_state(State.COMPLETED, items=1)
    reference = completed.expected_items.get().product.reference

    response = send(
        api,
        "POST",
        f"/api/v1/return_orders/{completed.pk}/receive",
        {"items": [{"user_ref": reference, "quantity_received": 1}]},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "RETURN_ORDER_CLOSED"
