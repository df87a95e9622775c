"""Customers, their addresses, orders, order items and outbound shipments."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from catalog.models import Product
from returns_portal.models import TimeStampedModel, tracked_history

country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", "Use the two-letter ISO 3166-1 country code, in capitals (FR, US, DE)."
)
currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use the three-letter ISO 4217 code (EUR).")


class Locale(models.TextChoices):
    EN = "en", "English"
    FR = "fr", "Français"


class Address(TimeStampedModel):
    line1 = models.CharField(max_length=255)
    line2 = models.CharField(max_length=255, blank=True)
    zipcode = models.CharField(max_length=20)
    city = models.CharField(max_length=120)
    state = models.CharField(max_length=120, blank=True)
    country_code = models.CharField(max_length=2, validators=[country_code_validator])

    class Meta:
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(country_code__regex=r"^[A-Z]{2}$"),
                name="orders_address_country_code_iso",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.zipcode, self.city, self.country_code) if p)


class Customer(TimeStampedModel):
    """A customer as known to one order (and a copy of it on each shipback)."""

    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.EmailField(db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    locale = models.CharField(max_length=5, choices=Locale.choices, default=Locale.EN)
    address = models.OneToOneField(
        Address, on_delete=models.PROTECT, null=True, blank=True, related_name="customer"
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Order(TimeStampedModel):
    order_number = models.CharField(max_length=100, unique=True)
    ordered_at = models.DateField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    metadata = models.JSONField(
        default=dict, blank=True, help_text="Kept and returned exactly as the integrator sent it."
    )
    tags = models.JSONField(default=list, blank=True, help_text="A list of short labels.")
    source = models.CharField(
        max_length=100, blank=True, help_text="Marketplace or channel the order came from."
    )
    source_ref = models.CharField(
        max_length=100, blank=True, help_text="The order's reference at its source."
    )
    shippingbo_order_id = models.BigIntegerField("Shippingbo order id", null=True, blank=True)
    kibo_order_id = models.BigIntegerField("Kibo order id", null=True, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["-ordered_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source="") & ~Q(source_ref=""),
                name="orders_order_source_ref_unique",
                violation_error_message="An order with this source and source reference exists.",
            ),
            models.CheckConstraint(
                condition=Q(source="", source_ref="") | (~Q(source="") & ~Q(source_ref="")),
                name="orders_order_source_and_ref_together",
                violation_error_message="Give the source and its reference together, or neither.",
            ),
        ]

    def __str__(self) -> str:
        return self.order_number


class OrderItem(TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    label = models.CharField(max_length=255, blank=True, help_text="Defaults to the product's.")
    reference = models.CharField(
        max_length=200, help_text="Your reference for this line, unique within the order."
    )
    barcode = models.CharField(max_length=100, blank=True)
    price_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_validator])
    quantity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    kibo_order_item_id = models.BigIntegerField("Kibo order item id", null=True, blank=True)

    class Meta:
        ordering = ["order", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "reference"],
                name="orders_orderitem_reference_unique_per_order",
                violation_error_message="This order already has an item with this reference.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orders_orderitem_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_label} ×{self.quantity} ({self.reference})"

    @property
    def display_label(self) -> str:
        return self.label or self.product.label


class Shipment(TimeStampedModel):
    """An outbound parcel of an order: its delivery date starts the return window."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True, db_index=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    shipbob_shipment_id = models.BigIntegerField("ShipBob shipment id", null=True, blank=True)
    kibo_shipment_id = models.BigIntegerField("Kibo shipment id", null=True, blank=True)

    class Meta:
        ordering = ["order", "shipped_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_at__isnull=True)
                | Q(shipped_at__isnull=True)
                | Q(delivered_at__gte=models.F("shipped_at")),
                name="orders_shipment_delivered_after_shipped",
                violation_error_message="A shipment cannot be delivered before it was shipped.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.carrier} {self.tracking_number}".strip()
