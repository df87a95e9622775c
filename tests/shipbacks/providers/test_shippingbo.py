"""Shippingbo client and adapter: seed 000, the spec, and both shapes of its answers.

Every request the client builds is validated against shippingbo.openapi.yaml (see specs.py).
The recorded return orders follow the spec's ReturnOrder schema; the live API wraps them under
``return_order`` (seed README, known difference), which ``return_order_new_wrapped.json`` shows.
"""

import pytest
from responses import matchers

from shipbacks.providers.errors import ProviderRejected
from shipbacks.providers.shippingbo import adapter
from shipbacks.providers.shippingbo.client import ShippingboClient
from shipbacks.providers.types import ExpectedLine, ReturnOrderRequest

from .helpers import load_payload, sent_json
from .specs import assert_valid_request, shippingbo_openapi, shippingbo_spec_dict

API = "https://app.shippingbo.com"
HEADERS = matchers.header_matcher(
    {
        "X-API-VERSION": "1",
        "X-API-APP-ID": "2",
        "Authorization": "Bearer WpS-eTz0ZQMq_91O-vH4Q_FobPrXfk8a4jtLwVt6-gw",
    }
)


@pytest.fixture
def client():
    return ShippingboClient(
        base_url=API, app_id="2", token="WpS-eTz0ZQMq_91O-vH4Q_FobPrXfk8a4jtLwVt6-gw"
    )


def a_request(**overrides):
    values = {
        "reference": "ROK7Q2M9XA",
        "items": [ExpectedLine(sku="my_sku", quantity=2)],
        "provider_order_id": 123,
        "reason": "broken product",
        "reason_ref": "REPAIR",
    }
    return ReturnOrderRequest(**{**values, **overrides})


def assert_all_requests_match_the_spec(http):
    for call in http.calls:
        assert_valid_request(shippingbo_openapi(), call.request)


# Creating ------------------------------------------------------------------------------------


def test_a_return_order_is_created_from_the_order_id_with_our_expected_items(http, client):
    http.post(
        f"{API}/return_orders",
        json=load_payload("shippingbo/return_order_new_wrapped.json"),
        match=[HEADERS],
    )

    remote = adapter.create_return_order(client, a_request())

    assert sent_json(http.calls[0]) == {
        "order_id": 123,
        "reason": "broken product (REPAIR)",
        "reason_ref": "ROK7Q2M9XA",
        "return_order_type": "return_order_customer",
        "skip_expected_items_creation": True,
        "return_order_expected_items_attributes": [{"quantity": 2, "user_ref": "my_sku"}],
    }
    assert http.calls[0].request.headers["Content-Type"] == "application/json"
    assert_all_requests_match_the_spec(http)
    assert (remote.provider_id, remote.state, remote.raw_status) == (
        "4522",
        "awaiting_arrival",
        "new",
    )


def test_a_third_partys_return_names_the_order_by_source_and_goes_to_the_chosen_supplier(
    http, client
):
    http.post(f"{API}/return_orders", json=load_payload("shippingbo/return_order_returned.json"))
    request = a_request(
        provider_order_id=None,
        source="Amazon-123",
        source_ref="amazon_order_id",
        warehouse_provider_id=1,
    )

    adapter.create_return_order(client, request)

    body = sent_json(http.calls[0])
    assert "order_id" not in body
    assert (body["source"], body["source_ref"], body["supplier_id"]) == (
        "Amazon-123",
        "amazon_order_id",
        1,
    )
    assert_all_requests_match_the_spec(http)


def test_without_expected_lines_shippingbo_expects_the_whole_order(http, client):
    http.post(f"{API}/return_orders", json=load_payload("shippingbo/return_order_returned.json"))

    adapter.create_return_order(client, a_request(items=[], reason_ref=""))

    body = sent_json(http.calls[0])
    assert body["skip_expected_items_creation"] is False
    assert body["reason"] == "broken product"


def test_a_return_order_naming_no_order_is_refused_before_sending(client):
    request = a_request(provider_order_id=None)

    with pytest.raises(ProviderRejected) as caught:
        adapter.create_return_order(client, request)

    assert caught.value.status is None
    assert "order_id" in caught.value.field_errors


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "Shippingbo does not know order id 123."),
        (
            {"provider_order_id": None, "source": "Amazon-123", "source_ref": "amz-9"},
            "Shippingbo does not know order Amazon-123 amz-9.",
        ),
    ],
)
def test_an_order_shippingbo_does_not_know_is_rejected_clearly(http, client, overrides, message):
    http.post(f"{API}/return_orders", status=404, json={"error": "Not found"})

    with pytest.raises(ProviderRejected) as caught:
        adapter.create_return_order(client, a_request(**overrides))

    assert caught.value.status == 404
    assert caught.value.message == message


def test_a_validation_error_keeps_shippingbos_field_errors(http, client):
    http.post(
        f"{API}/return_orders",
        status=422,
        json={"errors": {"return_order_type": ["is not included in the list"]}},
    )

    with pytest.raises(ProviderRejected) as caught:
        adapter.create_return_order(client, a_request(type="return_order_wrong"))

    assert caught.value.field_errors == {"return_order_type": ["is not included in the list"]}


# Reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_return_order_is_read_whether_wrapped_or_bare(http, client, wrapped):
    data = load_payload("shippingbo/return_order_returned.json")
    http.get(f"{API}/return_orders/4521", json={"return_order": data} if wrapped else data)

    remote = adapter.get_return_order(client, "4521")

    assert (remote.provider_id, remote.state, remote.reference) == (
        "4521",
        "completed",
        "ROK7Q2M9XA",
    )
    assert_all_requests_match_the_spec(http)


def test_a_returned_order_reports_restocked_and_not_restockable_units(http, client):
    remote = adapter.parse_return_order(load_payload("shippingbo/return_order_returned.json"))

    my_sku, other_sku, unexpected = remote.items
    assert (my_sku.sku, my_sku.quantity_expected, my_sku.quantity_received) == ("my_sku", 2, 2)
    assert [(a.action, a.quantity, a.reason) for a in my_sku.actions] == [
        ("restock", 1, ""),
        ("quarantine", 1, "Screen cracked"),
    ]
    assert (other_sku.quantity_expected, other_sku.quantity_received, other_sku.actions) == (
        1,
        0,
        [],
    )
    assert (unexpected.provider_inventory_id, unexpected.quantity_expected) == (777, 0)
    assert [(a.action, a.quantity) for a in unexpected.actions] == [("restock", 1)]
    assert remote.tracking_number == "6A12345678901"
    assert remote.completed_at.isoformat() == "2024-03-05T10:12:00+01:00"


def test_a_new_return_order_reports_nothing_received(http, client):
    remote = adapter.parse_return_order(load_payload("shippingbo/return_order_new_wrapped.json"))

    assert remote.state == "awaiting_arrival"
    assert [(i.sku, i.quantity_expected, i.quantity_received) for i in remote.items] == [
        ("my_sku", 2, 0)
    ]


def test_an_unknown_return_order_is_none(http, client):
    http.get(f"{API}/return_orders/999", status=404)

    assert adapter.get_return_order(client, "999") is None


def test_every_state_in_the_spec_maps_to_one_of_ours():
    spec = shippingbo_spec_dict()
    read_states = spec["components"]["schemas"]["ReturnOrder"]["properties"]["state"]["enum"]
    patch_body = spec["paths"]["/return_orders/{returnOrderId}"]["patch"]["requestBody"]
    written_states = patch_body["content"]["application/json"]["schema"]["properties"]["state"]

    assert set(read_states) | set(written_states["enum"]) == set(adapter.STATES)


@pytest.mark.parametrize(
    ("state", "ours"),
    [
        ("new", "awaiting_arrival"),
        ("returned", "completed"),
        ("closed", "completed"),
        ("canceled", "cancelled"),
        ("in_trouble", "in_trouble"),
        ("something_new", None),
    ],
)
def test_shippingbo_states_map_to_ours(state, ours):
    assert adapter.parse_return_order({"id": 1, "state": state}).state == ours


# Finding, ensuring, cancelling, suppliers ------------------------------------------------------


def test_a_return_order_is_found_by_our_reference(http, client):
    http.get(
        f"{API}/return_orders",
        json=load_payload("shippingbo/return_orders_search_wrapped.json"),
        match=[
            HEADERS,
            matchers.query_param_matcher({"search[reason_ref__eq]": "ROK7Q2M9XB", "limit": "10"}),
        ],
    )

    remote = adapter.find_return_order(client, "ROK7Q2M9XB")

    assert (remote.provider_id, remote.state) == ("4522", "awaiting_arrival")
    assert_all_requests_match_the_spec(http)


def test_a_search_answer_for_another_reference_is_not_taken_for_ours(http, client):
    http.get(f"{API}/return_orders", json=[load_payload("shippingbo/return_order_returned.json")])

    assert adapter.find_return_order(client, "ROOTHER999") is None


def test_ensuring_a_return_order_that_exists_creates_nothing(http, client):
    http.get(
        f"{API}/return_orders", json=load_payload("shippingbo/return_orders_search_wrapped.json")
    )

    remote = adapter.ensure_return_order(client, a_request(reference="ROK7Q2M9XB"))

    assert remote.provider_id == "4522"
    assert len(http.calls) == 1


def test_ensuring_a_return_order_that_does_not_exist_creates_it(http, client):
    http.get(f"{API}/return_orders", json=[])
    http.post(f"{API}/return_orders", json=load_payload("shippingbo/return_order_new_wrapped.json"))

    remote = adapter.ensure_return_order(client, a_request(reference="ROK7Q2M9XB"))

    assert remote.provider_id == "4522"
    assert [call.request.method for call in http.calls] == ["GET", "POST"]


def test_cancelling_sets_the_canceled_state(http, client):
    data = {**load_payload("shippingbo/return_order_returned.json"), "state": "canceled"}
    http.patch(f"{API}/return_orders/4521", json={"return_order": data}, match=[HEADERS])

    remote = adapter.cancel_return_order(client, "4521")

    assert sent_json(http.calls[0]) == {"state": "canceled"}
    assert remote.state == "cancelled"
    assert_all_requests_match_the_spec(http)


def test_suppliers_available_for_returns_are_listed(http, client):
    http.get(
        f"{API}/suppliers/available_for_return_order",
        json=load_payload("shippingbo/suppliers.json"),
        match=[HEADERS],
    )

    assert adapter.suppliers_available(client) == [(1, "Entrepôt Lyon"), (2, "Warehouse Rotterdam")]
    assert_all_requests_match_the_spec(http)


# Update hooks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provided", "expected", "accepted"),
    [
        ("s3cret-hook-token", "s3cret-hook-token", True),
        ("s3cret-hook-tokeN", "s3cret-hook-token", False),
        ("", "s3cret-hook-token", False),
        (None, "s3cret-hook-token", False),
        ("", "", False),
    ],
)
def test_an_update_hook_is_accepted_only_with_our_token(provided, expected, accepted):
    assert adapter.verify_update_hook_token(provided, expected) is accepted


@pytest.mark.parametrize("shape", ["object", "return_order", "bare"])
def test_an_update_hook_carries_the_return_order(shape):
    data = load_payload("shippingbo/return_order_returned.json")
    payload = data if shape == "bare" else {shape: data}
    if shape == "object":
        payload = {"object_class": "ReturnOrder", "object": data}

    remote = adapter.parse_update_hook(payload)

    assert (remote.provider_id, remote.state) == ("4521", "completed")
