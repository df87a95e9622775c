"""The ShipBob client and adapter against the sandbox (seed 001, spec 2025-07), over real HTTP."""

from datetime import timedelta

import pytest
import requests

from shipbacks.models.return_orders import ActionTaken, RequestedAction, ReturnOrderState
from shipbacks.providers.errors import ProviderRejected
from shipbacks.providers.sandbox.models import ShipBobReturn
from shipbacks.providers.shipbob import adapter
from shipbacks.providers.types import ExpectedLine, ReturnOrderRequest

from .conftest import sandbox_url


def a_request(reference="ROK7Q2M9XA", **fields) -> ReturnOrderRequest:
    values = {
        "reference": reference,
        "warehouse_provider_id": 8,
        "original_shipment_id": 987654,
        "tracking_number": "1Z9999999999999999",
        "items": [
            ExpectedLine(sku="TSHIRT", quantity=2, provider_inventory_id=20150),
            ExpectedLine(
                sku="CAP",
                quantity=1,
                provider_inventory_id=20151,
                requested_action=RequestedAction.QUARANTINE,
            ),
        ],
    }
    return ReturnOrderRequest(**(values | fields))


def step_back(provider_id, hours=1):
    """As if the return's last status change happened ``hours`` earlier."""
    record = ShipBobReturn.objects.get(pk=provider_id)
    ShipBobReturn.objects.filter(pk=record.pk).update(
        state_changed_at=record.state_changed_at - timedelta(hours=hours)
    )


def test_a_created_return_awaits_arrival_as_seed_001_answers_it(shipbob, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600

    created = adapter.create_return_order(shipbob, a_request())

    assert created.state == ReturnOrderState.AWAITING_ARRIVAL
    assert created.raw_status == "Awaiting Arrival"
    assert created.reference == "ROK7Q2M9XA"
    assert created.tracking_number == "1Z9999999999999999"
    assert [(i.provider_inventory_id, i.quantity_expected) for i in created.items] == [
        (20150, 2),
        (20151, 1),
    ]


def test_a_return_answers_201_with_the_requested_actions(shipbob):
    response = requests.post(
        f"{shipbob.base_url}/2025-07/return",
        json=adapter.return_body(a_request()),
        headers=shipbob.auth_headers(),
        timeout=5,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["fulfillment_center"] == {"id": 8, "name": "Cicero (IL)"}
    assert [item["action_requested"]["action"] for item in body["inventory"]] == [
        "Default",
        "Quarantine",
    ]
    assert body["channel"]["id"] == 1  # the header is unseen: the configured channel or 1


def test_a_return_is_found_by_our_reference_and_not_created_twice(shipbob):
    first = adapter.ensure_return_order(shipbob, a_request())
    adapter.create_return_order(shipbob, a_request("OTHER"))

    again = adapter.ensure_return_order(shipbob, a_request())

    assert again.provider_id == first.provider_id
    assert ShipBobReturn.objects.filter(reference_id="ROK7Q2M9XA").count() == 1
    assert again.raw_status == "Completed"  # no delay in these tests: read after completion
    assert adapter.find_return_order(shipbob, "NOT-SENT") is None


def test_a_second_return_under_the_same_reference_is_refused_with_problem_details(shipbob):
    adapter.create_return_order(shipbob, a_request())

    with pytest.raises(ProviderRejected) as refused:
        adapter.create_return_order(shipbob, a_request())

    assert refused.value.status == 400
    assert refused.value.field_errors["reference_id"] == [
        "A return with this reference already exists."
    ]


def test_an_invalid_quantity_is_refused_with_its_field(shipbob):
    request = a_request(items=[ExpectedLine(sku="X", quantity=0, provider_inventory_id=1)])

    with pytest.raises(ProviderRejected) as refused:
        adapter.create_return_order(shipbob, request)

    assert refused.value.status == 400
    assert refused.value.message.startswith("One or more validation errors occurred.")
    assert "inventory[0].quantity" in refused.value.field_errors


def test_an_unknown_original_shipment_is_an_api_error(shipbob):
    with pytest.raises(ProviderRejected) as refused:
        adapter.create_return_order(shipbob, a_request(original_shipment_id=900_000_123))

    assert refused.value.status == 422
    assert refused.value.message == "The return order could not be created."
    assert refused.value.field_errors["__all__"] == ["Shipment 900000123 was not found."]


def test_a_return_is_cancelled_while_it_awaits_arrival(shipbob, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    created = adapter.create_return_order(shipbob, a_request())

    adapter.cancel_return_order(shipbob, created.provider_id)

    cancelled = adapter.get_return_order(shipbob, created.provider_id)
    assert cancelled.state == ReturnOrderState.CANCELLED
    step_back(created.provider_id, hours=5)
    assert adapter.get_return_order(shipbob, created.provider_id).state == "cancelled"


def test_cancelling_an_arrived_return_is_refused(shipbob, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    created = adapter.create_return_order(shipbob, a_request())
    step_back(created.provider_id)

    with pytest.raises(ProviderRejected) as refused:
        adapter.cancel_return_order(shipbob, created.provider_id)

    assert refused.value.status == 400
    assert "status is Arrived" in refused.value.message
    assert adapter.get_return_order(shipbob, created.provider_id).raw_status == "Arrived"


def test_a_completed_return_reports_the_actions_taken_and_the_fees(shipbob, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    created = adapter.create_return_order(shipbob, a_request())
    statuses = []
    for _ in range(4):
        statuses.append(adapter.get_return_order(shipbob, created.provider_id).raw_status)
        step_back(created.provider_id)

    completed = adapter.get_return_order(shipbob, created.provider_id)

    assert statuses == ["AwaitingArrival", "Arrived", "Processing", "Completed"]
    assert completed.state == ReturnOrderState.COMPLETED
    assert completed.completed_at is not None
    tee, cap = completed.items
    assert [(a.action, a.quantity, a.raw_action) for a in tee.actions] == [
        (ActionTaken.RESTOCK, 2, "Restock")
    ]
    assert [(a.action, a.quantity) for a in cap.actions] == [(ActionTaken.QUARANTINE, 1)]
    assert tee.quantity_received == 2
    assert {t.transaction_type for t in completed.transactions} == {
        "ReturnProcessingFee",
        "ReturnToStockFee",
    }
    assert sum(t.amount for t in completed.transactions) > 0


def test_returns_are_listed_by_status(shipbob, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    waiting = adapter.create_return_order(shipbob, a_request("A"))
    arrived = adapter.create_return_order(shipbob, a_request("B"))
    step_back(arrived.provider_id)

    listed = shipbob.list_returns(Status="AwaitingArrival")

    assert [item["id"] for item in listed] == [int(waiting.provider_id)]


def test_an_unknown_return_reads_as_none(shipbob):
    assert adapter.get_return_order(shipbob, "424242") is None


def test_a_request_without_a_bearer_token_is_refused(live_server):
    response = requests.get(f"{sandbox_url(live_server, 'shipbob')}/2025-07/return", timeout=5)

    assert response.status_code == 401
    assert response.json()["detail"] == "Authorization missing or invalid"


@pytest.mark.parametrize(("response_ms", "waits"), [(0, []), (120, [0.12])])
def test_the_sandbox_answers_after_the_response_time_it_is_set_to(
    shipbob, settings, monkeypatch, response_ms, waits
):
    from shipbacks.providers.sandbox import urls as sandbox_urls

    settings.SANDBOX_RESPONSE_MS = response_ms
    waited = []
    monkeypatch.setattr(sandbox_urls.time, "sleep", waited.append)

    assert adapter.find_return_order(shipbob, "RO-NOWHERE") is None
    assert waited == waits
