"""Builders the sandbox tests share: what the portal would send ShopRunBack."""

import datetime

from shipbacks.providers.shoprunback import adapter
from shipbacks.providers.types import (
    AddressPayload,
    CustomerPayload,
    OrderItemPayload,
    OrderPayload,
    ProductPayload,
    ReturnedItemPayload,
    ShipbackPayload,
)


def a_product(reference: str) -> ProductPayload:
    return ProductPayload(reference=reference, label=reference.title(), weight_grams=300)


def an_order(number="1001", country="FR") -> OrderPayload:
    """Order ``number`` of John Doe in Paris (in ``country``): a T-shirt and a cap."""
    return OrderPayload(
        order_number=number,
        ordered_at=datetime.date(2025, 6, 12),
        customer=CustomerPayload(
            first_name="John",
            last_name="Doe",
            email="john@doe.com",
            phone="1230145365",
            address=AddressPayload(
                line1="651 rue de Dunkerque", zipcode="75010", city="Paris", country_code=country
            ),
        ),
        items=[
            OrderItemPayload(reference=f"{number}-1", product_reference="TSHIRT-M", label="Tee"),
            OrderItemPayload(reference=f"{number}-2", product_reference="CAP", label="Cap"),
        ],
    )


def a_shipback(number="1001", rma="RMA1001", items=("1001-1",)) -> ShipbackPayload:
    return ShipbackPayload(
        order_number=number,
        rma=rma,
        items=[ReturnedItemPayload(item_reference=i, reason_code="doesnt_fit") for i in items],
    )


def registered_shipback(srb):
    """Order 1001 and its shipback, sent by post: created, quoted, chosen, registered, then read
    once (labelled already when SANDBOX_LABEL_SECONDS is 0)."""
    for reference in ("TSHIRT-M", "CAP"):
        adapter.ensure_product(srb, a_product(reference))
    adapter.ensure_order(srb, an_order())
    shipback = adapter.create_shipback(srb, a_shipback())
    adapter.choose_mode(srb, shipback.provider_id, "postal")
    adapter.get_quotes(srb, shipback.provider_id)
    adapter.register_free(srb, shipback.provider_id)
    return adapter.get_shipback(srb, shipback.provider_id)
