"""ShipBob client and adapter: seed 001, the 2025-07 spec, and its recorded answers.

Every request the client builds, and every recorded answer, is validated against
shipbob-2025-07.openapi.json (see specs.py for the patches to its generator errors).
"""

import datetime

import pytest
import requests
from responses import matchers

from shipbacks.providers.errors import NON_FIELD_ERRORS, ProviderRejected
from shipbacks.providers.shipbob import adapter
from shipbacks.providers.shipbob.client import ShipBobClient
from shipbacks.providers.types import ExpectedLine, ReturnOrderRequest

from .helpers import load_payload, sent_json
from .specs import assert_valid_request, assert_valid_response, shipbob_openapi

API = "https://api.shipbob.com"
HEADERS = matchers.header_matcher(
    {"Authorization": "Bearer pat-123", "shipbob_channel_id": "100102"}
)


@pytest.fixture
def client():
    return ShipBobClient(base_url=API, token="pat-123", channel_id=100102)


def a_request(**overrides):
    values = {
        "reference": "ROK7Q2M9XA",
        "warehouse_provider_id": 8,
        "original_shipment_id": 987654,
        "tracking_number": "1Z9999999999999999",
        "items": [
            ExpectedLine(
                sku="TSHIRT-BLUE-M",
                quantity=2,
                requested_action="restock",
                provider_inventory_id=20150,
                lot_number="LOT-7",
                lot_date=datetime.date(2025, 6, 1),
            ),
            ExpectedLine(sku="CAP-RED", quantity=1, provider_inventory_id=20151),
        ],
    }
    return ReturnOrderRequest(**{**values, **overrides})


def assert_calls_match_the_spec(http):
    for call in http.calls:
        assert_valid_request(shipbob_openapi(), call.request)
        response = requests.Response()
        response.status_code = call.response.status_code
        response._content = call.response.content
        response.headers = call.response.headers
        if response.content:
            assert_valid_response(shipbob_openapi(), call.request, response)


def test_a_return_is_created_with_the_fulfillment_center_inventory_and_our_reference(http, client):
    http.post(
        f"{API}/2025-07/return",
        status=201,
        json=load_payload("shipbob/return_created.json"),
        match=[HEADERS],
    )

    remote = adapter.create_return_order(client, a_request())

    assert sent_json(http.calls[0]) == {
        "fulfillment_center": {"id": 8},
        "inventory": [
            {
                "id": 20150,
                "quantity": 2,
                "requested_action": "Restock",
                "lot_number": "LOT-7",
                "lot_date": "2025-06-01T00:00:00Z",
            },
            {"id": 20151, "quantity": 1, "requested_action": "Default"},
        ],
        "reference_id": "ROK7Q2M9XA",
        "original_shipment_id": 987654,
        "tracking_number": "1Z9999999999999999",
    }
    assert_calls_match_the_spec(http)
    assert (remote.provider_id, remote.state, remote.raw_status) == (
        "512345",
        "awaiting_arrival",
        "Awaiting Arrival",
    )
    assert remote.items[0].quantity_expected == 2


def test_the_channel_header_keeps_its_underscores(http, client):
    http.post(f"{API}/2025-07/return", status=201, json=load_payload("shipbob/return_created.json"))

    adapter.create_return_order(client, a_request())

    sent = http.calls[0].request.headers
    assert sent["shipbob_channel_id"] == "100102"
    assert "shipbob-channel-id" not in {name.lower() for name in sent}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("default", "Default"),
        ("restock", "Restock"),
        ("quarantine", "Quarantine"),
        ("dispose", "Dispose"),
    ],
)
def test_requested_actions_are_shipbobs(ours, theirs):
    line = ExpectedLine(sku="X", quantity=1, requested_action=ours, provider_inventory_id=1)

    body = adapter.return_body(a_request(items=[line]))

    assert body["inventory"][0]["requested_action"] == theirs


def test_a_return_without_fulfillment_center_or_inventory_ids_is_refused_before_sending(client):
    request = a_request(warehouse_provider_id=None, items=[ExpectedLine(sku="CAP-RED", quantity=1)])

    with pytest.raises(ProviderRejected) as caught:
        adapter.create_return_order(client, request)

    assert caught.value.status is None
    assert set(caught.value.field_errors) == {"fulfillment_center.id", "inventory[0].id"}
    assert "Product CAP-RED has no ShipBob inventory id." in caught.value.message


def test_a_bad_request_keeps_the_problem_details_and_its_field_errors(http, client):
    http.post(
        f"{API}/2025-07/return", status=400, json=load_payload("shipbob/problem_details_400.json")
    )

    with pytest.raises(ProviderRejected) as caught:
        adapter.create_return_order(client, a_request())

    assert caught.value.status == 400
    assert caught.value.message == (
        "One or more validation errors occurred.: The return request is invalid."
    )
    assert caught.value.field_errors == {
        "inventory[0].quantity": ["Quantity must be greater than 0."],
        "reference_id": ["A return with this reference already exists."],
    }


def test_an_unprocessable_return_keeps_the_api_errors(http, client):
    http.post(f"{API}/2025-07/return", status=422, json=load_payload("shipbob/api_error_422.json"))

    with pytest.raises(ProviderRejected) as caught:
        adapter.create_return_order(client, a_request())

    assert caught.value.status == 422
    assert caught.value.message == "The return order could not be created."
    assert caught.value.field_errors == {
        NON_FIELD_ERRORS: [
            "Inventory 20150 was not part of shipment 987654.",
            "Fulfillment center 8 does not accept returns.",
        ]
    }


def test_a_completed_return_reports_actions_taken_per_item_and_transactions(http, client):
    http.get(
        f"{API}/2025-07/return/512345",
        json=load_payload("shipbob/return_completed.json"),
        match=[HEADERS],
    )

    remote = adapter.get_return_order(client, "512345")

    assert_calls_match_the_spec(http)
    assert (remote.state, remote.reference) == ("completed", "ROK7Q2M9XA")
    (item,) = remote.items
    assert (item.sku, item.provider_inventory_id, item.quantity_expected) == (
        "TSHIRT-BLUE-M",
        20150,
        2,
    )
    assert item.quantity_received == 2
    assert [(a.action, a.reason, a.quantity, a.image_url) for a in item.actions] == [
        ("restock", "Good condition", 1, ""),
        ("dispose", "Stained", 1, "https://cdn.shipbob.com/returns/512345/20150-1.jpg"),
    ]
    assert [(t.transaction_type, t.amount) for t in remote.transactions] == [
        ("ReturnProcessingFee", 3.0),
        ("ReturnToStockFee", 2.75),
    ]
    assert remote.completed_at == datetime.datetime(2025, 7, 19, 11, 45, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("status", "ours"),
    [
        ("Awaiting Arrival", "awaiting_arrival"),
        ("AwaitingArrival", "awaiting_arrival"),
        ("Arrived", "arrived"),
        ("Processing", "processing"),
        ("Completed", "completed"),
        ("Cancelled", "cancelled"),
        ("Lost In Space", None),
    ],
)
def test_shipbob_statuses_map_to_ours(status, ours):
    remote = adapter.parse_return({"id": 1, "status": status})

    assert (remote.state, remote.raw_status) == (ours, status)


def test_an_action_with_no_equivalent_is_kept_raw():
    remote = adapter.parse_return(
        {
            "id": 1,
            "inventory": [
                {"id": 5, "action_taken": [{"action": "Donate", "quantity_processed": 1}]}
            ],
        }
    )

    (action,) = remote.items[0].actions
    assert (action.action, action.raw_action, action.quantity) == ("", "Donate", 1)


def test_an_unknown_return_is_none(http, client):
    http.get(f"{API}/2025-07/return/404404", status=404)

    assert adapter.get_return_order(client, "404404") is None


def test_a_return_is_found_by_our_reference(http, client):
    http.get(
        f"{API}/2025-07/return",
        json=load_payload("shipbob/returns_page.json"),
        match=[HEADERS, matchers.query_param_matcher({"ReferenceIds": "ROK7Q2M9XA"})],
    )

    remote = adapter.find_return_order(client, "ROK7Q2M9XA")

    assert_calls_match_the_spec(http)
    assert (remote.provider_id, remote.state) == ("512345", "awaiting_arrival")


def test_ensuring_a_return_that_exists_creates_nothing(http, client):
    http.get(f"{API}/2025-07/return", json=load_payload("shipbob/returns_page.json"))

    remote = adapter.ensure_return_order(client, a_request())

    assert remote.provider_id == "512345"
    assert len(http.calls) == 1


def test_ensuring_a_return_that_does_not_exist_creates_it(http, client):
    http.get(f"{API}/2025-07/return", json={"items": [], "next": None})
    http.post(f"{API}/2025-07/return", status=201, json=load_payload("shipbob/return_created.json"))

    adapter.ensure_return_order(client, a_request())

    assert [call.request.method for call in http.calls] == ["GET", "POST"]
    assert_calls_match_the_spec(http)


def test_a_return_is_cancelled(http, client):
    http.post(f"{API}/2025-07/return/512345:cancel", status=200, match=[HEADERS])

    adapter.cancel_return_order(client, "512345")

    assert_calls_match_the_spec(http)


def test_cancelling_a_return_that_arrived_is_rejected(http, client):
    http.post(
        f"{API}/2025-07/return/512345:cancel",
        status=400,
        json={"title": "Bad Request", "detail": "Return already arrived.", "status": 400},
    )

    with pytest.raises(ProviderRejected, match=r"Return already arrived\."):
        adapter.cancel_return_order(client, "512345")
