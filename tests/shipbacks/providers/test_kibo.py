"""Kibo OMS client and adapter against seed 004 (Create Return) and OMS "Get Return".

``return_closed.json`` is the OMS Get Return example (returnID, CLOSED, totals, times, order
and shipment ids, location, items); ``return_created.json`` is the seed's example return
(order 098765, shipment 012345, one item that did not fit) as OMS answers it.
"""

import logging

import pytest
from responses import matchers

from shipbacks.providers.errors import ProviderRejected, ProviderUnavailable
from shipbacks.providers.kibo import adapter
from shipbacks.providers.kibo.client import TOKEN_EXPIRY_MARGIN, KiboClient, MemoryTokenCache
from shipbacks.providers.types import ExpectedLine, ReturnOrderRequest

from .helpers import load_payload, sent_json

API = "https://integration.shopatron.com/api/v2"
AUTH_URL = "https://home.mozu.com/api/platform/applications/authtickets/oauth"
TOKEN = load_payload("kibo/token.json")["access_token"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def oauth_client(clock):
    return KiboClient(
        base_url=API,
        client_id="app-id",
        client_secret="app-secret",
        auth_url=AUTH_URL,
        token_cache=MemoryTokenCache(clock=clock),
    )


@pytest.fixture
def client():
    return KiboClient(base_url=API, token="static-token")


def a_request(**overrides):
    values = {
        "reference": "ROK7Q2M9XA",
        "provider_order_id": 98765,
        "original_shipment_id": 12345,
        "order_number": "1001",
        "warehouse_provider_id": 4,
        "reason": "Item did not fit.",
        "items": [
            ExpectedLine(
                sku="TSHIRT-BLUE-M", quantity=1, provider_order_item_id=0, name="Blue T-shirt M"
            )
        ],
    }
    return ReturnOrderRequest(**{**values, **overrides})


def test_a_return_is_created_on_the_order_and_shipment_with_seed_004s_fields(http, client):
    http.post(
        f"{API}/return/98765/12345",
        json=load_payload("kibo/return_created.json"),
        match=[matchers.header_matcher({"Authorization": "Bearer static-token"})],
    )

    remote = adapter.create_return_order(client, a_request())

    body = sent_json(http.calls[0])
    assert body == {
        "item": [
            {
                "orderItemID": 0,
                "quantity": 1,
                "reason": "Item did not fit.",
                "SKU": "TSHIRT-BLUE-M",
                "partName": "Blue T-shirt M",
            }
        ],
        "creationSource": "API",
        "refundType": "STANDARD",
        "externalOrderID": "1001",
        "returnLocation": 4,
        "orderID": 98765,
        "shipmentID": 12345,
    }
    assert (remote.provider_id, remote.state, remote.raw_status) == (
        "555001",
        "awaiting_arrival",
        "OPEN",
    )
    assert [(i.provider_order_item_id, i.status, i.quantity_received) for i in remote.items] == [
        (0, "pending", 0)
    ]


def test_every_item_sent_has_the_fields_seed_004_requires(client):
    lines = [
        ExpectedLine(sku="A", quantity=1, provider_order_item_id=11, reason="Too small"),
        ExpectedLine(
            sku="B", quantity=3, provider_order_item_id=12, upc="012345678905", part_number="P-1"
        ),
    ]

    body = adapter.return_body(a_request(items=lines))

    assert body["creationSource"] in {"CCUI", "API", "FULFILLER"}
    assert body["refundType"] in {"STANDARD", "GIFT_CARD"}
    for item in body["item"]:
        assert isinstance(item["orderItemID"], int)
        assert item["orderItemID"] >= 0
        assert isinstance(item["quantity"], int)
        assert item["quantity"] >= 1
    assert body["item"][0]["reason"] == "Too small"  # the line's own reason wins
    assert body["item"][1]["UPC"] == "012345678905"
    assert body["item"][1]["partNumber"] == "P-1"


def test_a_return_without_kibo_ids_is_refused_before_sending(client):
    request = a_request(
        provider_order_id=None, original_shipment_id=None, items=[ExpectedLine(sku="X", quantity=1)]
    )

    with pytest.raises(ProviderRejected) as caught:
        adapter.create_return_order(client, request)

    assert caught.value.status is None
    assert set(caught.value.field_errors) == {"orderID", "shipmentID", "item[0].orderItemID"}


def test_a_closed_return_reports_accepted_and_rejected_items(http, client):
    http.get(f"{API}/return/555002", json=load_payload("kibo/return_closed.json"))

    remote = adapter.get_return_order(client, "555002")

    assert (remote.state, remote.raw_status) == ("completed", "CLOSED")
    assert remote.completed_at.isoformat() == "2017-01-16T08:10:47+00:00"
    assert [(i.sku, i.status, i.quantity_expected, i.quantity_received) for i in remote.items] == [
        ("SKU-123", "accepted", 1, 1),
        ("SKU-456", "rejected", 2, 0),
    ]


@pytest.mark.parametrize(
    ("status", "ours"),
    [
        ("OPEN", "awaiting_arrival"),
        ("PROCESSING", "processing"),
        ("CLOSED", "completed"),
        ("LOST", None),
    ],
)
def test_kibo_statuses_map_to_ours(status, ours):
    assert adapter.parse_return({"returnID": 1, "status": status}).state == ours


def test_an_unknown_return_is_none(http, client):
    http.get(f"{API}/return/1", status=404)

    assert adapter.get_return_order(client, "1") is None


def test_a_kibo_error_is_rejected_with_its_message(http, client):
    http.post(
        f"{API}/return/98765/12345", status=400, json={"message": "Quantity exceeds shipped."}
    )

    with pytest.raises(ProviderRejected, match=r"Quantity exceeds shipped\."):
        adapter.create_return_order(client, a_request())


# OAuth client credentials ----------------------------------------------------------------------


def test_the_token_is_fetched_once_and_reused_until_it_expires(http, oauth_client, clock):
    http.post(AUTH_URL, json=load_payload("kibo/token.json"))
    http.get(
        f"{API}/return/555002",
        json=load_payload("kibo/return_closed.json"),
        match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})],
    )
    http.get(f"{API}/return/555002", json=load_payload("kibo/return_closed.json"))

    adapter.get_return_order(oauth_client, "555002")
    clock.now += 3600 - TOKEN_EXPIRY_MARGIN - 1
    adapter.get_return_order(oauth_client, "555002")

    token_calls = [call for call in http.calls if call.request.url == AUTH_URL]
    assert len(token_calls) == 1
    assert sent_json(token_calls[0]) == {
        "client_id": "app-id",
        "client_secret": "app-secret",
        "grant_type": "client_credentials",
    }
    assert http.calls[2].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_an_expiring_token_is_replaced(http, oauth_client, clock):
    http.post(AUTH_URL, json=load_payload("kibo/token.json"))
    http.post(AUTH_URL, json={**load_payload("kibo/token.json"), "access_token": "second-token"})
    http.get(f"{API}/return/555002", json=load_payload("kibo/return_closed.json"))
    http.get(
        f"{API}/return/555002",
        json=load_payload("kibo/return_closed.json"),
        match=[matchers.header_matcher({"Authorization": "Bearer second-token"})],
    )

    adapter.get_return_order(oauth_client, "555002")
    clock.now += 3600 - TOKEN_EXPIRY_MARGIN
    adapter.get_return_order(oauth_client, "555002")

    assert [call.request.url for call in http.calls].count(AUTH_URL) == 2


def test_a_token_refused_by_the_api_is_replaced_once(http, oauth_client):
    http.post(AUTH_URL, json=load_payload("kibo/token.json"))
    http.get(f"{API}/return/555002", status=401, json={"message": "token revoked"})
    http.post(AUTH_URL, json={**load_payload("kibo/token.json"), "access_token": "fresh"})
    http.get(
        f"{API}/return/555002",
        json=load_payload("kibo/return_closed.json"),
        match=[matchers.header_matcher({"Authorization": "Bearer fresh"})],
    )

    assert adapter.get_return_order(oauth_client, "555002").provider_id == "555002"


def test_clients_sharing_a_cache_share_the_token(http, clock):
    cache = MemoryTokenCache(clock=clock)
    http.post(AUTH_URL, json=load_payload("kibo/token.json"))
    http.get(f"{API}/return/555002", json=load_payload("kibo/return_closed.json"))
    http.get(f"{API}/return/555002", json=load_payload("kibo/return_closed.json"))

    for _ in range(2):
        client = KiboClient(
            base_url=API,
            client_id="app-id",
            client_secret="app-secret",
            auth_url=AUTH_URL,
            token_cache=cache,
        )
        adapter.get_return_order(client, "555002")

    assert [call.request.url for call in http.calls].count(AUTH_URL) == 1


def test_bad_credentials_are_rejected(http, oauth_client):
    http.post(AUTH_URL, status=401, json={"error": "invalid_client"})

    with pytest.raises(ProviderRejected, match="invalid_client"):
        oauth_client.access_token()


def test_a_token_endpoint_down_is_unavailable(http, oauth_client):
    http.post(AUTH_URL, status=503)

    with pytest.raises(ProviderUnavailable):
        oauth_client.access_token()


def test_without_credentials_nothing_is_sent():
    client = KiboClient(base_url=API)

    with pytest.raises(ProviderRejected, match="No credentials"):
        client.access_token()


def test_the_token_endpoint_defaults_to_the_base_urls():
    client = KiboClient(
        base_url="http://127.0.0.1:8000/sandbox/kibo", client_id="a", client_secret="b"
    )

    assert client.auth_url == "http://127.0.0.1:8000/sandbox/kibo/oauth/token"


def test_the_client_secret_and_token_are_never_logged(http, oauth_client, caplog):
    caplog.set_level(logging.DEBUG)
    http.post(AUTH_URL, json=load_payload("kibo/token.json"))
    http.get(f"{API}/return/555002", json=load_payload("kibo/return_closed.json"))

    adapter.get_return_order(oauth_client, "555002")

    assert "app-secret" not in caplog.text
    assert TOKEN not in caplog.text
