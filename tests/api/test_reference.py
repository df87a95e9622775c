"""Warehouses, reasons, me and company."""

from unittest import mock

import pytest

from returns_portal.models import WebhookEndpoint
from shipbacks.models import Warehouse
from tests.factories import ReturnReasonFactory, WarehouseFactory

from .helpers import send

pytestmark = pytest.mark.django_db

WAREHOUSE = {
    "name": "Paris returns",
    "reference": "E002",
    "address": {
        "line1": "1 rue du Dépôt",
        "zipcode": "93200",
        "city": "Saint-Denis",
        "country_code": "FR",
    },
}


def test_a_warehouse_is_created_listed_and_found_by_id_or_reference(api):
    created = send(api, "POST", "/api/v1/warehouses", WAREHOUSE)

    listed = api.get("/api/v1/warehouses").json()["warehouses"]
    by_reference = api.get("/api/v1/warehouses/E002")
    by_id = api.get(f"/api/v1/warehouses/{created.json()['id']}")

    assert created.status_code == 201, created.json()
    assert created.json()["address"]["city"] == "Saint-Denis"
    assert [w["reference"] for w in listed] == ["E002"]
    assert by_reference.json() == by_id.json() == created.json()


def test_creating_a_warehouse_emits_warehouse_created(api, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(url="https://hooks.example.com/")

    with mock.patch("returns_portal.tasks.deliver_webhook.delay"):
        send(api, "POST", "/api/v1/warehouses", WAREHOUSE)

    endpoint = WebhookEndpoint.objects.get()
    assert list(endpoint.deliveries.values_list("event", flat=True)) == ["warehouse.created"]


def test_a_provider_warehouse_needs_the_provider_id(api):
    response = send(api, "POST", "/api/v1/warehouses", {**WAREHOUSE, "provider": "shippingbo"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shippingbo_supplier_id"
    assert not Warehouse.objects.exists()


def test_a_warehouse_reference_is_unique(api):
    WarehouseFactory(reference="E002")

    response = send(api, "POST", "/api/v1/warehouses", WAREHOUSE)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reference"


def test_reasons_are_the_active_ones_labelled_in_the_locale_asked(api):
    ReturnReasonFactory(code="doesnt_fit", label_en="Doesn't fit", label_fr="Ne va pas", position=1)
    ReturnReasonFactory(code="damaged", label_en="Damaged", label_fr="Abîmé", position=2)
    ReturnReasonFactory(code="old", active=False)

    english = api.get("/api/v1/reasons").json()["reasons"]
    french = api.get("/api/v1/reasons?locale=fr").json()["reasons"]
    unknown = api.get("/api/v1/reasons?locale=de")

    assert [(r["code"], r["label"]) for r in english] == [
        ("doesnt_fit", "Doesn't fit"),
        ("damaged", "Damaged"),
    ]
    assert [r["label"] for r in french] == ["Ne va pas", "Abîmé"]
    assert unknown.status_code == 422


def test_me_is_the_company_behind_the_token(api, token):
    response = api.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["name"] == "Acme shop"
    assert response.json()["token"]["prefix"] == token[:8]
    assert token not in str(response.json())


def test_the_company_sets_its_webhook_and_switches_it_off(api):
    set_ = send(
        api,
        "PUT",
        "/api/v1/company",
        {
            "contact_email": "dev@acme.example",
            "webhook_url": "https://acme.example/hooks",
            "webhook_secret": "s3cret",
        },
    )
    read = api.get("/api/v1/company")
    off = send(api, "PUT", "/api/v1/company", {"webhook_url": ""})

    assert set_.status_code == 200, set_.json()
    assert read.json()["webhook_url"] == "https://acme.example/hooks"
    assert read.json()["webhook_secret"] == "s3cret"
    assert read.json()["contact_email"] == "dev@acme.example"
    assert read.json()["name"] == "Acme shop"
    assert off.json()["webhook_url"] is None
    assert not WebhookEndpoint.objects.get().active


def test_a_bad_webhook_url_is_422(api):
    response = send(api, "PUT", "/api/v1/company", {"webhook_url": "not a url"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "webhook_url"


def test_me_updates_the_company_too(api):
    response = send(api, "PUT", "/api/v1/me", {"contact_name": "Ada"})

    assert response.status_code == 200, response.json()
    assert response.json()["contact_name"] == "Ada"
    assert response.json()["token"]["prefix"]
