"""ShopRunBack's catalog and orders in the sandbox (seed 002), and the error shapes its
endpoints share: ``{"errors": [{"code", "message", "field"}]}``."""

import uuid
from datetime import datetime

from django.utils import timezone

from ..http import SandboxError, integer, text
from ..models import ShopRunBackRecord, ShopRunBackShipback

Kind = ShopRunBackRecord.Kind


def error(status: int, code: str, message: str, field: str = "") -> SandboxError:
    entry = {"code": code, "message": message}
    if field:
        entry["field"] = field
    return SandboxError(status, {"errors": [entry]})


def invalid(message: str, field: str = "") -> SandboxError:
    return error(422, "INVALID", message, field)


def not_found(what: str, key: str) -> SandboxError:
    return error(404, "NOT_FOUND", f"No {what} {key!r}.")


def srb_time(moment: datetime | None) -> str | None:
    """ShopRunBack writes times as "2018-02-20 16:54:22 +0100"."""
    if moment is None:
        return None
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %z")


def as_uuid(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(key))
    except ValueError:
        return None


# Catalog: brands and products ---------------------------------------------------------------


def find(kind: str, key: str) -> ShopRunBackRecord | None:
    """A record by its id or its reference (an order by its id or its order number)."""
    records = ShopRunBackRecord.objects.filter(kind=kind)
    if kind == Kind.BRAND:
        default_brand()
    as_id = as_uuid(key)
    if as_id is not None and (found := records.filter(pk=as_id).first()):
        return found
    return records.filter(reference=key).first()


def default_brand() -> ShopRunBackRecord:
    """002 "Create a brand": every company has a default brand."""
    brand, _ = ShopRunBackRecord.objects.get_or_create(
        kind=Kind.BRAND,
        reference="default",
        defaults={"body": {"name": "default", "default": True}},
    )
    return brand


def brand_json(brand: ShopRunBackRecord) -> dict:
    return {
        "id": str(brand.pk),
        "name": brand.body.get("name", brand.reference),
        "reference": brand.reference,
        "default": bool(brand.body.get("default")),
    }


def brands() -> list[dict]:
    default_brand()
    records = ShopRunBackRecord.objects.filter(kind=Kind.BRAND).order_by("created_at")
    return [brand_json(brand) for brand in records]


def create_brand(data: dict) -> ShopRunBackRecord:
    name, reference = text(data.get("name")), text(data.get("reference"))
    if not name:
        raise invalid("name can't be blank", "name")
    if not reference:
        raise invalid("reference can't be blank", "reference")
    if find(Kind.BRAND, reference):
        raise invalid("reference has already been taken", "reference")
    return ShopRunBackRecord.objects.create(
        kind=Kind.BRAND, reference=reference, body={"name": name, "default": False}
    )


def product_json(product: ShopRunBackRecord) -> dict:
    body = product.body
    brand = ShopRunBackRecord.objects.filter(pk=body.get("brand_id")).first() or default_brand()
    return {
        "id": str(product.pk),
        "label": body.get("label"),
        "reference": product.reference,
        "ean": body.get("ean"),
        "weight_grams": body.get("weight_grams"),
        "color": body.get("color"),
        "picture_url": body.get("picture_url"),
        "brand": {
            "id": str(brand.pk),
            "name": brand.body.get("name"),
            "reference": brand.reference,
        },
    }


def create_product(data: dict) -> ShopRunBackRecord:
    """002 "Add your products" / "Create a product with its brand"."""
    label, reference = text(data.get("label")), text(data.get("reference"))
    weight = integer(data.get("weight_grams", data.get("weight_in_grams")))
    if not label:
        raise invalid("label can't be blank", "label")
    if not reference:
        raise invalid("reference can't be blank", "reference")
    if weight is None or weight < 0:
        raise invalid("weight_grams must be a positive number of grams", "weight_grams")
    if find(Kind.PRODUCT, reference):
        raise invalid("reference has already been taken", "reference")
    if brand_key := text(data.get("brand_id")):
        brand = find(Kind.BRAND, brand_key)
        if brand is None:
            raise invalid(f"no brand {brand_key!r}", "brand_id")
    elif isinstance(data.get("brand"), dict):
        # "If 2 products have the same brand's reference, only one brand object is created."
        embedded = data["brand"]
        brand_reference = text(embedded.get("reference"))
        brand = find(Kind.BRAND, brand_reference) if brand_reference else None
        if brand is None:
            brand = create_brand(embedded)
    else:
        brand = default_brand()
    body = {
        "label": label,
        "weight_grams": weight,
        "ean": text(data.get("ean")) or None,
        "color": text(data.get("color")) or None,
        "picture_url": text(data.get("picture_file_url") or data.get("image_url")) or None,
        "brand_id": str(brand.pk),
    }
    return ShopRunBackRecord.objects.create(kind=Kind.PRODUCT, reference=reference, body=body)


# Orders ---------------------------------------------------------------------------------------


def order_json(order: ShopRunBackRecord) -> dict:
    body = order.body
    products = {
        str(p.pk): p
        for p in ShopRunBackRecord.objects.filter(
            kind=Kind.PRODUCT, pk__in=[item["product_id"] for item in body.get("items", [])]
        )
    }
    items = []
    for item in body.get("items", []):
        product = products.get(item["product_id"])
        embedded = product_json(product) if product else {"id": item["product_id"]}
        items.append(
            {
                "id": item["id"],
                "reference": item.get("reference"),
                "label": item.get("label") or embedded.get("label"),
                "product_id": item["product_id"],
                "product": {
                    "id": embedded["id"],
                    "label": embedded.get("label"),
                    "reference": embedded.get("reference"),
                    "ean": embedded.get("ean"),
                    "weight_grams": embedded.get("weight_grams"),
                    "brand_id": embedded.get("brand", {}).get("id"),
                    "brand_name": embedded.get("brand", {}).get("name"),
                    "picture_url": embedded.get("picture_url"),
                },
            }
        )
    return {
        "id": str(order.pk),
        "ordered_at": body.get("ordered_at"),
        "order_number": order.reference,
        "customer": body.get("customer"),
        "items": items,
        "metadata": body.get("metadata") or {},
    }


def _order_body(data: dict, *, existing: dict | None = None) -> dict:
    """Validate an order (002 "Create an order": ordered_at, order_number, customer, items)."""
    if not text(data.get("ordered_at")):
        raise invalid("ordered_at can't be blank", "ordered_at")
    customer = data.get("customer")
    if not isinstance(customer, dict):
        raise invalid("customer can't be blank", "customer")
    for field in ("first_name", "last_name", "email"):
        if not text(customer.get(field)):
            raise invalid(f"{field} can't be blank", f"customer.{field}")
    address = customer.get("address")
    if not isinstance(address, dict):
        raise invalid("address can't be blank", "customer.address")
    for field in ("line1", "zipcode", "city", "country_code"):
        if not text(address.get(field)):
            raise invalid(f"{field} can't be blank", f"customer.address.{field}")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise invalid("items can't be empty", "items")
    previous = existing.get("customer", {}) if existing else {}
    # An updated order keeps its items' ids (its shipbacks name them): matched by reference,
    # else by position when the product is the same.
    previous_items = existing.get("items", []) if existing else []
    ids_by_reference = {i["reference"]: i["id"] for i in previous_items if i.get("reference")}
    items, references = [], set()
    for index, raw in enumerate(raw_items):
        raw = raw if isinstance(raw, dict) else {}
        product_key = text(raw.get("product_id"))
        product = find(Kind.PRODUCT, product_key) if product_key else None
        if product is None:
            raise invalid(
                f"no product {product_key!r} in the catalog", f"items[{index}].product_id"
            )
        reference = text(raw.get("reference"))
        if reference and reference in references:
            raise invalid("item references must be unique in an order", f"items[{index}].reference")
        references.add(reference)
        items.append(
            {
                "id": _kept_item_id(
                    ids_by_reference, previous_items, index, reference, str(product.pk)
                ),
                "reference": reference or None,
                "label": text(raw.get("label")) or None,
                "product_id": str(product.pk),
            }
        )
    return {
        "ordered_at": text(data.get("ordered_at")),
        "customer": {
            "id": previous.get("id") or str(uuid.uuid4()),
            **{key: customer.get(key) for key in ("first_name", "last_name", "email", "phone")},
            "address": {
                "id": previous.get("address", {}).get("id") or str(uuid.uuid4()),
                **{
                    key: address.get(key)
                    for key in ("line1", "line2", "zipcode", "city", "country_code", "state")
                },
            },
        },
        "items": items,
        "metadata": data.get("metadata") if isinstance(data.get("metadata"), dict) else {},
    }


def _kept_item_id(by_reference: dict, previous: list, index: int, reference, product_id) -> str:
    if reference:
        return by_reference.get(reference) or str(uuid.uuid4())
    if index < len(previous) and previous[index]["product_id"] == product_id:
        return previous[index]["id"]
    return str(uuid.uuid4())


def create_order(data: dict) -> ShopRunBackRecord:
    order_number = text(data.get("order_number"))
    if not order_number:
        raise invalid("order_number can't be blank", "order_number")
    body = _order_body(data)
    if find(Kind.ORDER, order_number):
        raise invalid("order_number has already been taken", "order_number")
    return ShopRunBackRecord.objects.create(kind=Kind.ORDER, reference=order_number, body=body)


def update_order(order: ShopRunBackRecord, data: dict) -> ShopRunBackRecord:
    """002 "Update an order": refused once a return of it is finished (registered)."""
    if order.shipbacks.exclude(state__in=ShopRunBackShipback.DELETABLE).exists():
        raise error(400, "SHIPBACK_REGISTERED", "A shipback of this order is already processing.")
    order_number = text(data.get("order_number")) or order.reference
    other = find(Kind.ORDER, order_number)
    if other is not None and other.pk != order.pk:
        raise invalid("order_number has already been taken", "order_number")
    order.body = _order_body(data, existing=order.body)
    order.reference = order_number
    order.save()
    return order


def delete_order(order: ShopRunBackRecord) -> None:
    """003 "Delete an order": 400 DEPENDENT_SHIPBACK while a shipback is attached."""
    shipback = order.shipbacks.first()
    if shipback is not None:
        raise error(400, "DEPENDENT_SHIPBACK", f"dependent shipback found ({shipback.pk})")
    order.delete()
