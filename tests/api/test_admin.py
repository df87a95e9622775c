"""The admin of integrators: tokens (shown once, revoked), webhooks and their deliveries."""

from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from returns_portal.models import (
    ApiToken,
    IdempotencyKey,
    Integrator,
    WebhookDelivery,
    WebhookEndpoint,
)
from returns_portal.services import api_token_issue
from returns_portal.webhooks import webhook_emit
from tests.admin_pages import log_in
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    log_in(client, SuperuserFactory)
    return client


def test_adding_a_token_shows_the_raw_token_once_and_it_works(admin_client):
    integrator = Integrator.objects.create(name="Shop")

    response = admin_client.post(
        reverse("admin:returns_portal_apitoken_add"), {"integrator": integrator.pk, "label": "ci"}
    )

    assert response.status_code == 200
    raw = response.context["raw_token"]
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.label == "ci"
    assert token.prefix == raw[:8]
    page = admin_client.get(reverse("admin:returns_portal_apitoken_change", args=[token.pk]))
    assert raw not in page.content.decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token token={raw}")
    assert client.get("/api/v1/me").status_code == 200


def test_the_revoke_action_revokes_tokens(admin_client):
    token, raw = api_token_issue(integrator_name="Shop")

    response = admin_client.post(
        reverse("admin:returns_portal_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/me").status_code == 401


def test_integrator_endpoint_and_key_pages_render(admin_client):
    token, _ = api_token_issue(integrator_name="Shop")
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/", integrator=token.integrator
    )
    key = IdempotencyKey.objects.create(integrator=token.integrator, key="k", fingerprint="f")

    pages = [
        reverse("admin:returns_portal_integrator_changelist"),
        reverse("admin:returns_portal_integrator_change", args=[token.integrator.pk]),
        reverse("admin:returns_portal_apitoken_changelist"),
        reverse("admin:returns_portal_apitoken_add"),
        reverse("admin:returns_portal_webhookendpoint_changelist"),
        reverse("admin:returns_portal_webhookendpoint_change", args=[endpoint.pk]),
        reverse("admin:returns_portal_webhookdelivery_changelist"),
        reverse("admin:returns_portal_idempotencykey_changelist"),
        reverse("admin:returns_portal_idempotencykey_change", args=[key.pk]),
    ]

    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_deliveries_are_read_only_with_their_attempts_and_can_be_resent(
    admin_client, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(url="https://hooks.example.com/")
    (delivery,) = webhook_emit(event="product.created", data={"id": "1"})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state="failed", attempts=10, last_status_code=500, next_attempt_at=None
    )
    change_url = reverse("admin:returns_portal_webhookdelivery_change", args=[delivery.pk])

    page = admin_client.get(change_url)
    listed = admin_client.get(reverse("admin:returns_portal_webhookdelivery_changelist"))
    with (
        mock.patch("returns_portal.tasks.deliver_webhook.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        resent = admin_client.post(
            reverse("admin:returns_portal_webhookdelivery_changelist"),
            {"action": "resend", "_selected_action": [delivery.pk]},
        )

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert "500" in listed.content.decode()
    assert resent.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    delay.assert_called_once_with(delivery.pk)
