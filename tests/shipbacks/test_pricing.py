"""What the customer pays: overrides, sponsoring rules (share, bounds, rounding, scope) and the
provider's figure; stored on the quotes and taken by the shipback at registration."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from returns_portal.actors import Actor
from returns_portal.services import api_token_issue
from shipbacks.models import Quote, Shipback, SponsoringRule
from shipbacks.services import quote_record_result, quotes_request
from shipbacks.services.editing import shipback_free, shipback_update
from shipbacks.services.pricing import (
    ShipbackPricing,
    shipback_pricing,
    sponsored_customer_price,
)
from tests.factories import (
    AddressFactory,
    CustomerFactory,
    OrderFactory,
    RelocationRuleFactory,
    ReturnedItemFactory,
    ReturnReasonFactory,
    ShipbackFactory,
    SponsoringRuleFactory,
)

ACTOR = Actor.provider("shoprunback")
NO_OVERRIDES = {"postal": None, "pickup": None, "dropoff": None}


def rule(percentage, **bounds) -> SponsoringRule:
    """A rule as the pure functions see it (not saved: they need no database)."""
    return SponsoringRule(percentage=percentage, **bounds)


def pricing(*rules, **overrides) -> ShipbackPricing:
    return ShipbackPricing(overrides={**NO_OVERRIDES, **overrides}, rules=rules)


# One rule: the merchant's share, its bounds, the customer's bounds.


@pytest.mark.parametrize(
    ("percentage", "expected"),
    [(0, 690), (50, 345), (100, 0)],
    ids=["not-sponsored", "half", "fully-sponsored"],
)
def test_the_merchant_pays_the_rules_share_of_the_price(percentage, expected):
    assert sponsored_customer_price(price_cents=690, rule=rule(percentage)) == expected


def test_the_merchants_share_is_rounded_half_up_to_the_cent():
    # 50 % of 693 = 346.5: the merchant pays 347, the customer 346 (not 347 by flooring the
    # share, nor 347 by rounding halves to even).
    assert sponsored_customer_price(price_cents=693, rule=rule(50)) == 346
    # 15 % of 990 = 148.5 -> 149; 33 % of 1000 = 330 exactly.
    assert sponsored_customer_price(price_cents=990, rule=rule(15)) == 841
    assert sponsored_customer_price(price_cents=1000, rule=rule(33)) == 670


def test_the_merchant_pays_at_least_its_minimum_fee():
    # 10 % of 1000 is 100, below the merchant's 300 minimum.
    assert sponsored_customer_price(
        price_cents=1000, rule=rule(10, merchant_fee_min_cents=300)
    ) == (700)


def test_the_merchant_pays_at_most_its_maximum_fee():
    # 100 % of 1190, but the merchant pays 500 at most.
    assert sponsored_customer_price(
        price_cents=1190, rule=rule(100, merchant_fee_max_cents=500)
    ) == (690)


def test_a_merchant_minimum_above_the_price_makes_the_return_free_not_negative():
    assert sponsored_customer_price(price_cents=690, rule=rule(0, merchant_fee_min_cents=2000)) == 0


def test_the_customer_pays_at_least_their_minimum_fee():
    assert sponsored_customer_price(
        price_cents=690, rule=rule(100, customer_fee_min_cents=100)
    ) == (100)


def test_the_customer_pays_at_most_their_maximum_fee():
    # 50 % of 1190 leaves 595 to the customer, who pays 450 at most.
    assert sponsored_customer_price(
        price_cents=1190, rule=rule(50, customer_fee_max_cents=450)
    ) == (450)


def test_a_customer_minimum_above_the_price_never_makes_them_pay_more_than_the_price():
    assert sponsored_customer_price(price_cents=690, rule=rule(0, customer_fee_min_cents=1000)) == (
        690
    )


def test_a_free_return_stays_free_with_a_customer_maximum():
    assert (
        sponsored_customer_price(price_cents=690, rule=rule(100, customer_fee_max_cents=450)) == 0
    )


# Override, rules, provider: which figure wins.


def test_the_shipbacks_override_comes_before_any_rule():
    prices = pricing(rule(100), postal=300)

    assert (
        prices.customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=690
        )
        == 300
    )
    # The other modes keep the rule.
    assert (
        prices.customer_price_cents(
            mode="pickup", price_cents=1190, provider_customer_price_cents=1190
        )
        == 0
    )


def test_an_override_of_zero_makes_the_mode_free_and_one_above_the_price_is_kept():
    prices = pricing(rule(0), postal=0, pickup=2000)

    assert (
        prices.customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=None
        )
        == 0
    )
    assert (
        prices.customer_price_cents(
            mode="pickup", price_cents=1190, provider_customer_price_cents=None
        )
        == 2000
    )


def test_without_a_rule_the_customer_pays_what_the_provider_says_else_the_whole_price():
    prices = pricing(None)

    assert (
        prices.customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=450
        )
        == 450
    )
    assert (
        prices.customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=None
        )
        == 690
    )


def test_a_rule_comes_before_the_providers_customer_price():
    assert (
        pricing(rule(50)).customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=100
        )
        == 345
    )


def test_a_try_at_home_return_keeps_the_providers_customer_price_over_any_rule():
    prices = ShipbackPricing(overrides={}, rules=(rule(0),), try_at_home=True)

    assert (
        prices.customer_price_cents(mode="postal", price_cents=690, provider_customer_price_cents=0)
        == 0
    )
    assert (
        prices.customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=None
        )
        == 690
    )


def test_without_a_price_only_an_override_or_the_providers_figure_can_say_anything():
    assert (
        pricing(rule(100)).customer_price_cents(
            mode="postal", price_cents=None, provider_customer_price_cents=None
        )
        is None
    )
    assert (
        pricing(rule(100)).customer_price_cents(
            mode="postal", price_cents=None, provider_customer_price_cents=400
        )
        == 400
    )
    assert (
        pricing(rule(100), postal=250).customer_price_cents(
            mode="postal", price_cents=None, provider_customer_price_cents=None
        )
        == 250
    )


def test_several_reasons_get_the_price_most_favourable_to_the_customer():
    # A 100 % rule capped at 200 for the merchant leaves 490 to pay; a 50 % rule leaves 345:
    # the lower price wins, not the higher percentage.
    capped, half = rule(100, merchant_fee_max_cents=200), rule(50)

    assert (
        pricing(capped, half).customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=690
        )
        == 345
    )
    assert (
        pricing(half, rule(100)).customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=690
        )
        == 0
    )


def test_a_reason_without_a_rule_counts_with_the_providers_figure():
    prices = pricing(None, rule(50))

    assert (
        prices.customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=200
        )
        == 200
    )
    assert (
        prices.customer_price_cents(
            mode="postal", price_cents=690, provider_customer_price_cents=None
        )
        == 345
    )


# The rules of a shipback: its reasons and its customer's country.


def shipback_of(*reason_codes, country="FR", **fields) -> Shipback:
    customer = CustomerFactory(address=AddressFactory(country_code=country))
    shipback = ShipbackFactory(order=OrderFactory(customer=customer), customer=customer, **fields)
    for code in reason_codes:
        ReturnedItemFactory(shipback=shipback, reason=ReturnReasonFactory(code=code))
    return shipback


def postal_price(shipback: Shipback, price_cents: int = 690) -> int | None:
    return shipback_pricing(shipback=shipback).customer_price_cents(
        mode="postal", price_cents=price_cents, provider_customer_price_cents=price_cents
    )


@pytest.mark.django_db
def test_a_rule_for_the_customers_country_comes_before_the_rule_for_any_country():
    SponsoringRuleFactory(percentage=0)
    SponsoringRuleFactory(country_code="FR", percentage=50)

    assert postal_price(shipback_of("doesnt_fit", country="FR")) == 345
    assert postal_price(shipback_of("doesnt_fit", country="DE")) == 690


@pytest.mark.django_db
def test_a_rule_for_the_reason_comes_before_a_rule_for_the_country():
    SponsoringRuleFactory(country_code="FR", percentage=50)
    SponsoringRuleFactory(reason=ReturnReasonFactory(code="damaged"), percentage=100)

    assert postal_price(shipback_of("damaged", country="FR")) == 0
    assert postal_price(shipback_of("doesnt_fit", country="FR")) == 345


@pytest.mark.django_db
def test_a_rule_for_the_reason_and_the_country_is_the_most_specific():
    damaged = ReturnReasonFactory(code="damaged")
    SponsoringRuleFactory(reason=damaged, percentage=100)
    SponsoringRuleFactory(reason=damaged, country_code="FR", percentage=20)

    assert postal_price(shipback_of("damaged", country="FR")) == 552
    assert postal_price(shipback_of("damaged", country="DE")) == 0


@pytest.mark.django_db
def test_a_return_with_one_sponsored_reason_is_free():
    SponsoringRuleFactory(percentage=0)
    SponsoringRuleFactory(reason=ReturnReasonFactory(code="damaged"), percentage=100)

    assert postal_price(shipback_of("doesnt_fit", "damaged", "doesnt_fit")) == 0


@pytest.mark.django_db
def test_a_rule_for_another_country_or_reason_does_not_apply():
    SponsoringRuleFactory(country_code="DE", percentage=100)
    SponsoringRuleFactory(reason=ReturnReasonFactory(code="damaged"), percentage=100)

    shipback = shipback_of("doesnt_fit", country="FR")

    assert shipback_pricing(shipback=shipback).rules == (None,)
    assert postal_price(shipback) == 690


@pytest.mark.django_db
def test_loading_a_shipbacks_rules_takes_two_queries_whatever_its_size():
    SponsoringRuleFactory(percentage=0)
    small = shipback_of("doesnt_fit")
    large = shipback_of(*[f"reason_{n}" for n in range(8)], "doesnt_fit")

    with CaptureQueriesContext(connection) as one_item:
        shipback_pricing(shipback=small)
    with CaptureQueriesContext(connection) as nine_items:
        shipback_pricing(shipback=large)

    assert len(one_item) == len(nine_items) == 2


# Quotes keep the provider's price and the customer's; registration takes the quote's.


def computing_quotes(shipback: Shipback) -> dict[str, Quote]:
    return {quote.mode: quote for quote in quotes_request(shipback_id=shipback.pk)}


def record(quote: Quote, price: int, customer_price: int | None = None, **fields) -> Quote:
    return quote_record_result(
        quote_id=quote.pk,
        state=Quote.State.AVAILABLE,
        price_cents=price,
        customer_price_cents=price if customer_price is None else customer_price,
        actor=ACTOR,
        **fields,
    )


@pytest.mark.django_db
def test_a_recorded_quote_keeps_the_providers_price_and_stores_the_sponsored_price():
    SponsoringRuleFactory(country_code="FR", percentage=50, customer_fee_max_cents=450)
    quotes = computing_quotes(shipback_of("doesnt_fit"))

    postal = record(quotes["postal"], 690)
    pickup = record(quotes["pickup"], 1190)

    postal.refresh_from_db()
    pickup.refresh_from_db()
    assert (postal.price_cents, postal.customer_price_cents) == (690, 345)
    assert (pickup.price_cents, pickup.customer_price_cents) == (1190, 450)


@pytest.mark.django_db
def test_a_recorded_quote_takes_the_shipbacks_override_over_the_rules():
    SponsoringRuleFactory(percentage=100)
    quotes = computing_quotes(shipback_of("doesnt_fit", postal_customer_price_cents=250))

    postal = record(quotes["postal"], 690)
    dropoff = record(quotes["dropoff"], 490)

    assert (postal.price_cents, postal.customer_price_cents) == (690, 250)
    assert (dropoff.price_cents, dropoff.customer_price_cents) == (490, 0)


@pytest.mark.django_db
def test_an_unavailable_quote_has_no_price_even_with_a_rule():
    SponsoringRuleFactory(percentage=100)
    quote = computing_quotes(shipback_of("doesnt_fit"))["postal"]

    quote = quote_record_result(quote_id=quote.pk, state=Quote.State.UNAVAILABLE, actor=ACTOR)

    assert (quote.price_cents, quote.customer_price_cents) == (None, None)


@pytest.mark.django_db
def test_recording_a_quote_runs_as_many_queries_whatever_the_number_of_items():
    SponsoringRuleFactory(percentage=50)
    small = computing_quotes(shipback_of("doesnt_fit"))
    large = computing_quotes(shipback_of(*[f"reason_{n}" for n in range(8)]))

    with CaptureQueriesContext(connection) as one_item:
        record(small["postal"], 690)
    with CaptureQueriesContext(connection) as eight_items:
        record(large["postal"], 690)

    assert len(one_item) == len(eight_items)


def registrable(*reason_codes, **fields) -> Shipback:
    RelocationRuleFactory()
    return shipback_of(*reason_codes, mode="postal", **fields)


@pytest.mark.django_db
def test_registering_takes_the_quotes_sponsored_price():
    SponsoringRuleFactory(reason=ReturnReasonFactory(code="damaged"), percentage=100)
    shipback = registrable("damaged")
    record(computing_quotes(shipback)["postal"], 690)

    shipback = shipback_free(shipback_id=shipback.pk, actor=ACTOR)

    assert shipback.state == Shipback.State.REGISTERED
    assert (shipback.price_cents, shipback.customer_price_cents) == (690, 0)


@pytest.mark.django_db
def test_an_override_set_after_the_quotes_were_computed_is_shown_and_paid():
    SponsoringRuleFactory(percentage=50)
    shipback = registrable("doesnt_fit")
    record(computing_quotes(shipback)["postal"], 690)

    shipback_update(
        shipback_id=shipback.pk, actor=ACTOR, overrides={"postal_customer_price_cents": 120}
    )
    shown = Quote.objects.get(shipback=shipback, mode="postal")
    shipback = shipback_free(shipback_id=shipback.pk, actor=ACTOR)

    assert (shown.price_cents, shown.customer_price_cents) == (690, 120)
    assert (shipback.price_cents, shipback.customer_price_cents) == (690, 120)


@pytest.mark.django_db
def test_an_override_written_straight_to_the_shipback_still_holds_at_registration():
    SponsoringRuleFactory(percentage=50)
    shipback = registrable("doesnt_fit")
    record(computing_quotes(shipback)["postal"], 690)
    Shipback.objects.filter(pk=shipback.pk).update(postal_customer_price_cents=80)

    shipback = shipback_free(shipback_id=shipback.pk, actor=ACTOR)

    assert shipback.customer_price_cents == 80
    assert Quote.objects.get(shipback=shipback, mode="postal").customer_price_cents == 80


@pytest.mark.django_db
def test_the_api_lists_the_sponsored_customer_price_next_to_the_providers_price():
    SponsoringRuleFactory(country_code="FR", percentage=50, customer_fee_max_cents=450)
    shipback = shipback_of("doesnt_fit")
    quotes = computing_quotes(shipback)
    record(quotes["postal"], 690)
    record(quotes["pickup"], 1190)
    quote_record_result(quote_id=quotes["dropoff"].pk, state=Quote.State.UNAVAILABLE)
    _, token = api_token_issue(integrator_name="Acme shop")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token token={token}")

    body = api.get(f"/api/v1/shipbacks/{shipback.pk}/quotes").json()

    prices = {q["mode"]: (q["price_cents"], q["customer_price_cents"]) for q in body}
    assert prices == {"postal": (690, 345), "pickup": (1190, 450), "dropoff": (None, None)}
