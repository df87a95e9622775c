"""Importing return orders: one row per expected item, created by return_order_create."""

import pytest

from returns_portal.models import ImportJob
from shipbacks.models import ProviderCall, ReturnOrder
from tests.factories import (
    OrderFactory,
    ProductFactory,
    ReturnOrderFactory,
    SuperuserFactory,
    WarehouseFactory,
)

from .helpers import checked, csv_bytes, import_file

pytestmark = pytest.mark.django_db

HEADER = [
    "reference",
    "warehouse",
    "order_number",
    "source",
    "source_ref",
    "type",
    "reason",
    "reason_ref",
    "tracking_number",
    "product_reference",
    "quantity",
    "requested_action",
    "lot_number",
    "lot_date",
]


def line(reference: str, product: str, **values) -> list:
    row = dict.fromkeys(HEADER, "")
    row.update(reference=reference, warehouse="PARIS", product_reference=product, quantity="1")
    row.update(values)
    return [row[name] for name in HEADER]


def return_orders_csv(*rows) -> bytes:
    return csv_bytes([HEADER, *rows])


def errors_of(content: bytes) -> list[tuple[int, str, str]]:
    found = checked("return_orders", content).errors.sorted()
    return [(e["row"], e["column"], e["message"]) for e in found]


@pytest.fixture
def setup(db):
    return {
        "warehouse": WarehouseFactory(reference="PARIS"),
        "order": OrderFactory(order_number="WEB-1"),
        "shirt": ProductFactory(reference="SHIRT"),
        "mug": ProductFactory(reference="MUG"),
    }


def test_rows_of_one_reference_become_one_return_order_with_its_expected_items(setup):
    user = SuperuserFactory(username="importer")
    content = return_orders_csv(
        line("RO-1", "SHIRT", order_number="WEB-1", reason="Too small", quantity="2"),
        line("RO-2", "MUG", source="shopify", source_ref="S-9", type="return_order_carrier"),
        line(
            "RO-1",
            "MUG",
            order_number="WEB-1",
            reason="Too small",
            requested_action="dispose",
            lot_number="L7",
            lot_date="2026-01-15",
        ),
    )

    job = import_file("return_orders", content, user)

    assert job.state == ImportJob.State.DONE, (job.failure, job.errors)
    assert job.created_count == 2
    first = ReturnOrder.objects.get(reference="RO-1")
    assert (first.order, first.warehouse, first.reason, first.state) == (
        setup["order"],
        setup["warehouse"],
        "Too small",
        "new",
    )
    lines = [
        (i.product.reference, i.quantity_expected, i.requested_action, i.lot_number)
        for i in first.expected_items.order_by("product__reference")
    ]
    assert lines == [("MUG", 1, "dispose", "L7"), ("SHIRT", 2, "default", "")]
    second = ReturnOrder.objects.get(reference="RO-2")
    assert (second.order, second.source_ref, second.type) == (None, "S-9", "return_order_carrier")
    assert first.events.get().actor == "staff:importer"


def test_an_imported_return_order_is_pushed_to_its_warehouses_provider(setup, settings):
    settings.SYNC_ENABLED = True
    WarehouseFactory(reference="LEIPZIG", provider="shippingbo", shippingbo_supplier_id=28714)

    content = return_orders_csv(line("RO-9", "SHIRT", warehouse="LEIPZIG", order_number="WEB-1"))

    import_file("return_orders", content)

    call = ProviderCall.objects.get(return_order__reference="RO-9")
    assert (call.provider, call.operation) == ("shippingbo", "return_order.create")


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        (
            {"warehouse": "NOWHERE", "order_number": "WEB-1"},
            "warehouse",
            "No warehouse has the reference NOWHERE.",
        ),
        ({"order_number": "NOPE"}, "order_number", "No order NOPE."),
        ({}, "order_number", "Give the order number, or its source and source_ref."),
        ({"order_number": "WEB-1", "quantity": "0"}, "quantity", "At least 1."),
        ({"order_number": "WEB-1", "requested_action": "burn"}, "requested_action", "One of"),
        ({"order_number": "WEB-1", "type": "lost"}, "type", "One of return_order_customer"),
        ({"order_number": "WEB-1", "product_reference": "NOPE"}, "product_reference", "No product"),
    ],
)
def test_a_row_breaking_the_return_orders_rules_is_an_error(setup, values, column, message):
    product = values.pop("product_reference", "SHIRT")

    found = errors_of(return_orders_csv(line("RO-1", product, **values)))

    assert len(found) == 1, found
    assert found[0][:2] == (2, column)
    assert message in found[0][2]


def test_an_inactive_warehouse_is_refused(setup):
    WarehouseFactory(reference="CLOSED", active=False)

    content = return_orders_csv(line("RO-1", "SHIRT", warehouse="CLOSED", order_number="WEB-1"))

    found = errors_of(content)

    assert [(row, column) for row, column, _ in found] == [(2, "warehouse")]
    assert "is not active" in found[0][2]


def test_a_return_order_reference_that_exists_is_refused(setup):
    ReturnOrderFactory(reference="RO-1")

    found = errors_of(return_orders_csv(line("RO-1", "SHIRT", order_number="WEB-1")))

    assert found == [
        (
            2,
            "reference",
            "Return order RO-1 exists already: an import creates return orders, it does not "
            "change them.",
        )
    ]


def test_the_state_column_of_an_export_is_accepted_and_ignored(setup):
    header = [*HEADER, "state"]
    content = csv_bytes([header, [*line("RO-1", "SHIRT", order_number="WEB-1"), "completed"]])

    job = import_file("return_orders", content)

    assert ReturnOrder.objects.get(reference="RO-1").state == "new"
    assert job.created_count == 1
