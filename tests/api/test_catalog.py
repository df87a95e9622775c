import pytest

from catalog.models import Brand, Product

pytestmark = pytest.mark.django_db


def test_creating_a_brand_answers_it_with_its_id(api):
    response = api.post("/api/v1/brands", {"name": "Apple", "reference": "apple"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Apple"
    assert body["reference"] == "apple"
    assert body["default"] is False
    assert Brand.objects.get(pk=body["id"]).reference == "apple"


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
