"""Importing orders: one row per item, grouped by order number, created by order_create."""

import datetime
from unittest import mock

import pytest

from orders.models import Order
from returns_portal.errors import DomainError
from returns_portal.models import ImportJob
from tests.factories import OrderFactory, ProductFactory, SuperuserFactory

from .helpers import checked, csv_bytes, import_file, upload

pytestmark = pytest.mark.django_db

HEADER = [
    "order_number",
    "ordered_at",
    "source",
    "source_ref",
    "customer_email",
    "customer_first_name",
    "customer_last_name",
    "customer_phone",
    "customer_locale",
    "address_line1",
    "address_line2",
    "address_zipcode",
    "address_city",
    "address_state",
    "address_country_code",
    "item_reference",
    "item_product_reference",
    "item_label",
    "item_barcode",
    "item_price_cents",
    "item_currency",
    "item_quantity",
]


def order_row(number: str, product: str, **values) -> list:
    row = dict.fromkeys(HEADER, "")
    row.update(
        order_number=number,
        ordered_at="2026-03-02",
        customer_email="camille@example.com",
        customer_first_name="Camille",
        customer_last_name="Martin",
        customer_locale="fr",
        address_line1="12 rue de la Roquette",
        address_zipcode="75011",
        address_city="Paris",
        address_country_code="FR",
        item_product_reference=product,
        item_price_cents="2990",
        item_quantity="1",
    )
    row.update(values)
    return [row[name] for name in HEADER]


def orders_csv(*rows) -> bytes:
    return csv_bytes([HEADER, *rows])


def errors_of(content: bytes) -> list[tuple[int, str, str]]:
    return [
        (e["row"], e["column"], e["message"]) for e in checked("orders", content).errors.sorted()
    ]


@pytest.fixture
def products(db):
    return [ProductFactory(reference="SHIRT"), ProductFactory(reference="MUG")]


def test_rows_of_the_same_order_number_become_one_order_with_its_items(products):
    user = SuperuserFactory()
    content = orders_csv(
        order_row("WEB-1", "SHIRT", item_reference="l1", item_quantity="2"),
        order_row(
            "WEB-2",
            "MUG",
            customer_email="other@example.com",
            address_line1="",
            address_zipcode="",
            address_city="",
            address_country_code="",
        ),
        order_row("WEB-1", "MUG", item_reference="l2", item_price_cents="990"),
    )

    job = import_file("orders", content, user)

    assert job.state == ImportJob.State.DONE, (job.failure, job.errors)
    assert (job.created_count, job.updated_count) == (2, 0)
    first = Order.objects.get(order_number="WEB-1")
    assert first.ordered_at == datetime.date(2026, 3, 2)
    assert (first.customer.email, first.customer.locale) == ("camille@example.com", "fr")
    assert (first.customer.address.zipcode, first.customer.address.country_code) == ("75011", "FR")
    items = first.items.order_by("reference")
    assert [(i.reference, i.product.reference, i.quantity, i.price_cents) for i in items] == [
        ("l1", "SHIRT", 2, 2990),
        ("l2", "MUG", 1, 990),
    ]
    second = Order.objects.get(order_number="WEB-2")
    assert second.customer.address is None
    assert [i.reference for i in second.items.all()] == ["1"]  # its position, as order_create
    assert first.history.get().history_user == user


def test_the_preview_counts_the_orders_not_the_rows(products):
    job = upload(
        "orders", orders_csv(order_row("A", "SHIRT"), order_row("A", "MUG"), order_row("B", "MUG"))
    )

    assert (job.state, job.rows_total, job.to_create, job.to_update) == ("validated", 3, 2, 0)


def test_an_order_that_exists_already_is_refused(products):
    OrderFactory(order_number="WEB-1")

    assert errors_of(orders_csv(order_row("WEB-1", "SHIRT"), order_row("WEB-1", "MUG"))) == [
        (
            2,
            "order_number",
            "Order WEB-1 exists already: an import creates orders, it does not change them.",
        )
    ]


def test_rows_of_one_order_that_disagree_on_the_order_are_errors(products):
    content = orders_csv(
        order_row("WEB-1", "SHIRT"),
        order_row("WEB-1", "MUG", customer_last_name="Dupont"),
    )

    assert errors_of(content) == [
        (
            3,
            "customer_last_name",
            "Differs from row 2, the first row of order_number WEB-1 (every row of it must say "
            "the same).",
        )
    ]


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"item_product_reference": "NOPE"}, "item_product_reference", "No product has"),
        ({"ordered_at": "02/03/2026"}, "ordered_at", "A date as YYYY-MM-DD is expected"),
        ({"customer_email": "not-an-email"}, "customer_email", "Enter a valid e-mail address."),
        ({"customer_locale": "de"}, "customer_locale", "One of en, fr"),
        ({"address_country_code": "fr"}, "address_country_code", "in capitals"),
        ({"address_city": ""}, "address_city", "Required when the address is given."),
        ({"item_currency": "euro"}, "item_currency", "three-letter ISO 4217"),
        ({"item_quantity": "0"}, "item_quantity", "At least 1."),
        ({"source": "amazon"}, "source_ref", "Give both source and source_ref"),
    ],
)
def test_a_row_breaking_the_orders_rules_is_an_error(products, values, column, message):
    found = errors_of(orders_csv(order_row("WEB-1", "SHIRT", **values)))

    assert len(found) == 1
    assert found[0][:2] == (2, column)
    assert message in found[0][2]


def test_an_item_reference_twice_in_one_order_is_an_error(products):
    content = orders_csv(
        order_row("WEB-1", "SHIRT", item_reference="l1"),
        order_row("WEB-1", "MUG", item_reference="l1"),
    )

    assert errors_of(content) == [
        (3, "item_reference", "Item l1 is on row 2 of this order already.")
    ]


def test_a_source_reference_another_order_holds_is_an_error(products):
    OrderFactory(order_number="OLD", source="amazon", source_ref="A-1")

    found = errors_of(orders_csv(order_row("WEB-1", "SHIRT", source="amazon", source_ref="A-1")))

    assert found == [(2, "source_ref", "Order OLD has source amazon and source_ref A-1 already.")]


def test_an_order_refused_while_writing_rolls_back_the_orders_written_before_it(products):
    from orders import services

    calls = []

    def create_then_refuse(*, data):
        calls.append(data.order_number)
        if len(calls) == 2:
            raise DomainError("An order needs at least one item.")
        return services.order_create(data=data)

    content = orders_csv(order_row("WEB-1", "SHIRT"), order_row("WEB-2", "MUG"))
    with mock.patch("orders.imports.order_create", side_effect=create_then_refuse):
        job = import_file("orders", content)

    assert calls == ["WEB-1", "WEB-2"]
    assert job.state == ImportJob.State.FAILED
    assert job.failure == "Order WEB-2: An order needs at least one item."
    assert not Order.objects.filter(order_number__in=["WEB-1", "WEB-2"]).exists()
