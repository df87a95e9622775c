"""Each page runs as many queries for an order of 30 items as for an order of 1."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shipbacks.models import ReturnPolicy

from .helpers import confirmed_return, label_recorded, make_order, record_quotes, start_return

pytestmark = pytest.mark.django_db


def _queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(captured)


def _lookup_then_pages(size: int) -> dict[str, int]:
    client = Client()  # a browser of its own: a new session for each lookup
    order = make_order(items=size, email=f"size{size}@example.com")
    counts = {
        "lookup": _queries(
            client,
            "post",
            "/returns/",
            {"order_number": order.order_number, "contact": f"size{size}@example.com"},
        ),
    }
    items_url = reverse("portal:items", kwargs={"order_id": order.pk})
    counts["items"] = _queries(client, "get", items_url)
    selection = ",".join(f"{item.pk}:1" for item in order.items.all())
    counts["reasons"] = _queries(
        client,
        "get",
        reverse("portal:reasons", kwargs={"order_id": order.pk}) + f"?sel={selection}",
    )
    shipback = start_return(order)
    record_quotes(shipback)
    token = shipback.public_token
    counts["shipping"] = _queries(client, "get", reverse("portal:shipping", args=[token]))
    counts["shipping_status"] = _queries(
        client, "get", reverse("portal:shipping_status", args=[token])
    )
    counts["details"] = _queries(client, "get", reverse("portal:details", args=[token]))
    return counts


def _confirmed_pages(client, size: int, mode: str) -> dict[str, int]:
    shipback = confirmed_return(make_order(items=size), mode=mode)
    if mode != "direct":
        shipback = label_recorded(shipback)
    token = shipback.public_token
    return {
        "track": _queries(client, "get", reverse("portal:track", args=[token])),
        "status": _queries(client, "get", reverse("portal:status", args=[token])),
    }


def test_the_steps_run_a_constant_number_of_queries(portal):
    ReturnPolicy.current()  # made on first use otherwise
    one = _lookup_then_pages(1)
    thirty = _lookup_then_pages(30)

    assert one == thirty


def test_the_review_runs_a_constant_number_of_queries(client, portal):
    counts = []
    for size in (1, 30):
        shipback = start_return(make_order(items=size))
        record_quotes(shipback)
        client.post(
            reverse("portal:shipping", args=[shipback.public_token]),
            {"mode": "dropoff", "dropoff_code": "FR1234"},
        )
        counts.append(
            _queries(client, "get", reverse("portal:review", args=[shipback.public_token]))
        )

    assert counts[0] == counts[1]


@pytest.mark.parametrize("mode", ["dropoff", "direct"])
def test_the_return_page_runs_a_constant_number_of_queries(client, portal, mode):
    assert _confirmed_pages(client, 1, mode) == _confirmed_pages(client, 30, mode)
