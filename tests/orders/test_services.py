"""Writes to orders: an order with its customer and items, all or nothing; deleting one."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from orders.models import Address, Customer, Order, OrderItem
from orders.services import (
    AddressData,
    CustomerData,
    OrderData,
    OrderItemData,
    order_create,
    order_delete,
)
from returns_portal.actors import Actor
from returns_portal.errors import DomainError
from shipbacks.services import ReturnedItemData, return_order_create, shipback_create
from tests.factories import (
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReturnReasonFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def _order_data(*items: OrderItemData, **fields) -> OrderData:
    return OrderData(
        order_number=fields.pop("order_number", "1001"),
        ordered_at=datetime.date(2030, 1, 2),
        customer=fields.pop(
            "customer",
            CustomerData(
                first_name="Camille",
                last_name="Martin",
                email="camille@example.com",
                address=AddressData(
                    line1="1 rue de la Paix", zipcode="75002", city="Paris", country_code="FR"
                ),
            ),
        ),
        items=list(items),
        **fields,
    )


def _nothing_was_written() -> bool:
    return not (
        Order.objects.exists()
        or OrderItem.objects.exists()
        or Customer.objects.exists()
        or Address.objects.exists()
    )


def test_creating_an_order_creates_its_customer_address_and_items():
    # given
    shoe, sock = ProductFactory(label="Trail shoe"), ProductFactory()

    # when
    order = order_create(
        data=_order_data(
            OrderItemData(product=shoe, reference="A", price_cents=8900, quantity=2),
            OrderItemData(product=sock, reference="B", label="Socks"),
            metadata={"cart": "42"},
            tags=["vip"],
            source="amazon",
            source_ref="402-1",
        )
    )

    # then
    stored = Order.objects.get(pk=order.pk)
    assert (stored.order_number, stored.ordered_at) == ("1001", datetime.date(2030, 1, 2))
    assert (stored.metadata, stored.tags, stored.source, stored.source_ref) == (
        {"cart": "42"},
        ["vip"],
        "amazon",
        "402-1",
    )
    assert (stored.customer.email, stored.customer.address.city) == (
        "camille@example.com",
        "Paris",
    )
    assert list(
        stored.items.values_list("reference", "product", "label", "price_cents", "quantity")
    ) == [("A", shoe.pk, "", 8900, 2), ("B", sock.pk, "Socks", 0, 1)]


def test_creating_an_order_for_a_customer_without_address_is_possible():
    data = _order_data(
        OrderItemData(product=ProductFactory()),
        customer=CustomerData(first_name="Camille", last_name="Martin", email="c@example.com"),
    )

    order = order_create(data=data)

    assert order.customer.address is None
    assert not Address.objects.exists()


def test_items_without_a_reference_are_numbered_around_the_given_ones():
    product = ProductFactory()

    order = order_create(
        data=_order_data(
            OrderItemData(product=product),
            OrderItemData(product=product),
            OrderItemData(product=product, reference="2"),
            OrderItemData(product=product),
        )
    )

    references = list(order.items.order_by("created_at").values_list("reference", flat=True))
    assert sorted(references) == ["1", "2", "3", "4"]
    assert order.items.get(reference="2").product == product


@pytest.mark.parametrize(
    ("bad_item", "field"),
    [
        pytest.param({"quantity": 0}, "quantity", id="no-unit"),
        pytest.param({"currency": "eur"}, "currency", id="currency-not-iso"),
        pytest.param({"reference": "x" * 201}, "reference", id="reference-too-long"),
    ],
)
def test_a_bad_item_after_good_ones_leaves_no_order_nor_customer(bad_item, field):
    product = ProductFactory()

    with pytest.raises(ValidationError) as refused:
        order_create(
            data=_order_data(
                OrderItemData(product=product, reference="A"),
                OrderItemData(product=product, reference="B"),
                OrderItemData(product=product, **{"reference": "C", **bad_item}),
            )
        )

    assert field in refused.value.message_dict
    assert _nothing_was_written()


def test_duplicate_item_references_are_refused_and_nothing_is_written():
    product = ProductFactory()

    with pytest.raises(DomainError) as refused:
        order_create(
            data=_order_data(
                OrderItemData(product=product, reference="A"),
                OrderItemData(product=product),
                OrderItemData(product=product, reference="A"),
            )
        )

    assert (refused.value.code, refused.value.field) == ("DUPLICATE", "items")
    assert _nothing_was_written()


def test_an_order_without_items_is_refused():
    with pytest.raises(DomainError) as refused:
        order_create(data=_order_data())

    assert (refused.value.code, refused.value.field) == ("REQUIRED", "items")
    assert _nothing_was_written()


@pytest.mark.parametrize(
    "customer",
    [
        pytest.param(
            CustomerData(first_name="Camille", last_name="Martin", email="not-an-email"),
            id="bad-email",
        ),
        pytest.param(
            CustomerData(
                first_name="Camille",
                last_name="Martin",
                email="c@example.com",
                address=AddressData(line1="1 Main St", zipcode="1", city="X", country_code="fr"),
            ),
            id="bad-country",
        ),
    ],
)
def test_an_invalid_customer_is_refused_and_nothing_is_written(customer):
    with pytest.raises(ValidationError):
        order_create(data=_order_data(OrderItemData(product=ProductFactory()), customer=customer))

    assert _nothing_was_written()


def test_a_taken_order_number_is_refused_and_no_second_customer_is_written():
    OrderFactory(order_number="1001")
    customers = Customer.objects.count()

    with pytest.raises(ValidationError) as refused:
        order_create(data=_order_data(OrderItemData(product=ProductFactory())))

    assert "order_number" in refused.value.message_dict
    assert Customer.objects.count() == customers


def test_a_source_without_its_reference_is_refused():
    with pytest.raises(ValidationError):
        order_create(data=_order_data(OrderItemData(product=ProductFactory()), source="amazon"))

    assert _nothing_was_written()


# order_delete


def test_deleting_an_order_removes_its_items_customer_and_address():
    # given
    order = order_create(data=_order_data(OrderItemData(product=ProductFactory())))

    # when
    order_delete(order=order)

    # then
    assert _nothing_was_written()


def test_deleting_an_order_keeps_a_customer_who_has_other_orders():
    order = OrderFactory(items=1)
    other = OrderFactory(customer=order.customer)

    order_delete(order=order)

    assert not Order.objects.filter(pk=order.pk).exists()
    assert Customer.objects.filter(pk=other.customer_id).exists()
    assert Address.objects.filter(pk=other.customer.address_id).exists()


def test_deleting_an_order_with_a_shipback_is_refused():
    # given
    order = OrderFactory()
    item = OrderItemFactory(order=order)
    shipback = shipback_create(
        order=order,
        items=[ReturnedItemData(order_item=item, reason=ReturnReasonFactory())],
        actor=Actor.system(),
    )

    # when
    with pytest.raises(DomainError) as refused:
        order_delete(order=order)

    # then
    assert refused.value.code == "DEPENDENT_SHIPBACK"
    assert str(shipback.pk) in refused.value.message
    assert Order.objects.filter(pk=order.pk).exists()
    assert OrderItem.objects.filter(pk=item.pk).exists()
    assert Customer.objects.filter(pk=order.customer_id).exists()


def test_deleting_an_order_with_a_return_order_is_refused():
    order = OrderFactory(items=1)
    return_order = return_order_create(
        warehouse=WarehouseFactory(), actor=Actor.system(), order=order
    )

    with pytest.raises(DomainError) as refused:
        order_delete(order=order)

    assert refused.value.code == "DEPENDENT_RETURN_ORDER"
    assert refused.value.message == f"dependent return order found ({return_order.pk})"
    assert Order.objects.filter(pk=order.pk).exists()
