"""Webhooks the sandbox sends to the portal: where, what, and signed as each provider signs.

Signatures are checked twice: with an independent computation from the providers' documents,
and with the portal's own verification, which must accept them.
"""

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs

import pytest

from shipbacks.providers.sandbox import tasks
from shipbacks.providers.sandbox.models import OutgoingWebhook
from shipbacks.providers.shipbob import adapter as shipbob_adapter
from shipbacks.providers.shipbob import webhooks as shipbob_webhooks
from shipbacks.providers.shippingbo import adapter as shippingbo_adapter
from shipbacks.providers.shoprunback import adapter as srb_adapter
from shipbacks.providers.shoprunback import webhooks as srb_webhooks
from shipbacks.providers.types import ExpectedLine, ReturnOrderRequest

from . import urls
from .conftest import SHIPBOB_SECRET, SHIPPINGBO_TOKEN, SRB_SECRET
from .helpers import a_product, a_shipback, an_order
from .helpers import registered_shipback as register_a_shipback


@pytest.fixture
def registered_shipback(srb, received):
    return register_a_shipback(srb)


def test_shoprunback_webhooks_are_signed_with_the_hmac_of_the_raw_body(
    registered_shipback, received, enqueued
):
    enqueued.run_webhooks()

    assert [provider for provider, *_ in received] == ["shoprunback", "shoprunback"]
    for _, headers, body, _ in received:
        expected = hmac.new(SRB_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["Shoprunback-Signature"] == expected
        assert srb_webhooks.verify_signature(body, headers["Shoprunback-Signature"], SRB_SECRET)
    events = [srb_webhooks.parse_event(body) for _, _, body, _ in received]
    assert [event.event for event in events] == ["shipback.registered", "shipback.labelled"]
    registered, labelled = events
    assert registered.data["id"] == registered_shipback.provider_id
    assert registered.data["rma"] == "RMA1001"
    assert registered.data["mode"] == "postal"
    assert registered.created_at is not None
    assert labelled.data["label_url"].endswith(".pdf")
    assert labelled.data["tracking_number"]
    assert registered.id != labelled.id
    assert set(OutgoingWebhook.objects.values_list("status", flat=True)) == {"sent"}


def test_nothing_is_sent_while_the_secret_is_empty(srb, received, enqueued, settings):
    settings.SHOPRUNBACK_WEBHOOK_SECRET = ""
    srb_adapter.ensure_product(srb, a_product("TSHIRT-M"))
    srb_adapter.ensure_product(srb, a_product("CAP"))
    srb_adapter.ensure_order(srb, an_order())
    shipback = srb_adapter.create_shipback(srb, a_shipback())
    srb_adapter.choose_mode(srb, shipback.provider_id, "postal")
    srb_adapter.get_quotes(srb, shipback.provider_id)

    srb_adapter.register_free(srb, shipback.provider_id)
    enqueued.run_webhooks()

    assert received == []
    webhook = OutgoingWebhook.objects.get()
    assert (webhook.event, webhook.status) == ("shipback.registered", "skipped")


def test_a_refused_webhook_is_tried_again_later_then_given_up(
    registered_shipback, received, enqueued, settings
):
    settings.SANDBOX_WEBHOOK_ATTEMPTS = 2
    urls.RESPONSES.extend([500, 500, 503])
    registered, labelled = OutgoingWebhook.objects.order_by("created_at")

    enqueued.run_webhooks()  # registered: 500, labelled: 500
    retries = [
        (args, countdown)
        for name, args, countdown in enqueued
        if name == tasks.send_sandbox_webhook.name
    ]
    enqueued.run_webhooks()  # registered: 503, labelled: 200

    registered.refresh_from_db()
    labelled.refresh_from_db()
    assert retries == [((registered.pk,), 30), ((labelled.pk,), 30)]
    assert (registered.status, registered.attempts) == ("failed", 2)
    assert registered.response_status == 503
    assert (labelled.status, labelled.attempts) == ("sent", 2)


def test_shippingbo_update_hooks_carry_the_return_order_and_our_token(
    shippingbo, received, enqueued
):
    request = ReturnOrderRequest(
        reference="ROK7Q2M9XA", items=[ExpectedLine(sku="my_sku", quantity=2)], provider_order_id=7
    )
    created = shippingbo_adapter.create_return_order(shippingbo, request)
    shippingbo_adapter.get_return_order(shippingbo, created.provider_id)  # new -> returned

    enqueued.run_webhooks()

    assert [provider for provider, *_ in received] == ["shippingbo", "shippingbo"]
    for _, _, _, query in received:
        token = parse_qs(query)["token"][0]
        assert token == SHIPPINGBO_TOKEN
        assert shippingbo_adapter.verify_update_hook_token(token, SHIPPINGBO_TOKEN)
    payloads = [json.loads(body) for _, _, body, _ in received]
    assert [(p["from_value"], p["to_value"]) for p in payloads] == [
        ("new", "sent_to_logistics"),
        ("sent_to_logistics", "returned"),
    ]
    returned = shippingbo_adapter.parse_update_hook(payloads[-1])
    assert returned.provider_id == created.provider_id
    assert returned.state == "completed"
    assert returned.reference == "ROK7Q2M9XA"


def test_shipbob_webhooks_follow_standard_webhooks_with_the_spec_s_topics(
    shipbob, received, enqueued
):
    request = ReturnOrderRequest(
        reference="ROK7Q2M9XA",
        warehouse_provider_id=8,
        items=[ExpectedLine(sku="TEE", quantity=1, provider_inventory_id=20150)],
    )
    created = shipbob_adapter.create_return_order(shipbob, request)
    shipbob_adapter.get_return_order(shipbob, created.provider_id)  # -> Completed

    enqueued.run_webhooks()

    key = base64.b64decode(SHIPBOB_SECRET.removeprefix("whsec_"))
    topics = []
    for provider, headers, body, _ in received:
        assert provider == "shipbob"
        signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        assert headers["Webhook-Signature"] == f"v1,{expected}"
        assert shipbob_webhooks.verify_webhook(body, headers, SHIPBOB_SECRET)
        event = shipbob_webhooks.parse_event(body, headers)
        assert event.event == headers["X-Webhook-Topic"]
        assert shipbob_webhooks.return_order_from_event(event).provider_id == created.provider_id
        topics.append(event.event)
    assert topics == ["return.created", "return.updated", "return.updated", "return.completed"]
    assert len({headers["Webhook-Id"] for _, headers, _, _ in received}) == 4
