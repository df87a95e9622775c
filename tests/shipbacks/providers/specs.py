"""The vendors' OpenAPI specs, loaded once, with documented patches for their genuine errors.

openapi-core refuses to load a spec that does not validate. The patches below touch only what
is wrong in the published files and never loosen a rule on the return routes we call:

ShipBob (shipbob-2025-07.openapi.json)
  1. ``"additionalProperties": false`` sits beside almost every ``$ref``. OpenAPI 3.0 says a
     Reference Object's siblings are ignored, but the JSON Schema validator applies them, so
     every referenced object would accept no property at all. The siblings are removed (the
     referenced schemas keep their own ``additionalProperties: false``).
  2. Seven schemas outside Returns (``Orders.*``, ``Webhooks.ObjectResult``) list camelCase
     names in ``required`` that their snake_case ``properties`` do not declare. Undeclared
     names are dropped from ``required``; ``test_spec_patches_leave_the_return_schemas_alone``
     checks no ``Returns.*`` schema changes.

Shippingbo (shippingbo.openapi.yaml)
  1. Unrelated path items are broken (``{id}}`` typos, duplicated path parameters, methods
     named "get - copy"): only the routes we call are kept, unchanged.
  2. ``ShippingboAuth`` is an OAuth2 scheme, which openapi-core cannot check; on the wire it is
     the ``Authorization: Bearer`` header (seed 000), so it is described as HTTP bearer.
"""

import copy
import json
from functools import cache
from pathlib import Path

import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

SPECS = Path(__file__).resolve().parents[4] / "shared" / "provider-specs"
SHIPBOB_PATHS = ("/2025-07/return", "/2025-07/return/{id}", "/2025-07/return/{id}:cancel")
SHIPPINGBO_PATHS = (
    "/return_orders",
    "/return_orders/{returnOrderId}",
    "/suppliers/available_for_return_order",
)


@cache
def shipbob_spec_dict() -> dict:
    return json.loads((SPECS / "shipbob-2025-07.openapi.json").read_text())


@cache
def shippingbo_spec_dict() -> dict:
    return yaml.safe_load((SPECS / "shippingbo.openapi.yaml").read_text())


def patched_shipbob_spec() -> tuple[dict, list[str]]:
    """The patched ShipBob spec and where ``required`` was changed."""
    spec = copy.deepcopy(shipbob_spec_dict())
    spec["paths"] = {path: spec["paths"][path] for path in SHIPBOB_PATHS}
    _ignore_ref_siblings(spec)
    changed: list[str] = []
    _drop_undeclared_required(spec, "#", changed)
    return spec, changed


def patched_shippingbo_spec() -> dict:
    spec = copy.deepcopy(shippingbo_spec_dict())
    spec["paths"] = {path: spec["paths"][path] for path in SHIPPINGBO_PATHS}
    spec["components"]["securitySchemes"]["ShippingboAuth"] = {"type": "http", "scheme": "bearer"}
    return spec


@cache
def shipbob_openapi() -> OpenAPI:
    return OpenAPI.from_dict(patched_shipbob_spec()[0])


@cache
def shippingbo_openapi() -> OpenAPI:
    return OpenAPI.from_dict(patched_shippingbo_spec())


def assert_valid_request(openapi: OpenAPI, prepared_request) -> None:
    """Raises openapi-core's error (path, method, security, parameters, body) when invalid."""
    openapi.validate_request(RequestsOpenAPIRequest(prepared_request))


def assert_valid_response(openapi: OpenAPI, prepared_request, response) -> None:
    openapi.validate_response(
        RequestsOpenAPIRequest(prepared_request), RequestsOpenAPIResponse(response)
    )


def _ignore_ref_siblings(node) -> None:
    if isinstance(node, dict):
        if "$ref" in node:
            for key in [key for key in node if key != "$ref"]:
                del node[key]
        for value in node.values():
            _ignore_ref_siblings(value)
    elif isinstance(node, list):
        for value in node:
            _ignore_ref_siblings(value)


def _drop_undeclared_required(node, where: str, changed: list[str]) -> None:
    if isinstance(node, dict):
        required, properties = node.get("required"), node.get("properties")
        if isinstance(required, list) and isinstance(properties, dict):
            kept = [name for name in required if name in properties]
            if kept != required:
                changed.append(where)
                if kept:
                    node["required"] = kept
                else:
                    del node["required"]
        for key, value in node.items():
            _drop_undeclared_required(value, f"{where}/{key}", changed)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _drop_undeclared_required(value, f"{where}/{index}", changed)
