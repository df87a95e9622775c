"""The receiving slip: what the parcel should hold, boxes to fill in, the reference as a barcode."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shipbacks.models import ExpectedItem, ReturnOrder
from shipbacks.receiving_slip import receiving_slip_pdf
from tests.factories import (
    ExpectedItemFactory,
    ProductFactory,
    ReturnOrderFactory,
    ShipbackFactory,
    WarehouseFactory,
)
from tests.portal.test_pdf_and_limits import _pages, _streams, _text

pytestmark = pytest.mark.django_db


def loaded(return_order) -> ReturnOrder:
    return ReturnOrder.objects.select_related(
        "warehouse__address", "order__customer", "shipback__customer"
    ).get(pk=return_order.pk)


def test_the_slip_names_the_return_order_its_customer_and_each_expected_item():
    shipback = ShipbackFactory(
        order__order_number="ORD-7788",
        order__customer__first_name="Chloé",
        order__customer__last_name="Roux",
    )
    return_order = ReturnOrderFactory(
        shipback=shipback,
        order=shipback.order,
        warehouse=WarehouseFactory(name="Paris Nord", reference="PAR-01"),
        tracking_number="6A0012345678",
    )
    ExpectedItemFactory(
        return_order=return_order,
        product=ProductFactory(reference="TEE-RED-M", ean="3761230000123", label="Tee red M"),
        quantity_expected=2,
        requested_action=ExpectedItem.RequestedAction.QUARANTINE,
    )
    ExpectedItemFactory(
        return_order=return_order,
        product=ProductFactory(reference="SCARF", label="Wool scarf"),
        unexpected=True,
        quantity_expected=0,
    )

    text = _text(receiving_slip_pdf(loaded(return_order)))

    for shown in (
        "Receiving slip",
        return_order.reference,
        shipback.rma,
        "Paris Nord (PAR-01)",
        "ORD-7788",
        "Chloé Roux",
        "6A0012345678",
        "TEE-RED-M",
        "3761230000123",
        "Tee red M",
        "Quarantine",
        "SCARF",
        "unexpected",
        "Received",
        "Restock",
        "Dispose",
        "Signature",
    ):
        assert shown in text, shown
    assert "\n2\n" in f"\n{text}\n"  # the quantity expected, in its own cell


def test_the_reference_is_drawn_as_a_barcode_under_its_text():
    return_order = ReturnOrderFactory(items=1)

    pdf = receiving_slip_pdf(loaded(return_order))

    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) == 1
    bars = sum(stream.count(b" re") for stream in _streams(pdf))
    assert bars > 40  # a Code128's bars are filled rectangles
    assert _text(pdf).count(return_order.reference) >= 2  # the title and under the bars


def test_a_return_order_without_shipback_or_order_still_prints():
    return_order = ReturnOrderFactory(order=None, source="amazon", source_ref="402-111", items=1)

    text = _text(receiving_slip_pdf(loaded(return_order)))

    assert "amazon 402-111" in text
    assert "RMA" in text


def test_a_long_return_order_runs_onto_more_pages_in_constant_queries():
    return_order = ReturnOrderFactory(items=2)
    return_order = loaded(return_order)
    with CaptureQueriesContext(connection) as few:
        receiving_slip_pdf(return_order)
    for _ in range(58):
        ExpectedItemFactory(return_order=return_order)

    with CaptureQueriesContext(connection) as many:
        pdf = receiving_slip_pdf(return_order)

    assert _pages(pdf) >= 2
    assert len(few) == len(many) == 1
