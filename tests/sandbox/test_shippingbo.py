"""The Shippingbo client and adapter against the sandbox (seed 000, spec), over real HTTP."""

from datetime import timedelta

import pytest
import requests

from shipbacks.models.return_orders import ActionTaken, ReturnOrderState
from shipbacks.providers.errors import ProviderRejected
from shipbacks.providers.sandbox.models import ShippingboOrder, ShippingboReturnOrder
from shipbacks.providers.shippingbo import adapter
from shipbacks.providers.types import ExpectedLine, ReturnOrderRequest

from .conftest import sandbox_url


def a_request(reference="ROK7Q2M9XA", **fields) -> ReturnOrderRequest:
    values = {
        "reference": reference,
        "items": [ExpectedLine(sku="my_sku", quantity=2), ExpectedLine(sku="other", quantity=1)],
        "provider_order_id": 123,
        "warehouse_provider_id": 28714,
        "reason": "broken product",
        "reason_ref": "REPAIR",
    }
    return ReturnOrderRequest(**(values | fields))


def test_the_suppliers_available_for_returns_are_listed(shippingbo):
    assert (28714, "Leipzig EU hub") in adapter.suppliers_available(shippingbo)


def test_a_created_return_order_is_read_from_the_wrapped_answer(shippingbo, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600

    created = adapter.create_return_order(shippingbo, a_request())

    assert created.provider_id.isdigit()
    assert created.state == ReturnOrderState.AWAITING_ARRIVAL
    assert created.raw_status == "new"
    assert created.reference == "ROK7Q2M9XA"
    assert [(item.sku, item.quantity_expected) for item in created.items] == [
        ("my_sku", 2),
        ("other", 1),
    ]
    record = ShippingboReturnOrder.objects.get(pk=created.provider_id)
    assert (record.order_id, record.supplier_id) == (123, 28714)
    assert record.body["reason"] == "broken product (REPAIR)"


def test_the_answer_is_wrapped_under_its_root_key_as_the_live_api_does(shippingbo):
    created = adapter.create_return_order(shippingbo, a_request())

    raw = requests.get(
        f"{shippingbo.base_url}/return_orders/{created.provider_id}",
        headers=shippingbo.auth_headers(),
        timeout=5,
    ).json()

    assert list(raw) == ["return_order"]
    assert raw["return_order"]["id"] == int(created.provider_id)


def test_an_unknown_order_is_refused_with_404_and_a_clear_message(shippingbo):
    with pytest.raises(ProviderRejected) as refused:
        adapter.create_return_order(shippingbo, a_request(provider_order_id=900_000_001))

    assert refused.value.status == 404
    assert refused.value.message == "Shippingbo does not know order id 900000001."
    assert not ShippingboReturnOrder.objects.exists()


def test_a_third_party_order_is_found_by_source_unless_the_sandbox_does_not_know_it(shippingbo):
    found = adapter.create_return_order(
        shippingbo, a_request(provider_order_id=None, source="Amazon", source_ref="402-1234")
    )

    with pytest.raises(ProviderRejected) as refused:
        adapter.create_return_order(
            shippingbo,
            a_request("OTHER", provider_order_id=None, source="Amazon", source_ref="unknown-9"),
        )

    assert found.state == ReturnOrderState.AWAITING_ARRIVAL
    assert refused.value.status == 404
    assert refused.value.field_errors == {"source_ref": ["Unknown order."]}


def test_a_known_order_s_lines_are_expected_unless_expected_items_are_skipped(shippingbo):
    ShippingboOrder.objects.create(id=555, items=[{"user_ref": "whole_order", "quantity": 1}])

    whole = adapter.create_return_order(shippingbo, a_request("A", provider_order_id=555, items=[]))
    chosen = adapter.create_return_order(shippingbo, a_request("B", provider_order_id=555))

    assert [item.sku for item in whole.items] == ["whole_order"]
    assert [item.sku for item in chosen.items] == ["my_sku", "other"]


def test_a_return_order_is_found_by_our_reference_and_not_created_twice(shippingbo):
    first = adapter.ensure_return_order(shippingbo, a_request())
    adapter.create_return_order(shippingbo, a_request("SOMETHING-ELSE"))

    again = adapter.ensure_return_order(shippingbo, a_request())

    assert again.provider_id == first.provider_id
    assert ShippingboReturnOrder.objects.filter(reason_ref="ROK7Q2M9XA").count() == 1
    assert adapter.find_return_order(shippingbo, "NOT-SENT") is None


def test_a_return_order_is_received_and_restocked_step_by_step(shippingbo, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    created = adapter.create_return_order(shippingbo, a_request())
    record = ShippingboReturnOrder.objects.get(pk=created.provider_id)
    states = []
    for _ in range(3):
        states.append(adapter.get_return_order(shippingbo, created.provider_id).raw_status)
        record.refresh_from_db()
        ShippingboReturnOrder.objects.filter(pk=record.pk).update(
            state_changed_at=record.state_changed_at - timedelta(hours=1)
        )

    returned = adapter.get_return_order(shippingbo, created.provider_id)

    assert states == ["new", "sent_to_logistics", "returned"]
    assert returned.state == ReturnOrderState.COMPLETED
    assert returned.completed_at is not None
    assert returned.tracking_number
    assert [(item.sku, item.quantity_received) for item in returned.items] == [
        ("my_sku", 2),
        ("other", 1),
    ]
    assert returned.items[0].actions[0].action == ActionTaken.RESTOCK
    assert returned.items[0].actions[0].quantity == 2


def test_a_return_order_can_be_cancelled_until_it_is_returned(shippingbo, settings):
    returned = adapter.create_return_order(shippingbo, a_request("B"))
    adapter.get_return_order(shippingbo, returned.provider_id)  # no delay: returned already
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    waiting = adapter.create_return_order(shippingbo, a_request("A"))

    cancelled = adapter.cancel_return_order(shippingbo, waiting.provider_id)
    with pytest.raises(ProviderRejected) as refused:
        adapter.cancel_return_order(shippingbo, returned.provider_id)

    assert cancelled.state == ReturnOrderState.CANCELLED
    assert refused.value.status == 422
    assert adapter.get_return_order(shippingbo, returned.provider_id).raw_status == "returned"


def test_an_unknown_return_order_reads_as_none(shippingbo):
    assert adapter.get_return_order(shippingbo, "424242") is None


def test_the_search_takes_the_spec_s_operators(shippingbo):
    for reference in ("RMA-1", "RMA-2", "OTHER"):
        adapter.create_return_order(shippingbo, a_request(reference))

    found = shippingbo.get(
        "return_orders", params={"search[reason_ref__starts_with]": "RMA-", "limit": 10}
    )

    assert sorted(r["reason_ref"] for r in found["return_orders"]) == ["RMA-1", "RMA-2"]


@pytest.mark.parametrize(
    "missing", ["X-API-VERSION", "X-API-APP-ID", "Authorization"], ids=lambda name: name
)
def test_a_request_missing_one_of_the_three_headers_is_refused(live_server, shippingbo, missing):
    headers = {k: v for k, v in shippingbo.auth_headers().items() if k != missing}

    response = requests.get(
        f"{sandbox_url(live_server, 'shippingbo')}/return_orders", headers=headers, timeout=5
    )

    assert response.status_code == 401
    assert "error" in response.json()


def test_another_api_version_is_refused(live_server, shippingbo):
    headers = shippingbo.auth_headers() | {"X-API-VERSION": "2"}

    response = requests.get(
        f"{sandbox_url(live_server, 'shippingbo')}/return_orders", headers=headers, timeout=5
    )

    assert response.status_code == 400
