"""The OpenAPI schema documents every endpoint, and the docs page needs no CDN."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import URLPattern, get_resolver
from openapi_spec_validator import validate

from returns_portal.api import urls as api_urls

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def documented_routes():
    """(path, method) of every integrator API route, from the URL conf and the views."""
    routes = []
    for pattern in api_urls.urlpatterns:
        if not isinstance(pattern, URLPattern) or not hasattr(pattern.callback, "view_class"):
            continue
        path = "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        view = pattern.callback.view_class
        for method in view.http_method_names:
            if method != "options" and hasattr(view, method):
                routes.append((path, method))
    return routes


def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["token"]["name"] == "Authorization"


def test_every_endpoint_is_documented_with_its_errors(schema):
    routes = documented_routes()

    assert len(routes) > 40
    for path, method in routes:
        operation = schema["paths"][path][method]
        codes = set(operation["responses"])
        assert {"401", "429"} <= codes, (path, method)
        assert any(code.startswith("2") for code in codes), (path, method)
        if "{" in path:
            assert "404" in codes, (path, method)
        if method in ("post", "put"):
            assert "422" in codes, (path, method)
        if method == "post":
            assert "409" in codes
            assert "Idempotency-Key" in [p["name"] for p in operation.get("parameters", [])]
        assert operation["summary"], (path, method)
        for response in operation["responses"].values():
            assert response["description"]


def test_only_the_integrator_api_is_in_the_schema(schema):
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_every_field_has_a_type(schema):
    def check(name, node):
        if isinstance(node, dict):
            if "properties" in node:
                for field, spec in node["properties"].items():
                    assert (
                        spec.get("type")
                        or spec.get("$ref")
                        or spec.get("allOf")
                        or (spec.get("oneOf") or spec.get("anyOf") or spec == {}) is not None
                    ), (name, field)
            for child in node.values():
                check(name, child)

    for name, component in schema["components"]["schemas"].items():
        check(name, component)


def test_shoprunbacks_examples_are_the_schemas_examples(schema):
    def examples(path, method, where="requestBody"):
        operation = schema["paths"][path][method]
        if where == "requestBody":
            return operation["requestBody"]["content"]["application/json"]["examples"]
        return operation["responses"][where]["content"]["application/json"]["examples"]

    brand = examples("/api/v1/brands", "post")
    assert next(iter(brand.values()))["value"] == {"name": "Apple", "reference": "apple"}
    products = examples("/api/v1/products", "post")
    assert {e["summary"] for e in products.values()} >= {
        "Add your products",
        "Create a product with its brand",
    }
    shipback = examples("/api/v1/shipbacks", "post")
    assert next(iter(shipback.values()))["value"]["order_id"] == "1234567"
    modes = examples("/api/v1/shipbacks/{id}", "put")
    assert {"Mode dropoff", "Mode pickup", "Try at home"} <= {e["summary"] for e in modes.values()}
    deleted = examples("/api/v1/orders/{id}", "delete", "400")
    assert "DEPENDENT_SHIPBACK" in str(deleted)
    refused = examples("/api/v1/shipbacks/{id}", "delete", "400")
    assert "This shipback is already processing. You can't delete it." in str(refused)
    quotes = examples("/api/v1/shipbacks/{id}/quotes", "get", "200")
    assert len(next(iter(quotes.values()))["value"]) == 3
    return_orders = examples("/api/v1/return_orders", "post")
    assert {e["value"].get("reason_ref") for e in return_orders.values()} == {"REPAiR"}


def test_the_docs_are_served_without_any_cdn(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert not source.startswith(("http://", "https://", "//")), source
    assert not re.search(r"cdn|jsdelivr|unpkg|cloudflare", html, re.I)
    assert "/api/schema/" in html
    assets = [s for s in sources if "drf_spectacular_sidecar" in s]
    assert assets
    for asset in assets:
        relative = asset.split("/static/", 1)[1].split("?")[0]
        assert finders.find(relative), asset


def test_the_schema_and_docs_need_no_token(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_the_schema_is_served_as_json_too(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response.json()["info"]["title"]


def test_the_root_urlconf_routes_the_documentation():
    names = {p.name for p in get_resolver().url_patterns if isinstance(p, URLPattern)}
    assert {"api-schema", "api-docs"} <= names
