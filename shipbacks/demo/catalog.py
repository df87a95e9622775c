"""The catalog and the merchant's setup: brands, products (one per colour, each with an EAN-13),
return reasons, warehouses, and the relocation and sponsoring rules."""

from collections.abc import Iterable

from django.utils.text import slugify

from catalog.models import Brand, Product
from catalog.services import product_create
from orders.models import Address
from orders.services import AddressData

from ..models import RelocationRule, ReturnReason, SponsoringRule, Warehouse
from .data import (
    BRANDS,
    NON_RETURNABLE,
    PRODUCT_LINES,
    REASONS,
    RELOCATION_RULES,
    SPONSORING_RULES,
    WAREHOUSES,
    WINDOW_OVERRIDES,
)


def ensure_brands() -> dict[str, Brand]:
    brands = {brand.reference: brand for brand in Brand.objects.all()}
    for reference, name in BRANDS:
        if reference not in brands:
            brands[reference] = Brand.objects.create(reference=reference, name=name)
    brands[None] = Brand.objects.default()
    return brands


def _product_rows() -> Iterable[dict]:
    """Each product line in each of its colours, with a valid EAN-13."""
    position = 0
    for brand, sku, label, grams, (width, length, height), price, colours in PRODUCT_LINES:
        for colour in colours or ("",):
            position += 1
            yield {
                "reference": f"{sku}-{slugify(colour).upper()}" if colour else sku,
                "label": f"{label} – {colour}" if colour else label,
                "brand": brand,
                "weight_grams": grams,
                "width_mm": width,
                "length_mm": length,
                "height_mm": height,
                "color": colour,
                "ean": _ean13(f"376123{position:06d}"),
                "returnable": sku not in NON_RETURNABLE,
                "return_window_days": WINDOW_OVERRIDES.get(sku),
                "shipbob_inventory_id": 7_400_000 + position,
                "metadata": {"price_cents": price},
            }


def _ean13(first_twelve: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return f"{first_twelve}{(10 - total % 10) % 10}"


def ensure_products(brands: dict) -> dict[str, Product]:
    rows = list(_product_rows())
    products = Product.objects.in_bulk([row["reference"] for row in rows], field_name="reference")
    for row in rows:
        if row["reference"] not in products:
            brand = brands[row.pop("brand")]
            products[row["reference"]] = product_create(brand=brand, **row)
    return products


def ensure_reasons() -> dict[str, ReturnReason]:
    reasons = {}
    for position, (code, label_en, label_fr, requires_photo) in enumerate(REASONS, start=1):
        reasons[code], _ = ReturnReason.objects.get_or_create(
            code=code,
            defaults={
                "label_en": label_en,
                "label_fr": label_fr,
                "requires_photo": requires_photo,
                "position": position * 10,
            },
        )
    return reasons


def ensure_warehouses() -> dict[str, Warehouse]:
    warehouses = Warehouse.objects.in_bulk(
        [w["reference"] for w in WAREHOUSES], field_name="reference"
    )
    for spec in WAREHOUSES:
        if spec["reference"] in warehouses:
            continue
        fields = {k: v for k, v in spec.items() if k != "address"}
        warehouse = Warehouse(**fields)
        warehouse.full_clean(exclude=["address"])
        warehouse.address = _address(spec["address"])
        warehouse.save()
        warehouses[spec["reference"]] = warehouse
    return warehouses


def _address(data: AddressData) -> Address:
    address = Address(**vars(data))
    address.full_clean()
    address.save()
    return address


def ensure_rules(reasons: dict, warehouses: dict) -> None:
    for reason_code, country, warehouse in RELOCATION_RULES:
        RelocationRule.objects.get_or_create(
            reason=reasons.get(reason_code),
            country_code=country,
            defaults={"warehouse": warehouses[warehouse]},
        )
    for reason_code, country, percentage, customer_fee_max in SPONSORING_RULES:
        SponsoringRule.objects.get_or_create(
            reason=reasons.get(reason_code),
            country_code=country,
            defaults={"percentage": percentage, "customer_fee_max_cents": customer_fee_max},
        )
