import pytest

from shipbacks.models import Quote, ReturnOrder, Shipback
from tests.factories import (
    CustomerFactory,
    OrderItemFactory,
    ReturnReasonFactory,
    ShipbackFactory,
    WarehouseFactory,
    shipback_in_state,
)

from .helpers import order_with_items, send, shipback_with_quotes, warehouse_rule

pytestmark = pytest.mark.django_db
State = Shipback.State


@pytest.fixture
def reason():
    return ReturnReasonFactory(code="doesnt_fit")


def test_a_shipback_is_created_from_returned_items_with_the_order_customer_copied(api, reason):
    order = order_with_items(2)

    response = send(
        api,
        "POST",
        "/api/v1/shipbacks",
        {
            "order_id": order.order_number,
            "returned_items": [{"item_id": "item 1", "reason_code": "doesnt_fit"}],
            "state": "relocated",
            "price_cents": 1,
            "rma": "MINE",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "created"
    assert body["price_cents"] is None
    assert body["rma"] != "MINE"
    assert body["customer"]["email"] == order.customer.email
    assert body["customer"]["id"] != str(order.customer_id)
    assert body["order_id"] == str(order.pk)
    assert body["public_url"].endswith(f"/returns/track/{Shipback.objects.get().public_token}/")
    assert body["label_url"] is None
    assert body["tracking_number"] is None
    assert body["weight_in_grams"] == body["computed_weight_in_grams"] == 500


def test_a_shipback_can_have_its_own_customer(api, reason):
    order = order_with_items(1)
    customer = {"first_name": "Ana", "last_name": "Lopez", "email": "ana@example.com"}

    response = send(
        api,
        "POST",
        "/api/v1/shipbacks",
        {
            "order_id": str(order.pk),
            "items": [{"item_id": "item 1", "reason_code": "doesnt_fit"}],
            "customer": customer,
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["customer"]["email"] == "ana@example.com"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"order_id": "nope", "items": [{"item_id": "item 1", "reason_code": "doesnt_fit"}]},
            "order_id",
        ),
        (
            {"order_id": "ORD", "items": [{"item_id": "nope", "reason_code": "doesnt_fit"}]},
            "items[0].item_id",
        ),
        (
            {"order_id": "ORD", "items": [{"item_id": "item 1", "reason_code": "nope"}]},
            "items[0].reason_code",
        ),
        ({"order_id": "ORD", "items": []}, "items"),
        (
            {
                "order_id": "ORD",
                "items": [{"item_id": "item 1", "reason_code": "doesnt_fit", "quantity": 5}],
            },
            "quantity",
        ),
    ],
)
def test_a_shipback_with_bad_items_is_refused_with_the_field(api, reason, body, field):
    order_with_items(1, order_number="ORD")

    response = send(api, "POST", "/api/v1/shipbacks", body)

    assert response.status_code == 422, response.json()
    assert field in [error.get("field") for error in response.json()["errors"]]
    assert not Shipback.objects.exists()


def test_shipbacks_are_listed_and_found_by_id_or_rma(api):
    shipback = ShipbackFactory(items=1)

    listed = api.get("/api/v1/shipbacks")
    by_id = api.get(f"/api/v1/shipbacks/{shipback.pk}")
    by_rma = api.get(f"/api/v1/shipbacks/{shipback.rma}")

    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["shipbacks"]] == [str(shipback.pk)]
    assert by_id.json() == by_rma.json()
    assert api.get("/api/v1/shipbacks/R-UNKNOWN").status_code == 404


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_choosing_an_available_dropoff_point(api, method):
    shipback = shipback_with_quotes(dropoff=Quote.State.AVAILABLE, postal=Quote.State.COMPUTING)

    response = send(
        api,
        method,
        f"/api/v1/shipbacks/{shipback.pk}",
        {"mode": "dropoff", "dropoff_code": "O4001"},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["mode"] == "dropoff"
    assert response.json()["dropoff_code"] == "O4001"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"mode": "postal"}, "UNAVAILABLE_MODE"),
        ({"mode": "dropoff", "dropoff_code": "X999"}, "INVALID_DROPOFF_CODE"),
        (
            {"mode": "pickup", "pickup_datetime": "2018-01-19 10:00:00", "pickup_duration": 60},
            "INVALID_PICKUP_SLOT",
        ),
    ],
)
def test_choosing_a_mode_not_offered_is_422(api, body, code):
    shipback = shipback_with_quotes(
        postal=Quote.State.UNAVAILABLE, dropoff=Quote.State.AVAILABLE, pickup=Quote.State.AVAILABLE
    )

    response = send(api, "PUT", f"/api/v1/shipbacks/{shipback.pk}", body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == code
    shipback.refresh_from_db()
    assert shipback.mode == ""


def test_overrides_are_set_and_shown(api):
    shipback = ShipbackFactory(items=1)
    warehouse = WarehouseFactory(reference="E002")

    response = send(
        api,
        "POST",
        f"/api/v1/shipbacks/{shipback.rma}",
        {
            "overrides": {
                "relocation_warehouse_id": "E002",
                "postal_customer_price_cents": 450,
                "try_at_home": True,
            }
        },
    )

    assert response.status_code == 200, response.json()
    assert response.json()["overrides"] == {
        "relocation_warehouse_id": str(warehouse.pk),
        "dropoff_customer_price_cents": None,
        "postal_customer_price_cents": 450,
        "pickup_customer_price_cents": None,
        "try_at_home": True,
    }


def test_an_override_sent_as_null_is_removed_and_the_others_stay(api):
    warehouse = WarehouseFactory(reference="E002")
    shipback = ShipbackFactory(
        items=1, relocation_warehouse=warehouse, postal_customer_price_cents=450
    )

    response = send(
        api,
        "PUT",
        f"/api/v1/shipbacks/{shipback.pk}",
        {"overrides": {"postal_customer_price_cents": None}},
    )

    assert response.status_code == 200, response.json()
    overrides = response.json()["overrides"]
    assert overrides["postal_customer_price_cents"] is None
    assert overrides["relocation_warehouse_id"] == str(warehouse.pk)


def test_an_unknown_relocation_warehouse_is_422(api):
    shipback = ShipbackFactory(items=1)

    response = send(
        api,
        "PUT",
        f"/api/v1/shipbacks/{shipback.pk}",
        {"overrides": {"relocation_warehouse_id": "NOPE"}},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "overrides.relocation_warehouse_id"


def test_a_registered_shipback_cannot_change_nor_be_deleted(api):
    shipback = shipback_in_state(State.REGISTERED, items=1)

    updated = send(api, "PUT", f"/api/v1/shipbacks/{shipback.pk}", {"mode": "postal"})
    deleted = api.delete(f"/api/v1/shipbacks/{shipback.pk}", "[]", content_type="application/json")

    for response in (updated, deleted):
        assert response.status_code == 400
        assert response.json() == {
            "errors": [
                {
                    "code": "SHIPBACK_REGISTERED",
                    "message": "This shipback is already processing. You can't delete it.",
                }
            ]
        }
    assert Shipback.objects.filter(pk=shipback.pk).exists()


def test_a_shipback_not_registered_is_deleted(api):
    shipback = ShipbackFactory(items=1)

    response = api.delete(f"/api/v1/shipbacks/{shipback.pk}", "[]", content_type="application/json")

    assert response.status_code == 200
    assert response.json()["id"] == str(shipback.pk)
    assert not Shipback.objects.filter(pk=shipback.pk).exists()


def test_free_registers_the_shipback_with_its_quote_prices(api):
    warehouse_rule()
    shipback = shipback_with_quotes(postal=Quote.State.AVAILABLE)
    send(api, "PUT", f"/api/v1/shipbacks/{shipback.pk}", {"mode": "postal"})

    response = api.post(f"/api/v1/shipbacks/{shipback.pk}/free")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "registered"
    assert body["price_cents"] == 600
    assert body["customer_price_cents"] == 500
    assert ReturnOrder.objects.filter(shipback=shipback).count() == 1


def test_free_without_an_available_mode_is_422(api):
    warehouse_rule()
    shipback = shipback_with_quotes(postal=Quote.State.COMPUTING)
    Shipback.objects.filter(pk=shipback.pk).update(mode="postal")

    response = api.post(f"/api/v1/shipbacks/{shipback.pk}/free")

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "UNAVAILABLE_MODE"


def test_a_labelled_shipback_shows_its_label_and_tracking_number(api):
    shipback = shipback_in_state(State.REGISTERED, items=1)
    Shipback.objects.filter(pk=shipback.pk).update(
        label_url="https://labels.example.com/1.pdf", tracking_number="6A123"
    )

    body = api.get(f"/api/v1/shipbacks/{shipback.pk}").json()

    assert body["label_url"] == "https://labels.example.com/1.pdf"
    assert body["tracking_number"] == "6A123"


def test_returned_items_are_listed_added_changed_and_removed(api, reason):
    shipback = ShipbackFactory(items=1, items__reason=reason)
    extra = OrderItemFactory(order=shipback.order, reference="extra", quantity=2)
    other_reason = ReturnReasonFactory(code="damaged")
    url = f"/api/v1/shipbacks/{shipback.pk}/returned_items"

    added = send(api, "POST", url, {"item_id": "extra", "reason_code": "doesnt_fit"})
    item_url = f"{url}/{added.json()['id']}"
    changed = send(api, "PUT", item_url, {"quantity": 2, "reason_code": "damaged"})
    fetched = api.get(item_url)
    listed = api.generic("GET", url, "[]", "application/json")
    removed = api.delete(item_url)

    assert added.status_code == 201, added.json()
    assert added.json()["item_id"] == str(extra.pk)
    assert changed.status_code == 200, changed.json()
    assert changed.json()["quantity"] == 2
    assert changed.json()["reason_code"] == other_reason.code
    assert fetched.json() == changed.json()
    assert len(listed.json()["returned_items"]) == 2
    assert removed.status_code == 200
    assert shipback.returned_items.count() == 1


def test_the_last_returned_item_cannot_be_removed(api):
    shipback = ShipbackFactory(items=1)
    item = shipback.returned_items.get()

    response = api.delete(f"/api/v1/shipbacks/{shipback.pk}/returned_items/{item.pk}")

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "REQUIRED"


def test_returned_items_of_a_registered_shipback_cannot_change(api, reason):
    shipback = shipback_in_state(State.REGISTERED, items=1)
    OrderItemFactory(order=shipback.order, reference="extra")

    response = send(
        api,
        "POST",
        f"/api/v1/shipbacks/{shipback.pk}/returned_items",
        {"item_id": "extra", "reason_code": "doesnt_fit"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "SHIPBACK_REGISTERED"


def test_the_shipback_customer_is_read_and_changed_without_touching_the_order(api):
    order_customer = CustomerFactory()
    shipback = ShipbackFactory(items=1, order__customer=order_customer)
    # the shipback keeps its own copy
    from orders.services import customer_copy

    Shipback.objects.filter(pk=shipback.pk).update(customer=customer_copy(customer=order_customer))
    url = f"/api/v1/shipbacks/{shipback.pk}/customer"

    before = api.get(url)
    after = send(api, "PUT", url, {"phone": "0600000000", "address": {"city": "Lyon"}})

    assert before.status_code == 200
    assert before.json()["email"] == order_customer.email
    assert after.status_code == 200, after.json()
    assert after.json()["phone"] == "0600000000"
    assert after.json()["address"]["city"] == "Lyon"
    order_customer.refresh_from_db()
    assert order_customer.phone == ""
    assert order_customer.address.city == "Paris"


def test_a_reason_no_longer_offered_is_422(api):
    ReturnReasonFactory(code="old", active=False)
    order_with_items(1, order_number="ORD")

    response = send(
        api,
        "POST",
        "/api/v1/shipbacks",
        {"order_id": "ORD", "items": [{"item_id": "item 1", "reason_code": "old"}]},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "INVALID_REASON"


def test_free_without_a_warehouse_to_receive_the_return_is_422(api):
    shipback = shipback_with_quotes(postal=Quote.State.AVAILABLE)
    Shipback.objects.filter(pk=shipback.pk).update(mode="postal")

    response = api.post(f"/api/v1/shipbacks/{shipback.pk}/free")

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "NO_WAREHOUSE"
    shipback.refresh_from_db()
    assert shipback.state == State.CREATED
