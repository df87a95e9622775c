"""The database itself keeps bad rows out of the returns tables, whatever code writes them."""

import pytest
from django.db import IntegrityError, transaction

from shipbacks.models import (
    ExpectedItem,
    ItemAction,
    Quote,
    ReturnedItem,
    ReturnOrder,
    ReturnPolicy,
    Shipback,
    Warehouse,
)
from tests.factories import (
    AddressFactory,
    ExpectedItemFactory,
    ItemActionFactory,
    OrderFactory,
    QuoteFactory,
    RelocationRuleFactory,
    ReturnedItemFactory,
    ReturnOrderFactory,
    ReturnReasonFactory,
    ShipbackFactory,
    SponsoringRuleFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def _warehouse_with_every_provider_id():
    return WarehouseFactory(
        shippingbo_supplier_id=1, shipbob_fulfillment_center_id=2, kibo_location_id=3
    )


# (make a row, field, the values the field accepts)
CHOICE_FIELDS = [
    pytest.param(ShipbackFactory, "state", Shipback.State.values, id="shipback-state"),
    pytest.param(ShipbackFactory, "mode", ["", *Shipback.Mode.values], id="shipback-mode"),
    pytest.param(ReturnedItemFactory, "state", ReturnedItem.State.values, id="returned-item-state"),
    pytest.param(QuoteFactory, "state", Quote.State.values, id="quote-state"),
    pytest.param(QuoteFactory, "mode", Quote.Mode.values, id="quote-mode"),
    pytest.param(ReturnOrderFactory, "state", ReturnOrder.State.values, id="return-order-state"),
    pytest.param(ReturnOrderFactory, "type", ReturnOrder.Type.values, id="return-order-type"),
    pytest.param(
        ExpectedItemFactory,
        "requested_action",
        ExpectedItem.RequestedAction.values,
        id="expected-item-requested-action",
    ),
    pytest.param(ItemActionFactory, "action", ItemAction.Action.values, id="item-action"),
    pytest.param(
        _warehouse_with_every_provider_id,
        "provider",
        Warehouse.Provider.values,
        id="warehouse-provider",
    ),
    pytest.param(
        ReturnPolicy.current,
        "window_starts_at",
        ReturnPolicy.WindowStart.values,
        id="return-policy-window-start",
    ),
]


@pytest.mark.parametrize(("make", "field", "accepted"), CHOICE_FIELDS)
def test_the_database_refuses_an_unknown_choice(make, field, accepted):
    row = make()
    rows = type(row).objects.filter(pk=row.pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "bogus"})

    assert getattr(rows.get(), field) == getattr(row, field)


@pytest.mark.parametrize(("make", "field", "accepted"), CHOICE_FIELDS)
def test_the_database_accepts_every_known_choice(make, field, accepted):
    row = make()
    rows = type(row).objects.filter(pk=row.pk)

    for value in accepted:
        rows.update(**{field: value})
        assert getattr(rows.get(), field) == value


@pytest.mark.parametrize(
    ("make", "field", "value"),
    [
        pytest.param(QuoteFactory, "mode", "direct", id="no-quote-for-a-direct-return"),
        pytest.param(ItemActionFactory, "action", "default", id="default-is-not-an-action-taken"),
    ],
)
def test_the_database_refuses_a_value_of_a_neighbouring_choice(make, field, value):
    row = make()

    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**{field: value})


# Quantities.


def test_a_returned_item_returns_at_least_one_unit():
    item = ReturnedItemFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnedItem.objects.filter(pk=item.pk).update(quantity=0)


def test_an_order_item_is_returned_once_per_shipback():
    item = ReturnedItemFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnedItemFactory(shipback=item.shipback, order_item=item.order_item)


def test_a_shipback_has_one_quote_per_mode():
    quote = QuoteFactory(mode=Quote.Mode.PICKUP)
    QuoteFactory(shipback=quote.shipback, mode=Quote.Mode.POSTAL)

    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteFactory(shipback=quote.shipback, mode=Quote.Mode.PICKUP)


def test_an_expected_item_cannot_receive_more_than_expected():
    item = ExpectedItemFactory(quantity_expected=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        ExpectedItem.objects.filter(pk=item.pk).update(quantity_received=3)

    ExpectedItem.objects.filter(pk=item.pk).update(quantity_received=2)


def test_an_unexpected_item_may_receive_any_quantity():
    item = ExpectedItemFactory(quantity_expected=0, quantity_received=4, unexpected=True)

    assert ExpectedItem.objects.get(pk=item.pk).quantity_received == 4


def test_an_expected_item_expects_at_least_one_unit_unless_unexpected():
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpectedItemFactory(quantity_expected=0)


def test_an_item_action_covers_at_least_one_unit():
    action = ItemActionFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ItemAction.objects.filter(pk=action.pk).update(quantity=0)


# Return orders.


def test_a_return_order_needs_its_order_or_a_source_and_reference():
    warehouse = WarehouseFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnOrder.objects.create(warehouse=warehouse)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnOrder.objects.create(warehouse=warehouse, source="amazon")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnOrder.objects.create(warehouse=warehouse, source_ref="A-1")

    ReturnOrder.objects.create(warehouse=warehouse, source="amazon", source_ref="A-1")
    ReturnOrder.objects.create(warehouse=warehouse, order=OrderFactory())
    assert ReturnOrder.objects.count() == 2


# Rules.


def test_a_sponsoring_rule_pays_at_most_100_percent():
    SponsoringRuleFactory(percentage=100)

    with pytest.raises(IntegrityError), transaction.atomic():
        SponsoringRuleFactory(percentage=101, country_code="FR")


@pytest.mark.parametrize("payer", ["merchant", "customer"])
def test_a_sponsoring_rule_minimum_fee_is_not_above_its_maximum(payer):
    SponsoringRuleFactory(**{f"{payer}_fee_min_cents": 500, f"{payer}_fee_max_cents": 500})

    with pytest.raises(IntegrityError), transaction.atomic():
        SponsoringRuleFactory(
            country_code="FR", **{f"{payer}_fee_min_cents": 501, f"{payer}_fee_max_cents": 500}
        )


@pytest.mark.parametrize(
    ("with_reason", "country_code"),
    [
        pytest.param(True, "FR", id="reason-and-country"),
        pytest.param(True, "", id="reason-any-country"),
        pytest.param(False, "FR", id="any-reason-country"),
        pytest.param(False, "", id="any-reason-any-country"),
    ],
)
@pytest.mark.parametrize(
    "factory", [RelocationRuleFactory, SponsoringRuleFactory], ids=["relocation", "sponsoring"]
)
def test_there_is_one_rule_per_reason_and_country(factory, with_reason, country_code):
    # given
    reason = ReturnReasonFactory() if with_reason else None
    factory(reason=reason, country_code=country_code)
    # rules of the neighbouring scopes do not collide with it
    factory(reason=reason, country_code="DE")
    factory(reason=ReturnReasonFactory(), country_code=country_code)
    if with_reason:
        factory(reason=None, country_code=country_code)

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(reason=reason, country_code=country_code)


# Warehouses and the policy.


@pytest.mark.parametrize(
    ("provider", "id_field"),
    [
        ("shipbob", "shipbob_fulfillment_center_id"),
        ("shippingbo", "shippingbo_supplier_id"),
        ("kibo", "kibo_location_id"),
    ],
)
def test_a_provider_warehouse_needs_its_id_at_that_provider(provider, id_field):
    with pytest.raises(IntegrityError), transaction.atomic():
        WarehouseFactory(provider=provider)

    warehouse = WarehouseFactory(provider=provider, **{id_field: 42})
    assert Warehouse.objects.get(pk=warehouse.pk).provider == provider


def test_a_manual_warehouse_needs_no_provider_id():
    warehouse = WarehouseFactory(provider=Warehouse.Provider.MANUAL)

    assert Warehouse.objects.get(pk=warehouse.pk).provider == "manual"


def test_two_warehouses_cannot_share_an_address():
    address = AddressFactory()
    WarehouseFactory(address=address)

    with pytest.raises(IntegrityError), transaction.atomic():
        WarehouseFactory(address=address)


def test_the_return_policy_is_a_single_row():
    ReturnPolicy.current()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnPolicy.objects.create(id=2)

    assert list(ReturnPolicy.objects.values_list("pk", flat=True)) == [1]


def test_the_return_policy_is_created_on_first_use_with_the_defaults():
    ReturnPolicy.objects.all().delete()

    policy = ReturnPolicy.current()

    assert (policy.pk, policy.window_days, policy.window_starts_at) == (1, 30, "delivery")
    assert ReturnPolicy.current().pk == policy.pk
    assert str(policy) == "30 days from the delivery date (order date when not delivered yet)"
