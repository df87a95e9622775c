"""What every endpoint does alike: authentication, errors, bodies, pagination, throttling."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from catalog.models import Brand
from returns_portal.api.throttling import IntegratorRateThrottle
from returns_portal.models import ApiToken, Integrator
from returns_portal.services import api_token_issue, api_token_revoke
from tests.factories import BrandFactory

from .helpers import send

pytestmark = pytest.mark.django_db


# Authentication.


@pytest.mark.parametrize("header", ["Token token={}", "Token {}", 'Token token="{}"'])
def test_both_token_forms_authenticate(token, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(token))

    assert client.get("/api/v1/brands").status_code == 200


@pytest.mark.parametrize("header", [None, "", "Token", "Token token=", "Token nope", "Bearer x"])
def test_a_missing_or_bad_token_is_401_in_json(db, header):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/brands")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "UNAUTHENTICATED"
    assert response["WWW-Authenticate"]


def test_a_revoked_token_or_inactive_integrator_is_401(api, token):
    api_token_revoke(token=ApiToken.objects.get())
    revoked = api.get("/api/v1/brands")
    _, other = api_token_issue(integrator_name="Other")
    Integrator.objects.filter(name="Other").update(active=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token token={other}")

    assert revoked.status_code == 401
    assert api.get("/api/v1/brands").status_code == 401


def test_tokens_are_stored_hashed(token):
    stored = ApiToken.objects.get()

    assert token not in (stored.key_hash, stored.prefix)
    assert stored.prefix == token[:8]


def test_create_api_token_prints_a_working_token_on_its_last_line(db):
    out = StringIO()

    call_command("create_api_token", "Shop integration", stdout=out, stderr=StringIO())

    raw = out.getvalue().strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token token={raw}")
    assert client.get("/api/v1/me").json()["name"] == "Shop integration"


def test_requests_beyond_the_rate_are_throttled(api, monkeypatch):
    monkeypatch.setattr(IntegratorRateThrottle, "THROTTLE_RATES", {"integrator": "3/min"})

    statuses = [api.get("/api/v1/brands").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/brands")
    assert response.json()["errors"][0]["code"] == "THROTTLED"
    assert int(response["Retry-After"]) > 0


# Bodies.


def test_get_and_delete_ignore_a_body(api):
    brand = BrandFactory()

    got = api.generic("GET", "/api/v1/brands", "[]", "application/json")
    deleted = api.generic("DELETE", f"/api/v1/brands/{brand.pk}", "[]", "application/json")

    assert got.status_code == 200
    assert deleted.status_code == 200


def test_writes_ignore_unknown_and_read_only_keys(api):
    response = send(
        api,
        "POST",
        "/api/v1/brands",
        {"name": "Apple", "reference": "apple", "id": "x", "default": True, "colour": "red"},
    )

    assert response.status_code == 201
    assert response.json()["default"] is False
    assert response.json()["id"] != "x"


def test_strings_come_back_exactly_as_sent(api):
    name = "  Äpple · «Bio»\t"

    response = send(api, "POST", "/api/v1/brands", {"name": name, "reference": " apple "})

    assert response.json()["name"] == name
    assert response.json()["reference"] == " apple "
    assert Brand.objects.get(reference=" apple ").name == name


def test_a_body_that_is_not_json_is_400(api):
    response = api.generic("POST", "/api/v1/brands", "{name: Apple", "application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "PARSE_ERROR"


def test_a_json_body_labelled_as_a_form_is_read_as_json(api):
    response = api.generic(
        "POST",
        "/api/v1/brands",
        '{"name": "Apple", "reference": "apple"}',
        "application/x-www-form-urlencoded",
    )

    assert response.status_code == 201, response.json()


def test_nested_form_fields_are_read_as_rails_reads_them(api):
    response = api.generic(
        "POST",
        "/api/v1/brands",
        "name=Apple%20Inc&reference=apple",
        "application/x-www-form-urlencoded",
    )

    assert response.status_code == 201
    assert response.json()["name"] == "Apple Inc"


def test_validation_errors_are_422_one_per_field(api):
    response = send(api, "POST", "/api/v1/brands", {"name": "x" * 201})

    assert response.status_code == 422
    errors = {error["field"]: error for error in response.json()["errors"]}
    assert errors["reference"]["code"] == "REQUIRED"
    assert errors["name"]["code"] == "MAX_LENGTH"
    assert all(error["message"] for error in errors.values())


def test_an_unknown_path_is_a_json_404(api):
    response = api.get("/api/v1/nothing/here")

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NOT_FOUND"


def test_a_method_not_offered_is_405_in_json(api):
    response = api.patch("/api/v1/brands")

    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "METHOD_NOT_ALLOWED"


# Pagination.


def test_lists_are_paginated_across_pages(api):
    for index in range(24):
        BrandFactory(reference=f"brand-{index:02d}")

    pages = [api.get(f"/api/v1/brands?page={n}").json() for n in (1, 2, 3)]

    assert pages[0]["pagination"] == {
        "current_page": 1,
        "first_page": 1,
        "previous_page": None,
        "next_page": 2,
        "last_page": 3,
        "count": 25,
        "per_page": 10,
    }
    assert pages[2]["pagination"]["previous_page"] == 2
    assert pages[2]["pagination"]["next_page"] is None
    seen = [b["reference"] for page in pages for b in page["brands"]]
    assert len(seen) == len(set(seen)) == 25


def test_per_page_is_capped(api):
    for index in range(104):
        BrandFactory(reference=f"brand-{index:03d}")

    response = api.get("/api/v1/brands?per_page=500").json()

    assert response["pagination"]["per_page"] == 100
    assert len(response["brands"]) == 100
    assert response["pagination"]["last_page"] == 2


def test_a_page_past_the_last_is_empty(api):
    response = api.get("/api/v1/brands?page=9").json()

    assert response["brands"] == []
    assert response["pagination"]["current_page"] == 9
    assert response["pagination"]["previous_page"] == 1
    assert response["pagination"]["next_page"] is None


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=0", "per_page=-3"])
def test_a_bad_page_is_422(api, query):
    response = api.get(f"/api/v1/brands?{query}")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in ("page", "per_page")


def test_a_body_of_another_type_is_415(api):
    response = api.generic("POST", "/api/v1/brands", "name: Apple", "text/plain")

    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_an_idempotency_key_too_long_is_422(api):
    response = send(api, "POST", "/api/v1/brands", {"name": "A"}, HTTP_IDEMPOTENCY_KEY="k" * 256)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
