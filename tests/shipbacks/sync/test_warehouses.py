"""The warehouse leg: return orders pushed to Shippingbo, ShipBob and Kibo, followed to the
end, what they report recorded (seeds 000, 001, 004)."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from shipbacks.models import (
    ItemAction,
    ProviderCall,
    ReturnedItem,
    ReturnOrder,
    Shipback,
    Warehouse,
)
from shipbacks.providers.shipbob import adapter as shipbob_adapter
from shipbacks.services import (
    ExpectedItemData,
    return_order_cancel,
    return_order_create,
    shipback_register,
)
from shipbacks.services.sync.warehouses import return_order_apply_remote
from tests.factories import (
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    RelocationRuleFactory,
    ReturnedItemFactory,
    ShipbackFactory,
    ShipmentFactory,
    WarehouseFactory,
    shipback_in_state,
)
from tests.shipbacks.providers.helpers import load_payload

from .helpers import KIBO, SHIPBOB, SHIPPINGBO, run_calls

pytestmark = pytest.mark.django_db

Operation = ProviderCall.Operation
State = ProviderCall.State
RO = ReturnOrder.State


def body(call) -> dict:
    return json.loads(call.request.body)


def calls(operation) -> list[ProviderCall]:
    return list(ProviderCall.objects.filter(operation=operation).order_by("pk"))


def a_return_order(warehouse, actor, *, order=None, lines=(), **kwargs) -> ReturnOrder:
    return return_order_create(
        warehouse=warehouse,
        actor=actor,
        order=order or OrderFactory(),
        skip_expected_items_creation=True,
        expected_items=list(lines),
        **kwargs,
    )


# Shippingbo -----------------------------------------------------------------------------------


@pytest.fixture
def shippingbo_warehouse():
    return WarehouseFactory(provider=Warehouse.Provider.SHIPPINGBO, shippingbo_supplier_id=28714)


def test_a_return_order_is_created_at_shippingbo_from_its_order_id(
    http, actor, shippingbo_warehouse
):
    # given
    order = OrderFactory(shippingbo_order_id=123)
    product = ProductFactory(reference="my_sku")
    return_order = a_return_order(
        shippingbo_warehouse,
        actor,
        order=order,
        lines=[ExpectedItemData(product=product, quantity=2)],
        reason="broken product",
        reason_ref="REPAIR",
    )
    http.post(
        f"{SHIPPINGBO}/return_orders", json=load_payload("shippingbo/return_order_new_wrapped.json")
    )

    # when
    run_calls(rounds=1)

    # then: created straight away (a first attempt: nothing to look up under our reference)
    assert len(http.calls) == 1
    assert body(http.calls[0]) == {
        "order_id": 123,
        "reason": "broken product (REPAIR)",
        "reason_ref": return_order.reference,
        "return_order_type": "return_order_customer",
        "skip_expected_items_creation": True,
        "return_order_expected_items_attributes": [{"quantity": 2, "user_ref": "my_sku"}],
        "supplier_id": 28714,
    }
    return_order.refresh_from_db()
    assert return_order.provider_id == "4522"
    assert return_order.state == RO.AWAITING_ARRIVAL
    poll = calls(Operation.RETURN_ORDER_POLL)[0]
    assert poll.state == State.PENDING
    assert poll.deadline is not None
    # the create told us its state: the first look is one poll interval later
    assert (poll.next_attempt_at - poll.created_at).total_seconds() >= 29


def test_a_third_party_return_order_names_its_order_by_source(http, actor, shippingbo_warehouse):
    order = OrderFactory(source="Amazon", source_ref="402-1234567")
    a_return_order(
        shippingbo_warehouse,
        actor,
        order=order,
        lines=[ExpectedItemData(product=ProductFactory(), quantity=1)],
    )
    http.post(f"{SHIPPINGBO}/return_orders", json={"id": 9, "state": "new"})

    run_calls(rounds=1)

    sent = body(http.calls[0])
    assert (sent["source"], sent["source_ref"]) == ("Amazon", "402-1234567")
    assert "order_id" not in sent


def test_a_shippingbo_create_tried_again_finds_the_first_by_its_reason_ref(
    http, actor, shippingbo_warehouse
):
    # given: the first create answered with a 502 (it may have been made)
    return_order = a_return_order(
        shippingbo_warehouse,
        actor,
        order=OrderFactory(shippingbo_order_id=123),
        lines=[ExpectedItemData(product=ProductFactory(), quantity=1)],
    )
    http.post(f"{SHIPPINGBO}/return_orders", status=502, json={"error": "Bad gateway"})
    found = load_payload("shippingbo/return_order_new_wrapped.json")["return_order"]
    http.get(
        f"{SHIPPINGBO}/return_orders",
        json={"return_orders": [found | {"reason_ref": return_order.reference}]},
    )

    # when: the first attempt, then the next one
    run_calls(rounds=2)

    # then: looked up by our reference, found, not created again
    assert [c.request.method for c in http.calls] == ["POST", "GET"]
    assert f"search%5Breason_ref__eq%5D={return_order.reference}" in http.calls[1].request.url
    return_order.refresh_from_db()
    assert return_order.provider_id == "4522"


def test_a_return_order_returned_at_shippingbo_is_received_and_completed_here(
    http, actor, shippingbo_warehouse
):
    # given: created at Shippingbo; the hook payload of seed 000 once returned
    order = OrderFactory(shippingbo_order_id=123)
    mine = ProductFactory(reference="my_sku")
    other = ProductFactory(reference="other_sku")
    return_order = a_return_order(
        shippingbo_warehouse,
        actor,
        order=order,
        lines=[ExpectedItemData(product=mine, quantity=2), ExpectedItemData(other, quantity=1)],
    )
    returned = load_payload("shippingbo/return_order_returned.json")
    returned["reason_ref"] = return_order.reference
    http.get(f"{SHIPPINGBO}/return_orders", json=[])
    http.post(f"{SHIPPINGBO}/return_orders", json={**returned, "state": "new"})
    http.get(f"{SHIPPINGBO}/return_orders/4521", json={"return_order": returned})

    # when
    run_calls()

    # then
    return_order.refresh_from_db()
    assert return_order.state == RO.COMPLETED
    items = {i.product.reference: i for i in return_order.expected_items.all()}
    assert items["my_sku"].quantity_received == 2
    assert sorted((a.action, a.quantity, a.reason) for a in items["my_sku"].actions.all()) == [
        ("quarantine", 1, "Screen cracked"),
        ("restock", 1, ""),
    ]
    assert items["other_sku"].quantity_received == 0
    assert calls(Operation.RETURN_ORDER_POLL)[0].state == State.SUCCEEDED


def test_suppliers_available_for_return_are_listed_and_linked_to_a_warehouse(http):
    warehouse = WarehouseFactory(reference="LYON")
    http.get(
        f"{SHIPPINGBO}/suppliers/available_for_return_order",
        json=load_payload("shippingbo/suppliers.json"),
    )

    call_command("shippingbo_suppliers", link=["LYON=1"], stdout=(out := _Out()))

    warehouse.refresh_from_db()
    assert (warehouse.provider, warehouse.shippingbo_supplier_id) == ("shippingbo", 1)
    assert "1  Entrepôt Lyon" in out.text
    assert "Warehouse Rotterdam" in out.text


def test_a_supplier_not_available_for_return_is_not_linked(http):
    warehouse = WarehouseFactory(reference="LYON")
    http.get(f"{SHIPPINGBO}/suppliers/available_for_return_order", json=[{"id": 1, "name": "A"}])

    with pytest.raises(Exception, match="not available for return orders"):
        call_command("shippingbo_suppliers", link=["LYON=77"], stdout=_Out())

    warehouse.refresh_from_db()
    assert warehouse.provider == "manual"


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


# ShipBob --------------------------------------------------------------------------------------


@pytest.fixture
def shipbob_return_order(actor):
    warehouse = WarehouseFactory(
        provider=Warehouse.Provider.SHIPBOB, shipbob_fulfillment_center_id=8
    )
    order = OrderFactory()
    ShipmentFactory(order=order, shipbob_shipment_id=987654)
    product = ProductFactory(reference="TSHIRT-BLUE-M", shipbob_inventory_id=20150)
    return a_return_order(
        warehouse,
        actor,
        order=order,
        lines=[
            ExpectedItemData(
                product=product,
                quantity=2,
                requested_action="restock",
                lot_number="LOT-7",
                lot_date=datetime.date(2025, 6, 1),
            )
        ],
        tracking_number="1Z9999999999999999",
    )


def _shipbob_created(return_order, **fields):
    created = load_payload("shipbob/return_created.json")
    return {**created, "reference_id": return_order.reference, **fields}


def test_a_return_order_is_created_at_shipbob_with_its_inventory_and_references(
    http, shipbob_return_order
):
    return_order = shipbob_return_order
    http.post(f"{SHIPBOB}/2025-07/return", json=_shipbob_created(return_order), status=201)

    run_calls(rounds=1)

    assert len(http.calls) == 1
    assert body(http.calls[0]) == {
        "fulfillment_center": {"id": 8},
        "inventory": [
            {
                "id": 20150,
                "quantity": 2,
                "requested_action": "Restock",
                "lot_number": "LOT-7",
                "lot_date": "2025-06-01T00:00:00Z",
            }
        ],
        "reference_id": return_order.reference,
        "original_shipment_id": 987654,
        "tracking_number": "1Z9999999999999999",
    }
    assert http.calls[0].request.headers["shipbob_channel_id"] == "7"
    return_order.refresh_from_db()
    assert (return_order.provider_id, return_order.state) == ("512345", RO.AWAITING_ARRIVAL)


def test_a_created_return_order_records_its_provider_id_and_new_state_in_one_version(
    http, shipbob_return_order
):
    return_order = shipbob_return_order
    http.get(f"{SHIPBOB}/2025-07/return", json={"items": []})
    http.post(f"{SHIPBOB}/2025-07/return", json=_shipbob_created(return_order), status=201)
    versions_before = return_order.history.count()

    run_calls(rounds=1)

    latest = return_order.history.order_by("-history_id").first()
    assert return_order.history.count() == versions_before + 1
    assert (latest.provider_id, latest.state) == ("512345", RO.AWAITING_ARRIVAL)
    event = return_order.events.order_by("-pk").first()
    assert (event.from_state, event.to_state) == (RO.NEW, RO.AWAITING_ARRIVAL)


def test_a_poll_finding_nothing_new_writes_nothing(http, shipbob_return_order):
    return_order = shipbob_return_order
    http.get(f"{SHIPBOB}/2025-07/return", json={"items": []})
    http.post(f"{SHIPBOB}/2025-07/return", json=_shipbob_created(return_order), status=201)
    run_calls(rounds=1)
    versions = return_order.history.count()
    remote = load_payload("shipbob/return_created.json")

    with transaction.atomic():
        return_order_apply_remote(
            return_order_id=return_order.pk,
            remote=shipbob_adapter.parse_return(remote),
            provider="shipbob",
        )

    assert return_order.history.count() == versions


def test_shipbob_statuses_are_followed_with_actions_taken_and_transactions(
    http, shipbob_return_order
):
    # given
    return_order = shipbob_return_order
    completed = load_payload("shipbob/return_completed.json")
    http.get(f"{SHIPBOB}/2025-07/return", json={"items": []})
    http.post(f"{SHIPBOB}/2025-07/return", json=_shipbob_created(return_order), status=201)
    http.get(
        f"{SHIPBOB}/2025-07/return/512345", json=_shipbob_created(return_order, status="Arrived")
    )
    http.get(
        f"{SHIPBOB}/2025-07/return/512345",
        json={**completed, "reference_id": return_order.reference},
    )

    # when
    run_calls(rounds=2)
    arrived = ReturnOrder.objects.get(pk=return_order.pk).state
    run_calls()

    # then
    return_order.refresh_from_db()
    assert arrived == RO.ARRIVED
    assert return_order.state == RO.COMPLETED
    item = return_order.expected_items.get()
    assert item.quantity_received == 2
    assert sorted((a.action, a.quantity, a.reason) for a in item.actions.all()) == [
        ("dispose", 1, "Stained"),
        ("restock", 1, "Good condition"),
    ]
    assert return_order.provider_transactions == [
        {"transaction_type": "ReturnProcessingFee", "amount": 3.0},
        {"transaction_type": "ReturnToStockFee", "amount": 2.75},
    ]
    events = list(return_order.events.values_list("to_state", flat=True))
    assert events == ["new", "awaiting_arrival", "arrived", "processing", "completed"]


def test_a_repeated_report_adds_no_action_twice(http, shipbob_return_order):
    return_order = shipbob_return_order
    processing = load_payload("shipbob/return_completed.json") | {
        "status": "Processing",
        "reference_id": return_order.reference,
    }
    http.get(f"{SHIPBOB}/2025-07/return", json={"items": []})
    http.post(f"{SHIPBOB}/2025-07/return", json=_shipbob_created(return_order), status=201)
    http.get(f"{SHIPBOB}/2025-07/return/512345", json=processing)

    run_calls(rounds=4)

    assert ItemAction.objects.filter(expected_item__return_order=return_order).count() == 2
    assert ReturnOrder.objects.get(pk=return_order.pk).state == RO.PROCESSING


def test_a_return_order_cancelled_before_arrival_is_cancelled_at_shipbob(
    http, actor, shipbob_return_order
):
    return_order = shipbob_return_order
    http.get(f"{SHIPBOB}/2025-07/return", json={"items": []})
    http.post(f"{SHIPBOB}/2025-07/return", json=_shipbob_created(return_order), status=201)
    http.post(f"{SHIPBOB}/2025-07/return/512345:cancel", status=200)
    run_calls(rounds=1)

    return_order_cancel(return_order_id=return_order.pk, actor=actor)
    run_calls()

    assert calls(Operation.RETURN_ORDER_CANCEL)[0].state == State.SUCCEEDED
    assert calls(Operation.RETURN_ORDER_POLL)[0].state == State.CANCELLED
    assert http.calls[-1].request.url == f"{SHIPBOB}/2025-07/return/512345:cancel"


def test_a_return_order_cancelled_before_it_was_sent_is_never_sent(
    http, actor, shipbob_return_order
):
    return_order_cancel(return_order_id=shipbob_return_order.pk, actor=actor)
    run_calls()

    assert [c.state for c in ProviderCall.objects.all()] == [State.CANCELLED]
    assert len(http.calls) == 0


# Kibo -----------------------------------------------------------------------------------------


def test_a_kibo_return_is_created_for_the_order_and_shipment_then_closed_here(http, actor):
    # given: a registered shipback's items, known at Kibo
    warehouse = WarehouseFactory(provider=Warehouse.Provider.KIBO, kibo_location_id=555555)
    order = OrderFactory(kibo_order_id=1234567, order_number="1001")
    ShipmentFactory(order=order, kibo_shipment_id=101010101)
    shipback = ShipbackFactory(order=order)
    shoe = ReturnedItemFactory(
        shipback=shipback,
        order_item=OrderItemFactory(
            order=order, kibo_order_item_id=3456789, product__reference="SKU-123"
        ),
        reason__label_en="Item did not fit.",
    )
    socks = ReturnedItemFactory(
        shipback=shipback,
        order_item=OrderItemFactory(
            order=order, kibo_order_item_id=3456790, product__reference="SKU-456", quantity=2
        ),
        quantity=2,
    )
    return_order = a_return_order(
        warehouse,
        actor,
        order=order,
        shipback=shipback,
        lines=[
            ExpectedItemData(product=shoe.order_item.product, quantity=1, returned_item=shoe),
            ExpectedItemData(product=socks.order_item.product, quantity=2, returned_item=socks),
        ],
    )
    http.post(
        f"{KIBO}/return/1234567/101010101",
        json=load_payload("kibo/return_created.json") | {"returnID": 555002},
    )
    http.get(f"{KIBO}/return/555002", json=load_payload("kibo/return_closed.json"))

    # when
    run_calls()

    # then
    sent = body(http.calls[0])
    assert sent["creationSource"] == "API"
    assert sent["refundType"] == "STANDARD"
    assert sent["externalOrderID"] == "1001"
    assert (sent["orderID"], sent["shipmentID"], sent["returnLocation"]) == (
        1234567,
        101010101,
        555555,
    )
    assert sent["item"][0]["orderItemID"] == 3456789
    assert sent["item"][0]["quantity"] == 1
    assert sent["item"][0]["reason"] == "Item did not fit."
    return_order.refresh_from_db()
    assert return_order.provider_id == "555002"
    assert return_order.state == RO.COMPLETED
    received = {i.returned_item_id: i.quantity_received for i in return_order.expected_items.all()}
    assert received == {shoe.pk: 1, socks.pk: 0}
    assert ReturnedItem.objects.get(pk=shoe.pk).state == ReturnedItem.State.RELOCATED
    assert ReturnedItem.objects.get(pk=socks.pk).state == ReturnedItem.State.MISSING
    # accepted without an action reported: restocked, said so
    action = ItemAction.objects.get(expected_item__returned_item=shoe)
    assert (action.action, action.quantity) == ("restock", 1)
    assert "Kibo" in action.reason


# Registration starts the warehouse leg ---------------------------------------------------------


def test_registering_a_shipback_pushes_each_return_order_whose_warehouse_has_a_provider(actor):
    shipbob = WarehouseFactory(provider=Warehouse.Provider.SHIPBOB, shipbob_fulfillment_center_id=8)
    manual = WarehouseFactory()
    RelocationRuleFactory(warehouse=manual)
    shipback = ShipbackFactory(mode=Shipback.Mode.POSTAL, relocation_warehouse=shipbob, items=1)

    shipback_register(shipback_id=shipback.pk, actor=actor)
    other = shipback_in_state(Shipback.State.CREATED, mode=Shipback.Mode.POSTAL, items=1)
    shipback_register(shipback_id=other.pk, actor=actor)

    pushed = calls(Operation.RETURN_ORDER_CREATE)
    assert [(c.provider, c.return_order.shipback_id) for c in pushed] == [("shipbob", shipback.pk)]
    assert ReturnOrder.objects.filter(shipback=other, warehouse=manual).exists()
