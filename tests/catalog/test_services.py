"""Writes to the catalog: brands and products."""

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Brand, Product
from catalog.services import brand_delete, brand_make_default, product_create
from returns_portal.errors import DomainError
from tests.factories import BrandFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_deleting_the_default_brand_is_refused():
    default = Brand.objects.default()

    with pytest.raises(DomainError) as refused:
        brand_delete(brand=default)

    assert refused.value.code == "DEFAULT_BRAND"
    assert Brand.objects.filter(pk=default.pk).exists()


def test_deleting_a_brand_with_products_is_refused():
    brand = BrandFactory()
    ProductFactory(brand=brand)

    with pytest.raises(DomainError) as refused:
        brand_delete(brand=brand)

    assert refused.value.code == "DEPENDENT_PRODUCT"
    assert Brand.objects.filter(pk=brand.pk).exists()


def test_deleting_a_brand_without_products_removes_it():
    brand = BrandFactory()

    brand_delete(brand=brand)

    assert not Brand.objects.filter(pk=brand.pk).exists()


def test_making_a_brand_the_default_moves_the_flag():
    # given
    previous = Brand.objects.default()
    brand = BrandFactory()

    # when
    brand_make_default(brand=brand)

    # then
    assert Brand.objects.default() == brand
    assert Brand.objects.get(pk=previous.pk).is_default is False
    assert Brand.objects.filter(is_default=True).count() == 1


def test_making_the_default_brand_the_default_again_changes_nothing():
    default = Brand.objects.default()

    brand_make_default(brand=default)

    assert list(Brand.objects.filter(is_default=True)) == [default]


def test_the_former_default_brand_can_be_deleted_once_it_is_not_the_default():
    previous = Brand.objects.default()
    brand_make_default(brand=BrandFactory())

    brand_delete(brand=Brand.objects.get(pk=previous.pk))

    assert not Brand.objects.filter(pk=previous.pk).exists()


def test_a_product_created_without_a_brand_gets_the_default_brand():
    product = product_create(label="Trail shoe", reference="TS-42", weight_grams=800)

    stored = Product.objects.get(pk=product.pk)
    assert stored.brand == Brand.objects.default()
    assert (stored.label, stored.reference, stored.weight_grams) == ("Trail shoe", "TS-42", 800)


def test_a_product_created_with_a_brand_keeps_it():
    brand = BrandFactory()

    product = product_create(
        label="Trail shoe", reference="TS-42", weight_grams=800, brand=brand, color="red"
    )

    assert (product.brand, product.color) == (brand, "red")


def test_a_product_gets_the_brand_that_is_the_default_at_creation():
    brand = brand_make_default(brand=BrandFactory())

    product = product_create(label="Trail shoe", reference="TS-42", weight_grams=800)

    assert product.brand == brand


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"weight_grams": 0}, "weight_grams", id="no-weight"),
        pytest.param({"label": ""}, "label", id="no-label"),
        pytest.param({"reference": ""}, "reference", id="no-reference"),
        pytest.param({"reference": "TAKEN"}, "reference", id="reference-taken"),
        pytest.param({"width_mm": -1}, "width_mm", id="negative-size"),
    ],
)
def test_an_invalid_product_is_refused_and_not_saved(fields, field):
    ProductFactory(reference="TAKEN")
    given = {"label": "Trail shoe", "reference": "TS-42", "weight_grams": 800, **fields}

    with pytest.raises(ValidationError) as refused:
        product_create(**given)

    assert field in refused.value.message_dict
    assert Product.objects.count() == 1
