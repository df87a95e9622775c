"""What the customer pays to send a return back, mode by mode.

The provider quotes each mode's price (what sending the parcel costs the merchant). The
customer's price comes, first found:

1. from the shipback's own ``<mode>_customer_price_cents`` override (ShopRunBack's "Price paid
   by the customer", seed 003): the integrator's figure is what the customer pays, even above
   the price (ShopRunBack refunds the merchant the difference);
2. from the sponsoring rule of the returned items' reasons and the customer's country, the most
   specific one as :meth:`RuleQuerySet.matching` orders them (reason and country, reason,
   country, any): the merchant pays ``percentage`` % of the price, rounded half up to the cent,
   kept within the merchant's fee bounds and within the price; the customer pays the rest, kept
   within the customer's fee bounds, never more than the price and never less than nothing;
3. without a rule, from what the provider says the customer pays, else the whole price.

A Try at Home return (the ``try_at_home`` override) is priced by ShopRunBack, which makes it free
within the period the merchant agreed with it: the provider's customer price stands, when it
gives one, before any sponsoring rule.

A return whose items have several reasons gets the price most favourable to the customer among
its reasons: the items travel in one parcel, and one item the merchant sponsors (it arrived
damaged) is reason enough to sponsor the parcel.

:func:`shipback_pricing` loads what this depends on once per shipback (two queries whatever the
number of items and quotes); :meth:`ShipbackPricing.customer_price_cents` computes, without
queries.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q

from ..models import Quote, ReturnedItem, Shipback, SponsoringRule


def _round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves up (both positive)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _clamp(value: int, low: int | None, high: int | None) -> int:
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


def sponsored_customer_price(*, price_cents: int, rule: SponsoringRule) -> int:
    """What the customer pays of ``price_cents`` under one sponsoring rule."""
    merchant_share = _round_half_up(price_cents * rule.percentage, 100)
    merchant_share = _clamp(
        merchant_share, rule.merchant_fee_min_cents, rule.merchant_fee_max_cents
    )
    merchant_share = _clamp(merchant_share, 0, price_cents)
    customer_price = _clamp(
        price_cents - merchant_share, rule.customer_fee_min_cents, rule.customer_fee_max_cents
    )
    return _clamp(customer_price, 0, price_cents)


@dataclass(frozen=True)
class ShipbackPricing:
    """What a shipback's customer prices depend on: its overrides (mode -> cents, None: none)
    and the sponsoring rule of each of its items' reasons (None: no rule for that reason)."""

    overrides: Mapping[str, int | None]
    rules: tuple[SponsoringRule | None, ...]
    try_at_home: bool = False

    def customer_price_cents(
        self, *, mode: str, price_cents: int | None, provider_customer_price_cents: int | None
    ) -> int | None:
        """The customer's price of a mode the provider quoted ``price_cents``; None when
        neither the provider nor an override gave any figure."""
        override = self.overrides.get(mode)
        if override is not None:
            return override
        if self.try_at_home and provider_customer_price_cents is not None:
            return provider_customer_price_cents
        unsponsored = (
            provider_customer_price_cents
            if provider_customer_price_cents is not None
            else price_cents
        )
        if price_cents is None:
            return unsponsored
        return min(
            sponsored_customer_price(price_cents=price_cents, rule=rule)
            if rule is not None
            else unsponsored
            for rule in self.rules or (None,)
        )


def _most_specific(rules: list[SponsoringRule], reason_id) -> SponsoringRule | None:
    """The rule for this reason, as RuleQuerySet.matching ranks them: a rule naming the reason
    before one for any reason, then a rule naming the country before one for any country."""
    applicable = [rule for rule in rules if rule.reason_id in (reason_id, None)]
    return max(
        applicable,
        key=lambda rule: (rule.reason_id is not None, bool(rule.country_code)),
        default=None,
    )


def shipback_pricing(*, shipback: Shipback) -> ShipbackPricing:
    """Load what the shipback's customer prices depend on, as its items and customer are now:
    two queries (its items' reasons with the customer's country, then the rules that may
    apply), whatever the number of items and quotes."""
    rows = set(
        ReturnedItem.objects.filter(shipback=shipback).values_list(
            "reason_id", "shipback__customer__address__country_code"
        )
    )
    reason_ids = sorted({reason_id for reason_id, _country in rows})
    country = next((country for _reason, country in rows if country), "")
    candidates = list(
        SponsoringRule.objects.filter(
            Q(reason_id__in=reason_ids) | Q(reason__isnull=True),
            Q(country_code=country) | Q(country_code=""),
        )
    )
    return ShipbackPricing(
        overrides={mode: shipback.customer_price_override(mode) for mode in Quote.Mode.values},
        rules=tuple(_most_specific(candidates, reason_id) for reason_id in reason_ids),
        try_at_home=shipback.try_at_home,
    )
