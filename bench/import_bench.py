"""Importing 100,000 products from CSV, against PostgreSQL's COPY of the same rows.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--rounds 3]
        [--database-url postgres://postgres@127.0.0.1:5432/rp_import_bench]

In one run, on a PostgreSQL database of its own (created if missing, migrated; its products
are deleted), it generates a CSV file of ``--rows`` products as a manager would upload it
(reference, label, EAN, brand, weight, sizes, colour, returnable, return window, ShipBob id),
then times, ``--rounds`` times each, interleaved, on an empty catalog:

- the import: what the import task does once a manager confirms the preview,
  ``import_job_run`` (read the uploaded file; then in one transaction, a thread checks every
  row while, a chunk at a time, the rows already checked are COPYed into a temporary table,
  upserted into the catalog and their history rows written),
  Celery's transport excluded;
- COPY: a plain ``COPY catalog_product (...) FROM STDIN (FORMAT csv)`` of the same products,
  ready-made (ids, brand ids and times filled in beforehand), committed.

The best round of each counts; the ratio is the import's rows per second over COPY's (goal: at
least 0.5), with the median of the rounds' ratios beside it. For comparison, a third timing
COPYs the products and their history rows (what the import writes besides the products). Then,
for information, the same file imported again over the products it created with every label
changed (all updates), and once more unchanged (nothing to write).
"""

import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rp_import_bench"
HEADER = [
    "reference",
    "label",
    "ean",
    "brand",
    "weight_grams",
    "width_mm",
    "length_mm",
    "height_mm",
    "color",
    "returnable",
    "return_window_days",
    "shipbob_inventory_id",
]
COLORS = ["", "blue", "red", "natural linen", "black"]


def product_values(n: int, label_suffix: str = "") -> list:
    """The cells of product ``n``, as a manager's file has them."""
    return [
        f"BENCH-{n:07d}",
        f"Linen shirt, size {n % 7}, model {n}{label_suffix}",
        str(3_700_000_000_000 + n),
        "bench",
        str(200 + n % 800),
        str(200 + n % 50) if n % 3 else "",
        str(300 + n % 40) if n % 3 else "",
        str(20 + n % 30) if n % 3 else "",
        COLORS[n % len(COLORS)],
        "false" if n % 10 == 0 else "true",
        "60" if n % 25 == 0 else "",
        str(900_000 + n) if n % 2 else "",
    ]


def upload_file(rows: int, label_suffix: str = "") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n in range(rows):
        writer.writerow(product_values(n, label_suffix))
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The bench compares with PostgreSQL's COPY: give a postgres:// URL.")
    ensure_database(args.database_url)
    var = tempfile.mkdtemp(prefix="returns-import-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="returns_portal.settings",
        DATABASE_URL=args.database_url,
        DEBUG="false",  # no query log kept in memory; production's code paths
        SECRET_KEY="bench-only-secret-key-bench-only-secret-key-bench-only",  # noqa: S106
        ALLOWED_HOSTS="testserver",
        VAR_DIR=var,
        MEDIA_ROOT=str(Path(var) / "media"),
        CELERY_BROKER_URL="memory://",  # enqueueing stays in-process
        SYNC_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.models import Brand, Product
    from returns_portal.csvio.services import (
        import_job_check,
        import_job_confirm,
        import_job_create,
        import_job_run,
    )

    call_command("migrate", verbosity=0)
    brand, _ = Brand.objects.get_or_create(reference="bench", defaults={"name": "Bench"})
    history_table = Product.history.model._meta.db_table

    def empty_catalog() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {history_table}, {Product._meta.db_table} CASCADE")

    def import_seconds(content: bytes, expect_state: str = "done"):
        """A job uploaded and checked (the preview), confirmed; then the timed import."""
        job = import_job_create(kind="products", name="bench.csv", content=content, user=None)
        job = import_job_check(job_id=job.pk)
        assert job.state == "validated", job.errors[:3]
        import_job_confirm(job=job, user=None)
        started = time.perf_counter()
        job = import_job_run(job_id=job.pk)
        elapsed = time.perf_counter() - started
        assert job.state == expect_state, job.failure
        return elapsed, job

    # COPY's input: the same products, with what the import computes (ids, brand, times, the
    # columns' defaults) filled in beforehand.
    columns = [
        "id",
        "created_at",
        "updated_at",
        "label",
        "reference",
        "ean",
        "weight_grams",
        "width_mm",
        "length_mm",
        "height_mm",
        "color",
        "brand_id",
        "picture",
        "metadata",
        "returnable",
        "return_window_days",
        "shipbob_inventory_id",
    ]
    model_columns = {f.column for f in Product._meta.concrete_fields}
    if set(columns) != model_columns:
        raise SystemExit(f"catalog_product's columns changed: {model_columns ^ set(columns)}")
    now = timezone.now().isoformat()
    copy_buffer = io.StringIO()
    writer = csv.writer(copy_buffer)
    for n in range(args.rows):
        cells = dict(zip(HEADER, product_values(n), strict=True))
        writer.writerow(
            [
                uuid.uuid4(),
                now,
                now,
                cells["label"],
                cells["reference"],
                cells["ean"],
                cells["weight_grams"],
                cells["width_mm"],
                cells["length_mm"],
                cells["height_mm"],
                cells["color"],
                brand.pk,
                "",
                "{}",
                cells["returnable"],
                cells["return_window_days"],
                cells["shipbob_inventory_id"],
            ]
        )
    copy_data = copy_buffer.getvalue()
    copy_sql = (
        f"COPY {Product._meta.db_table} ({', '.join(columns)}) FROM STDIN "
        "(FORMAT csv, FORCE_NOT_NULL (ean, color, picture))"
    )
    # For comparison only: the same rows with what their history rows add.
    history_data = copy_data.replace("\r\n", f",{now},bench,+\r\n")
    history_sql = (
        f"COPY {history_table} ({', '.join(columns)}, history_date, history_change_reason, "
        "history_type) FROM STDIN (FORMAT csv, FORCE_NOT_NULL (ean, color, picture))"
    )

    def copy_seconds(*, with_history: bool = False) -> float:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.copy(copy_sql) as copy:
                copy.write(copy_data)
            if with_history:
                with cursor.copy(history_sql) as copy:
                    copy.write(history_data)
        elapsed = time.perf_counter() - started
        assert Product.objects.count() == args.rows
        return elapsed

    content = upload_file(args.rows)
    print(
        f"{args.rows:,} products, a {len(content) / 1024 / 1024:.1f} MB file; "
        f"{args.rounds} rounds each, interleaved, on PostgreSQL "
        f"{connection.pg_version}"
    )
    imports, copies, both = [], [], []
    for round_number in range(1, args.rounds + 1):
        empty_catalog()
        seconds, job = import_seconds(content)
        assert (job.created_count, job.updated_count) == (args.rows, 0)
        assert Product.history.count() == args.rows
        imports.append(seconds)
        empty_catalog()
        copies.append(copy_seconds())
        empty_catalog()
        both.append(copy_seconds(with_history=True))
        print(
            f"  round {round_number}: import {imports[-1]:.2f} s, COPY {copies[-1]:.2f} s "
            f"(with the history rows: {both[-1]:.2f} s)",
            flush=True,
        )
    best_import, best_copy, best_both = min(imports), min(copies), min(both)
    import_rate, copy_rate = args.rows / best_import, args.rows / best_copy
    rounds = sorted(c / i for i, c in zip(imports, copies, strict=True))
    print(f"import: {import_rate:,.0f} rows/s ({best_import:.2f} s)")
    print(f"COPY:   {copy_rate:,.0f} rows/s ({best_copy:.2f} s)")
    print(
        f"ratio:  {import_rate / copy_rate:.2f} (goal: at least 0.5); "
        f"round by round, median {statistics.median(rounds):.2f}"
    )
    print(
        f"for comparison, COPY of the products and of their history rows: "
        f"{args.rows / best_both:,.0f} rows/s, the import's ratio to it "
        f"{best_both / best_import:.2f}"
    )

    # For information: the same products again, every label changed, then unchanged.
    empty_catalog()
    import_seconds(content)
    changed = upload_file(args.rows, label_suffix=" (new)")
    seconds, job = import_seconds(changed)
    assert job.updated_count == args.rows
    print(f"re-import, every product changed: {args.rows / seconds:,.0f} rows/s ({seconds:.2f} s)")
    seconds, job = import_seconds(changed)
    assert job.unchanged_count == args.rows
    print(f"re-import, nothing changed:       {args.rows / seconds:,.0f} rows/s ({seconds:.2f} s)")
    empty_catalog()


if __name__ == "__main__":
    main()
