"""Brands, products and spare parts: what can be ordered and returned."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from returns_portal.models import TimeStampedModel, tracked_history


class BrandQuerySet(models.QuerySet):
    def default(self) -> "Brand":
        return self.get(is_default=True)


class Brand(TimeStampedModel):
    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=200, unique=True)
    is_default = models.BooleanField(
        "default brand",
        default=False,
        help_text="Products created without a brand get the default brand. There is exactly one.",
    )

    objects = BrandQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="catalog_brand_single_default",
                violation_error_message="There is already a default brand.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductQuerySet(models.QuerySet):
    def returnable(self):
        return self.filter(returnable=True)


class Product(TimeStampedModel):
    label = models.CharField(max_length=255)
    reference = models.CharField(max_length=200, unique=True, help_text="Your SKU.")
    ean = models.CharField("EAN", max_length=64, blank=True, db_index=True)
    # Optional: ShopRunBack's own examples create products without one. Quotes then use
    # RETURNS_DEFAULT_WEIGHT_GRAMS.
    weight_grams = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Weight with its packaging.",
    )
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    length_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)
    color = models.CharField(max_length=100, blank=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    picture = models.ImageField(upload_to="products/", blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    returnable = models.BooleanField(default=True)
    return_window_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Overrides the return policy's window for this product. Empty: the policy's.",
    )
    shipbob_inventory_id = models.BigIntegerField(
        "ShipBob inventory id", null=True, blank=True, help_text="Sent to ShipBob as inventory id."
    )

    objects = ProductQuerySet.as_manager()
    # The History page reads by product: the history table skips the lookup indexes (reference,
    # EAN, brand, dates) that would slow imports of many products down.
    history = tracked_history(no_db_index=["reference", "ean", "created_at", "brand"])

    class Meta:
        ordering = ["label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_grams__isnull=True) | Q(weight_grams__gt=0),
                name="catalog_product_weight_positive",
                violation_error_message="The weight must be more than 0 grams.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.reference})"


class SparePart(TimeStampedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="spare_parts")
    reference = models.CharField(max_length=200)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    picture = models.ImageField(upload_to="spare_parts/", blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["product", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "reference"],
                name="catalog_sparepart_reference_unique_per_product",
                violation_error_message="This spare part reference is taken for this product.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"
