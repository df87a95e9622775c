"""Customers, orders and their items: what the database keeps true whoever writes."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.models import Address, Order, OrderItem
from tests.factories import (
    AddressFactory,
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ShipmentFactory,
)

pytestmark = pytest.mark.django_db


def test_an_order_item_reference_is_unique_within_its_order():
    item = OrderItemFactory(reference="1")
    OrderItemFactory(reference="1")  # the same reference in another order

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItemFactory(order=item.order, reference="1")

    assert OrderItem.objects.filter(reference="1").count() == 2


def test_an_order_item_has_at_least_one_unit():
    item = OrderItemFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItem.objects.filter(pk=item.pk).update(quantity=0)

    assert OrderItem.objects.get(pk=item.pk).quantity == 1


@pytest.mark.parametrize(
    ("source", "source_ref"),
    [pytest.param("amazon", "", id="source-only"), pytest.param("", "402-1", id="ref-only")],
)
def test_an_order_source_and_its_reference_come_together(source, source_ref):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderFactory(source=source, source_ref=source_ref)

    assert not Order.objects.exists()


def test_an_order_with_its_source_and_reference_or_neither_is_accepted():
    OrderFactory(source="amazon", source_ref="402-1")
    OrderFactory(source="", source_ref="")
    OrderFactory(source="", source_ref="")

    assert Order.objects.count() == 3


def test_a_source_reference_names_one_order():
    OrderFactory(source="amazon", source_ref="402-1")
    OrderFactory(source="ebay", source_ref="402-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderFactory(source="amazon", source_ref="402-1")


def test_order_numbers_are_unique():
    OrderFactory(order_number="1001")

    with pytest.raises(IntegrityError), transaction.atomic():
        OrderFactory(order_number="1001")


@pytest.mark.parametrize("country_code", ["fr", "Fr", "F1", "F", ""])
def test_the_database_refuses_a_country_that_is_not_an_iso_code(country_code):
    address = AddressFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.filter(pk=address.pk).update(country_code=country_code)


def test_a_shipment_cannot_be_delivered_before_it_was_shipped():
    shipped = timezone.now() - datetime.timedelta(days=3)
    ShipmentFactory(shipped_at=shipped, delivered_at=shipped)
    ShipmentFactory(shipped_at=None, delivered_at=shipped)

    with pytest.raises(IntegrityError), transaction.atomic():
        ShipmentFactory(shipped_at=shipped, delivered_at=shipped - datetime.timedelta(hours=1))


def test_an_order_item_is_labelled_as_its_product_unless_it_has_its_own_label():
    product = ProductFactory(label="Trail shoe")
    own = OrderItemFactory(product=product, label="Trail shoe, size 42", quantity=2)
    plain = OrderItemFactory(product=product, label="", reference="A")

    assert own.display_label == "Trail shoe, size 42"
    assert plain.display_label == "Trail shoe"
    assert str(plain) == "Trail shoe ×1 (A)"


def test_a_customer_reads_as_their_name_and_email():
    customer = CustomerFactory(first_name="Camille", last_name="Martin", email="c@example.com")

    assert customer.full_name == "Camille Martin"
    assert str(customer) == "Camille Martin <c@example.com>"
