"""Requests per second of the integrator API against bare Django views doing the same work.

    .venv/bin/python bench/api_bench.py [--requests 300] [--rounds 3]

Two endpoints are measured, in one run, on a fresh SQLite database in a temporary directory
(or on DATABASE_URL when BENCH_USE_DATABASE_URL=1: it writes rows there):

- ``POST /api/v1/shipbacks`` (the two-call flow's second call: order by number, item by
  reference), against a bare view that looks up the same token, order, item and reason, calls
  the same service, reads the shipback back with the same queries and writes its JSON by hand;
- ``GET /api/v1/orders?page=N``, against a bare view that looks up the same token, counts and
  reads the same page with the same prefetches and writes its JSON by hand.

The bare views live here, in a bench-only URL conf. Requests go in-process through Django's
full handler (middleware included) with ``django.test.Client``, sequentially; each side runs
``--rounds`` times, interleaved, and the best round counts. The ratio is API rps / bare rps.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if os.environ.get("BENCH_USE_DATABASE_URL") != "1":
    os.environ.pop("DATABASE_URL", None)
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="returns-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="returns_portal.settings",
    DEBUG="false",  # no query log kept in memory; production's code paths
    SECRET_KEY="bench-only-secret-key-bench-only-secret-key-bench-only",  # noqa: S106
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="false",
    API_THROTTLE_RATE="100000000/min",
    CELERY_BROKER_URL="memory://",  # enqueueing stays in-process, for both sides alike
    LOG_LEVEL="ERROR",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from orders.api import orders_queryset  # noqa: E402
from orders.models import Order  # noqa: E402
from returns_portal.actors import Actor  # noqa: E402
from returns_portal.api.authentication import parse_token  # noqa: E402
from returns_portal.models import ApiToken  # noqa: E402
from returns_portal.models.integrators import hash_token  # noqa: E402
from returns_portal.services import api_token_issue  # noqa: E402
from shipbacks.api.views import shipbacks_queryset  # noqa: E402
from shipbacks.models import ReturnReason, Shipback  # noqa: E402
from shipbacks.services import ReturnedItemData  # noqa: E402
from shipbacks.services.editing import shipback_open  # noqa: E402

# The bare views ----------------------------------------------------------------------------


def _integrator(request):
    raw = parse_token(request.headers.get("Authorization", ""))
    token = (
        ApiToken.objects.active()
        .select_related("integrator")
        .filter(key_hash=hash_token(raw or ""))
        .first()
    )
    return token.integrator if token else None


def _iso(value):
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _address(address):
    if address is None:
        return None
    return {
        "id": str(address.pk),
        "line1": address.line1,
        "line2": address.line2,
        "zipcode": address.zipcode,
        "country_code": address.country_code,
        "city": address.city,
        "state": address.state,
    }


def _customer(customer):
    return {
        "id": str(customer.pk),
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email,
        "phone": customer.phone,
        "locale": customer.locale,
        "address": _address(customer.address),
    }


def _order(order):
    shipbacks = list(order.shipbacks.all())
    summary = None
    if shipbacks:
        latest = shipbacks[0]
        summary = {
            "id": str(latest.pk),
            "state": latest.state,
            "mode": latest.mode or None,
            "created_at": _iso(latest.created_at),
            "public_url": latest.public_url,
        }
    return {
        "id": str(order.pk),
        "order_number": order.order_number,
        "ordered_at": order.ordered_at.isoformat(),
        "customer": _customer(order.customer),
        "items": [
            {
                "id": str(item.pk),
                "label": item.label,
                "reference": item.reference,
                "barcode": item.barcode,
                "price_cents": item.price_cents,
                "currency": item.currency,
                "quantity": item.quantity,
                "product_id": str(item.product_id),
                "product": {
                    "id": str(item.product.pk),
                    "label": item.product.label,
                    "reference": item.product.reference,
                    "ean": item.product.ean,
                    "brand_id": str(item.product.brand_id),
                    "brand_name": item.product.brand.name,
                    "picture_url": None,
                },
            }
            for item in order.items.all()
        ],
        "metadata": order.metadata,
        "tags": order.tags,
        "source": order.source,
        "source_ref": order.source_ref,
        "shipback": summary,
        "created_at": _iso(order.created_at),
        "updated_at": _iso(order.updated_at),
    }


def bare_orders(request):
    if _integrator(request) is None:
        return JsonResponse({"errors": [{"code": "UNAUTHENTICATED"}]}, status=401)
    paginator = Paginator(orders_queryset().order_by("-created_at", "order_number"), 10)
    number = int(request.GET.get("page", 1))
    rows = list(paginator.page(number).object_list) if number <= paginator.num_pages else []
    return JsonResponse(
        {
            "pagination": {
                "current_page": number,
                "first_page": 1,
                "previous_page": number - 1 if number > 1 else None,
                "next_page": number + 1 if number < paginator.num_pages else None,
                "last_page": paginator.num_pages,
                "count": paginator.count,
                "per_page": 10,
            },
            "orders": [_order(order) for order in rows],
        }
    )


def _shipback(shipback):
    items = list(shipback.returned_items.all())
    weight = sum((i.order_item.product.weight_grams or 0) * i.quantity for i in items)
    return {
        "id": str(shipback.pk),
        "rma": shipback.rma,
        "state": shipback.state,
        "mode": shipback.mode,
        "order_id": str(shipback.order_id),
        "order_number": shipback.order.order_number,
        "customer": _customer(shipback.customer),
        "returned_items": [
            {
                "id": str(i.pk),
                "item_id": str(i.order_item_id),
                "item": {
                    "id": str(i.order_item.pk),
                    "reference": i.order_item.reference,
                    "label": i.order_item.display_label,
                    "barcode": i.order_item.barcode,
                    "product_id": str(i.order_item.product_id),
                },
                "reason_code": i.reason.code,
                "quantity": i.quantity,
                "comment": i.comment,
                "state": i.state,
            }
            for i in items
        ],
        "quotes": [
            {"id": str(q.pk), "state": q.state, "mode": q.mode} for q in shipback.quotes.all()
        ],
        "weight_in_grams": shipback.weight_grams or weight,
        "computed_weight_in_grams": weight,
        "public_url": shipback.public_url,
        "metadata": shipback.metadata,
        "created_at": _iso(shipback.created_at),
    }


@csrf_exempt
def bare_shipback_create(request):
    integrator = _integrator(request)
    if integrator is None:
        return JsonResponse({"errors": [{"code": "UNAUTHENTICATED"}]}, status=401)
    body = json.loads(request.body)
    order = Order.objects.filter(order_number=body["order_id"]).first()
    choices = body.get("items") or body.get("returned_items")
    items = []
    for choice in choices:
        reason = ReturnReason.objects.get(code=choice["reason_code"])
        order_item = order.items.select_related("product").filter(reference=choice["item_id"])
        items.append(ReturnedItemData(order_item=order_item.first(), reason=reason))
    shipback = shipback_open(
        order=order, items=items, actor=Actor.integrator(integrator.name), mode=body.get("mode", "")
    )
    return JsonResponse(_shipback(shipbacks_queryset().get(pk=shipback.pk)), status=201)


urlpatterns = [
    path("bare/orders", bare_orders),
    path("bare/shipbacks", csrf_exempt(bare_shipback_create)),
    path("", include("returns_portal.urls")),
]

# The run -----------------------------------------------------------------------------------


def seed(orders_for_posts: int, listed_orders: int) -> str:
    from tests.factories import OrderFactory, OrderItemFactory, ReturnReasonFactory

    ReturnReasonFactory(code="doesnt_fit")
    for index in range(listed_orders):
        order = OrderFactory(order_number=f"LIST-{index:05d}")
        OrderItemFactory.create_batch(2, order=order)
    for side in ("api", "bare"):
        for index in range(orders_for_posts):
            order = OrderFactory(order_number=f"{side}-{index:05d}")
            OrderItemFactory(order=order, reference="item 1")
            OrderItemFactory(order=order, reference="item 2")
    return api_token_issue(integrator_name="Bench")[1]


def rate(calls) -> float:
    start = time.perf_counter()
    for call in calls:
        call()
    return len(calls) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per side and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    token = seed(orders_for_posts=args.requests * args.rounds, listed_orders=200)
    client = Client(HTTP_AUTHORIZATION=f"Token token={token}")
    pages = 20

    def get(url, expected=200):
        def call():
            response = client.get(url)
            assert response.status_code == expected, (url, response.status_code)

        return call

    def post(url, number):
        body = json.dumps(
            {
                "mode": "pickup",
                "order_id": number,
                "items": [{"item_id": "item 2", "reason_code": "doesnt_fit"}],
            }
        )

        def call():
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 201, (url, response.content[:300])

        return call

    results = {
        "POST shipbacks": {"api": [], "bare": []},
        "GET orders?page=N": {"api": [], "bare": []},
    }
    with override_settings(ROOT_URLCONF=sys.modules[__name__]):
        get("/api/v1/orders")()  # warm up: imports, first queries, the token's last use
        get("/bare/orders")()
        for round_ in range(args.rounds):
            numbers = range(round_ * args.requests, (round_ + 1) * args.requests)
            for side, url in (("api", "/api/v1/shipbacks"), ("bare", "/bare/shipbacks")):
                calls = [post(url, f"{side}-{n:05d}") for n in numbers]
                results["POST shipbacks"][side].append(rate(calls))
            for side, url in (("api", "/api/v1/orders"), ("bare", "/bare/orders")):
                calls = [get(f"{url}?page={1 + n % pages}") for n in range(args.requests)]
                results["GET orders?page=N"][side].append(rate(calls))

    assert Shipback.objects.count() == 2 * args.requests * args.rounds
    from django.db import connection

    print(f"database: {connection.vendor}; {args.requests} requests x {args.rounds} rounds")
    print(f"{'endpoint':<20} {'API rps':>10} {'bare rps':>10} {'ratio':>7}")
    for name, sides in results.items():
        api, bare = max(sides["api"]), max(sides["bare"])
        print(f"{name:<20} {api:>10.1f} {bare:>10.1f} {api / bare:>7.2f}")


if __name__ == "__main__":
    main()
