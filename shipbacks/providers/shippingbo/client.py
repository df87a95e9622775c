"""Shippingbo API v1: HTTP only. Bodies are built by ``adapter.py``.

Documents: seed 000 (https://developer.shippingbo.com, "Create a return order") and the spec
../shared/provider-specs/shippingbo.openapi.yaml. The live API wraps a single object under its
root key (``{"return_order": {...}}``) where the spec shows it bare: both are accepted.
"""

from typing import Any

from ..base import BaseClient, segment


class ShippingboClient(BaseClient):
    provider = "Shippingbo"

    def __init__(self, *, app_id: str, token: str, **kwargs):
        super().__init__(**kwargs)
        self.app_id = app_id
        self.token = token

    def auth_headers(self) -> dict[str, str]:
        # Seed 000 / spec securitySchemes: Api_version, Api_oauth_id and the OAuth access token.
        return {
            "X-API-VERSION": "1",
            "X-API-APP-ID": self.app_id,
            "Authorization": f"Bearer {self.token}",
        }

    def suppliers_available_for_return_order(self) -> list[dict]:
        # GET /suppliers/available_for_return_order (seed 000 "Propagate the return").
        return unwrap_list(self.get("suppliers/available_for_return_order"), "suppliers")

    def create_return_order(self, body: dict) -> dict:
        # POST /return_orders (seed 000 "Create with your own system" / "for a Third party").
        return unwrap(self.post("return_orders", json=body), "return_order")

    def get_return_order(self, return_order_id: int | str) -> dict | None:
        # GET /return_orders/{returnOrderId} (spec "Get a ReturnOrder").
        data = self.get(f"return_orders/{segment(return_order_id)}", not_found_ok=True)
        return unwrap(data, "return_order") if data is not None else None

    def search_return_orders(self, field: str, value: str, *, limit: int = 10) -> list[dict]:
        # GET /return_orders?search[<field>__eq]=<value>: the spec's generic search parameter
        # (components/parameters "search[field_name__eq]"), on "Get ReturnOrders".
        params = {f"search[{field}__eq]": value, "limit": limit}
        return unwrap_list(self.get("return_orders", params=params), "return_orders")

    def update_return_order_state(self, return_order_id: int | str, state: str) -> dict:
        # PATCH /return_orders/{returnOrderId} {state} (spec "Update a ReturnOrder").
        body = {"state": state}
        return unwrap(
            self.patch(f"return_orders/{segment(return_order_id)}", json=body), "return_order"
        )


def unwrap(body: Any, root: str) -> Any:
    """``{"return_order": {...}}`` (live API) or ``{...}`` (spec) -> ``{...}``."""
    if isinstance(body, dict) and len(body) == 1 and isinstance(body.get(root), dict):
        return body[root]
    return body


def unwrap_list(body: Any, root: str) -> list[dict]:
    """``{"return_orders": [...]}`` or ``[...]``, each element possibly wrapped itself."""
    if isinstance(body, dict):
        body = body.get(root) or []
    singular = root[:-1] if root.endswith("s") else root
    return [unwrap(item, singular) for item in body or [] if isinstance(item, dict)]
