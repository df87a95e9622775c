"""Writes to the catalog."""

from django.db import transaction

from returns_portal.errors import DomainError

from .models import Brand, Product


@transaction.atomic
def brand_delete(*, brand: Brand) -> None:
    if brand.is_default:
        raise DomainError("The default brand cannot be deleted.", code="DEFAULT_BRAND")
    if brand.products.exists():
        raise DomainError(
            "This brand still has products; move them to another brand first.",
            code="DEPENDENT_PRODUCT",
        )
    brand.delete()


@transaction.atomic
def brand_make_default(*, brand: Brand) -> Brand:
    """Make ``brand`` the default brand (the one products get when they have none)."""
    Brand.objects.select_for_update().filter(is_default=True).exclude(pk=brand.pk).update(
        is_default=False
    )
    brand.is_default = True
    brand.save(update_fields=["is_default", "updated_at"])
    return brand


def product_create(
    *, label: str, reference: str, weight_grams: int, brand=None, **fields
) -> Product:
    """Create a product; without a brand it gets the default brand."""
    product = Product(
        label=label,
        reference=reference,
        weight_grams=weight_grams,
        brand=brand or Brand.objects.default(),
        **fields,
    )
    product.full_clean()
    product.save()
    return product
