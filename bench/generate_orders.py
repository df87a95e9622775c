"""A PostgreSQL database of a million orders, for the portal's bench (bench/portal_bench.py).

    .venv/bin/python bench/generate_orders.py [--orders 1000000] [--max-seconds 900]
        [--database-url postgres://postgres@127.0.0.1:5432/returns_portal_bench]

Creates the database if missing (a separate one: nothing else is touched), migrates it, adds a
catalog of 1,000 products, and generates the orders in batches with ``INSERT ... SELECT
generate_series`` inside PostgreSQL: per order a customer with an address, one to three items,
and (for nine orders in ten) a delivered shipment, order dates spread over the last 60 days so
about half are inside the 30-day return window. Order numbers are BENCH-0000001...; customer
``n`` is customer<n>@example.com. Safe to run again: it adds only the orders missing. Stops
after the batch that passes ``--max-seconds`` (and says how many orders there are).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/returns_portal_bench"
PRODUCTS = 1000
BATCH = 100_000

# Every column of the tables filled, with its value for row ``g`` (order number g); a model
# gaining a column makes the script stop and say so instead of writing half a row.
ADDRESS = {
    "id": "md5('address' || g)::uuid",
    "created_at": "now()",
    "updated_at": "now()",
    "line1": "(g % 200 + 1) || ' rue de la Roquette'",
    "line2": "''",
    "zipcode": "lpad(((g::bigint * 7919) % 90000 + 10000)::text, 5, '0')",
    "city": "'Paris'",
    "state": "''",
    "country_code": "'FR'",
}
CUSTOMER = {
    "id": "md5('customer' || g)::uuid",
    "created_at": "now()",
    "updated_at": "now()",
    "first_name": "'Camille'",
    "last_name": "'Client ' || g",
    "email": "'customer' || g || '@example.com'",
    "phone": "''",
    "locale": "CASE WHEN g % 3 = 0 THEN 'en' ELSE 'fr' END",
    "address_id": "md5('address' || g)::uuid",
}
ORDER = {
    "id": "md5('order' || g)::uuid",
    "created_at": "now()",
    "updated_at": "now()",
    "order_number": "'BENCH-' || lpad(g::text, 7, '0')",
    "ordered_at": "current_date - (g % 60)",
    "customer_id": "md5('customer' || g)::uuid",
    "metadata": "'{}'::jsonb",
    "tags": "'[]'::jsonb",
    "source": "''",
    "source_ref": "''",
    "shippingbo_order_id": "NULL",
    "kibo_order_id": "NULL",
}
ORDER_ITEM = {
    "id": "md5('item' || g || '-' || k)::uuid",
    "created_at": "now()",
    "updated_at": "now()",
    "order_id": "md5('order' || g)::uuid",
    "product_id": f"products.ids[1 + ((g * 31 + k * 7) % {PRODUCTS})]",
    "label": "'Bench product ' || ((g * 31 + k * 7) % 1000)",
    "reference": "'line-' || k",
    "barcode": "''",
    "price_cents": "1990 + (g % 50) * 100",
    "currency": "'EUR'",
    "quantity": "1 + (g + k) % 2",
    "kibo_order_item_id": "NULL",
}
SHIPMENT = {
    "id": "md5('shipment' || g)::uuid",
    "created_at": "now()",
    "updated_at": "now()",
    "order_id": "md5('order' || g)::uuid",
    "carrier": "'Colissimo'",
    "tracking_number": "'6A' || lpad(g::text, 11, '0')",
    "shipped_at": "(current_date - (g % 60) + 1)::timestamptz + interval '17 hours'",
    "delivered_at": "(current_date - (g % 60) + 3)::timestamptz + interval '11 hours'",
    "shipbob_shipment_id": "NULL",
    "kibo_shipment_id": "NULL",
}


def _check_columns(model, values: dict) -> None:
    columns = [field.column for field in model._meta.concrete_fields]
    missing = set(columns) - set(values)
    if missing:
        raise SystemExit(f"{model._meta.db_table} has columns this script does not fill: {missing}")


def _insert(table: str, values: dict, source: str) -> str:
    return f"INSERT INTO {table} ({', '.join(values)}) SELECT {', '.join(values.values())} {source}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The bench runs on PostgreSQL: give a postgres:// URL.")
    ensure_database(args.database_url)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="returns_portal.settings",
        DATABASE_URL=args.database_url,
        CELERY_BROKER_URL="memory://",
        SYNC_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from catalog.models import Brand, Product
    from orders.models import Address, Customer, Order, OrderItem, Shipment
    from shipbacks.models import RelocationRule, ReturnPolicy, ReturnReason, Warehouse

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    for model, values in (
        (Address, ADDRESS),
        (Customer, CUSTOMER),
        (Order, ORDER),
        (OrderItem, ORDER_ITEM),
        (Shipment, SHIPMENT),
    ):
        _check_columns(model, values)

    # The merchant's setup: products (one in ten not returnable), reasons, a warehouse.
    brand = Brand.objects.default()
    have = set(
        Product.objects.filter(reference__startswith="BENCH-").values_list("reference", flat=True)
    )
    Product.objects.bulk_create(
        Product(
            reference=f"BENCH-{n:04d}",
            label=f"Bench product {n}",
            brand=brand,
            weight_grams=300 + n % 700,
            returnable=n % 10 != 0,
            return_window_days=60 if n % 25 == 0 else None,
        )
        for n in range(PRODUCTS)
        if f"BENCH-{n:04d}" not in have
    )
    ReturnPolicy.current()
    for position, (code, en, fr, photo) in enumerate(
        [
            ("doesnt_fit", "Doesn't fit", "Ne me va pas", False),
            ("damaged", "Arrived damaged", "Arrivé endommagé", True),
            ("reconsider", "Changed my mind", "J'ai changé d'avis", False),
        ]
    ):
        ReturnReason.objects.get_or_create(
            code=code,
            defaults={
                "label_en": en,
                "label_fr": fr,
                "requires_photo": photo,
                "position": position,
            },
        )
    if not Warehouse.objects.filter(reference="BENCH-WH").exists():
        from orders.services import AddressData
        from shipbacks.services import warehouse_create

        warehouse = warehouse_create(
            address=AddressData("1 rue du Bench", "93290", "Tremblay-en-France", "FR"),
            name="Bench warehouse",
            reference="BENCH-WH",
            accepts_direct_returns=True,
        )
        RelocationRule.objects.get_or_create(reason=None, country_code="", warehouse=warehouse)

    existing = Order.objects.filter(order_number__startswith="BENCH-").count()
    print(f"{existing} bench orders already there; target {args.orders}")
    products = (
        "(SELECT array_agg(id ORDER BY reference) AS ids FROM catalog_product "
        "WHERE reference LIKE 'BENCH-%') AS products"
    )
    first = existing + 1
    while first <= args.orders:
        last = min(first + BATCH - 1, args.orders)
        series = f"FROM generate_series({first}, {last}) AS g"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_insert("orders_address", ADDRESS, series))
            cursor.execute(_insert("orders_customer", CUSTOMER, series))
            cursor.execute(_insert("orders_order", ORDER, series))
            cursor.execute(
                _insert(
                    "orders_orderitem",
                    ORDER_ITEM,
                    f"{series}, LATERAL generate_series(1, 1 + g % 3) AS k, {products}",
                )
            )
            cursor.execute(
                _insert("orders_shipment", SHIPMENT, f"{series} WHERE g % 10 <> 0 AND g % 60 >= 3")
            )
        elapsed = time.monotonic() - started
        print(f"  orders {first}-{last} in {elapsed:.0f} s")
        first = last + 1
        if elapsed > args.max_seconds and first <= args.orders:
            print(f"stopped after {args.max_seconds:.0f} s with {last} orders (run again to go on)")
            break
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Order.objects.filter(order_number__startswith="BENCH-").count()
    print(f"{total} bench orders, {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
