"""Reads shared by the admin, the API and the portal: where items go, which rows are which."""

import datetime

import pytest
from django.utils import timezone

from returns_portal.errors import DomainError
from shipbacks.models import RelocationRule, ReturnOrder, Shipback
from shipbacks.selectors import relocation_warehouse_for
from tests.factories import (
    CustomerFactory,
    RelocationRuleFactory,
    ReturnedItemFactory,
    ReturnReasonFactory,
    WarehouseFactory,
    return_order_in_state,
    shipback_in_state,
)

pytestmark = pytest.mark.django_db


def _item(country: str | None = "FR", reason_code: str = "damaged", **shipback):
    """A returned item whose shipback's customer lives in ``country`` (None: no address)."""
    if country:
        customer = CustomerFactory(address__country_code=country)
    else:
        customer = CustomerFactory(address=None)
    return ReturnedItemFactory(
        shipback__customer=customer,
        reason=ReturnReasonFactory(code=reason_code),
        **{f"shipback__{k}": v for k, v in shipback.items()},
    )


def test_the_relocation_override_wins_over_every_rule():
    override = WarehouseFactory()
    RelocationRuleFactory()
    RelocationRuleFactory(reason=ReturnReasonFactory(code="damaged"), country_code="FR")
    item = _item(relocation_warehouse=override)

    assert relocation_warehouse_for(shipback=item.shipback, returned_item=item) == override


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        pytest.param(["any", "country", "reason", "both"], "both", id="reason+country-first"),
        pytest.param(["any", "country", "reason"], "reason", id="then-reason"),
        pytest.param(["any", "country"], "country", id="then-country"),
        pytest.param(["any"], "any", id="then-any"),
        pytest.param(["country", "reason"], "reason", id="reason-beats-country-without-any"),
        pytest.param(["both"], "both", id="only-the-exact-rule"),
    ],
)
def test_the_most_specific_rule_gives_the_warehouse(scopes, expected):
    # given
    reason = ReturnReasonFactory(code="damaged")
    kwargs = {
        "any": {},
        "country": {"country_code": "FR"},
        "reason": {"reason": reason},
        "both": {"reason": reason, "country_code": "FR"},
    }
    warehouses = {scope: RelocationRuleFactory(**kwargs[scope]).warehouse for scope in scopes}
    RelocationRuleFactory(reason=ReturnReasonFactory(code="other"), country_code="FR")
    RelocationRuleFactory(reason=reason, country_code="DE")
    RelocationRuleFactory(country_code="DE")
    item = _item("FR", "damaged")

    # when
    warehouse = relocation_warehouse_for(shipback=item.shipback, returned_item=item)

    # then
    assert warehouse == warehouses[expected]


def test_a_customer_without_address_gets_the_rules_for_any_country():
    reason = ReturnReasonFactory(code="damaged")
    RelocationRuleFactory(reason=reason, country_code="FR")
    any_country = RelocationRuleFactory(reason=reason).warehouse
    item = _item(None, "damaged")

    assert relocation_warehouse_for(shipback=item.shipback, returned_item=item) == any_country


def test_without_a_matching_rule_no_warehouse_receives_the_return():
    RelocationRuleFactory(country_code="DE")
    RelocationRuleFactory(reason=ReturnReasonFactory(code="other"))
    item = _item("FR", "damaged")

    with pytest.raises(DomainError) as refused:
        relocation_warehouse_for(shipback=item.shipback, returned_item=item)

    assert refused.value.code == "NO_WAREHOUSE"


def test_matching_rules_come_most_specific_first():
    reason = ReturnReasonFactory(code="damaged")
    rules = [
        RelocationRuleFactory(reason=reason, country_code="FR"),
        RelocationRuleFactory(reason=reason),
        RelocationRuleFactory(country_code="FR"),
        RelocationRuleFactory(),
    ]
    RelocationRuleFactory(country_code="DE")

    matching = RelocationRule.objects.matching(reason_id=reason.pk, country_code="FR")

    assert list(matching) == rules


# Shipback and return order querysets.


def test_modifiable_shipbacks_are_the_ones_not_registered_yet():
    shipbacks = {state: shipback_in_state(state) for state in Shipback.State.values}

    modifiable = set(Shipback.objects.modifiable())

    assert modifiable == {shipbacks["created"], shipbacks["registering"]}
    assert [s.is_modifiable for s in shipbacks.values()] == [
        s in modifiable for s in shipbacks.values()
    ]


def test_open_shipbacks_exclude_the_final_states():
    shipbacks = {state: shipback_in_state(state) for state in Shipback.State.values}

    open_states = {s.state for s in Shipback.objects.open()}

    assert open_states == set(shipbacks) - {"relocated", "failed", "cancelled"}


def test_shipbacks_awaiting_a_label_are_registered_and_not_direct():
    postal = shipback_in_state(Shipback.State.REGISTERED, mode="postal")
    shipback_in_state(Shipback.State.REGISTERED, mode="direct")
    shipback_in_state(Shipback.State.LABELLED, mode="postal")
    shipback_in_state(Shipback.State.CREATED, mode="postal")

    assert list(Shipback.objects.awaiting_label()) == [postal]


def test_abandoned_shipbacks_are_modifiable_and_untouched_since_before_the_cutoff():
    # given
    cutoff = timezone.now() - datetime.timedelta(hours=72)
    old = {state: shipback_in_state(state) for state in ("created", "registering", "registered")}
    recent = shipback_in_state("created")
    Shipback.objects.filter(pk__in=[s.pk for s in old.values()]).update(
        updated_at=cutoff - datetime.timedelta(seconds=1)
    )

    # when
    abandoned = set(Shipback.objects.abandoned(before=cutoff))

    # then
    assert abandoned == {old["created"], old["registering"]}
    assert recent not in abandoned


def test_return_orders_awaiting_arrival_and_open_ones():
    return_orders = {state: return_order_in_state(state) for state in ReturnOrder.State.values}

    awaiting = {r.state for r in ReturnOrder.objects.awaiting_arrival()}
    open_states = {r.state for r in ReturnOrder.objects.open()}

    assert awaiting == {"new", "awaiting_arrival"}
    assert open_states == set(return_orders) - {"completed", "cancelled"}


def test_an_inactive_warehouse_is_skipped_for_the_next_matching_rule():
    # given: the specific rule points to a warehouse that was switched off
    reason = ReturnReasonFactory(code="damaged")
    closed = WarehouseFactory(active=False)
    fallback = WarehouseFactory()
    RelocationRuleFactory(reason=reason, warehouse=closed)
    RelocationRuleFactory(warehouse=fallback)
    item = ReturnedItemFactory(reason=reason)

    # when
    warehouse = relocation_warehouse_for(shipback=item.shipback, returned_item=item)

    # then
    assert warehouse == fallback
