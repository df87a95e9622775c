"""Response times of the portal's order lookup and item selection with a million orders.

    .venv/bin/python bench/generate_orders.py          # once: the orders, in PostgreSQL
    .venv/bin/python bench/portal_bench.py [--samples 500] [--budget-ms 150]
        [--database-url postgres://postgres@127.0.0.1:5432/returns_portal_bench]

Measured, for orders drawn at random among the million (each order once):

- ``POST /returns/`` with the right order number and e-mail (found: a redirect to the items);
- ``POST /returns/`` with a wrong e-mail (the neutral answer);
- ``POST /returns/`` with the right postcode;
- ``GET /returns/orders/<id>/`` (step 2: every item, why some cannot be picked), in the session
  the lookup opened.

Requests go in-process through Django's whole handler (every middleware, sessions in the
database, templates) with ``django.test.Client``, one at a time, DEBUG off, after a warm-up.
Prints p50, p95, p99 and max per page and exits non-zero when a p95 is over the budget.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/returns_portal_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--budget-ms", type=float, default=150)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    # Every lookup comes from this one client: the limit is not what is measured.
    setup_django(args.database_url, RETURNS_PORTAL_LOOKUP_ATTEMPTS="1000000000")

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from orders.models import Order

    total = Order.objects.filter(order_number__startswith="BENCH-").count()
    if total == 0:
        raise SystemExit("No bench orders: run bench/generate_orders.py first.")
    rng = random.Random(args.seed)
    # Inside the return window: ordered 0 to 29 days ago (see generate_orders: g % 60).
    numbers = [
        n for n in rng.sample(range(1, total + 1), min(total, 20 * args.samples)) if n % 60 < 30
    ]
    needed = args.warmup + args.samples
    if len(numbers) < needed:
        raise SystemExit(f"Not enough orders for {needed} samples.")
    client = Client()
    timings: dict[str, list[float]] = {
        "lookup by e-mail (found)": [],
        "lookup, wrong e-mail": [],
        "lookup by postcode (found)": [],
        "items of the order": [],
    }

    def timed(name: str, call, expected: int, record: bool):
        start = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != expected:
            raise SystemExit(f"{name}: {response.status_code}, expected {expected}")
        if record:
            timings[name].append(elapsed)
        return response

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_orderitem")
        items = cursor.fetchone()[0]
    print(f"{total} orders, {items} order items in {connection.settings_dict['NAME']}")
    for index, n in enumerate(numbers[:needed]):
        record = index >= args.warmup
        number = f"BENCH-{n:07d}"
        email = f"customer{n}@example.com"
        postcode = f"{(n * 7919) % 90000 + 10000:05d}"
        timed(
            "lookup, wrong e-mail",
            lambda number=number: client.post(
                "/returns/", {"order_number": number, "contact": "wrong@example.com"}
            ),
            200,
            record,
        )
        timed(
            "lookup by postcode (found)",
            lambda number=number, postcode=postcode: client.post(
                "/returns/", {"order_number": number, "contact": postcode}
            ),
            302,
            record,
        )
        found = timed(
            "lookup by e-mail (found)",
            lambda number=number, email=email: client.post(
                "/returns/", {"order_number": number, "contact": email}
            ),
            302,
            record,
        )
        items_url = found["Location"]
        assert items_url.startswith(reverse("portal:lookup") + "orders/"), items_url
        timed("items of the order", lambda url=items_url: client.get(url), 200, record)

    print(f"{args.samples} samples each, after {args.warmup} warm-up rounds (milliseconds)")
    print(f"{'page':32} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'mean':>7}")
    over = []
    for name, values in timings.items():
        p95 = percentile(values, 0.95)
        print(
            f"{name:32} {percentile(values, 0.5):7.1f} {p95:7.1f} "
            f"{percentile(values, 0.99):7.1f} {max(values):7.1f} {statistics.mean(values):7.1f}"
        )
        if p95 > args.budget_ms:
            over.append(name)
    if over:
        print(f"p95 over {args.budget_ms:.0f} ms: {', '.join(over)}")
        return 1
    print(f"every p95 under {args.budget_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
