"""Shipbacks and return orders: the services every interface calls."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from orders.models import Address, Customer
from returns_portal.actors import Actor
from returns_portal.errors import DomainError
from returns_portal.models import InvalidTransition
from shipbacks.models import (
    ExpectedItem,
    ReturnedItem,
    ReturnOrder,
    ReturnOrderEvent,
    Shipback,
    ShipbackEvent,
)
from shipbacks.services import (
    ExpectedItemData,
    ReturnedItemData,
    return_order_cancel,
    return_order_create,
    return_order_transition,
    shipback_cancel,
    shipback_create,
    shipback_delete,
    shipback_register,
    shipback_transition,
    shipbacks_cancel_abandoned,
)
from shipbacks.services.shipbacks import SHIPBACK_REGISTERED_MESSAGE
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    RelocationRuleFactory,
    ReturnReasonFactory,
    WarehouseFactory,
    return_order_in_state,
    shipback_in_state,
)

pytestmark = pytest.mark.django_db

ACTOR = Actor.integrator("acme")


def _line(order_item, reason_code="doesnt_fit", quantity=1, **fields) -> ReturnedItemData:
    return ReturnedItemData(
        order_item=order_item,
        reason=ReturnReasonFactory(code=reason_code),
        quantity=quantity,
        **fields,
    )


def _created_shipback(*, mode="postal", reasons=("doesnt_fit",), country="FR", **fields):
    """A shipback created through the service, one returned item per reason."""
    order = OrderFactory(customer__address__country_code=country)
    items = [_line(OrderItemFactory(order=order), code) for code in reasons]
    return shipback_create(order=order, items=items, actor=ACTOR, mode=mode, **fields)


def _expected(return_order) -> list[tuple]:
    return sorted(
        (str(item.product_id), item.quantity_expected, str(item.returned_item_id))
        for item in return_order.expected_items.all()
    )


# shipback_create


def test_creating_a_shipback_copies_the_orders_customer_into_a_new_row():
    # given
    order = OrderFactory(customer__phone="+33600000000", customer__locale="fr")
    item = OrderItemFactory(order=order)

    # when
    shipback = shipback_create(order=order, items=[_line(item)], actor=ACTOR)

    # then
    copy, original = shipback.customer, order.customer
    assert copy.pk != original.pk
    assert copy.address_id is not None
    assert copy.address_id != original.address_id
    fields = ("first_name", "last_name", "email", "phone", "locale")
    assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
    address_fields = ("line1", "line2", "zipcode", "city", "state", "country_code")
    assert [getattr(copy.address, f) for f in address_fields] == [
        getattr(original.address, f) for f in address_fields
    ]


def test_creating_a_shipback_for_a_customer_without_address_copies_no_address():
    order = OrderFactory(customer__address=None)

    shipback = shipback_create(
        order=order, items=[_line(OrderItemFactory(order=order))], actor=ACTOR
    )

    assert shipback.customer.pk != order.customer_id
    assert shipback.customer.address is None


def test_creating_a_shipback_with_a_given_customer_keeps_that_customer():
    order = OrderFactory()
    customer = CustomerFactory()

    shipback = shipback_create(
        order=order, items=[_line(OrderItemFactory(order=order))], actor=ACTOR, customer=customer
    )

    assert shipback.customer == customer


def test_creating_a_shipback_stores_its_items_and_records_its_creation():
    # given
    order = OrderFactory()
    first, second = OrderItemFactory(order=order, quantity=3), OrderItemFactory(order=order)

    # when
    shipback = shipback_create(
        order=order,
        items=[
            _line(first, "damaged", quantity=2, comment="Scratched"),
            _line(second, "too_big"),
        ],
        actor=ACTOR,
        mode="dropoff",
        metadata={"channel": "portal"},
    )

    # then
    stored = Shipback.objects.get(pk=shipback.pk)
    assert (stored.state, stored.mode, stored.metadata) == (
        "created",
        "dropoff",
        {"channel": "portal"},
    )
    assert stored.rma.startswith("R")
    assert sorted(
        stored.returned_items.values_list("order_item", "reason__code", "quantity", "comment")
    ) == sorted([(first.pk, "damaged", 2, "Scratched"), (second.pk, "too_big", 1, "")])
    assert list(stored.events.values_list("from_state", "to_state", "actor")) == [
        ("", "created", "api:acme")
    ]


def test_creating_a_shipback_sets_the_overrides():
    warehouse = WarehouseFactory()

    shipback = _created_shipback(
        relocation_warehouse=warehouse, postal_customer_price_cents=0, try_at_home=True
    )

    assert shipback.relocation_warehouse == warehouse
    assert shipback.customer_price_override("postal") == 0
    assert shipback.customer_price_override("pickup") is None
    assert shipback.try_at_home is True


def _refusal_leaves_nothing(order, items, code, **kwargs):
    customers, addresses = Customer.objects.count(), Address.objects.count()

    with pytest.raises(DomainError) as refused:
        shipback_create(order=order, items=items, actor=ACTOR, **kwargs)

    assert refused.value.code == code
    assert not Shipback.objects.exists()
    assert not ReturnedItem.objects.exists()
    assert (Customer.objects.count(), Address.objects.count()) == (customers, addresses)
    return refused.value


def test_creating_a_shipback_without_items_is_refused():
    _refusal_leaves_nothing(OrderFactory(), [], "REQUIRED")


def test_creating_a_shipback_with_an_item_of_another_order_is_refused():
    order = OrderFactory()
    items = [_line(OrderItemFactory(order=order)), _line(OrderItemFactory())]

    error = _refusal_leaves_nothing(order, items, "INVALID_ITEM")

    assert error.field == "items"


def test_creating_a_shipback_with_an_item_listed_twice_is_refused():
    order = OrderFactory()
    item = OrderItemFactory(order=order, quantity=2)

    _refusal_leaves_nothing(order, [_line(item), _line(item, "damaged")], "DUPLICATE")


def test_creating_a_shipback_with_a_reason_no_longer_offered_is_refused():
    order = OrderFactory()
    ReturnReasonFactory(code="retired", active=False)

    error = _refusal_leaves_nothing(
        order, [_line(OrderItemFactory(order=order), "retired")], "INVALID_REASON"
    )

    assert error.field == "reason_code"


def test_creating_a_shipback_with_an_unknown_mode_is_refused():
    order = OrderFactory()

    error = _refusal_leaves_nothing(
        order, [_line(OrderItemFactory(order=order))], "INVALID_MODE", mode="teleport"
    )

    assert error.field == "mode"


@pytest.mark.parametrize("quantity", [0, 4])
def test_creating_a_shipback_for_more_than_was_ordered_is_refused(quantity):
    order = OrderFactory()
    item = OrderItemFactory(order=order, quantity=3)

    _refusal_leaves_nothing(order, [_line(item, quantity=quantity)], "INVALID_QUANTITY")


def test_units_in_another_open_shipback_are_not_left_to_return():
    # given
    order = OrderFactory()
    item = OrderItemFactory(order=order, quantity=3)
    shipback_create(order=order, items=[_line(item, quantity=2)], actor=ACTOR)

    # when
    with pytest.raises(DomainError) as refused:
        shipback_create(order=order, items=[_line(item, quantity=2)], actor=ACTOR)
    last = shipback_create(order=order, items=[_line(item, quantity=1)], actor=ACTOR)

    # then
    assert refused.value.code == "INVALID_QUANTITY"
    assert refused.value.message == f"Item {item.reference}: 1 left to return, 2 asked."
    assert last.returned_items.get().quantity == 1


def test_units_in_a_registered_shipback_are_not_left_to_return():
    order = OrderFactory()
    item = OrderItemFactory(order=order, quantity=1)
    RelocationRuleFactory()
    first = shipback_create(order=order, items=[_line(item)], actor=ACTOR, mode="postal")
    shipback_register(shipback_id=first.pk, actor=ACTOR)

    with pytest.raises(DomainError) as refused:
        shipback_create(order=order, items=[_line(item)], actor=ACTOR)

    assert refused.value.code == "INVALID_QUANTITY"


@pytest.mark.parametrize("final_state", [Shipback.State.CANCELLED, Shipback.State.FAILED])
def test_units_in_a_cancelled_or_failed_shipback_can_be_returned_again(final_state):
    # given
    order = OrderFactory()
    item = OrderItemFactory(order=order, quantity=2)
    earlier = shipback_in_state(final_state, order=order)
    ReturnedItem.objects.create(
        shipback=earlier, order_item=item, reason=ReturnReasonFactory(), quantity=2
    )

    # when
    shipback = shipback_create(order=order, items=[_line(item, quantity=2)], actor=ACTOR)

    # then
    assert shipback.returned_items.get().quantity == 2


# shipback_register


def test_registering_creates_a_return_order_for_the_warehouse_the_rule_gives():
    # given
    warehouse = RelocationRuleFactory().warehouse
    shipback = _created_shipback(reasons=("doesnt_fit", "damaged"))
    started = timezone.now()

    # when
    registered = shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    # then
    stored = Shipback.objects.get(pk=shipback.pk)
    assert registered.state == stored.state == Shipback.State.REGISTERED
    assert stored.registered_at >= started
    assert list(stored.events.values_list("from_state", "to_state")) == [
        ("", "created"),
        ("created", "registered"),
    ]
    return_order = ReturnOrder.objects.get()
    assert (return_order.shipback, return_order.order, return_order.warehouse) == (
        stored,
        stored.order,
        warehouse,
    )
    assert (return_order.state, return_order.type, return_order.reason_ref) == (
        "new",
        "return_order_customer",
        stored.rma,
    )
    assert return_order.reason == "Damaged, Doesnt fit"
    assert _expected(return_order) == sorted(
        (str(item.order_item.product_id), item.quantity, str(item.pk))
        for item in stored.returned_items.all()
    )
    assert list(return_order.events.values_list("from_state", "to_state", "actor")) == [
        ("", "new", "api:acme")
    ]


def test_registering_splits_the_items_by_destination_warehouse():
    # given
    defective = ReturnReasonFactory(code="defective")
    repairs = RelocationRuleFactory(reason=defective).warehouse
    main = RelocationRuleFactory().warehouse
    shipback = _created_shipback(reasons=("defective", "doesnt_fit", "too_big"))
    items = {item.reason.code: item for item in shipback.returned_items.all()}

    # when
    shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    # then
    assert ReturnOrder.objects.count() == 2
    to_repairs = ReturnOrder.objects.get(warehouse=repairs)
    to_main = ReturnOrder.objects.get(warehouse=main)
    assert {e.returned_item for e in to_repairs.expected_items.all()} == {items["defective"]}
    assert {e.returned_item for e in to_main.expected_items.all()} == {
        items["doesnt_fit"],
        items["too_big"],
    }


def test_registering_sends_everything_to_the_relocation_override_first():
    # given
    override = WarehouseFactory()
    RelocationRuleFactory()
    RelocationRuleFactory(reason=ReturnReasonFactory(code="damaged"), country_code="FR")
    shipback = _created_shipback(reasons=("damaged", "doesnt_fit"), relocation_warehouse=override)

    # when
    shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    # then
    return_order = ReturnOrder.objects.get()
    assert return_order.warehouse == override
    assert return_order.expected_items.count() == 2


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        pytest.param(["any", "country", "reason", "reason+country"], "reason+country", id="all"),
        pytest.param(["any", "country", "reason"], "reason", id="reason-beats-country"),
        pytest.param(["any", "country"], "country", id="country-beats-any"),
        pytest.param(["any"], "any", id="any"),
        pytest.param(["any", "reason+country"], "reason+country", id="reason+country-beats-any"),
    ],
)
def test_registering_uses_the_most_specific_relocation_rule(rules, expected):
    # given
    reason = ReturnReasonFactory(code="damaged")
    scopes = {
        "any": {},
        "country": {"country_code": "FR"},
        "reason": {"reason": reason},
        "reason+country": {"reason": reason, "country_code": "FR"},
    }
    warehouses = {scope: RelocationRuleFactory(**scopes[scope]).warehouse for scope in rules}
    # rules for another reason and another country never apply
    RelocationRuleFactory(reason=ReturnReasonFactory(code="other"), country_code="FR")
    RelocationRuleFactory(reason=reason, country_code="DE")
    shipback = _created_shipback(reasons=("damaged",), country="FR")

    # when
    shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    # then
    assert ReturnOrder.objects.get().warehouse == warehouses[expected]


def test_registering_without_a_matching_rule_is_refused():
    # given
    RelocationRuleFactory(country_code="DE")
    RelocationRuleFactory(reason=ReturnReasonFactory(code="damaged"))
    shipback = _created_shipback(reasons=("doesnt_fit",), country="FR")

    # when
    with pytest.raises(DomainError) as refused:
        shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    # then
    assert refused.value.code == "NO_WAREHOUSE"
    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.CREATED
    assert not ReturnOrder.objects.exists()


@pytest.mark.parametrize(
    ("mode", "fields", "field"),
    [
        pytest.param("", {}, "mode", id="no-mode"),
        pytest.param("dropoff", {}, "dropoff_code", id="dropoff-without-point"),
        pytest.param("pickup", {}, "pickup_datetime", id="pickup-without-slot"),
        pytest.param(
            "pickup",
            {"pickup_datetime": datetime.datetime(2030, 1, 7, 9, tzinfo=datetime.UTC)},
            "pickup_datetime",
            id="pickup-without-duration",
        ),
    ],
)
def test_registering_without_what_the_mode_needs_is_refused(mode, fields, field):
    # given
    RelocationRuleFactory()
    shipback = _created_shipback(mode=mode, **fields)

    # when
    with pytest.raises(DomainError) as refused:
        shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    # then
    assert (refused.value.code, refused.value.field) == ("REQUIRED", field)
    stored = Shipback.objects.get(pk=shipback.pk)
    assert (stored.state, stored.registered_at) == (Shipback.State.CREATED, None)
    assert not ReturnOrder.objects.exists()
    assert stored.events.count() == 1


@pytest.mark.parametrize(
    ("mode", "fields"),
    [
        pytest.param("postal", {}, id="postal"),
        pytest.param("dropoff", {"dropoff_code": "PUDO-1"}, id="dropoff"),
        pytest.param(
            "pickup",
            {
                "pickup_datetime": datetime.datetime(2030, 1, 7, 9, tzinfo=datetime.UTC),
                "pickup_duration": 120,
            },
            id="pickup",
        ),
    ],
)
def test_registering_with_what_the_mode_needs_succeeds(mode, fields):
    RelocationRuleFactory()
    shipback = _created_shipback(mode=mode, **fields)

    shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.REGISTERED


def test_a_direct_return_is_refused_when_a_destination_does_not_accept_direct_returns():
    # given
    RelocationRuleFactory(warehouse__accepts_direct_returns=True)
    RelocationRuleFactory(
        reason=ReturnReasonFactory(code="damaged"), warehouse__accepts_direct_returns=False
    )
    shipback = _created_shipback(mode="direct", reasons=("doesnt_fit", "damaged"))

    # when
    with pytest.raises(DomainError) as refused:
        shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    # then
    assert (refused.value.code, refused.value.field) == ("INVALID_MODE", "mode")
    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.CREATED
    assert not ReturnOrder.objects.exists()


def test_a_direct_return_registers_when_every_destination_accepts_direct_returns():
    RelocationRuleFactory(warehouse__accepts_direct_returns=True)
    shipback = _created_shipback(mode="direct")

    shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.REGISTERED


def test_a_shipback_being_registered_can_be_registered():
    RelocationRuleFactory()
    shipback = _created_shipback()
    shipback_transition(shipback_id=shipback.pk, to=Shipback.State.REGISTERING, actor=ACTOR)

    shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.REGISTERED
    assert ReturnOrder.objects.count() == 1


def test_registering_twice_is_refused_and_creates_no_second_return_order():
    RelocationRuleFactory()
    shipback = _created_shipback()
    shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    with pytest.raises(DomainError) as refused:
        shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    assert refused.value.code == "SHIPBACK_REGISTERED"
    assert ReturnOrder.objects.count() == 1


def test_registering_a_shipback_without_items_is_refused():
    RelocationRuleFactory()
    shipback = _created_shipback()
    shipback.returned_items.all().delete()

    with pytest.raises(DomainError) as refused:
        shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    assert (refused.value.code, refused.value.field) == ("REQUIRED", "items")
    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.CREATED


# shipback_cancel and shipback_delete

MODIFIABLE = [Shipback.State.CREATED, Shipback.State.REGISTERING]
NOT_MODIFIABLE = [s for s in Shipback.State.values if s not in MODIFIABLE]


@pytest.mark.parametrize("state", MODIFIABLE)
def test_a_shipback_not_registered_yet_can_be_cancelled(state):
    shipback = shipback_in_state(state)

    cancelled = shipback_cancel(shipback_id=shipback.pk, actor=ACTOR, note="Changed my mind")

    stored = Shipback.objects.get(pk=shipback.pk)
    assert cancelled.state == stored.state == Shipback.State.CANCELLED
    assert stored.cancelled_at is not None
    event = stored.events.last()
    assert (event.from_state, event.to_state, event.note) == (state, "cancelled", "Changed my mind")


@pytest.mark.parametrize("state", NOT_MODIFIABLE)
def test_cancelling_a_registered_shipback_is_refused(state):
    # given
    shipback = shipback_in_state(state)
    events = shipback.events.count()

    # when
    with pytest.raises(DomainError) as refused:
        shipback_cancel(shipback_id=shipback.pk, actor=ACTOR)

    # then
    assert refused.value.code == "SHIPBACK_REGISTERED"
    assert refused.value.message == (
        "This shipback is already registered; it can no longer be cancelled."
    )
    assert Shipback.objects.get(pk=shipback.pk).state == state
    assert shipback.events.count() == events


@pytest.mark.parametrize("state", NOT_MODIFIABLE)
def test_deleting_a_registered_shipback_is_refused(state):
    shipback = shipback_in_state(state)

    with pytest.raises(DomainError) as refused:
        shipback_delete(shipback_id=shipback.pk, actor=ACTOR)

    assert refused.value.code == "SHIPBACK_REGISTERED"
    assert refused.value.message == SHIPBACK_REGISTERED_MESSAGE
    assert (
        SHIPBACK_REGISTERED_MESSAGE == "This shipback is already processing. You can't delete it."
    )
    assert Shipback.objects.filter(pk=shipback.pk).exists()


@pytest.mark.parametrize("state", MODIFIABLE)
def test_deleting_a_shipback_removes_it_with_its_customer_copy(state):
    # given
    shipback = _created_shipback()
    for step in Shipback.path(shipback.state, state):
        shipback_transition(shipback_id=shipback.pk, to=step, actor=ACTOR)
    order = shipback.order
    copy = shipback.customer

    # when
    shipback_delete(shipback_id=shipback.pk, actor=ACTOR)

    # then
    assert not Shipback.objects.filter(pk=shipback.pk).exists()
    assert not ReturnedItem.objects.exists()
    assert not ShipbackEvent.objects.exists()
    assert not Customer.objects.filter(pk=copy.pk).exists()
    assert not Address.objects.filter(pk=copy.address_id).exists()
    assert Customer.objects.filter(pk=order.customer_id).exists()
    assert Address.objects.filter(pk=order.customer.address_id).exists()


def test_deleting_a_shipback_that_uses_the_orders_customer_keeps_that_customer():
    order = OrderFactory()
    shipback = shipback_create(
        order=order,
        items=[_line(OrderItemFactory(order=order))],
        actor=ACTOR,
        customer=order.customer,
    )

    shipback_delete(shipback_id=shipback.pk, actor=ACTOR)

    assert not Shipback.objects.exists()
    assert Customer.objects.filter(pk=order.customer_id).exists()


# shipbacks_cancel_abandoned


def _last_touched(shipback, ago: datetime.timedelta) -> None:
    Shipback.objects.filter(pk=shipback.pk).update(updated_at=timezone.now() - ago)


def test_abandoned_shipbacks_are_cancelled_after_the_delay():
    # given
    hours = datetime.timedelta(hours=1)
    stale_created = shipback_in_state(Shipback.State.CREATED)
    stale_registering = shipback_in_state(Shipback.State.REGISTERING)
    fresh = shipback_in_state(Shipback.State.CREATED)
    stale_registered = shipback_in_state(Shipback.State.REGISTERED)
    for shipback in (stale_created, stale_registering, stale_registered):
        _last_touched(shipback, 73 * hours)
    _last_touched(fresh, 71 * hours)

    # when
    cancelled = shipbacks_cancel_abandoned(older_than=72 * hours)

    # then
    assert cancelled == 2
    states = dict(Shipback.objects.values_list("pk", "state"))
    assert states == {
        stale_created.pk: "cancelled",
        stale_registering.pk: "cancelled",
        fresh.pk: "created",
        stale_registered.pk: "registered",
    }
    event = ShipbackEvent.objects.get(shipback=stale_created, to_state="cancelled")
    assert (event.actor, event.note) == ("system", "Not confirmed in time.")


def test_cancelling_abandoned_shipbacks_twice_cancels_nothing_more():
    shipback = shipback_in_state(Shipback.State.CREATED)
    _last_touched(shipback, datetime.timedelta(days=10))
    assert shipbacks_cancel_abandoned(older_than=datetime.timedelta(days=3)) == 1

    assert shipbacks_cancel_abandoned(older_than=datetime.timedelta(days=3)) == 0


# return_order_create


def test_a_return_order_from_an_order_expects_every_item_of_the_order():
    # given
    order = OrderFactory()
    first = OrderItemFactory(order=order, quantity=2)
    second = OrderItemFactory(order=order)
    extra = ProductFactory()
    warehouse = WarehouseFactory()

    # when
    return_order = return_order_create(
        warehouse=warehouse,
        actor=ACTOR,
        order=order,
        reason="Wrong size",
        reason_ref="RR-1",
        tracking_number="6A123",
        expected_items=[ExpectedItemData(product=extra, quantity=3, requested_action="quarantine")],
    )

    # then
    stored = ReturnOrder.objects.get(pk=return_order.pk)
    assert (stored.order, stored.warehouse, stored.state) == (order, warehouse, "new")
    assert (stored.reason, stored.reason_ref, stored.tracking_number) == (
        "Wrong size",
        "RR-1",
        "6A123",
    )
    assert stored.reference.startswith("RO")
    assert sorted(
        stored.expected_items.values_list("product", "quantity_expected", "requested_action")
    ) == sorted(
        [
            (first.product_id, 2, "default"),
            (second.product_id, 1, "default"),
            (extra.pk, 3, "quarantine"),
        ]
    )
    assert list(stored.events.values_list("from_state", "to_state", "actor")) == [
        ("", "new", "api:acme")
    ]


def test_a_return_order_can_skip_the_orders_items():
    order = OrderFactory(items=2)
    extra = ProductFactory()

    return_order = return_order_create(
        warehouse=WarehouseFactory(),
        actor=ACTOR,
        order=order,
        skip_expected_items_creation=True,
        expected_items=[ExpectedItemData(product=extra)],
    )

    assert list(return_order.expected_items.values_list("product", "quantity_expected")) == [
        (extra.pk, 1)
    ]


def test_a_return_order_from_a_known_source_reference_is_linked_to_its_order():
    order = OrderFactory(source="amazon", source_ref="402-1", items=1)

    return_order = return_order_create(
        warehouse=WarehouseFactory(), actor=ACTOR, source="amazon", source_ref="402-1"
    )

    assert return_order.order == order
    assert (return_order.source, return_order.source_ref) == ("amazon", "402-1")
    assert return_order.expected_items.get().product == order.items.get().product


def test_a_return_order_from_an_unknown_source_reference_keeps_the_reference_only():
    OrderFactory(source="amazon", source_ref="402-1")
    product = ProductFactory()

    return_order = return_order_create(
        warehouse=WarehouseFactory(),
        actor=ACTOR,
        source="amazon",
        source_ref="402-2",
        expected_items=[ExpectedItemData(product=product, quantity=2)],
    )

    stored = ReturnOrder.objects.get(pk=return_order.pk)
    assert (stored.order, stored.source, stored.source_ref) == (None, "amazon", "402-2")
    assert list(stored.expected_items.values_list("product", "quantity_expected")) == [
        (product.pk, 2)
    ]


def test_a_return_order_keeps_the_reference_it_is_given():
    return_order = return_order_create(
        warehouse=WarehouseFactory(), actor=ACTOR, order=OrderFactory(items=1), reference="RMA-9"
    )

    assert ReturnOrder.objects.get(pk=return_order.pk).reference == "RMA-9"


@pytest.mark.parametrize(
    "where",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"source": "amazon"}, id="source-only"),
        pytest.param({"source_ref": "402-1"}, id="source-ref-only"),
    ],
)
def test_a_return_order_without_order_nor_source_is_refused(where):
    product = ProductFactory()

    with pytest.raises(DomainError) as refused:
        return_order_create(
            warehouse=WarehouseFactory(),
            actor=ACTOR,
            expected_items=[ExpectedItemData(product=product)],
            **where,
        )

    assert (refused.value.code, refused.value.field) == ("REQUIRED", "order_id")
    assert not ReturnOrder.objects.exists()


def test_a_return_order_for_an_inactive_warehouse_is_refused():
    with pytest.raises(DomainError) as refused:
        return_order_create(
            warehouse=WarehouseFactory(active=False), actor=ACTOR, order=OrderFactory(items=1)
        )

    assert refused.value.code == "INVALID_WAREHOUSE"
    assert not ReturnOrder.objects.exists()


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(
            lambda: {"order": OrderFactory(items=2), "skip_expected_items_creation": True},
            id="order-items-skipped",
        ),
        pytest.param(lambda: {"source": "amazon", "source_ref": "404"}, id="unknown-source"),
    ],
)
def test_a_return_order_expecting_nothing_is_refused(where):
    with pytest.raises(DomainError) as refused:
        return_order_create(warehouse=WarehouseFactory(), actor=ACTOR, **where())

    assert refused.value.code == "REQUIRED"
    assert not ReturnOrder.objects.exists()
    assert not ReturnOrderEvent.objects.exists()


def test_a_return_order_line_expecting_no_unit_is_refused():
    with pytest.raises(DomainError) as refused:
        return_order_create(
            warehouse=WarehouseFactory(),
            actor=ACTOR,
            order=OrderFactory(items=1),
            expected_items=[ExpectedItemData(product=ProductFactory(), quantity=0)],
        )

    assert refused.value.code == "INVALID_QUANTITY"
    assert not ReturnOrder.objects.exists()
    assert not ExpectedItem.objects.exists()


# return_order_cancel


@pytest.mark.parametrize(
    "state",
    [ReturnOrder.State.NEW, ReturnOrder.State.AWAITING_ARRIVAL, ReturnOrder.State.IN_TROUBLE],
)
def test_a_return_order_can_be_cancelled_before_arrival(state):
    return_order = return_order_in_state(state)

    return_order_cancel(return_order_id=return_order.pk, actor=ACTOR, note="Customer kept it")

    stored = ReturnOrder.objects.get(pk=return_order.pk)
    assert stored.state == ReturnOrder.State.CANCELLED
    assert stored.cancelled_at is not None
    event = stored.events.last()
    assert (event.from_state, event.to_state, event.note) == (
        state,
        "cancelled",
        "Customer kept it",
    )


@pytest.mark.parametrize(
    "state",
    [
        ReturnOrder.State.ARRIVED,
        ReturnOrder.State.PROCESSING,
        ReturnOrder.State.COMPLETED,
        ReturnOrder.State.CANCELLED,
    ],
)
def test_cancelling_a_return_order_after_arrival_is_refused(state):
    return_order = return_order_in_state(state)

    with pytest.raises(InvalidTransition):
        return_order_cancel(return_order_id=return_order.pk, actor=ACTOR)

    assert ReturnOrder.objects.get(pk=return_order.pk).state == state


def test_cancelling_a_return_order_in_trouble_after_arrival_is_refused():
    return_order = return_order_in_state(ReturnOrder.State.ARRIVED)
    return_order_transition(return_order_id=return_order.pk, to="in_trouble", actor=ACTOR)

    with pytest.raises(InvalidTransition):
        return_order_cancel(return_order_id=return_order.pk, actor=ACTOR)

    stored = ReturnOrder.objects.get(pk=return_order.pk)
    assert (stored.state, stored.cancelled_at) == ("in_trouble", None)


def test_a_return_order_of_an_unknown_type_is_refused():
    with pytest.raises(ValidationError) as refused:
        return_order_create(
            warehouse=WarehouseFactory(), actor=ACTOR, order=OrderFactory(items=1), type="bogus"
        )

    assert "type" in refused.value.message_dict
    assert not ReturnOrder.objects.exists()


def test_a_return_order_reference_is_unique():
    return_order_create(
        warehouse=WarehouseFactory(), actor=ACTOR, order=OrderFactory(items=1), reference="RMA-9"
    )

    with pytest.raises(ValidationError) as refused:
        return_order_create(
            warehouse=WarehouseFactory(),
            actor=ACTOR,
            order=OrderFactory(items=1),
            reference="RMA-9",
        )

    assert "reference" in refused.value.message_dict
    assert ReturnOrder.objects.count() == 1
