"""Sponsoring rules: how much of a return's price the merchant pays, by reason and country.

A new rule is announced to integrators with ShopRunBack's ``sponsoring.created`` webhook
(seed 003, "Sponsoring"). The rules apply to quotes computed from then on (see :mod:`.pricing`).
"""

from django.db import transaction

from returns_portal.webhooks import webhook_emit

from ..models import ReturnReason, SponsoringRule

SPONSORING_RULE_FIELDS = (
    "reason",
    "country_code",
    "percentage",
    "merchant_fee_min_cents",
    "merchant_fee_max_cents",
    "customer_fee_min_cents",
    "customer_fee_max_cents",
)


def sponsoring_rule_webhook_data(rule: SponsoringRule) -> dict:
    """The rule as ShopRunBack's ``sponsoring.created`` carries it: the percentage as a string,
    the fee bounds in cents like every amount here (null: no bound), a reason or country that
    is any reason or any country as null."""
    return {
        "id": str(rule.pk),
        "percentage": str(rule.percentage),
        "country_code": rule.country_code or None,
        "reason_code": rule.reason.code if rule.reason_id else None,
        "merchant_fee_min": rule.merchant_fee_min_cents,
        "merchant_fee_max": rule.merchant_fee_max_cents,
        "customer_fee_min": rule.customer_fee_min_cents,
        "customer_fee_max": rule.customer_fee_max_cents,
    }


@transaction.atomic
def sponsoring_rule_create(
    *,
    percentage: int,
    reason: ReturnReason | None = None,
    country_code: str = "",
    merchant_fee_min_cents: int | None = None,
    merchant_fee_max_cents: int | None = None,
    customer_fee_min_cents: int | None = None,
    customer_fee_max_cents: int | None = None,
) -> SponsoringRule:
    """Add a rule (validated: at most one per reason and country, fee bounds in order) and
    announce it to integrators."""
    rule = SponsoringRule(
        reason=reason,
        country_code=country_code,
        percentage=percentage,
        merchant_fee_min_cents=merchant_fee_min_cents,
        merchant_fee_max_cents=merchant_fee_max_cents,
        customer_fee_min_cents=customer_fee_min_cents,
        customer_fee_max_cents=customer_fee_max_cents,
    )
    rule.full_clean()
    rule.save()
    webhook_emit(event="sponsoring.created", data=sponsoring_rule_webhook_data(rule))
    return rule


@transaction.atomic
def sponsoring_rule_update(*, rule: SponsoringRule, **fields) -> SponsoringRule:
    """Change a rule's scope, share or bounds (validated as at creation)."""
    unknown = set(fields) - set(SPONSORING_RULE_FIELDS)
    if unknown:
        raise TypeError(f"sponsoring_rule_update() cannot set {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    return rule
