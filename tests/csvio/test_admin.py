"""CSV in the admin: who sees the buttons, the upload → preview → confirm → done pages, the
progress status, and streamed exports of what the list shows."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from returns_portal.models import ImportJob
from returns_portal.roles import RETURNS_MANAGERS, WAREHOUSE_STAFF
from tests.admin_pages import log_in
from tests.factories import (
    BrandFactory,
    ManagerUserFactory,
    OrderFactory,
    ProductFactory,
    SuperuserFactory,
    UserFactory,
    WarehouseUserFactory,
)

from .helpers import PRODUCT_HEADER, file_of, import_file, product_row, products_csv, upload

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("admin:catalog_product_changelist")
PRODUCT_IMPORT = reverse("admin:catalog_product_csv_import")
PRODUCT_EXPORT = reverse("admin:catalog_product_csv_export")
ORDERS = reverse("admin:orders_order_changelist")
ORDER_EXPORT = reverse("admin:orders_order_csv_export")
JOBS = reverse("admin:returns_portal_importjob_changelist")


def job_url(job) -> str:
    return reverse("admin:returns_portal_importjob_change", args=[job.pk])


@pytest.fixture
def superuser(client):
    return log_in(client, SuperuserFactory)


def staff_with(client, *codenames: str):
    """A staff user with exactly these permissions ("app_label.codename")."""
    user = log_in(client, UserFactory, is_staff=True)
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def exported_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_a_superuser_sees_import_and_export_on_products_and_orders(client, superuser):
    for url, model in ((PRODUCTS, "catalog_product"), (ORDERS, "orders_order")):
        content = client.get(url).content.decode()

        assert f'href="{reverse(f"admin:{model}_csv_import")}"' in content
        assert f'href="{reverse(f"admin:{model}_csv_export")}?' in content


def test_warehouse_staff_get_neither_imports_nor_exports(client):
    log_in(client, WarehouseUserFactory)

    listed = client.get(PRODUCTS)

    assert listed.status_code == 200
    assert "Import CSV" not in listed.content.decode()
    assert "Export CSV" not in listed.content.decode()
    assert client.get(PRODUCT_IMPORT).status_code == 403
    assert client.get(PRODUCT_EXPORT).status_code == 403
    assert client.get(JOBS).status_code == 403


def test_returns_managers_may_import_and_export_and_warehouse_staff_may_not():
    managers = Group.objects.get(name=RETURNS_MANAGERS).permissions
    warehouse = Group.objects.get(name=WAREHOUSE_STAFF).permissions

    for codename in ("import_data", "export_data"):
        assert managers.filter(content_type__app_label="returns_portal", codename=codename).exists()
        assert not warehouse.filter(codename=codename).exists()


def test_a_manager_with_the_permissions_sees_both_buttons(client):
    user = log_in(client, ManagerUserFactory)
    for codename in ("import_data", "export_data"):
        user.user_permissions.add(Permission.objects.get(codename=codename))

    content = client.get(PRODUCTS).content.decode()

    assert "Import CSV" in content
    assert "Export CSV" in content


def test_exporting_needs_the_export_permission_and_importing_the_import_one(client):
    staff_with(client, "catalog.view_product", "returns_portal.export_data")

    content = client.get(PRODUCTS).content.decode()

    assert "Export CSV" in content
    assert "Import CSV" not in content
    assert client.get(PRODUCT_EXPORT).status_code == 200
    assert client.get(PRODUCT_IMPORT).status_code == 403


def test_importing_products_needs_adding_and_changing_them(client):
    staff_with(client, "catalog.view_product", "catalog.add_product", "returns_portal.import_data")

    assert client.get(PRODUCT_IMPORT).status_code == 403


def test_the_upload_page_lists_the_columns_the_file_may_have(client, superuser):
    response = client.get(PRODUCT_IMPORT)

    content = response.content.decode()
    assert response.status_code == 200
    for name in PRODUCT_HEADER:
        assert f"<code>{name}</code>" in content
    assert 'enctype="multipart/form-data"' in content


def test_uploading_checking_confirming_and_importing_from_the_admin(
    client, superuser, inline_tasks, django_capture_on_commit_callbacks
):
    ProductFactory(reference="KNOWN", label="Before")
    content = products_csv(product_row("NEW", label="Linen shirt"), product_row("KNOWN"))

    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(PRODUCT_IMPORT, {"file": file_of(content)})
    job = ImportJob.objects.get()
    preview = client.get(uploaded["Location"])

    assert uploaded.status_code == 302
    assert uploaded["Location"] == job_url(job)
    assert (job.state, job.created_by, job.file_name) == ("validated", superuser, "file.csv")
    page = preview.content.decode()
    assert "Ready to import" in page
    assert "<strong>1</strong> products to create" in page
    assert "Linen shirt" in page  # the sample of the first rows
    assert 'value="Confirm import"' in page
    assert not Product.objects.filter(reference="NEW").exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("admin:returns_portal_importjob_confirm", args=[job.pk]))
    done = client.get(confirmed["Location"])

    job.refresh_from_db()
    assert (job.state, job.confirmed_by, job.created_count, job.updated_count) == (
        "done",
        superuser,
        1,
        1,
    )
    assert "Imported" in done.content.decode()
    assert Product.objects.get(reference="NEW").label == "Linen shirt"
    assert Product.objects.get(reference="KNOWN").label == "Product KNOWN"


def test_a_file_with_errors_shows_them_and_offers_no_confirm(client, superuser):
    job = upload("products", products_csv(product_row("A", weight_grams="heavy")), superuser)

    page = client.get(job_url(job)).content.decode()

    assert "The file has errors" in page
    assert "<code>weight_grams</code>" in page
    assert "A whole number is expected, not “heavy”." in page
    assert "Confirm import" not in page
    confirm = client.post(reverse("admin:returns_portal_importjob_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert confirm.status_code == 302
    assert job.state == "invalid"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("products.xlsx", b"PK\x03\x04", "Upload a .csv file"),
        ("products.csv", b"reference,label,size\nA,B,C\n", "Unknown column: size."),
        ("products.csv", "reference,label\nA,Caf\xe9\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_an_upload_that_cannot_be_read_gets_a_form_error_and_no_job(
    client, superuser, name, content, message
):
    from django.core.files.base import ContentFile

    response = client.post(PRODUCT_IMPORT, {"file": ContentFile(content, name=name)})

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_the_status_says_how_far_a_running_check_is(client, superuser):
    job = upload("products", products_csv(product_row("A")), superuser)
    ImportJob.objects.filter(pk=job.pk).update(state="validating", rows_total=40, rows_processed=10)

    response = client.get(reverse("admin:returns_portal_importjob_status", args=[job.pk]))

    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "state": "validating",
        "state_label": "Checking",
        "running": True,
        "rows_total": 40,
        "rows_processed": 10,
        "percent": 25,
        "indeterminate": False,
        "text": "Checking the rows: 10 of 40.",
    }


def test_a_running_job_page_has_a_progress_bar_and_a_refresh_link_without_inline_code(
    client, superuser
):
    job = upload("products", products_csv(product_row("A")), superuser)
    ImportJob.objects.filter(pk=job.pk).update(state="validating", rows_total=40, rows_processed=10)

    page = client.get(job_url(job)).content.decode()

    assert '<progress id="csv-import-bar" max="100" value="25">' in page
    assert 'id="csv-import-refresh"' in page
    assert "returns_portal/csvio.js" in page
    assert ' style="' not in page
    scripts = [chunk.split(">", 1)[0] for chunk in page.split("<script")[1:]]
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), scripts
    config = json.loads(
        page.split('id="csv-import-config" type="application/json">')[1].split("<")[0]
    )
    assert config["statusUrl"] == reverse("admin:returns_portal_importjob_status", args=[job.pk])


def test_the_imports_are_listed_read_only_for_those_who_may_import(client):
    staff_with(client, "returns_portal.import_data")
    job = upload("products", products_csv(product_row("A")))

    listed = client.get(JOBS)

    assert listed.status_code == 200
    assert [j.pk for j in listed.context["cl"].result_list] == [job.pk]
    assert client.get(reverse("admin:returns_portal_importjob_add")).status_code == 403


def test_deleting_a_finished_import_deletes_its_file(client, superuser):
    job = upload("products", products_csv(product_row("A", weight_grams="x")), superuser)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)

    client.post(reverse("admin:returns_portal_importjob_delete", args=[job.pk]), {"post": "yes"})

    assert not ImportJob.objects.exists()
    assert not storage.exists(name)


def test_the_export_is_the_list_as_filtered_with_formulas_escaped(client, superuser):
    ProductFactory(
        reference="SHIRT-1",
        label='=HYPERLINK("http://x")',
        ean="3700000000017",
        brand=BrandFactory(reference="acme"),
        returnable=False,
        weight_grams=250,
        return_window_days=60,
    )
    ProductFactory(reference="MUG-1", label="Mug")

    rows = exported_rows(client.get(PRODUCT_EXPORT, {"q": "SHIRT"}))

    assert rows == [
        PRODUCT_HEADER,
        [
            "SHIRT-1",
            '\'=HYPERLINK("http://x")',
            "3700000000017",
            "acme",
            "250",
            "",
            "",
            "",
            "",
            "false",
            "60",
            "",
        ],
    ]


def test_an_export_takes_the_same_queries_for_two_or_fifteen_products(client, superuser):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            exported_rows(client.get(PRODUCT_EXPORT))
        return len(captured.captured_queries)

    ProductFactory.create_batch(2, brand=BrandFactory())
    queries()  # warm the caches (content types, session)
    few = queries()
    ProductFactory.create_batch(13, brand=BrandFactory())

    assert queries() == few


def test_exported_products_import_back_unchanged(client, superuser):
    brand = BrandFactory(reference="acme")
    ProductFactory(
        reference="A",
        label="-Minus first",
        ean="",
        brand=brand,
        color="@blue",
        width_mm=10,
        shipbob_inventory_id=-5,
        returnable=False,
    )
    ProductFactory(reference="B", label="Plain", ean="3700000000017", return_window_days=14)
    compared = [name if name != "brand" else "brand_id" for name in PRODUCT_HEADER]
    before = list(Product.objects.order_by("reference").values(*compared))
    exported = b"".join(client.get(PRODUCT_EXPORT).streaming_content)
    Product.objects.all().delete()

    job = import_file("products", exported)

    assert job.created_count == 2
    assert list(Product.objects.order_by("reference").values(*compared)) == before


def test_orders_export_one_row_per_item_with_the_order_repeated(client, superuser):
    order = OrderFactory(order_number="WEB-1", items=2)
    OrderFactory(order_number="OTHER", items=1)

    rows = exported_rows(client.get(ORDER_EXPORT, {"q": "WEB-1"}))

    header, *lines = rows
    assert header[:2] == ["order_number", "ordered_at"]
    assert [line[0] for line in lines] == ["WEB-1", "WEB-1"]
    assert lines[0][1] == order.ordered_at.isoformat()
    items = sorted(order.items.all(), key=lambda item: item.reference)
    position = header.index("item_product_reference")
    assert [line[position] for line in lines] == [item.product.reference for item in items]


def test_an_orders_export_follows_the_lists_filters(client, superuser):
    from tests.factories import ShipbackFactory

    ShipbackFactory(order=OrderFactory(order_number="RETURNED", items=1))
    OrderFactory(order_number="KEPT", items=1)

    rows = exported_rows(client.get(ORDER_EXPORT, {"has_shipback": "no"}))

    assert [row[0] for row in rows[1:]] == ["KEPT"]


def test_an_orders_export_takes_the_same_queries_for_two_or_fifteen_orders(client, superuser):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            exported_rows(client.get(ORDER_EXPORT))
        return len(captured.captured_queries)

    OrderFactory.create_batch(2, items=2)
    queries()
    few = queries()
    OrderFactory.create_batch(13, items=2)

    assert queries() == few
