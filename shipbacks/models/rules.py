"""Warehouses, return reasons and the rules a returns manager sets."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language

from orders.models import Address, country_code_validator
from returns_portal.models import TimeStampedModel, state_check, tracked_history


class Provider(models.TextChoices):
    """Who runs a warehouse's returns: this back office itself, or a warehouse provider."""

    MANUAL = "manual", "Managed here (admin)"
    SHIPPINGBO = "shippingbo", "Shippingbo"
    SHIPBOB = "shipbob", "ShipBob"
    KIBO = "kibo", "Kibo"


# Which id each provider needs for a warehouse (required when that provider serves it).
PROVIDER_ID_FIELDS = {
    Provider.SHIPPINGBO: "shippingbo_supplier_id",
    Provider.SHIPBOB: "shipbob_fulfillment_center_id",
    Provider.KIBO: "kibo_location_id",
}


class Warehouse(TimeStampedModel):
    Provider = Provider
    PROVIDER_ID_FIELDS = PROVIDER_ID_FIELDS

    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, unique=True)
    address = models.OneToOneField(Address, on_delete=models.PROTECT, related_name="warehouse")
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.MANUAL)
    shippingbo_supplier_id = models.BigIntegerField("Shippingbo supplier id", null=True, blank=True)
    shipbob_fulfillment_center_id = models.BigIntegerField(
        "ShipBob fulfillment center id", null=True, blank=True
    )
    kibo_location_id = models.BigIntegerField("Kibo location id", null=True, blank=True)
    accepts_direct_returns = models.BooleanField(
        default=False,
        help_text="Customers may send parcels here themselves, without a carrier label.",
    )
    active = models.BooleanField(default=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="warehouses",
        help_text="Warehouse staff who receive and process this warehouse's return orders.",
    )

    history = tracked_history()

    class Meta:
        ordering = ["name"]
        constraints = [
            state_check("provider", Provider, "shipbacks_warehouse_provider_valid"),
            *(
                models.CheckConstraint(
                    condition=~Q(provider=provider) | Q(**{f"{field}__isnull": False}),
                    name=f"shipbacks_warehouse_{provider}_has_id",
                    violation_error_message=f"A {provider.label} warehouse needs its id there.",
                )
                for provider, field in PROVIDER_ID_FIELDS.items()
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    def clean(self):
        field = self.PROVIDER_ID_FIELDS.get(self.provider)
        if field and getattr(self, field) is None:
            raise ValidationError(
                {field: f"Required for a {self.get_provider_display()} warehouse."}
            )


class ReturnReason(TimeStampedModel):
    code = models.SlugField(max_length=50, unique=True, help_text="Sent as reason_code.")
    label_en = models.CharField("label (English)", max_length=200)
    label_fr = models.CharField("label (French)", max_length=200)
    requires_photo = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = tracked_history()

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return self.label_fr if language == "fr" else self.label_en


class WindowStart(models.TextChoices):
    DELIVERY = "delivery", "Delivery date (order date when not delivered yet)"
    ORDER = "order", "Order date"


class ReturnPolicy(models.Model):
    """The merchant's return policy: one row (pk 1), edited in the admin."""

    WindowStart = WindowStart

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    window_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    window_starts_at = models.CharField(
        max_length=10, choices=WindowStart.choices, default=WindowStart.DELIVERY
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    class Meta:
        verbose_name_plural = "return policy"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="shipbacks_returnpolicy_single_row"),
            state_check(
                "window_starts_at",
                WindowStart,
                "shipbacks_returnpolicy_start_valid",
                label="start of the return window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window_days} days from the {self.get_window_starts_at_display().lower()}"

    @classmethod
    def current(cls) -> "ReturnPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


def _rule_uniqueness(prefix: str) -> list[models.UniqueConstraint]:
    """At most one rule per (reason or any, country or any)."""
    message = "A rule for this reason and country exists already."
    return [
        models.UniqueConstraint(
            fields=["reason", "country_code"],
            condition=Q(reason__isnull=False),
            name=f"{prefix}_unique_reason_country",
            violation_error_message=message,
        ),
        models.UniqueConstraint(
            fields=["country_code"],
            condition=Q(reason__isnull=True),
            name=f"{prefix}_unique_any_reason_country",
            violation_error_message=message,
        ),
    ]


def _rule_scope(rule) -> str:
    return f"{rule.reason or 'any reason'} / {rule.country_code or 'any country'}"


class RuleQuerySet(models.QuerySet):
    def matching(self, *, reason_id, country_code: str):
        """Rules that apply, most specific first (reason and country, reason, country, any)."""
        rules = self.filter(
            Q(reason_id=reason_id) | Q(reason__isnull=True),
            Q(country_code=country_code) | Q(country_code=""),
        )
        return rules.order_by(F("reason_id").desc(nulls_last=True), "-country_code")


class RelocationRule(TimeStampedModel):
    """Where returned items go, by reason and customer country (empty: any)."""

    reason = models.ForeignKey(
        ReturnReason, on_delete=models.CASCADE, null=True, blank=True, help_text="Empty: any."
    )
    country_code = models.CharField(
        max_length=2, blank=True, validators=[country_code_validator], help_text="Empty: any."
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="relocation_rules"
    )

    objects = RuleQuerySet.as_manager()
    history = tracked_history()

    class Meta:
        ordering = ["reason__position", "country_code"]
        constraints = _rule_uniqueness("shipbacks_relocationrule")

    def __str__(self) -> str:
        return f"{_rule_scope(self)} → {self.warehouse}"


class SponsoringRule(TimeStampedModel):
    """How much of a return's price the merchant pays, by reason and country (empty: any)."""

    reason = models.ForeignKey(
        ReturnReason, on_delete=models.CASCADE, null=True, blank=True, help_text="Empty: any."
    )
    country_code = models.CharField(
        max_length=2, blank=True, validators=[country_code_validator], help_text="Empty: any."
    )
    percentage = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(100)], help_text="Share of the price paid by the merchant."
    )
    merchant_fee_min_cents = models.PositiveIntegerField(null=True, blank=True)
    merchant_fee_max_cents = models.PositiveIntegerField(null=True, blank=True)
    customer_fee_min_cents = models.PositiveIntegerField(null=True, blank=True)
    customer_fee_max_cents = models.PositiveIntegerField(null=True, blank=True)

    objects = RuleQuerySet.as_manager()
    history = tracked_history()

    class Meta:
        ordering = ["reason__position", "country_code"]
        constraints = [
            *_rule_uniqueness("shipbacks_sponsoringrule"),
            models.CheckConstraint(
                condition=Q(percentage__lte=100), name="shipbacks_sponsoringrule_percentage_max"
            ),
            models.CheckConstraint(
                condition=Q(merchant_fee_min_cents__isnull=True)
                | Q(merchant_fee_max_cents__isnull=True)
                | Q(merchant_fee_min_cents__lte=F("merchant_fee_max_cents")),
                name="shipbacks_sponsoringrule_merchant_fee_bounds",
                violation_error_message="The merchant's minimum fee is above its maximum.",
            ),
            models.CheckConstraint(
                condition=Q(customer_fee_min_cents__isnull=True)
                | Q(customer_fee_max_cents__isnull=True)
                | Q(customer_fee_min_cents__lte=F("customer_fee_max_cents")),
                name="shipbacks_sponsoringrule_customer_fee_bounds",
                violation_error_message="The customer's minimum fee is above its maximum.",
            ),
        ]

    def __str__(self) -> str:
        return f"{_rule_scope(self)}: {self.percentage}%"
