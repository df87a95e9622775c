import base64
import io
from unittest import mock

import pytest
from PIL import Image

from catalog.models import Brand, Product, SparePart
from tests.factories import BrandFactory, OrderItemFactory, ProductFactory, SparePartFactory

from .helpers import send

pytestmark = pytest.mark.django_db


def png_base64() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


# Brands.


def test_creating_a_brand_answers_it_with_its_id(api):
    response = api.post("/api/v1/brands", {"name": "Apple", "reference": "apple"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Apple"
    assert body["reference"] == "apple"
    assert body["default"] is False
    assert Brand.objects.get(pk=body["id"]).reference == "apple"


def test_the_default_brand_is_listed_first_and_brands_are_found_by_reference(api):
    BrandFactory(reference="apple", name="Apple")

    listed = api.get("/api/v1/brands").json()
    found = api.get("/api/v1/brands/apple")

    assert listed["brands"][0]["default"] is True
    assert [b["reference"] for b in listed["brands"]] == ["default", "apple"]
    assert found.status_code == 200
    assert found.json()["name"] == "Apple"


def test_a_brand_is_updated_with_only_the_keys_given(api):
    brand = BrandFactory(reference="apple", name="Apple")

    response = send(api, "PUT", f"/api/v1/brands/{brand.pk}", {"name": "Apple Inc. "})

    assert response.status_code == 200
    assert response.json()["name"] == "Apple Inc. "
    assert response.json()["reference"] == "apple"


def test_a_brand_reference_is_unique(api):
    BrandFactory(reference="apple")

    response = send(api, "POST", "/api/v1/brands", {"name": "Apple", "reference": "apple"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reference"


def test_the_default_brand_cannot_be_deleted(api):
    response = api.delete("/api/v1/brands/default")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "DEFAULT_BRAND"
    assert Brand.objects.filter(is_default=True).exists()


def test_a_brand_with_products_cannot_be_deleted_and_one_without_can(api):
    used = BrandFactory()
    ProductFactory(brand=used)
    unused = BrandFactory()

    refused = api.delete(f"/api/v1/brands/{used.reference}")
    deleted = api.delete(
        f"/api/v1/brands/{unused.reference}", "[]", content_type="application/json"
    )

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "DEPENDENT_PRODUCT"
    assert deleted.status_code == 200
    assert not Brand.objects.filter(pk=unused.pk).exists()


# Products.


def test_a_product_without_a_brand_gets_the_default_brand(api):
    response = send(api, "POST", "/api/v1/products", {"label": "Mug", "reference": "MUG-1"})

    assert response.status_code == 201, response.json()
    assert response.json()["brand"]["reference"] == "default"
    assert response.json()["picture_url"] is None


def test_the_product_with_embedded_brand_example_is_accepted_as_printed(api):
    # given: seed 003's "Create a product with its brand" curl body
    body = {
        "label": "Iphone 14S Blue",
        "reference": "IPHONE 14S B",
        "ean": "1258987561456",
        "weight_in_grams": 200,
        "brand": {"name": "Apple", "reference": "apple"},
        "picture_file_url": "http://www.apple.com/images/iphone-14s.jpg",
    }

    response = api.post("/api/v1/products", body, format="json")

    assert response.status_code == 201, response.json()
    product = Product.objects.get(reference="IPHONE 14S B")
    assert product.weight_grams == 200
    assert product.brand.reference == "apple"
    assert response.json()["brand"]["reference"] == "apple"


def test_two_products_with_the_same_embedded_brand_make_one_brand(api):
    for reference in ("A", "B"):
        send(
            api,
            "POST",
            "/api/v1/products",
            {
                "label": reference,
                "reference": reference,
                "brand": {"name": "Apple", "reference": "apple"},
            },
        )

    assert Brand.objects.filter(reference="apple").count() == 1
    assert set(Product.objects.values_list("brand__reference", flat=True)) == {"apple"}


def test_a_picture_url_is_fetched_by_a_task_after_commit(api, django_capture_on_commit_callbacks):
    with (
        mock.patch("catalog.tasks.fetch_product_picture.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = send(
            api,
            "POST",
            "/api/v1/products",
            {"label": "Mug", "reference": "MUG-1", "picture_file_url": "https://cdn.example/m.jpg"},
        )

    assert response.status_code == 201
    delay.assert_called_once_with(response.json()["id"], "https://cdn.example/m.jpg")


def test_a_base64_picture_is_stored_and_can_be_removed(api):
    created = send(
        api,
        "POST",
        "/api/v1/products",
        {"label": "Mug", "reference": "MUG-1", "picture_file_base64": png_base64()},
    )

    removed = api.delete("/api/v1/products/MUG-1/image")

    assert created.status_code == 201, created.json()
    assert created.json()["picture_url"].endswith(".png")
    assert removed.status_code == 200
    assert removed.json()["picture_url"] is None
    assert not Product.objects.get(reference="MUG-1").picture


def test_a_picture_that_is_not_an_image_is_422(api):
    response = send(
        api,
        "POST",
        "/api/v1/products",
        {"label": "Mug", "reference": "MUG-1", "picture_file_base64": "aGVsbG8="},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "picture_file_base64"


def test_a_product_is_found_by_reference_updated_and_deleted(api):
    ProductFactory(reference="IPHONE 14S B", label="Iphone")
    url = "/api/v1/products/IPHONE%2014S%20B"

    found = api.get(url)
    updated = send(api, "PUT", url, {"label": "Iphone 14S", "weight_grams": 180, "id": "x"})
    deleted = api.delete(url)

    assert found.status_code == 200
    assert updated.status_code == 200, updated.json()
    assert updated.json()["label"] == "Iphone 14S"
    assert updated.json()["weight_grams"] == 180
    assert updated.json()["id"] == found.json()["id"]
    assert deleted.status_code == 200
    assert not Product.objects.filter(reference="IPHONE 14S B").exists()


def test_a_product_in_an_order_cannot_be_deleted(api):
    item = OrderItemFactory()

    response = api.delete(f"/api/v1/products/{item.product.pk}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "DEPENDENT_ORDER"


def test_an_unknown_brand_id_is_422(api):
    response = send(
        api, "POST", "/api/v1/products", {"label": "Mug", "reference": "M", "brand_id": "nope"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "code": "NOT_FOUND",
        "message": "No brand 'nope'.",
        "field": "brand_id",
    }


# Spare parts.


def test_spare_parts_are_listed_upserted_in_bulk_and_deleted(api):
    product = ProductFactory(reference="KETTLE")
    SparePartFactory(product=product, reference="LID", name="Lid")

    bulk = send(
        api,
        "POST",
        "/api/v1/products/KETTLE/parts/bulk",
        {
            "bulk": [
                {"reference": "LID", "name": "Lid (blue)"},
                {"reference": "FILTER", "name": "Filter", "picture_file_base64": png_base64()},
            ]
        },
    )
    listed = api.get("/api/v1/products/KETTLE/parts")
    deleted = api.delete("/api/v1/products/KETTLE/parts/LID")

    assert bulk.status_code == 201, bulk.json()
    assert [p["name"] for p in bulk.json()["spare_parts"]] == ["Lid (blue)", "Filter"]
    assert [p["reference"] for p in listed.json()["spare_parts"]] == ["FILTER", "LID"]
    assert listed.json()["spare_parts"][0]["picture_url"].endswith(".png")
    assert deleted.status_code == 200
    assert list(SparePart.objects.values_list("reference", flat=True)) == ["FILTER"]


def test_a_bulk_with_one_bad_part_writes_none(api):
    ProductFactory(reference="KETTLE")

    response = send(
        api,
        "POST",
        "/api/v1/products/KETTLE/parts/bulk",
        {"bulk": [{"reference": "LID", "name": "Lid"}, {"reference": "FILTER"}]},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "bulk[1].name"
    assert not SparePart.objects.exists()


def test_a_part_of_another_product_is_not_found(api):
    SparePartFactory(reference="LID")
    ProductFactory(reference="KETTLE")

    assert api.delete("/api/v1/products/KETTLE/parts/LID").status_code == 404
