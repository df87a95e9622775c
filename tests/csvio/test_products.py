"""Importing products: checks per row, the preview, the upsert, history, webhooks, rollback."""

import json
from unittest import mock

import pytest

from catalog.models import Product
from returns_portal.csvio.services import UploadRefused
from returns_portal.errors import DomainError
from returns_portal.models import ImportJob, WebhookDelivery, WebhookEndpoint
from tests.factories import BrandFactory, ProductFactory, SuperuserFactory, default_brand

from .helpers import (
    PRODUCT_HEADER,
    checked,
    csv_bytes,
    import_file,
    product_row,
    products_csv,
    upload,
)

pytestmark = pytest.mark.django_db


def errors_of(content: bytes) -> list[tuple[int, str, str]]:
    result = checked("products", content)
    return [(e["row"], e["column"], e["message"]) for e in result.errors.sorted()]


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"label": ""}, "label", "This field is required."),
        ({"label": "x" * 256}, "label", "At most 255 characters (it has 256)."),
        ({"ean": "1" * 65}, "ean", "At most 64 characters"),
        ({"weight_grams": "0"}, "weight_grams", "At least 1."),
        ({"weight_grams": "1.5"}, "weight_grams", "A whole number is expected"),
        ({"width_mm": "-1"}, "width_mm", "At least 0."),
        ({"height_mm": "2147483648"}, "height_mm", "At most 2147483647."),
        ({"returnable": "maybe"}, "returnable", "Write true or false"),
        ({"returnable": ""}, "returnable", "Write true or false"),
        ({"return_window_days": "40000"}, "return_window_days", "At most 32767."),
        ({"color": "c" * 101}, "color", "At most 100 characters"),
        ({"brand": "nope"}, "brand", "No brand has the reference nope."),
    ],
)
def test_a_cell_that_breaks_the_products_rules_is_an_error_on_its_row_and_column(
    values, column, message
):
    found = errors_of(products_csv(product_row("OK-1"), product_row("BAD-1", **values)))

    assert len(found) == 1
    assert found[0][:2] == (3, column)
    assert message in found[0][2]


@pytest.mark.parametrize("spelling", ["true", "TRUE", "yes", "1", "false", "No", "0"])
def test_booleans_are_read_in_the_usual_spellings(spelling):
    result = checked("products", products_csv(product_row("A", returnable=spelling)))

    assert not result.errors
    assert result.records[0][PRODUCT_HEADER.index("returnable")] is (
        spelling.lower() in ("true", "yes", "1")
    )


def test_a_reference_twice_in_the_file_is_an_error_on_the_second_row():
    assert errors_of(products_csv(product_row("A"), product_row("B"), product_row("A"))) == [
        (4, "reference", "A is on row 2 already.")
    ]


def test_every_error_is_counted_and_the_first_ones_are_kept(settings):
    settings.CSV_IMPORT_MAX_ERRORS = 3
    rows = [product_row(f"P{n}", weight_grams="heavy") for n in range(10)]

    result = checked("products", products_csv(*rows))

    assert result.errors.count == 10
    assert [e["row"] for e in result.errors.sorted()] == [2, 3, 4]


def test_a_row_with_more_cells_than_the_header_is_an_error():
    content = csv_bytes([["reference", "label"], ["A", "One", "extra"]])

    assert errors_of(content) == [(2, "", "More cells than the header's 2 columns.")]


def test_the_preview_counts_products_to_create_and_to_update():
    ProductFactory(reference="KNOWN")

    job = upload("products", products_csv(product_row("KNOWN"), product_row("NEW")))

    assert job.state == ImportJob.State.VALIDATED
    assert (job.rows_total, job.rows_processed, job.to_create, job.to_update) == (2, 2, 1, 1)
    assert job.sample["header"] == PRODUCT_HEADER
    assert [row[:2] for row in job.sample["rows"]] == [[2, "KNOWN"], [3, "NEW"]]
    assert Product.objects.filter(reference="NEW").count() == 0  # nothing written yet


def test_a_file_with_errors_ends_invalid_with_its_errors_and_writes_nothing():
    job = upload("products", products_csv(product_row("A"), product_row("B", weight_grams="x")))

    assert job.state == ImportJob.State.INVALID
    assert job.error_count == 1
    assert job.errors == [
        {"row": 3, "column": "weight_grams", "message": "A whole number is expected, not “x”."}
    ]
    assert not Product.objects.filter(reference__in=["A", "B"]).exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["reference", "label", "weigth_grams"], "Unknown column: weigth_grams."),
        (["reference", "ean"], "Missing column: label."),
        (["reference", "label", "label"], "Columns named twice: label."),
    ],
)
def test_a_header_with_unknown_missing_or_repeated_columns_is_refused_at_upload(header, message):
    with pytest.raises(UploadRefused, match=message):
        upload("products", csv_bytes([header, ["A"] * len(header)]))

    assert not ImportJob.objects.exists()


def test_a_file_larger_than_allowed_is_refused_at_upload(settings):
    settings.CSV_IMPORT_MAX_BYTES = 100

    with pytest.raises(UploadRefused, match="larger than"):
        upload("products", products_csv(*[product_row(f"P{n}") for n in range(10)]))


def test_importing_creates_new_products_updates_known_ones_and_leaves_unchanged_ones_alone():
    brand = BrandFactory(reference="acme")
    changed = ProductFactory(reference="CHANGED", label="Old label", weight_grams=100)
    same = ProductFactory(reference="SAME", label="Same", weight_grams=300, ean="", brand=brand)
    same_updated_at = same.updated_at
    content = products_csv(
        product_row("NEW", label="Linen shirt", ean="3700000000017", brand="acme", color="blue"),
        product_row("CHANGED", label="New label", returnable="no", return_window_days="60"),
        product_row("SAME", label="Same", brand="acme"),
    )

    job = import_file("products", content)

    assert job.state == ImportJob.State.DONE, job.failure
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 1, 1)
    new = Product.objects.get(reference="NEW")
    assert (new.label, new.ean, new.brand, new.color, new.weight_grams, new.returnable) == (
        "Linen shirt",
        "3700000000017",
        brand,
        "blue",
        300,
        True,
    )
    changed.refresh_from_db()
    assert (changed.label, changed.returnable, changed.return_window_days) == (
        "New label",
        False,
        60,
    )
    assert changed.brand == default_brand()  # an empty brand keeps the product's own
    same.refresh_from_db()
    assert same.updated_at == same_updated_at


def test_an_empty_brand_keeps_an_existing_products_brand():
    brand = BrandFactory(reference="acme")
    ProductFactory(reference="A", label="Before", brand=brand)

    job = import_file("products", products_csv(product_row("A", label="After", brand="")))

    product = Product.objects.get(reference="A")
    assert job.updated_count == 1
    assert (product.label, product.brand) == ("After", brand)


def test_a_new_product_without_a_brand_gets_the_default_brand():
    import_file("products", products_csv(product_row("NEW")))

    assert Product.objects.get(reference="NEW").brand == default_brand()


def test_columns_left_out_of_the_file_keep_their_values():
    product = ProductFactory(reference="A", ean="3700000000001", color="red", weight_grams=900)

    job = import_file("products", csv_bytes([["reference", "label"], ["A", "Renamed"]]))

    product.refresh_from_db()
    assert job.updated_count == 1
    assert (product.label, product.ean, product.color, product.weight_grams) == (
        "Renamed",
        "3700000000001",
        "red",
        900,
    )


def test_imported_products_have_history_rows_naming_who_imported_them():
    user = SuperuserFactory()
    ProductFactory(reference="OLD", label="Before")

    job = import_file(
        "products", products_csv(product_row("NEW"), product_row("OLD", label="After")), user
    )

    new = Product.objects.get(reference="NEW")
    old = Product.objects.get(reference="OLD")
    (created,) = new.history.all()
    latest = old.history.first()
    assert (created.history_type, created.history_user, created.label) == ("+", user, new.label)
    assert created.history_change_reason == f"CSV import {job.pk}"
    assert (latest.history_type, latest.history_user, latest.label) == ("~", user, "After")
    assert old.history.count() == 2


def test_a_product_import_changing_nothing_adds_no_history():
    ProductFactory(reference="A", label="Product A", weight_grams=300, ean="")
    before = Product.history.count()

    job = import_file("products", products_csv(product_row("A")))

    assert job.unchanged_count == 1
    assert Product.history.count() == before


def test_integrators_hear_of_each_new_product_after_the_import_commits(
    django_capture_on_commit_callbacks,
):
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/", events=["product.created"]
    )
    WebhookEndpoint.objects.create(url="https://other.example.com/", events=["order.created"])
    ProductFactory(reference="KNOWN")

    with (
        mock.patch("returns_portal.tasks.deliver_webhook.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        import_file(
            "products",
            products_csv(product_row("N1"), product_row("N2"), product_row("KNOWN", label="x")),
        )

    deliveries = list(WebhookDelivery.objects.all())
    bodies = sorted((json.loads(d.body) for d in deliveries), key=lambda b: b["data"]["reference"])
    assert {d.endpoint for d in deliveries} == {endpoint}
    assert [b["data"]["reference"] for b in bodies] == ["N1", "N2"]
    assert bodies[0]["event"] == "product.created"
    assert bodies[0]["data"]["id"] == str(Product.objects.get(reference="N1").pk)
    assert set(bodies[0]) == {"id", "event", "created_at", "data"}
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(d.pk for d in deliveries)


def test_an_import_refused_while_writing_rolls_everything_back_and_says_why():
    ProductFactory(reference="KNOWN", label="Before")
    content = products_csv(product_row("NEW"), product_row("KNOWN", label="After"))

    with mock.patch("catalog.imports._announce", side_effect=DomainError("Refused at the end.")):
        job = import_file("products", content)

    assert job.state == ImportJob.State.FAILED
    assert job.failure == "Refused at the end."
    assert not Product.objects.filter(reference="NEW").exists()
    assert Product.objects.get(reference="KNOWN").label == "Before"
    assert Product.history.filter(reference="NEW").count() == 0


def test_a_database_refusal_while_writing_fails_the_import_and_keeps_nothing():
    from django.db import IntegrityError

    with mock.patch("catalog.imports._announce", side_effect=IntegrityError("duplicate key")):
        job = import_file("products", products_csv(product_row("NEW")))

    assert job.state == ImportJob.State.FAILED
    assert job.failure == "The database refused the import: duplicate key"
    assert not Product.objects.filter(reference="NEW").exists()


def test_a_file_that_no_longer_passes_its_checks_when_confirmed_is_not_imported():
    from returns_portal.csvio.services import import_job_confirm, import_job_run

    brand = BrandFactory(reference="acme")
    job = upload("products", products_csv(product_row("A"), product_row("B", brand="acme")))
    brand.delete()
    import_job_confirm(job=job, user=None)

    job = import_job_run(job_id=job.pk)

    assert job.state == ImportJob.State.FAILED
    assert job.errors == [
        {"row": 3, "column": "brand", "message": "No brand has the reference acme."}
    ]
    assert not Product.objects.filter(reference__in=["A", "B"]).exists()


def test_running_an_import_twice_imports_it_once():
    from returns_portal.csvio.services import import_job_run

    job = import_file("products", products_csv(product_row("A")))

    assert import_job_run(job_id=job.pk) is None
    assert Product.history.filter(reference="A").count() == 1


def test_a_large_file_reports_its_progress_as_it_is_checked(settings):
    settings.CSV_IMPORT_PROGRESS_ROWS = 10
    reports = []

    with mock.patch("returns_portal.csvio.services._progress", return_value=reports.append):
        job = upload("products", products_csv(*[product_row(f"P{n:03d}") for n in range(35)]))

    assert reports == [10, 20, 30]
    assert (job.rows_total, job.rows_processed) == (35, 35)


# Written while checked (PostgreSQL: ProductCsv.check_and_write), a chunk at a time ------------


@pytest.fixture
def one_row_chunks(monkeypatch):
    monkeypatch.setattr("catalog.imports.STREAM_CHUNK_ROWS", 1)


def test_an_import_written_a_chunk_at_a_time_counts_and_records_every_row(one_row_chunks):
    ProductFactory(reference="CHANGED", label="Old label")
    ProductFactory(reference="SAME", label="Same", weight_grams=300, ean="")
    content = products_csv(
        product_row("NEW-1"),
        product_row("CHANGED", label="New label"),
        product_row("SAME", label="Same"),
        product_row("NEW-2"),
    )

    job = import_file("products", content)

    assert job.state == ImportJob.State.DONE, job.failure
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 1, 1)
    assert job.rows_processed == 4
    assert Product.objects.get(reference="CHANGED").label == "New label"
    assert sorted(Product.history.filter(history_type="+").values_list("reference", flat=True)) == [
        "CHANGED",
        "NEW-1",
        "NEW-2",
        "SAME",
    ]  # two by the factories, two by the import
    assert Product.history.filter(reference="CHANGED", history_type="~").count() == 1


def test_a_chunk_the_database_refuses_fails_the_import_without_waiting_on_the_checker(
    one_row_chunks, monkeypatch
):
    import signal

    from django.db import DatabaseError, connection

    from catalog.imports import _Upsert

    if connection.vendor != "postgresql":
        pytest.skip("Written while checked on PostgreSQL only.")
    # The checker has many chunks still to hand over when the first write is refused.
    monkeypatch.setattr(
        _Upsert, "write", mock.Mock(side_effect=DatabaseError("disk full"), autospec=True)
    )
    content = products_csv(*[product_row(f"P{n:03d}") for n in range(20)])

    def waited_too_long(signum, frame):
        raise TimeoutError("the import waits forever on its checker thread")

    previous = signal.signal(signal.SIGALRM, waited_too_long)
    signal.alarm(30)
    try:
        job = import_file("products", content)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

    assert job.state == ImportJob.State.FAILED
    assert "disk full" in job.failure
    assert not Product.objects.filter(reference__startswith="P0").exists()


def test_a_row_refused_after_earlier_chunks_were_written_leaves_nothing_of_them(one_row_chunks):
    from returns_portal.csvio.services import import_job_confirm, import_job_run

    brand = BrandFactory(reference="acme")
    ProductFactory(reference="KNOWN", label="Before")
    job = upload(
        "products",
        products_csv(
            product_row("A"), product_row("KNOWN", label="After"), product_row("B", brand="acme")
        ),
    )
    brand.delete()
    import_job_confirm(job=job, user=None)

    job = import_job_run(job_id=job.pk)

    assert job.state == ImportJob.State.FAILED
    assert job.errors == [
        {"row": 4, "column": "brand", "message": "No brand has the reference acme."}
    ]
    assert not Product.objects.filter(reference="A").exists()
    assert Product.objects.get(reference="KNOWN").label == "Before"
    assert not Product.history.filter(reference="A").exists()
