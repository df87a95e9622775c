"""Sponsoring rules written through their services, from the admin: validated, and announced to
integrators with ShopRunBack's ``sponsoring.created`` webhook."""

import json
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from returns_portal.models import WebhookDelivery, WebhookEndpoint
from shipbacks.models import SponsoringRule
from shipbacks.services.rules import sponsoring_rule_create, sponsoring_rule_update
from tests.admin_pages import form_errors
from tests.factories import ReturnReasonFactory, SponsoringRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    return WebhookEndpoint.objects.create(url="https://hooks.example.com/")


@pytest.fixture(autouse=True)
def deliver():
    with mock.patch("returns_portal.tasks.deliver_webhook.delay") as delay:
        yield delay


def sent(endpoint) -> list[dict]:
    return [json.loads(d.body) for d in endpoint.deliveries.order_by("pk")]


def test_a_rule_added_in_the_admin_is_announced_in_shoprunbacks_shape(
    admin_client, endpoint, django_capture_on_commit_callbacks, deliver
):
    damaged = ReturnReasonFactory(code="damaged")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:shipbacks_sponsoringrule_add"),
            {
                "reason": damaged.pk,
                "country_code": "FR",
                "percentage": "100",
                "merchant_fee_min_cents": "500",
                "merchant_fee_max_cents": "1000",
                "customer_fee_min_cents": "",
                "customer_fee_max_cents": "",
            },
        )

    assert response.status_code == 302
    rule = SponsoringRule.objects.get()
    assert response.url == reverse("admin:shipbacks_sponsoringrule_changelist")
    (event,) = sent(endpoint)
    assert event["event"] == "sponsoring.created"
    assert event["data"] == {
        "id": str(rule.pk),
        "percentage": "100",
        "country_code": "FR",
        "reason_code": "damaged",
        "merchant_fee_min": 500,
        "merchant_fee_max": 1000,
        "customer_fee_min": None,
        "customer_fee_max": None,
    }
    assert deliver.call_count == 1


def test_a_rule_for_any_reason_and_country_is_announced_with_nulls(endpoint):
    sponsoring_rule_create(percentage=50, customer_fee_max_cents=450)

    (event,) = sent(endpoint)
    assert event["data"]["percentage"] == "50"
    assert event["data"]["reason_code"] is None
    assert event["data"]["country_code"] is None
    assert event["data"]["customer_fee_max"] == 450


def test_changing_a_rule_in_the_admin_saves_it_without_announcing_a_new_one(admin_client, endpoint):
    rule = SponsoringRuleFactory(percentage=100)

    response = admin_client.post(
        reverse("admin:shipbacks_sponsoringrule_change", args=[rule.pk]),
        {"reason": "", "country_code": "", "percentage": "40", "customer_fee_max_cents": "300"},
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.percentage, rule.customer_fee_max_cents) == (40, 300)
    assert sent(endpoint) == []


def test_a_rule_refused_by_the_admin_form_is_neither_saved_nor_announced(admin_client, endpoint):
    response = admin_client.post(
        reverse("admin:shipbacks_sponsoringrule_add"),
        {
            "reason": "",
            "country_code": "",
            "percentage": "50",
            "customer_fee_min_cents": "500",
            "customer_fee_max_cents": "100",
        },
    )

    assert response.status_code == 200
    assert form_errors(response)
    assert not SponsoringRule.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_a_second_rule_for_the_same_scope_is_refused_by_the_service(endpoint):
    sponsoring_rule_create(percentage=100, country_code="FR")

    with pytest.raises(ValidationError):
        sponsoring_rule_create(percentage=50, country_code="FR")

    assert SponsoringRule.objects.count() == 1
    assert len(sent(endpoint)) == 1


def test_updating_a_rule_checks_its_bounds():
    rule = SponsoringRuleFactory(percentage=100)

    with pytest.raises(ValidationError):
        sponsoring_rule_update(rule=rule, merchant_fee_min_cents=900, merchant_fee_max_cents=100)

    rule.refresh_from_db()
    assert rule.merchant_fee_min_cents is None


def test_updating_a_rule_cannot_set_anything_but_its_fields():
    rule = SponsoringRuleFactory(percentage=100)

    with pytest.raises(TypeError, match="created_at"):
        sponsoring_rule_update(rule=rule, created_at=None)
