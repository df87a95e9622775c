"""Return orders in and out of the admin as CSV (on the site of ``return_order_admin``, which
is the real return order admin once it has the CSV mixin)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns_portal.csvio.admin import CsvImportExportMixin
from returns_portal.models import ImportJob
from shipbacks.admin.return_orders import ReturnOrderAdmin
from shipbacks.models import ReturnOrder
from tests.admin_pages import log_in
from tests.factories import (
    ExpectedItemFactory,
    ManagerUserFactory,
    OrderFactory,
    ProductFactory,
    ReturnOrderFactory,
    SuperuserFactory,
    WarehouseFactory,
    WarehouseUserFactory,
)

from .helpers import csv_bytes, file_of
from .test_admin import exported_rows

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.csvio.return_order_admin")]


def url(name: str) -> str:
    return reverse(f"admin:shipbacks_returnorder_{name}")


def test_a_returns_manager_may_import_and_export_return_orders(client):
    log_in(client, ManagerUserFactory)

    content = client.get(url("changelist")).content.decode()

    assert f'href="{url("csv_import")}"' in content
    assert f'href="{url("csv_export")}?' in content
    assert client.get(url("csv_import")).status_code == 200


def test_warehouse_staff_may_neither_import_nor_export_return_orders(client):
    log_in(client, WarehouseUserFactory)

    content = client.get(url("changelist")).content.decode()

    assert "Import CSV" not in content
    assert "Export CSV" not in content
    assert client.get(url("csv_export")).status_code == 403


def test_return_orders_are_imported_from_the_admin(
    client, inline_tasks, django_capture_on_commit_callbacks
):
    log_in(client, SuperuserFactory)
    WarehouseFactory(reference="PARIS")
    OrderFactory(order_number="WEB-1")
    ProductFactory(reference="SHIRT")
    content = csv_bytes(
        [
            ["reference", "warehouse", "order_number", "product_reference", "quantity"],
            ["RO-1", "PARIS", "WEB-1", "SHIRT", "2"],
        ]
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("csv_import"), {"file": file_of(content)})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:returns_portal_importjob_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert (job.kind, job.state, job.created_count) == ("return_orders", "done", 1)
    assert ReturnOrder.objects.get(reference="RO-1").expected_items.get().quantity_expected == 2


def test_the_return_orders_export_has_one_row_per_expected_item_and_the_state(client):
    log_in(client, SuperuserFactory)
    shown = ReturnOrderFactory(reference="RO-SHOWN", warehouse=WarehouseFactory(reference="W1"))
    ExpectedItemFactory(return_order=shown, product=ProductFactory(reference="P1"))
    ExpectedItemFactory(return_order=shown, product=ProductFactory(reference="P2"), lot_number="L")
    ReturnOrderFactory(reference="RO-HIDDEN", items=1)

    header, *rows = exported_rows(client.get(url("csv_export"), {"q": "RO-SHOWN"}))

    assert header[-1] == "state"
    assert [(r[0], r[1], r[2], r[9], r[-1]) for r in rows] == [
        ("RO-SHOWN", "W1", shown.order.order_number, "P1", "new"),
        ("RO-SHOWN", "W1", shown.order.order_number, "P2", "new"),
    ]


def test_a_return_orders_export_takes_the_same_queries_for_two_or_fifteen(client):
    log_in(client, SuperuserFactory)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            exported_rows(client.get(url("csv_export")))
        return len(captured.captured_queries)

    ReturnOrderFactory.create_batch(2, items=2)
    queries()
    few = queries()
    ReturnOrderFactory.create_batch(13, items=2)

    assert queries() == few


@pytest.mark.urls("returns_portal.urls")
@pytest.mark.skipif(
    not issubclass(ReturnOrderAdmin, CsvImportExportMixin),
    reason="shipbacks.admin.return_orders.ReturnOrderAdmin has no CsvImportExportMixin yet",
)
def test_the_real_return_order_list_offers_csv_import_and_export(client):
    log_in(client, SuperuserFactory)

    content = client.get(url("changelist")).content.decode()

    assert "Import CSV" in content
    assert "Export CSV" in content
