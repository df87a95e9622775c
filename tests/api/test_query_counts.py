"""Lists take as many queries for 100 rows as for 10 (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shipbacks.models import ItemAction, Quote
from tests.factories import (
    BrandFactory,
    ExpectedItemFactory,
    ItemActionFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    QuoteFactory,
    ReturnOrderFactory,
    ReturnReasonFactory,
    ShipbackFactory,
    SparePartFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def an_order():
    order = OrderFactory()
    OrderItemFactory.create_batch(2, order=order)
    ShipbackFactory(order=order, items=1)
    return order


def a_shipback():
    shipback = ShipbackFactory(items=2)
    QuoteFactory(shipback=shipback, mode=Quote.Mode.POSTAL)
    QuoteFactory(shipback=shipback, mode=Quote.Mode.DROPOFF)
    return shipback


def a_return_order():
    return_order = ReturnOrderFactory(items=1)
    line = ExpectedItemFactory(return_order=return_order, quantity_received=1)
    ItemActionFactory(expected_item=line, action=ItemAction.Action.RESTOCK)
    return return_order


LISTS = {
    "/api/v1/brands": BrandFactory,
    "/api/v1/products": ProductFactory,
    "/api/v1/orders": an_order,
    "/api/v1/shipbacks": a_shipback,
    "/api/v1/return_orders": a_return_order,
    "/api/v1/warehouses": WarehouseFactory,
    "/api/v1/reasons": ReturnReasonFactory,
}


def queries(api, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.json()
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_of_100_takes_the_queries_of_a_list_of_10(api, url):
    make = LISTS[url]
    for _ in range(10):
        make()
    api.get(url)  # the token's last use is recorded once a minute: not in the counts
    ten = queries(api, f"{url}?per_page=100")

    for _ in range(90):
        make()
    hundred = queries(api, f"{url}?per_page=100")

    collection = url.rsplit("/", 1)[1]
    assert len(api.get(f"{url}?per_page=100").json()[collection]) >= 100
    assert hundred == ten


def test_sub_collections_take_constant_queries(api):
    order = OrderFactory()
    shipback = ShipbackFactory(order=order, items=2)
    product = ProductFactory()
    SparePartFactory.create_batch(2, product=product)
    urls = [
        f"/api/v1/orders/{order.pk}/items",
        f"/api/v1/shipbacks/{shipback.pk}/returned_items",
        f"/api/v1/products/{product.pk}/parts",
        f"/api/v1/shipbacks/{shipback.pk}",
        f"/api/v1/orders/{order.pk}",
    ]
    api.get(urls[0])
    before = [queries(api, url) for url in urls]

    OrderItemFactory.create_batch(8, order=order)
    for item in order.items.all()[:6]:
        if not item.returned_items.exists():
            shipback.returned_items.create(
                order_item=item, reason=ReturnReasonFactory(code="doesnt_fit")
            )
    SparePartFactory.create_batch(8, product=product)
    after = [queries(api, url) for url in urls]

    assert after == before
