"""The Kibo client and adapter against the sandbox (seed 004), over real HTTP."""

from datetime import timedelta

import pytest
import requests

from shipbacks.models.return_orders import ReturnOrderState
from shipbacks.providers.errors import ProviderRejected
from shipbacks.providers.kibo import adapter
from shipbacks.providers.kibo.client import KiboClient
from shipbacks.providers.sandbox.models import KiboReturn
from shipbacks.providers.types import ExpectedLine, ReturnOrderRequest

from .conftest import sandbox_url


def a_request(**fields) -> ReturnOrderRequest:
    values = {
        "reference": "ROK7Q2M9XA",
        "order_number": "1001",
        "provider_order_id": 98765,
        "original_shipment_id": 12345,
        "warehouse_provider_id": 4102,
        "reason": "Item did not fit.",
        "items": [
            ExpectedLine(sku="TSHIRT-BLUE-M", quantity=1, provider_order_item_id=0, name="Tee"),
            ExpectedLine(sku="CAP", quantity=2, provider_order_item_id=7, reason="Too small"),
        ],
    }
    return ReturnOrderRequest(**(values | fields))


def test_the_token_endpoint_hands_out_bearer_tokens_for_client_credentials(live_server):
    response = requests.post(
        f"{sandbox_url(live_server, 'kibo')}/oauth/token",
        json={"client_id": "app", "client_secret": "s3cret", "grant_type": "client_credentials"},
        timeout=5,
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["access_token"]
    assert answer["token_type"] == "bearer"
    assert answer["expires_in"] == 3600


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"client_id": "app", "client_secret": "", "grant_type": "client_credentials"}, 401),
        ({"client_id": "app", "client_secret": "s3cret", "grant_type": "password"}, 400),
    ],
    ids=["no secret", "another grant"],
)
def test_the_token_endpoint_refuses_what_is_not_client_credentials(live_server, body, status):
    url = f"{sandbox_url(live_server, 'kibo')}/oauth/token"
    response = requests.post(url, json=body, timeout=5)

    assert response.status_code == status
    assert "error" in response.json()


def test_a_return_is_created_from_its_order_and_shipment_and_read_back(kibo, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600

    created = adapter.create_return_order(kibo, a_request())
    read = adapter.get_return_order(kibo, created.provider_id)

    assert created.state == ReturnOrderState.AWAITING_ARRIVAL
    assert created.raw_status == "OPEN"
    assert read.provider_id == created.provider_id
    assert [(i.provider_order_item_id, i.quantity_expected, i.status) for i in read.items] == [
        (0, 1, "pending"),
        (7, 2, "pending"),
    ]
    record = KiboReturn.objects.get(pk=created.provider_id)
    assert (record.order_id, record.shipment_id) == (98765, 12345)
    assert record.body["creationSource"] == "API"
    assert record.body["item"][1]["reason"] == "Too small"


def test_a_return_goes_open_processing_closed_with_its_items_accepted(kibo, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    created = adapter.create_return_order(kibo, a_request())
    statuses = []
    for _ in range(3):
        statuses.append(adapter.get_return_order(kibo, created.provider_id).raw_status)
        record = KiboReturn.objects.get(pk=created.provider_id)
        KiboReturn.objects.filter(pk=record.pk).update(
            state_changed_at=record.state_changed_at - timedelta(hours=1)
        )

    closed = adapter.get_return_order(kibo, created.provider_id)

    assert statuses == ["OPEN", "PROCESSING", "CLOSED"]
    assert closed.state == ReturnOrderState.COMPLETED
    assert closed.completed_at is not None
    assert [(item.status, item.quantity_received) for item in closed.items] == [
        ("accepted", 1),
        ("accepted", 2),
    ]


def test_an_unknown_order_is_not_found(kibo):
    with pytest.raises(ProviderRejected) as refused:
        adapter.create_return_order(kibo, a_request(provider_order_id=900_000_000))

    assert refused.value.status == 404
    assert not KiboReturn.objects.exists()


def test_a_token_the_sandbox_did_not_issue_is_refused(live_server):
    client = KiboClient(base_url=sandbox_url(live_server, "kibo"), token="made-up")

    with pytest.raises(ProviderRejected) as refused:
        adapter.get_return_order(client, "1")

    assert refused.value.status == 401


def test_a_revoked_cached_token_is_replaced_once_and_the_call_goes_through(live_server, kibo):
    created = adapter.create_return_order(kibo, a_request())
    kibo.token_cache.set(kibo._token_key, "revoked-token", 3600)

    read = adapter.get_return_order(kibo, created.provider_id)

    assert read.provider_id == created.provider_id
    assert kibo.token_cache.get(kibo._token_key) != "revoked-token"


def test_an_invalid_item_is_refused_with_its_field(kibo):
    request = a_request(items=[ExpectedLine(sku="X", quantity=0, provider_order_item_id=3)])

    with pytest.raises(ProviderRejected) as refused:
        adapter.create_return_order(kibo, request)

    assert refused.value.status == 400
    assert "item[0].quantity" in refused.value.field_errors


def test_requests_without_a_token_are_refused(live_server):
    response = requests.get(f"{sandbox_url(live_server, 'kibo')}/return/1", timeout=5)

    assert response.status_code == 401
