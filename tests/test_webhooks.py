"""Outbound webhooks: one delivery row per subscribed endpoint, signed, retried, resent."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from unittest import mock

import pytest
import requests
import responses
from django.utils import timezone

from returns_portal.actors import Actor
from returns_portal.models import WebhookDelivery, WebhookEndpoint
from returns_portal.tasks import deliver_webhook, sweep_webhooks
from returns_portal.webhooks import (
    RETRY_DELAYS,
    webhook_deliver,
    webhook_emit,
    webhook_emit_many,
    webhook_resend,
    webhooks_due,
)
from shipbacks.models import Shipback
from shipbacks.services import shipback_transition
from tests.factories import ShipbackFactory

pytestmark = pytest.mark.django_db
URL = "https://hooks.example.com/srb"


def endpoint(**fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=fields.pop("url", URL), **fields)


def deliver(delivery) -> WebhookDelivery:
    return webhook_deliver(delivery_id=delivery.pk)


def test_an_event_goes_to_every_active_endpoint_that_wants_it(django_capture_on_commit_callbacks):
    every = endpoint(url="https://a.example.com/")
    wanting = endpoint(url="https://b.example.com/", events=["shipback.created"])
    endpoint(url="https://c.example.com/", events=["product.created"])
    endpoint(url="https://d.example.com/", active=False)

    with (
        mock.patch("returns_portal.tasks.deliver_webhook.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        deliveries = webhook_emit(event="shipback.created", data={"id": "x"})

    assert {d.endpoint for d in deliveries} == {every, wanting}
    assert len({d.event_id for d in deliveries}) == 1
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(d.pk for d in deliveries)


def test_a_payload_given_as_a_function_is_built_only_when_an_endpoint_listens(
    django_capture_on_commit_callbacks,
):
    built = []

    def payload():
        built.append(1)
        return {"id": "x"}

    endpoint(url="https://a.example.com/", events=["product.created"])
    with mock.patch("returns_portal.tasks.deliver_webhook.delay"):
        assert webhook_emit(event="shipback.created", data=payload) == []
        assert built == []
        endpoint(url="https://b.example.com/", events=["shipback.created"])
        (delivery,) = webhook_emit(event="shipback.created", data=payload)

    assert built == [1]
    assert json.loads(delivery.body)["data"] == {"id": "x"}


def test_many_events_at_once_get_an_event_each_per_endpoint_in_batches(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    first, second = endpoint(url="https://a.example.com/"), endpoint(url="https://b.example.com/")
    endpoint(url="https://c.example.com/", events=["shipback.created"])
    datas = [{"id": f"p{n}"} for n in range(5)]

    with (
        mock.patch("returns_portal.tasks.deliver_webhook.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        django_assert_num_queries(1 + 3),  # the endpoints, then one insert per 2 events
    ):
        count = webhook_emit_many(event="product.created", datas=datas, batch_size=2)

    deliveries = WebhookDelivery.objects.order_by("pk")
    assert count == 10 == deliveries.count() == delay.call_count
    assert {d.endpoint for d in deliveries} == {first, second}
    bodies = {d.event_id: json.loads(d.body) for d in deliveries}
    assert len(bodies) == 5
    assert sorted(body["data"]["id"] for body in bodies.values()) == [f"p{n}" for n in range(5)]


def test_nothing_is_queued_before_the_change_commits(django_capture_on_commit_callbacks):
    endpoint()

    with (
        mock.patch("returns_portal.tasks.deliver_webhook.delay") as delay,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        webhook_emit(event="shipback.created", data={"id": "x"})

    delay.assert_not_called()
    assert len(callbacks) == 1


def test_the_body_is_shoprunbacks_format():
    endpoint()

    (delivery,) = webhook_emit(event="product.created", data={"id": "p1", "label": "Mug"})

    body = json.loads(delivery.body)
    assert set(body) == {"id", "event", "created_at", "data"}
    assert body["id"] == str(delivery.event_id)
    assert body["event"] == "product.created"
    assert body["data"] == {"id": "p1", "label": "Mug"}


@responses.activate
def test_a_delivery_is_signed_as_shoprunback_and_standard_webhooks_sign():
    secret = "whsec-test-secret"
    endpoint(secret=secret)
    responses.post(URL, status=200)
    (delivery,) = webhook_emit(event="shipback.registered", data={"id": "s1", "rma": "R1"})

    deliver(delivery)

    request = responses.calls[0].request
    raw = request.body if isinstance(request.body, bytes) else request.body.encode()
    # ShopRunBack: hex HMAC-SHA256 of the raw body with the secret, computed independently here
    expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert request.headers["Shoprunback-Signature"] == expected
    # Standard Webhooks: base64 HMAC-SHA256 of "id.timestamp.body"
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode()
    digest = hmac.new(secret.encode(), signed + raw, hashlib.sha256).digest()
    assert request.headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(raw)["event"] == "shipback.registered"


@responses.activate
def test_a_2xx_answer_delivers_it_once():
    endpoint()
    responses.post(URL, status=204)
    (delivery,) = webhook_emit(event="product.created", data={})

    delivered = deliver(delivery)
    again = deliver(delivery)

    assert (delivered.state, delivered.attempts, delivered.last_status_code) == (
        "succeeded",
        1,
        204,
    )
    assert delivered.delivered_at is not None
    assert again is None
    assert len(responses.calls) == 1


@responses.activate
def test_a_failure_is_retried_later_with_backoff():
    endpoint()
    responses.post(URL, status=503, body="down")
    (delivery,) = webhook_emit(event="product.created", data={})

    failed = deliver(delivery)

    assert (failed.state, failed.attempts, failed.last_status_code) == ("pending", 1, 503)
    assert "HTTP 503" in failed.last_error
    wait = failed.next_attempt_at - timezone.now()
    assert RETRY_DELAYS[0] * 0.9 <= wait <= RETRY_DELAYS[0] * 1.2
    assert deliver(delivery) is None  # not due yet


@responses.activate
def test_a_timeout_is_recorded_and_retried():
    endpoint()
    responses.post(URL, body=requests.Timeout("read timed out"))
    (delivery,) = webhook_emit(event="product.created", data={})

    failed = deliver(delivery)

    assert failed.state == "pending"
    assert failed.last_status_code is None
    assert "Timeout" in failed.last_error


@responses.activate
def test_retries_last_about_three_days_then_the_delivery_fails():
    endpoint()
    responses.post(URL, status=500)
    (delivery,) = webhook_emit(event="product.created", data={})
    total = sum(RETRY_DELAYS, timedelta())

    attempts = 0
    while True:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        result = deliver(delivery)
        attempts += 1
        if result.state != "pending":
            break

    assert timedelta(days=2.5) <= total <= timedelta(days=3.5)
    assert result.state == "failed"
    assert attempts == len(RETRY_DELAYS) + 1
    assert result.next_attempt_at is None


@responses.activate
def test_a_failed_delivery_is_resent_with_the_same_body_and_id(django_capture_on_commit_callbacks):
    endpoint()
    responses.post(URL, status=200)
    (delivery,) = webhook_emit(event="product.created", data={"id": "p"})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="failed", attempts=10)
    delivery.refresh_from_db()

    with (
        mock.patch("returns_portal.tasks.deliver_webhook.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        webhook_resend(delivery=delivery)
    delivered = deliver(delivery)

    delay.assert_called_once_with(delivery.pk)
    assert delivered.state == "succeeded"
    assert json.loads(responses.calls[0].request.body)["id"] == str(delivery.event_id)


def test_the_sweeper_enqueues_deliveries_that_are_due():
    endpoint()
    (due,) = webhook_emit(event="product.created", data={})
    (later,) = webhook_emit(event="product.created", data={})
    WebhookDelivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1)
    )

    with mock.patch("returns_portal.tasks.deliver_webhook.delay") as delay:
        count = sweep_webhooks()

    assert webhooks_due() == [due.pk]
    assert count == 1
    delay.assert_called_once_with(due.pk)


@responses.activate
def test_the_task_reschedules_a_short_retry_itself():
    endpoint()
    responses.post(URL, status=500)
    (delivery,) = webhook_emit(event="product.created", data={})

    with mock.patch("returns_portal.tasks.deliver_webhook.apply_async") as schedule:
        deliver_webhook(delivery.pk)

    ((args,), kwargs) = schedule.call_args
    assert args == (delivery.pk,)
    assert 0 < kwargs["countdown"] <= 15


def test_a_shipback_state_change_emits_shipback_and_its_state(django_capture_on_commit_callbacks):
    endpoint()
    shipback = ShipbackFactory(items=1)

    shipback_transition(shipback_id=shipback.pk, to=Shipback.State.REGISTERED, actor=Actor.system())

    delivery = WebhookDelivery.objects.get(event="shipback.registered")
    data = json.loads(delivery.body)["data"]
    assert data["id"] == str(shipback.pk)
    assert data["rma"] == shipback.rma
    assert data["registered_at"]
