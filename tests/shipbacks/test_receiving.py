"""Receiving a return order (quantities and actions), completing it, retrying its provider sync."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from orders.models import OrderItem
from returns_portal.actors import Actor
from returns_portal.errors import DomainError
from returns_portal.models import WebhookDelivery, WebhookEndpoint
from shipbacks.models import (
    ExpectedItem,
    ItemAction,
    ProviderCall,
    ReturnedItem,
    ReturnOrder,
    Shipback,
    Warehouse,
)
from shipbacks.services import (
    ActionData,
    ReceivedLineData,
    return_order_complete,
    return_order_receive,
    shipback_register,
    shipback_transition,
)
from shipbacks.services.return_orders import return_order_sync_retry
from tests.factories import (
    ExpectedItemFactory,
    ProductFactory,
    ProviderCallFactory,
    RelocationRuleFactory,
    ReturnOrderFactory,
    ShipbackFactory,
    WarehouseFactory,
    return_order_in_state,
)

pytestmark = pytest.mark.django_db
State = ReturnOrder.State
ACTOR = Actor.integrator("Warehouse system")


def receive(return_order, *lines):
    return return_order_receive(return_order_id=return_order.pk, lines=list(lines), actor=ACTOR)


def line(quantity, *actions, **fields):
    return ReceivedLineData(
        quantity_received=quantity,
        actions=[ActionData(action, qty) for action, qty in actions],
        **fields,
    )


@pytest.fixture
def return_order():
    return_order = ReturnOrderFactory()
    ExpectedItemFactory(
        return_order=return_order, product=ProductFactory(reference="SKU-A"), quantity_expected=2
    )
    ExpectedItemFactory(
        return_order=return_order, product=ProductFactory(reference="SKU-B"), quantity_expected=1
    )
    return return_order


def test_receiving_quantities_moves_a_new_return_order_to_arrived(return_order):
    received = receive(return_order, line(2, product_reference="SKU-A"))

    assert received.state == State.ARRIVED
    assert received.arrived_at is not None
    item = return_order.expected_items.get(product__reference="SKU-A")
    assert item.quantity_received == 2
    assert list(received.events.values_list("to_state", flat=True)) == ["arrived"]


def test_recording_actions_moves_it_on_to_processing(return_order):
    item = return_order.expected_items.get(product__reference="SKU-A")

    received = receive(
        return_order,
        line(2, ("restock", 1), ("quarantine", 1), expected_item_id=item.pk),
    )

    assert received.state == State.PROCESSING
    assert list(received.events.values_list("to_state", flat=True)) == ["arrived", "processing"]
    assert sorted(
        ItemAction.objects.filter(expected_item=item).values_list("action", "quantity")
    ) == [
        ("quarantine", 1),
        ("restock", 1),
    ]
    assert ItemAction.objects.first().performed_by is None


def test_an_awaiting_return_order_is_received_the_same_way(return_order):
    waiting = return_order_in_state(State.AWAITING_ARRIVAL, items=1)
    reference = waiting.expected_items.get().product.reference

    assert receive(waiting, line(1, product_reference=reference)).state == State.ARRIVED


def test_quantities_are_totals_and_actions_add_up(return_order):
    receive(return_order, line(1, ("restock", 1), product_reference="SKU-A"))
    receive(return_order, line(2, ("dispose", 1), product_reference="SKU-A"))

    item = return_order.expected_items.get(product__reference="SKU-A")
    assert item.quantity_received == 2
    assert item.actions.count() == 2


def test_receiving_more_than_expected_is_refused_unless_declared_unexpected(return_order):
    with pytest.raises(DomainError) as refused:
        receive(return_order, line(3, product_reference="SKU-A"))

    receive(
        return_order,
        line(1, ("quarantine", 1), product_reference="SKU-A", unexpected=True, note="One more"),
    )

    assert refused.value.code == "INVALID_QUANTITY"
    assert refused.value.field == "items[0].quantity_received"
    extra = return_order.expected_items.get(unexpected=True)
    assert (extra.product.reference, extra.quantity_expected, extra.quantity_received) == (
        "SKU-A",
        0,
        1,
    )
    assert extra.note == "One more"


def test_actions_never_exceed_what_was_received(return_order):
    receive(return_order, line(1, ("restock", 1), product_reference="SKU-A"))

    with pytest.raises(DomainError) as refused:
        receive(return_order, line(1, ("dispose", 1), product_reference="SKU-A"))

    assert refused.value.field == "items[0].actions"
    assert ItemAction.objects.count() == 1


def test_a_refused_report_writes_nothing_at_all(return_order):
    with pytest.raises(DomainError):
        receive(
            return_order,
            line(1, ("restock", 1), product_reference="SKU-B"),
            line(9, product_reference="SKU-A"),
        )

    return_order.refresh_from_db()
    assert return_order.state == State.NEW
    assert not ItemAction.objects.exists()
    assert set(ExpectedItem.objects.values_list("quantity_received", flat=True)) == {0}


@pytest.mark.parametrize(
    ("bad", "code", "field"),
    [
        (line(1, product_reference="NOPE"), "UNKNOWN_ITEM", "items[0].user_ref"),
        (
            line(1, product_reference="NOPE", unexpected=True),
            "UNKNOWN_PRODUCT",
            "items[0].user_ref",
        ),
        (line(1), "REQUIRED", "items[0].user_ref"),
        (
            line(1, expected_item_id="7b7c1b36-0000-4000-8000-000000000000"),
            "UNKNOWN_ITEM",
            "items[0].id",
        ),
        (
            line(1, ("repair", 1), product_reference="SKU-B"),
            "INVALID_ACTION",
            "items[0].actions[0].action",
        ),
        (line(-1, product_reference="SKU-B"), "INVALID_QUANTITY", "items[0].quantity_received"),
    ],
)
def test_reports_naming_nothing_known_are_refused_with_the_field(return_order, bad, code, field):
    with pytest.raises(DomainError) as refused:
        receive(return_order, bad)

    assert (refused.value.code, refused.value.field) == (code, field)


def test_the_same_line_reported_twice_is_refused(return_order):
    with pytest.raises(DomainError) as refused:
        receive(
            return_order, line(1, product_reference="SKU-B"), line(1, product_reference="SKU-B")
        )

    assert refused.value.code == "DUPLICATE"


def test_two_lines_of_one_product_are_filled_in_turn():
    return_order = ReturnOrderFactory()
    product = ProductFactory(reference="SKU")
    first = ExpectedItemFactory(return_order=return_order, product=product)
    second = ExpectedItemFactory(return_order=return_order, product=product)

    receive(return_order, line(1, product_reference="SKU"), line(1, product_reference="SKU"))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.quantity_received, second.quantity_received) == (1, 1)


@pytest.mark.parametrize("state", [State.COMPLETED, State.CANCELLED])
def test_a_closed_return_order_receives_nothing(state):
    closed = return_order_in_state(state, items=1)

    with pytest.raises(DomainError) as refused:
        receive(closed, line(1, expected_item_id=closed.expected_items.get().pk))

    assert refused.value.code == "RETURN_ORDER_CLOSED"


# Completing.


def test_completing_needs_an_action_for_every_unit_received(return_order):
    receive(return_order, line(2, ("restock", 1), product_reference="SKU-A"))

    with pytest.raises(DomainError) as refused:
        return_order_complete(return_order_id=return_order.pk, actor=ACTOR)

    assert refused.value.code == "ACTION_MISSING"
    return_order.refresh_from_db()
    assert return_order.state == State.PROCESSING


def test_a_new_return_order_cannot_be_completed(return_order):
    with pytest.raises(DomainError) as refused:
        return_order_complete(return_order_id=return_order.pk, actor=ACTOR)

    assert refused.value.code == "INVALID_TRANSITION"


def registered_shipback(items: int = 2) -> Shipback:
    RelocationRuleFactory()
    shipback = ShipbackFactory(items=items, mode=Shipback.Mode.POSTAL)
    shipback = shipback_register(shipback_id=shipback.pk, actor=ACTOR)
    return shipback_transition(shipback_id=shipback.pk, to=Shipback.State.LABELLED, actor=ACTOR)


def test_completing_settles_the_returned_items_and_relocates_the_shipback():
    # given: a labelled shipback of two items, one of which arrives
    shipback = registered_shipback(items=2)
    return_order = shipback.return_orders.get()
    arrived, lost = return_order.expected_items.order_by("created_at")

    # when
    receive(
        return_order,
        line(1, ("restock", 1), expected_item_id=arrived.pk),
        line(0, expected_item_id=lost.pk),
    )
    completed = return_order_complete(return_order_id=return_order.pk, actor=ACTOR)

    # then
    assert completed.state == State.COMPLETED
    assert ReturnedItem.objects.get(pk=arrived.returned_item_id).state == "relocated"
    assert ReturnedItem.objects.get(pk=lost.returned_item_id).state == "missing"
    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.RELOCATED
    assert list(shipback.events.filter(returned_item=None).values_list("to_state", flat=True))[
        -2:
    ] == ["delivered", "relocated"]


def test_a_shipback_waits_for_all_its_return_orders():
    shipback = registered_shipback(items=1)
    first = shipback.return_orders.get()
    other = ReturnOrderFactory(shipback=shipback, order=shipback.order, items=1)
    receive(first, line(1, ("restock", 1), expected_item_id=first.expected_items.get().pk))

    return_order_complete(return_order_id=first.pk, actor=ACTOR)

    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.LABELLED
    assert other.state == State.NEW


def test_a_returned_item_partly_received_is_in_error():
    RelocationRuleFactory()
    shipback = ShipbackFactory(items=1, mode=Shipback.Mode.POSTAL)
    OrderItem.objects.filter(returned_items__shipback=shipback).update(quantity=2)
    ReturnedItem.objects.filter(shipback=shipback).update(quantity=2)
    shipback = shipback_register(shipback_id=shipback.pk, actor=ACTOR)
    return_order = shipback.return_orders.get()
    expected = return_order.expected_items.get()

    receive(return_order, line(1, ("restock", 1), expected_item_id=expected.pk))
    return_order_complete(return_order_id=return_order.pk, actor=ACTOR)

    returned = ReturnedItem.objects.get(pk=expected.returned_item_id)
    assert returned.state == "error"
    assert returned.events.last().note == "1 of 2 received."
    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.REGISTERED


# What the issue asks of receiving (warehouse staff, issue 6).


def test_quantities_never_exceed_what_is_expected_plus_what_is_declared_unexpected(return_order):
    receive(return_order, line(2, product_reference="SKU-A"))
    receive(return_order, line(1, product_reference="SKU-A", unexpected=True, note="One more"))

    with pytest.raises(DomainError) as refused:
        receive(return_order, line(3, product_reference="SKU-A"))

    assert refused.value.code == "INVALID_QUANTITY"
    received = return_order.expected_items.filter(product__reference="SKU-A")
    assert sorted(received.values_list("unexpected", "quantity_expected", "quantity_received")) == [
        (False, 2, 2),
        (True, 0, 1),
    ]


def test_actions_on_an_unexpected_line_never_exceed_what_it_declares(return_order):
    with pytest.raises(DomainError) as refused:
        receive(
            return_order,
            line(1, ("restock", 1), ("dispose", 1), product_reference="SKU-B", unexpected=True),
        )

    assert refused.value.field == "items[0].actions"
    assert not return_order.expected_items.filter(unexpected=True).exists()


def test_a_completed_return_order_cannot_be_changed():
    completed = return_order_in_state(State.PROCESSING, items=1)
    item = completed.expected_items.get()
    receive(completed, line(1, ("restock", 1), expected_item_id=item.pk))
    return_order_complete(return_order_id=completed.pk, actor=ACTOR)

    with pytest.raises(DomainError) as received_again:
        receive(completed, line(0, expected_item_id=item.pk))
    with pytest.raises(DomainError) as unexpected:
        receive(
            completed,
            line(1, product_reference=item.product.reference, unexpected=True),
        )
    with pytest.raises(DomainError) as completed_again:
        return_order_complete(return_order_id=completed.pk, actor=ACTOR)

    assert received_again.value.code == unexpected.value.code == "RETURN_ORDER_CLOSED"
    assert completed_again.value.code == "INVALID_TRANSITION"
    item.refresh_from_db()
    assert item.quantity_received == 1
    assert completed.expected_items.count() == 1
    assert item.actions.count() == 1


def test_an_action_keeps_the_photo_it_was_given(return_order):
    photo = ContentFile(b"\xff\xd8\xff\xe0 jpeg bytes", name="checked.jpg")

    receive(
        return_order,
        ReceivedLineData(
            quantity_received=1,
            product_reference="SKU-B",
            actions=[ActionData("quarantine", 1, "Scratched", photo=photo)],
        ),
    )

    action = ItemAction.objects.get()
    assert action.photo.name.startswith("item_actions/checked")
    assert action.photo.read().startswith(b"\xff\xd8\xff")
    assert action.reason == "Scratched"


def test_receiving_and_completing_are_reported_by_webhook(return_order):
    WebhookEndpoint.objects.create(url="https://hooks.example.com/")
    item = return_order.expected_items.get(product__reference="SKU-B")

    receive(return_order, line(1, ("restock", 1), expected_item_id=item.pk))
    return_order_complete(return_order_id=return_order.pk, actor=ACTOR)

    assert list(WebhookDelivery.objects.order_by("created_at").values_list("event", flat=True)) == [
        "return_order.arrived",
        "return_order.processing",
        "return_order.completed",
    ]


# Retrying a return order's provider sync.


@pytest.fixture
def synced_return_order():
    warehouse = WarehouseFactory(provider=Warehouse.Provider.SHIPPINGBO, shippingbo_supplier_id=1)
    return ReturnOrderFactory(warehouse=warehouse, items=1)


def provider_call(return_order, state, **fields) -> ProviderCall:
    return ProviderCallFactory(
        return_order=return_order,
        target=return_order.reference,
        idempotency_key=f"shippingbo:{return_order.reference}:{fields.get('operation', 'create')}",
        state=state,
        **fields,
    )


def test_retrying_sync_sends_failed_calls_again_with_fresh_attempts(
    synced_return_order, django_capture_on_commit_callbacks
):
    failed = provider_call(
        synced_return_order,
        ProviderCall.State.FAILED,
        attempts=5,
        failures=5,
        last_error="Supplier unknown",
        completed_at=timezone.now(),
    )
    later = timezone.now() + timedelta(hours=1)
    waiting = provider_call(
        synced_return_order,
        ProviderCall.State.PENDING,
        operation=ProviderCall.Operation.RETURN_ORDER_POLL,
        next_attempt_at=later,
    )
    done = provider_call(
        synced_return_order,
        ProviderCall.State.SUCCEEDED,
        operation=ProviderCall.Operation.RETURN_ORDER_CANCEL,
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retried = return_order_sync_retry(return_order_id=synced_return_order.pk)

    assert retried == 2
    failed.refresh_from_db()
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert (failed.state, failed.failures, failed.completed_at) == (
        ProviderCall.State.PENDING,
        0,
        None,
    )
    assert waiting.next_attempt_at < later
    assert done.state == ProviderCall.State.SUCCEEDED
    assert len(callbacks) == 2  # a task message for each, after commit


def test_retrying_sync_with_nothing_to_send_says_so(synced_return_order):
    provider_call(synced_return_order, ProviderCall.State.SUCCEEDED)
    manual = ReturnOrderFactory(items=1)

    with pytest.raises(DomainError) as nothing:
        return_order_sync_retry(return_order_id=synced_return_order.pk)
    with pytest.raises(DomainError) as no_provider:
        return_order_sync_retry(return_order_id=manual.pk)

    assert nothing.value.code == "NOTHING_TO_RETRY"
    assert no_provider.value.code == "NO_PROVIDER"
    assert "has no provider to sync with" in no_provider.value.message
