"""Providers failing: 5xx, 429 with Retry-After, timeouts, lost answers, refusals. A record
reaches the provider exactly once, and a refusal waits for staff."""

import datetime
import json

import pytest
import requests
import responses
from django.urls import reverse
from django.utils import timezone

from shipbacks.models import ProviderCall, ReturnOrder, Warehouse
from shipbacks.services import ExpectedItemData, return_order_create
from shipbacks.services.sync.outbox import call_send
from tests.factories import (
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReturnedItemFactory,
    ShipmentFactory,
    WarehouseFactory,
)
from tests.shipbacks.providers.helpers import load_payload

from .helpers import KIBO, SHIPBOB, SHIPPINGBO, run_calls

pytestmark = pytest.mark.django_db

State = ProviderCall.State
RETURNS = f"{SHIPBOB}/2025-07/return"


@pytest.fixture
def shipbob_return_order(actor):
    warehouse = WarehouseFactory(
        provider=Warehouse.Provider.SHIPBOB, shipbob_fulfillment_center_id=8
    )
    order = OrderFactory()
    ShipmentFactory(order=order, shipbob_shipment_id=987654)
    return return_order_create(
        warehouse=warehouse,
        actor=actor,
        order=order,
        skip_expected_items_creation=True,
        expected_items=[ExpectedItemData(product=ProductFactory(shipbob_inventory_id=20150))],
    )


def created(return_order) -> dict:
    return load_payload("shipbob/return_created.json") | {"reference_id": return_order.reference}


def attempt(call) -> ProviderCall:
    """The next attempt, now (the backoff skipped)."""
    ProviderCall.objects.filter(pk=call.pk).update(next_attempt_at=timezone.now())
    return call_send(call_id=call.pk)


def posts(http) -> int:
    return sum(1 for c in http.calls if c.request.method == "POST")


def test_500_then_429_then_a_timeout_then_success_creates_the_return_once(
    http, shipbob_return_order
):
    # given
    return_order = shipbob_return_order
    # The first attempt creates straight away; the next ones look the return up first.
    http.post(RETURNS, status=500, json={"title": "Internal Server Error"})
    http.get(RETURNS, status=429, headers={"Retry-After": "7"})
    http.get(RETURNS, body=requests.exceptions.ConnectTimeout("connect timed out"))
    http.get(RETURNS, json={"items": []})
    http.post(RETURNS, status=201, json=created(return_order))
    call = ProviderCall.objects.get(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)

    # when
    after_500 = attempt(call)
    before = timezone.now()
    after_429 = attempt(call)
    after_timeout = attempt(call)
    done = attempt(call)

    # then
    assert (after_500.state, after_500.failures, after_500.last_status) == (State.PENDING, 1, 500)
    assert after_429.last_status == 429
    assert (after_429.next_attempt_at - before).total_seconds() >= 7  # Retry-After honoured
    assert after_timeout.failures == 3
    assert "timed out" in after_timeout.last_error
    assert (done.state, done.attempts, done.failures, done.last_error) == (
        State.SUCCEEDED,
        4,
        0,
        "",
    )
    assert posts(http) == 2  # the one refused with a 500, the one that created it
    assert [c.request.method for c in http.calls] == ["POST", "GET", "GET", "GET", "POST"]
    assert ReturnOrder.objects.get(pk=return_order.pk).provider_id == "512345"


def test_a_first_attempt_creates_without_looking_the_return_up(http, shipbob_return_order):
    http.post(RETURNS, status=201, json=created(shipbob_return_order))
    call = ProviderCall.objects.get(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)

    done = attempt(call)

    assert (done.state, done.attempts) == (State.SUCCEEDED, 1)
    assert [c.request.method for c in http.calls] == ["POST"]


def test_a_create_whose_answer_was_lost_is_found_by_reference_not_created_again(
    http, shipbob_return_order
):
    return_order = shipbob_return_order
    http.post(RETURNS, body=requests.exceptions.ReadTimeout("read timed out"))
    http.get(RETURNS, json={"items": [created(return_order) | {"status": "AwaitingArrival"}]})
    call = ProviderCall.objects.get(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)

    lost = attempt(call)
    found = attempt(call)

    assert lost.state == State.PENDING
    assert found.state == State.SUCCEEDED
    assert posts(http) == 1  # the one whose answer was lost
    return_order.refresh_from_db()
    assert (return_order.provider_id, return_order.state) == ("512345", "awaiting_arrival")


def test_a_call_abandoned_by_a_killed_worker_finds_what_it_created(http, shipbob_return_order):
    return_order = shipbob_return_order
    http.get(RETURNS, json={"items": [created(return_order)]})
    call = ProviderCall.objects.get(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)
    # the worker claimed it, posted, and died before recording the answer
    ProviderCall.objects.filter(pk=call.pk).update(
        state=State.RUNNING, attempts=1, claimed_until=timezone.now() - datetime.timedelta(1)
    )

    result = call_send(call_id=call.pk)

    assert result.state == State.SUCCEEDED
    assert result.result["abandoned_attempts"] == 1
    assert "possible_duplicate" not in result.result
    assert posts(http) == 0


def test_a_refusal_fails_with_the_error_body_mapped_to_fields(http, shipbob_return_order):
    http.get(RETURNS, json={"items": []})
    http.post(RETURNS, status=422, json=load_payload("shipbob/api_error_422.json"))

    run_calls()

    call = ProviderCall.objects.get(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)
    assert call.state == State.FAILED
    assert call.attempts == 1
    assert call.last_status == 422
    assert call.last_error == "The return order could not be created."
    assert call.error_details["field_errors"]["__all__"] == [
        "Inventory 20150 was not part of shipment 987654.",
        "Fulfillment center 8 does not accept returns.",
    ]


def test_an_unknown_order_fails_clearly_then_succeeds_when_retried_from_the_admin_once_fixed(
    http, actor, admin_client
):
    # given: Shippingbo does not know order 999
    warehouse = WarehouseFactory(
        provider=Warehouse.Provider.SHIPPINGBO, shippingbo_supplier_id=28714
    )
    order = OrderFactory(shippingbo_order_id=999)
    return_order = return_order_create(
        warehouse=warehouse,
        actor=actor,
        order=order,
        skip_expected_items_creation=True,
        expected_items=[ExpectedItemData(product=ProductFactory(reference="my_sku"))],
    )
    http.get(f"{SHIPPINGBO}/return_orders", json={"return_orders": []})
    http.post(f"{SHIPPINGBO}/return_orders", status=404, json={"error": "Order not found"})
    run_calls()
    call = ProviderCall.objects.get(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)
    failed = ProviderCall.objects.get(pk=call.pk)

    # when: the order id is fixed, staff retry from the admin
    order.shippingbo_order_id = 123
    order.save()
    http.replace(
        "POST",
        f"{SHIPPINGBO}/return_orders",
        json={"return_order": {"id": 4522, "state": "new", "reason_ref": return_order.reference}},
    )
    response = admin_client.post(
        reverse("admin:shipbacks_providercall_changelist"),
        {"action": "retry_calls", "_selected_action": [call.pk]},
        follow=True,
    )
    retried = ProviderCall.objects.get(pk=call.pk)
    run_calls(rounds=1)

    # then
    assert failed.state == State.FAILED
    assert failed.last_error == "Shippingbo does not know order id 999."
    assert failed.last_status == 404
    assert "1 provider call sent again" in response.content.decode()
    assert retried.state == State.PENDING
    done = ProviderCall.objects.get(pk=call.pk)
    assert done.state == State.SUCCEEDED
    assert ReturnOrder.objects.get(pk=return_order.pk).provider_id == "4522"
    assert [c.request.method for c in http.calls].count("POST") == 2


@pytest.fixture
def kibo_return_order(actor):
    warehouse = WarehouseFactory(provider=Warehouse.Provider.KIBO, kibo_location_id=4)
    order = OrderFactory(kibo_order_id=98765)
    ShipmentFactory(order=order, kibo_shipment_id=12345)

    def make(*, kibo_order_item_id):
        returned = ReturnedItemFactory(
            shipback__order=order,
            order_item=OrderItemFactory(order=order, kibo_order_item_id=kibo_order_item_id),
        )
        return return_order_create(
            warehouse=warehouse,
            actor=actor,
            order=order,
            skip_expected_items_creation=True,
            expected_items=[
                ExpectedItemData(product=returned.order_item.product, returned_item=returned)
            ],
        )

    return make


def test_an_unsearchable_create_repeated_after_an_uncertain_attempt_is_flagged(
    http, kibo_return_order
):
    """Kibo cannot be searched: a create repeated after its worker died may duplicate the return
    at Kibo (the documented residual risk); the call says so, for staff to check."""
    return_order = kibo_return_order(kibo_order_item_id=0)
    http.post(f"{KIBO}/return/98765/12345", json=load_payload("kibo/return_created.json"))
    call = ProviderCall.objects.get(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)
    ProviderCall.objects.filter(pk=call.pk).update(
        state=State.RUNNING, attempts=1, claimed_until=timezone.now() - datetime.timedelta(1)
    )

    result = call_send(call_id=call.pk)

    assert result.state == State.SUCCEEDED
    assert result.result["possible_duplicate"] is True
    assert result.result["provider_id"] == "555001"
    assert ReturnOrder.objects.get(pk=return_order.pk).provider_id == "555001"


def test_kibo_creates_in_a_batch_are_each_recorded_before_the_next_is_sent(
    http, kibo_return_order, settings
):
    """Kibo cannot be searched: an answer lost with its worker could not be found again, so
    none waits to be recorded with the rest of its batch."""
    settings.SYNC_SEND_BATCH = 10
    first = kibo_return_order(kibo_order_item_id=1)
    kibo_return_order(kibo_order_item_id=2)
    ids_here = []

    def created(request):
        ids_here.append(ReturnOrder.objects.get(pk=first.pk).provider_id)
        answer = load_payload("kibo/return_created.json") | {"returnID": 555000 + len(ids_here)}
        return 201, {}, json.dumps(answer)

    http.add_callback(responses.POST, f"{KIBO}/return/98765/12345", callback=created)
    create = ProviderCall.Operation.RETURN_ORDER_CREATE

    call_send(call_id=ProviderCall.objects.get(return_order=first, operation=create).pk)

    assert ids_here == ["", "555001"]  # the first one's id was stored before the second went
    assert set(ProviderCall.objects.filter(operation=create).values_list("state", flat=True)) == {
        State.SUCCEEDED
    }


def test_a_request_the_adapter_cannot_build_fails_without_being_sent(http, kibo_return_order):
    kibo_return_order(kibo_order_item_id=None)

    run_calls()

    call = ProviderCall.objects.get(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)
    assert call.state == State.FAILED
    assert "has no Kibo orderItemID" in call.last_error
    assert call.last_status is None
    sku = call.return_order.expected_items.get().product.reference
    assert call.error_details["field_errors"] == {
        "item[0].orderItemID": [f"Item {sku} has no Kibo orderItemID."]
    }
    assert len(http.calls) == 0
