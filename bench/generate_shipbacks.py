"""A PostgreSQL database of a million returns, for the dashboard's bench (bench/dashboard_bench.py).

    .venv/bin/python bench/generate_shipbacks.py [--shipbacks 1000000] [--max-seconds 900]
        [--database-url postgres://postgres@127.0.0.1:5432/rp_dashboard_bench]

Creates the database if missing (a separate one: nothing else is touched), migrates it, adds a
catalog of 1,000 products, five return reasons and four warehouses, and generates the returns in
batches with ``INSERT ... SELECT generate_series`` inside PostgreSQL. Return ``g`` has its own
order (one customer per five orders), one to three returned items of that order, and is
registered at an instant spread evenly over the year before the first run. About 4 % were never
registered (cancelled, or still being created); the others have one return order (one in a
hundred is split between two warehouses, as registration does when the relocation rules send
its items to different places), one expected item per returned item, and
move through the lifecycle with their age: returns completed 5 to 22 days after registration
are relocated, their return order completed and one action (restock 70 %, quarantine 20 %,
dispose 10 %) recorded per item. Products and reasons are drawn unevenly, so that a top ten
means something. The copies the dashboard reads (the registration time, the warehouse, the
product) are written as the services write them. Safe to run again: it adds only the returns
missing. Stops after the batch that passes ``--max-seconds`` (and says how many returns there
are).
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402
from bench.generate_orders import _check_columns, _insert  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rp_dashboard_bench"
PRODUCTS = 1000
BATCH = 100_000
YEAR_SECONDS = 365 * 24 * 3600
WAREHOUSES = [
    ("DASH-PAR", "Paris Nord", "93290", "Tremblay-en-France"),
    ("DASH-LYS", "Lyon Est", "69330", "Meyzieu"),
    ("DASH-LIL", "Lille Lesquin", "59810", "Lesquin"),
    ("DASH-MRS", "Marseille Port", "13015", "Marseille"),
]
REASONS = [
    ("doesnt_fit", "Doesn't fit", "Ne me va pas"),
    ("damaged", "Arrived damaged", "Arrivé endommagé"),
    ("reconsider", "Changed my mind", "J'ai changé d'avis"),
    ("wrong_item", "Wrong item received", "Mauvais article reçu"),
    ("late", "Arrived too late", "Arrivé trop tard"),
]

# Per return ``g``: ``v`` holds its registration instant ``t``, its age in days and the days it
# takes to complete; ``s`` its state, mode, warehouse (1-4), number of items and whether it is
# split. Item ``k`` of return ``g`` is drawn from the expressions after.
SOURCE = """
FROM generate_series({first}, {last}) AS g,
LATERAL (
    SELECT
        TIMESTAMPTZ '{anchor}' - ({total} - g)::bigint * {year} / {total} * interval '1 second'
            AS t,
        ({total} - g)::float * 365 / {total} AS age,
        5 + g % 17 + (g % 24) / 24.0 AS done_days
) AS v,
LATERAL (
    SELECT
        CASE
            WHEN g % 100 < 3 OR (g % 100 = 3 AND v.age >= 3) THEN 'cancelled'
            WHEN g % 100 = 3 THEN 'created'
            WHEN g % 100 = 4 THEN 'failed'
            WHEN v.age >= v.done_days THEN 'relocated'
            WHEN v.age < 1 THEN 'registered'
            WHEN v.age < 2 THEN 'labelled'
            WHEN v.age < 4 THEN 'delivering'
            WHEN v.age < v.done_days - 1 THEN 'delivered'
            ELSE 'relocating'
        END AS state,
        CASE
            WHEN g % 20 < 10 THEN 'postal'
            WHEN g % 20 < 16 THEN 'dropoff'
            WHEN g % 20 < 19 THEN 'pickup'
            ELSE 'direct'
        END AS mode,
        CASE g % 7 WHEN 0 THEN 1 WHEN 1 THEN 1 WHEN 2 THEN 1 WHEN 3 THEN 2 WHEN 4 THEN 2
            WHEN 5 THEN 3 ELSE 4 END AS w,
        1 + (g % 4 = 0)::int + (g % 12 = 0)::int AS items
) AS s,
LATERAL (SELECT s.state NOT IN ('cancelled', 'created') AS registered,
                g % 25 = 8 AND s.items > 1 AS split) AS r,
(SELECT array_agg(id ORDER BY reference) AS ids FROM catalog_product
    WHERE reference LIKE 'DASH-%') AS products,
(SELECT array_agg(id ORDER BY position) AS ids FROM shipbacks_returnreason
    WHERE code IN ({reason_codes})) AS reasons,
(SELECT array_agg(id ORDER BY reference) AS ids FROM shipbacks_warehouse
    WHERE reference LIKE 'DASH-%') AS warehouses
"""
# ``SOURCE`` with each item ``k`` of each return.
ITEMS = "{source}, LATERAL generate_series(1, s.items) AS k"
# ``SOURCE`` with each return order ``n`` of each registered return.
RETURN_ORDERS = "{source}, LATERAL generate_series(1, 1 + r.split::int) AS n WHERE r.registered"

REGISTERED_AT = "CASE WHEN r.registered THEN v.t END"
RELOCATED_AT = "v.t + v.done_days * interval '1 day'"
# Products drawn unevenly (the first ones most), reasons too (doesn't fit first).
PRODUCT = (
    f"products.ids[1 + floor({PRODUCTS} * "
    "power(((g::bigint * 7919 + k * 104729) % 10007) / 10007.0, 2))::int]"
)
REASON = (
    "reasons.ids[CASE WHEN (g + k) % 10 < 4 THEN 1 WHEN (g + k) % 10 < 6 THEN 2 "
    "WHEN (g + k) % 10 < 8 THEN 3 WHEN (g + k) % 10 < 9 THEN 4 ELSE 5 END]"
)
QUANTITY = "1 + ((g + k) % 5 = 0)::int"
RETURN_ORDER_STATE = (
    "CASE s.state WHEN 'relocated' THEN 'completed' WHEN 'relocating' THEN 'processing' "
    "WHEN 'delivered' THEN 'arrived' WHEN 'failed' THEN 'cancelled' ELSE 'awaiting_arrival' END"
)
# The return order of item k: the second one, for the items after the first of a split return.
ITEM_RETURN_ORDER = "md5('dash-ro' || g || '-' || CASE WHEN r.split AND k > 1 THEN 2 ELSE 1 END)"
# The warehouse of return order n, and of item k's (the dashboard's copies of it).
RETURN_ORDER_WAREHOUSE = "warehouses.ids[CASE WHEN n = 1 THEN s.w ELSE s.w % 4 + 1 END]"
ITEM_WAREHOUSE = "warehouses.ids[CASE WHEN r.split AND k > 1 THEN s.w % 4 + 1 ELSE s.w END]"

ADDRESS = {
    "id": "md5('dash-address' || g)::uuid",
    "created_at": "v.t",
    "updated_at": "v.t",
    "line1": "(g % 200 + 1) || ' avenue de la République'",
    "line2": "''",
    "zipcode": "lpad(((g::bigint * 7919) % 90000 + 10000)::text, 5, '0')",
    "city": "'Paris'",
    "state": "''",
    "country_code": "CASE WHEN g % 10 = 0 THEN 'BE' ELSE 'FR' END",
}
CUSTOMER = {
    "id": "md5('dash-customer' || g)::uuid",
    "created_at": "v.t",
    "updated_at": "v.t",
    "first_name": "'Camille'",
    "last_name": "'Client ' || g",
    "email": "'returner' || g || '@example.com'",
    "phone": "''",
    "locale": "CASE WHEN g % 3 = 0 THEN 'en' ELSE 'fr' END",
    "address_id": "md5('dash-address' || g)::uuid",
}
# Five orders per customer: the customer of order g is the first of its five.
ORDER_CUSTOMER = "md5('dash-customer' || (g - (g - 1) % 5))::uuid"
ORDER = {
    "id": "md5('dash-order' || g)::uuid",
    "created_at": "v.t",
    "updated_at": "v.t",
    "order_number": "'DASH-' || lpad(g::text, 7, '0')",
    "ordered_at": "(v.t - interval '12 days')::date",
    "customer_id": ORDER_CUSTOMER,
    "metadata": "'{}'::jsonb",
    "tags": "'[]'::jsonb",
    "source": "''",
    "source_ref": "''",
    "shippingbo_order_id": "NULL",
    "kibo_order_id": "NULL",
}
ORDER_ITEM = {
    "id": "md5('dash-item' || g || '-' || k)::uuid",
    "created_at": "v.t",
    "updated_at": "v.t",
    "order_id": "md5('dash-order' || g)::uuid",
    "product_id": PRODUCT,
    "label": "'Returned product'",
    "reference": "'line-' || k",
    "barcode": "''",
    "price_cents": "2990",
    "currency": "'EUR'",
    "quantity": QUANTITY,
    "kibo_order_item_id": "NULL",
}
SHIPBACK = {
    "id": "md5('dash-shipback' || g)::uuid",
    "created_at": "v.t - interval '2 hours'",
    "updated_at": "v.t",
    "rma": "'D' || lpad(g::text, 9, '0')",
    "order_id": "md5('dash-order' || g)::uuid",
    "customer_id": ORDER_CUSTOMER,
    "state": "s.state",
    "mode": "s.mode",
    "dropoff_code": "CASE WHEN s.mode = 'dropoff' THEN 'DP' || g % 500 ELSE '' END",
    "pickup_datetime": "CASE WHEN s.mode = 'pickup' THEN v.t + interval '1 day' END",
    "pickup_duration": "CASE WHEN s.mode = 'pickup' THEN 120 END",
    "weight_grams": "800",
    "price_cents": "CASE WHEN s.mode = 'direct' THEN NULL ELSE 590 END",
    "customer_price_cents": "CASE WHEN s.mode = 'direct' THEN NULL ELSE 0 END",
    "label_file": "''",
    "label_url": "''",
    "carrier": "CASE WHEN s.mode = 'direct' THEN '' ELSE 'Colissimo' END",
    "tracking_number": "''",
    "public_token": "md5('dash-token' || g)",
    # One in ten has the relocation override: its return orders go there.
    "relocation_warehouse_id": "CASE WHEN g % 10 = 7 THEN warehouses.ids[s.w] END",
    "dropoff_customer_price_cents": "NULL",
    "postal_customer_price_cents": "NULL",
    "pickup_customer_price_cents": "NULL",
    "try_at_home": "false",
    "metadata": "'{}'::jsonb",
    "shoprunback_id": "''",
    "registered_at": REGISTERED_AT,
    "labelled_at": "NULL",
    "delivering_at": "NULL",
    "delivered_at": "NULL",
    "identified_at": "NULL",
    "relocating_at": "NULL",
    "relocated_at": f"CASE WHEN s.state = 'relocated' THEN {RELOCATED_AT} END",
    "failed_at": "CASE WHEN s.state = 'failed' THEN v.t + interval '3 hours' END",
    "cancelled_at": "CASE WHEN s.state = 'cancelled' THEN v.t + interval '1 day' END",
}
RETURNED_ITEM = {
    "id": "md5('dash-ri' || g || '-' || k)::uuid",
    "created_at": "v.t - interval '2 hours'",
    "updated_at": "v.t",
    "shipback_id": "md5('dash-shipback' || g)::uuid",
    "order_item_id": "md5('dash-item' || g || '-' || k)::uuid",
    "quantity": QUANTITY,
    "reason_id": REASON,
    "comment": "''",
    "photo": "''",
    "state": "CASE WHEN s.state = 'relocated' THEN 'relocated' ELSE 'pending' END",
    "product_id": PRODUCT,
    "shipback_registered_at": REGISTERED_AT,
    "warehouse_id": f"CASE WHEN r.registered THEN {ITEM_WAREHOUSE} END",
}
RETURN_ORDER = {
    "id": "md5('dash-ro' || g || '-' || n)::uuid",
    "created_at": "v.t",
    "updated_at": "v.t",
    "reference": "'DASH-RO-' || g || '-' || n",
    "shipback_id": "md5('dash-shipback' || g)::uuid",
    "order_id": "md5('dash-order' || g)::uuid",
    "source": "''",
    "source_ref": "''",
    "warehouse_id": RETURN_ORDER_WAREHOUSE,
    "reason": "''",
    "reason_ref": "'D' || lpad(g::text, 9, '0')",
    "type": "'return_order_customer'",
    "state": RETURN_ORDER_STATE,
    "tracking_number": "''",
    "provider_id": "''",
    "provider_transactions": "'[]'::jsonb",
    "arrived_at": (
        "CASE WHEN s.state IN ('relocated', 'relocating', 'delivered') "
        "THEN v.t + interval '4 days' END"
    ),
    "completed_at": f"CASE WHEN s.state = 'relocated' THEN {RELOCATED_AT} END",
    "cancelled_at": "CASE WHEN s.state = 'failed' THEN v.t + interval '3 hours' END",
    "shipback_registered_at": REGISTERED_AT,
}
EXPECTED_ITEM = {
    "id": "md5('dash-ei' || g || '-' || k)::uuid",
    "created_at": "v.t",
    "updated_at": "v.t",
    "return_order_id": f"{ITEM_RETURN_ORDER}::uuid",
    "product_id": PRODUCT,
    "returned_item_id": "md5('dash-ri' || g || '-' || k)::uuid",
    "quantity_expected": QUANTITY,
    "quantity_received": (
        f"CASE WHEN s.state IN ('relocated', 'relocating') THEN {QUANTITY} ELSE 0 END"
    ),
    "requested_action": "'default'",
    "lot_number": "''",
    "lot_date": "NULL",
    "unexpected": "false",
    "note": "''",
}
# The id is the table's own sequence.
ITEM_ACTION = {
    "expected_item_id": "md5('dash-ei' || g || '-' || k)::uuid",
    "action": (
        "CASE WHEN (g * 3 + k) % 10 < 7 THEN 'restock' "
        "WHEN (g * 3 + k) % 10 < 9 THEN 'quarantine' ELSE 'dispose' END"
    ),
    "reason": "''",
    "quantity": QUANTITY,
    "photo": "''",
    "performed_by_id": "NULL",
    "performed_at": f"{RELOCATED_AT} - interval '1 hour'",
    "shipback_registered_at": REGISTERED_AT,
    "warehouse_id": ITEM_WAREHOUSE,
}


def _setup_merchant() -> None:
    """Products, reasons and warehouses, once."""
    from catalog.models import Brand, Product
    from orders.services import AddressData
    from shipbacks.models import ReturnPolicy, ReturnReason, Warehouse
    from shipbacks.services import warehouse_create

    brand = Brand.objects.default()
    have = set(
        Product.objects.filter(reference__startswith="DASH-").values_list("reference", flat=True)
    )
    Product.objects.bulk_create(
        Product(
            reference=f"DASH-{n:04d}",
            label=f"Dashboard product {n}",
            brand=brand,
            weight_grams=300 + n % 700,
        )
        for n in range(PRODUCTS)
        if f"DASH-{n:04d}" not in have
    )
    ReturnPolicy.current()
    for position, (code, en, fr) in enumerate(REASONS):
        ReturnReason.objects.update_or_create(
            code=code, defaults={"label_en": en, "label_fr": fr, "position": position}
        )
    for reference, name, zipcode, city in WAREHOUSES:
        if not Warehouse.objects.filter(reference=reference).exists():
            warehouse_create(
                address=AddressData(f"1 rue de l'Entrepôt {name}", zipcode, city, "FR"),
                name=name,
                reference=reference,
                accepts_direct_returns=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipbacks", type=int, default=1_000_000)
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

    from orders.models import Address, Customer, Order, OrderItem
    from shipbacks.models import (
        ExpectedItem,
        ItemAction,
        ReturnedItem,
        ReturnOrder,
        Shipback,
    )

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    tables = (
        (Address, ADDRESS),
        (Customer, CUSTOMER),
        (Order, ORDER),
        (OrderItem, ORDER_ITEM),
        (Shipback, SHIPBACK),
        (ReturnedItem, RETURNED_ITEM),
        (ReturnOrder, RETURN_ORDER),
        (ExpectedItem, EXPECTED_ITEM),
        (ItemAction, {"id": "", **ITEM_ACTION}),
    )
    for model, values in tables:
        _check_columns(model, values)
    _setup_merchant()

    generated = Shipback.objects.filter(rma__startswith="D").order_by("rma")
    existing = generated.count()
    # The year ends when the first run started; a later run goes on with the same instants
    # (return 1 was registered a year, less one step, before that).
    first_registered = generated.values_list("updated_at", flat=True).first()
    if first_registered is None:
        anchor = datetime.now(UTC).replace(microsecond=0)
    else:
        step = (args.shipbacks - 1) * YEAR_SECONDS // args.shipbacks
        anchor = first_registered + timedelta(seconds=step)
    print(f"{existing} bench returns already there; target {args.shipbacks}")
    reason_codes = ", ".join(f"'{code}'" for code, _, _ in REASONS)
    first = existing + 1
    while first <= args.shipbacks:
        last = min(first + BATCH - 1, args.shipbacks)
        source = SOURCE.format(
            first=first,
            last=last,
            anchor=anchor.isoformat(),
            total=args.shipbacks,
            year=YEAR_SECONDS,
            reason_codes=reason_codes,
        )
        items = ITEMS.format(source=source)
        with transaction.atomic(), connection.cursor() as cursor:
            # The rows are consistent by construction: no foreign key check per row (the
            # constraints' triggers), which would take most of the time.
            cursor.execute("SET LOCAL session_replication_role = replica")
            customers = f"{source} WHERE g % 5 = 1"
            cursor.execute(_insert("orders_address", ADDRESS, customers))
            cursor.execute(_insert("orders_customer", CUSTOMER, customers))
            cursor.execute(_insert("orders_order", ORDER, source))
            cursor.execute(_insert("orders_orderitem", ORDER_ITEM, items))
            cursor.execute(_insert("shipbacks_shipback", SHIPBACK, source))
            cursor.execute(_insert("shipbacks_returneditem", RETURNED_ITEM, items))
            cursor.execute(
                _insert("shipbacks_returnorder", RETURN_ORDER, RETURN_ORDERS.format(source=source))
            )
            cursor.execute(
                _insert("shipbacks_expecteditem", EXPECTED_ITEM, f"{items} WHERE r.registered")
            )
            cursor.execute(
                _insert("shipbacks_itemaction", ITEM_ACTION, f"{items} WHERE s.state = 'relocated'")
            )
        elapsed = time.monotonic() - started
        print(f"  returns {first}-{last} in {elapsed:.0f} s")
        first = last + 1
        if elapsed > args.max_seconds and first <= args.shipbacks:
            print(
                f"stopped after {args.max_seconds:.0f} s with {last} returns (run again to go on)"
            )
            break
    # Statistics for the planner, and the visibility map index-only scans need.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    total = generated.count()
    print(f"{total} bench returns, {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
