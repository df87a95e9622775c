"""Brands and products: what the database keeps true whoever writes."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from catalog.models import Brand, Product
from tests.factories import BrandFactory, ProductFactory, SparePartFactory

pytestmark = pytest.mark.django_db


def test_a_fresh_database_has_exactly_one_default_brand():
    assert Brand.objects.filter(is_default=True).count() == 1
    assert Brand.objects.default().reference == "default"


def test_the_database_refuses_a_second_default_brand():
    with pytest.raises(IntegrityError), transaction.atomic():
        BrandFactory(is_default=True)

    assert Brand.objects.filter(is_default=True).count() == 1


def test_any_number_of_brands_are_not_the_default():
    BrandFactory.create_batch(3)

    assert Brand.objects.filter(is_default=False).count() == 3


def test_the_database_refuses_a_product_weighing_nothing():
    product = ProductFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(weight_grams=0)

    assert Product.objects.get(pk=product.pk).weight_grams == 500


def test_the_database_accepts_a_product_of_one_gram():
    product = ProductFactory(weight_grams=1)

    assert Product.objects.get(pk=product.pk).weight_grams == 1


def test_product_references_are_unique():
    ProductFactory(reference="SKU-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(reference="SKU-1")


def test_a_spare_part_reference_is_unique_per_product():
    part = SparePartFactory(reference="P-1")
    SparePartFactory(reference="P-1")  # another product's part

    with pytest.raises(IntegrityError), transaction.atomic():
        SparePartFactory(product=part.product, reference="P-1")


def test_a_brand_with_products_cannot_be_deleted_underneath_them():
    product = ProductFactory(brand=BrandFactory())

    with pytest.raises(ProtectedError):
        product.brand.delete()


def test_returnable_products_leave_out_the_non_returnable_ones():
    returnable = ProductFactory()
    ProductFactory(returnable=False)

    assert list(Product.objects.returnable()) == [returnable]


def test_products_and_brands_read_as_their_names():
    brand = BrandFactory(name="Acme")
    product = ProductFactory(label="Trail shoe", reference="TS-42", brand=brand)

    assert str(brand) == "Acme"
    assert str(product) == "Trail shoe (TS-42)"
