"""Writes to the catalog."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError

from returns_portal.errors import DomainError
from returns_portal.webhooks import webhook_emit

from .models import Brand, Product, SparePart
from .pictures import download_picture

logger = logging.getLogger(__name__)


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


def brand_create(*, name: str, reference: str) -> Brand:
    return _saved(Brand(name=name, reference=reference))


def brand_update(*, brand: Brand, **fields) -> Brand:
    for name, value in fields.items():
        setattr(brand, name, value)
    return _saved(brand)


@transaction.atomic
def brand_ensure(*, name: str, reference: str) -> Brand:
    """The brand with this reference, created once (embedded brands of products)."""
    brand = Brand.objects.filter(reference=reference).first()
    return brand or brand_create(name=name or reference, reference=reference)


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


@transaction.atomic
def product_create(
    *,
    label: str,
    reference: str,
    weight_grams: int | None = None,
    brand: Brand | None = None,
    picture: ContentFile | None = None,
    picture_url: str = "",
    **fields,
) -> Product:
    """Create a product; without a brand it gets the default brand.

    ``picture`` is stored at once; ``picture_url`` is fetched afterwards by a task.
    """
    product = Product(
        label=label,
        reference=reference,
        weight_grams=weight_grams,
        brand=brand or Brand.objects.default(),
        **fields,
    )
    if picture is not None:
        product.picture.save(picture.name, picture, save=False)
    _saved(product)
    webhook_emit(
        event="product.created",
        data={
            "id": product.pk,
            "label": product.label,
            "reference": product.reference,
            "ean": product.ean,
        },
    )
    if picture_url:
        _fetch_picture_later(product, picture_url)
    return product


@transaction.atomic
def product_update(
    *, product: Product, picture: ContentFile | None = None, picture_url: str = "", **fields
) -> Product:
    for name, value in fields.items():
        setattr(product, name, value)
    if picture is not None:
        product.picture.save(picture.name, picture, save=False)
    _saved(product)
    if picture_url:
        _fetch_picture_later(product, picture_url)
    return product


def _fetch_picture_later(product: Product, url: str) -> None:
    from .tasks import fetch_product_picture

    transaction.on_commit(lambda: fetch_product_picture.delay(str(product.pk), url))


def product_fetch_picture(*, product_id, url: str) -> Product | None:
    """Download a product's picture (outside any transaction) and store it.

    Raises PictureRejected when the URL or its content is refused, and
    requests.RequestException when the transfer failed (worth retrying).
    """
    raw, extension = download_picture(url)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        return None
    product.picture.save(f"{product.pk.hex}.{extension}", ContentFile(raw), save=False)
    product.save(update_fields=["picture", "updated_at"])
    return product


def product_clear_picture(*, product: Product) -> Product:
    if product.picture:
        product.picture.delete(save=False)
    product.picture = ""
    product.save(update_fields=["picture", "updated_at"])
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    try:
        product.delete()
    except ProtectedError as exc:
        raise DomainError(
            "This product is in orders or returns and cannot be deleted.",
            code="DEPENDENT_ORDER",
        ) from exc


@transaction.atomic
def spare_parts_upsert(*, product: Product, parts: list[dict]) -> list[SparePart]:
    """Create or update spare parts by reference, all or nothing."""
    saved = []
    for data in parts:
        part = SparePart.objects.filter(product=product, reference=data["reference"]).first()
        part = part or SparePart(product=product, reference=data["reference"])
        for name, value in data.items():
            if name == "picture":
                part.picture.save(value.name, value, save=False)
            else:
                setattr(part, name, value)
        saved.append(_saved(part))
    return saved


def spare_part_delete(*, part: SparePart) -> None:
    if part.picture:
        part.picture.delete(save=False)
    part.delete()
