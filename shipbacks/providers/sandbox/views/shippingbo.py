"""Shippingbo API v1 endpoints (seed 000, spec), under /sandbox/shippingbo/ like
https://app.shippingbo.com/."""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from .. import shippingbo as sbo
from ..http import SandboxError, bearer_token, endpoint, json_response, read_json


def authenticate(request: HttpRequest) -> None:
    """Seed 000: ``X-API-VERSION: 1``, ``X-API-APP-ID`` and ``Authorization: Bearer <token>``;
    any non-empty application id and token are accepted."""
    version = request.headers.get("X-API-VERSION", "").strip()
    if not (version and request.headers.get("X-API-APP-ID", "").strip() and bearer_token(request)):
        raise SandboxError(
            401,
            {"error": "Unauthorized: X-API-VERSION, X-API-APP-ID and a Bearer token are required"},
            headers={"WWW-Authenticate": 'Bearer realm="Shippingbo"'},
        )
    if version != "1":
        raise sbo.error(400, f"Unsupported X-API-VERSION {version!r}: use 1")


def body(request: HttpRequest) -> dict:
    data = read_json(request, lambda message: sbo.error(400, message))
    if not isinstance(data, dict):
        raise sbo.error(400, "The request body must be a JSON object.")
    return data


@endpoint("GET")
def index(request):
    return json_response({"provider": "Shippingbo", "sandbox": True, "documents": "seed 000"})


@endpoint("GET", authenticate=authenticate)
def suppliers_available_for_return_order(request):
    suppliers = [
        {"id": supplier["id"], "name": supplier["name"]}
        for supplier in settings.SANDBOX_SHIPPINGBO_SUPPLIERS
    ]
    return json_response({"suppliers": suppliers})


@endpoint("GET", "POST", authenticate=authenticate)
def return_orders(request):
    if request.method == "POST":
        with transaction.atomic():
            created = sbo.create_return_order(body(request))
            return json_response({"return_order": sbo.return_order_json(created)})
    found = sbo.search(request.GET)
    return json_response({"return_orders": [sbo.return_order_json(r) for r in found]})


@endpoint("GET", "PATCH", authenticate=authenticate)
def return_order(request, return_order_id):
    if request.method == "PATCH":
        found = sbo.set_state(return_order_id, body(request))
    else:
        found = sbo.current(return_order_id)
    return json_response({"return_order": sbo.return_order_json(found)})
