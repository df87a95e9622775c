"""ShopRunBack API v1: HTTP only. Bodies are built by ``adapter.py``.

Documents: seeds 002 (API reference) and 003 (API documentation), from
https://dashboard.shoprunback.com/api/v1 (swagger: https://app.swaggerhub.com/apis/Shoprunback/SRB-APP).
"""

from typing import Any

from ..base import BaseClient, segment


class ShopRunBackClient(BaseClient):
    provider = "ShopRunBack"

    def __init__(self, *, token: str, **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def auth_headers(self) -> dict[str, str]:
        # 002 "Authentication": Authorization: Token token=<your_token>
        return {"Authorization": f"Token token={self.token}"}

    # Brands: 002 "Create a brand", "List your brands" --------------------------------------

    def get_brand(self, id_or_reference: str) -> dict | None:
        # GET /brands/:id, which also takes the brand's reference.
        return self.get(f"brands/{segment(id_or_reference)}", not_found_ok=True)

    def list_brands(self) -> list[dict]:
        # GET /brands
        return _items(self.get("brands"), "brands")

    def create_brand(self, body: dict) -> dict:
        # POST /brands {name, reference}
        return self.post("brands", json=body)

    # Products: 002 "Add your products", "List your products" ------------------------------

    def get_product(self, id_or_reference: str) -> dict | None:
        # GET /products/:id, which also takes the product's reference.
        return self.get(f"products/{segment(id_or_reference)}", not_found_ok=True)

    def create_product(self, body: dict) -> dict:
        # POST /products {label, reference, weight_grams, ean, brand_id, picture_file_url}
        return self.post("products", json=body)

    # Orders: 002 "Create an order", 003 "Delete an order" ----------------------------------

    def get_order(self, id_or_order_number: str) -> dict | None:
        # GET /orders/:id; shipbacks name their order by order number (003 "sequentially").
        return self.get(f"orders/{segment(id_or_order_number)}", not_found_ok=True)

    def create_order(self, body: dict) -> dict:
        # POST /orders {ordered_at, order_number, customer, items, metadata}
        return self.post("orders", json=body)

    def delete_order(self, order_id: str) -> None:
        # DELETE /orders/:order_id: 400 DEPENDENT_SHIPBACK while a shipback exists.
        self.delete(f"orders/{segment(order_id)}")

    # Shipbacks: 003 "Create the order and the return sequentially", "Delete a shipback",
    # "Your own return process", "Overrides" -----------------------------------------------

    def create_shipback(self, body: dict) -> dict:
        # POST /shipbacks {order_id: order number, items: [{item_id, reason_code}], mode}
        return self.post("shipbacks", json=body)

    def get_shipback(self, shipback_id: str) -> dict | None:
        # GET /shipbacks/:id, polled for the label (003 "4. Get the label").
        return self.get(f"shipbacks/{segment(shipback_id)}", not_found_ok=True)

    def update_shipback(self, shipback_id: str, body: dict) -> dict | None:
        # POST /shipbacks/:id: the mode (003 "3. Select the mode") and overrides (003 "Overrides")
        # are sent with POST on the shipback's endpoint, as the documentation's examples do.
        return self.post(f"shipbacks/{segment(shipback_id)}", json=body)

    def delete_shipback(self, shipback_id: str) -> None:
        # DELETE /shipbacks/:shipback_id: 400 SHIPBACK_REGISTERED once registered.
        self.delete(f"shipbacks/{segment(shipback_id)}")

    def free(self, shipback_id: str) -> Any:
        # POST /shipbacks/:id/free: skip the customer's payment, start the label (003 "4.").
        return self.post(f"shipbacks/{segment(shipback_id)}/free")

    # Quotes: 003 "2. Request the quotes", "Clear the quotes" -------------------------------

    def list_quotes(self, shipback_id: str) -> list[dict]:
        # GET /shipbacks/:id/quotes: triggers the computation, then reports it (poll every 20 s).
        return _items(self.get(f"shipbacks/{segment(shipback_id)}/quotes"), "quotes")

    def get_quote(self, shipback_id: str, mode: str) -> dict | None:
        # GET /shipbacks/:id/quotes/:mode
        return self.get(
            f"shipbacks/{segment(shipback_id)}/quotes/{segment(mode)}", not_found_ok=True
        )

    def clear_quotes(self, shipback_id: str) -> None:
        # POST /shipbacks/:id/quotes/clear: after the shipback changed, recompute.
        self.post(f"shipbacks/{segment(shipback_id)}/quotes/clear")


def _items(body: Any, key: str) -> list[dict]:
    """A list answer, bare (brands, quotes) or paginated under its key (products, orders)."""
    if isinstance(body, dict):
        body = body.get(key) or []
    return [item for item in body or [] if isinstance(item, dict)]
