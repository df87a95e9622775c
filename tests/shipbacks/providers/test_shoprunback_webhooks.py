import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import pytest

from shipbacks.providers.shoprunback import adapter, webhooks

from .helpers import PAYLOADS

SECRET = "4f1d0c9a7e3b2a18c6d5e4f3a2b1c0d9e8f7a6b5"


def raw_body() -> bytes:
    return (PAYLOADS / "shoprunback" / "webhook_shipback_labelled.json").read_bytes()


def independent_signature(body: bytes, secret: str) -> str:
    """Seed 003: OpenSSL::HMAC.hexdigest(sha256, secret, payload)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_correctly_signed_webhook_is_accepted():
    body = raw_body()

    assert webhooks.verify_signature(body, independent_signature(body, SECRET), SECRET)


def test_the_signature_header_is_compared_case_insensitively_as_hex():
    body = raw_body()

    assert webhooks.verify_signature(body, independent_signature(body, SECRET).upper(), SECRET)


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "not-a-signature",
        independent_signature(b"another body", SECRET),
        independent_signature(raw_body(), "another secret"),
    ],
)
def test_a_missing_or_wrong_signature_is_refused(signature):
    assert not webhooks.verify_signature(raw_body(), signature, SECRET)


def test_a_body_changed_after_signing_is_refused():
    body = raw_body()
    signature = independent_signature(body, SECRET)

    assert not webhooks.verify_signature(body.replace(b"labelled", b"relocated"), signature, SECRET)


def test_with_no_secret_set_nothing_is_accepted():
    body = raw_body()

    # ShopRunBack signs with an empty key until a secret is set: anyone could forge that.
    assert not webhooks.verify_signature(body, independent_signature(body, ""), "")


def test_our_signature_is_shoprunbacks():
    body = raw_body()

    assert webhooks.sign(body, SECRET) == independent_signature(body, SECRET)


def test_a_webhook_is_parsed_into_id_event_time_and_data():
    event = webhooks.parse_event(raw_body())

    assert event.id == "00082f23-9b8c-4515-b1cd-527d56a1bef3"
    assert event.event == "shipback.labelled"
    assert event.created_at == datetime(
        2018, 2, 20, 16, 54, 22, tzinfo=timezone(timedelta(hours=1))
    )
    assert event.data["rma"] == "123"


def test_a_shipback_webhook_gives_the_shipbacks_new_state_and_label():
    event = webhooks.parse_event(raw_body())

    remote = adapter.parse_shipback(event.data)

    assert webhooks.shipback_state_from_event(event.event) == "labelled"
    assert remote.label_url == "http://cdn.com/label/1234.pdf"
    assert remote.tracking_number == "123456-tracking"


@pytest.mark.parametrize(
    ("event", "state"),
    [
        ("shipback.registered", "registered"),
        ("shipback.relocated", "relocated"),
        ("shipback.failed", "failed"),
        ("returneditem.relocated", None),
        ("product.created", None),
        ("shipback.exploded", None),
    ],
)
def test_only_shipback_events_name_a_shipback_state(event, state):
    assert webhooks.shipback_state_from_event(event) == state


@pytest.mark.parametrize("body", [b"[]", b'{"event": "shipback.created"}', b'{"id": "1"}'])
def test_a_body_that_is_not_an_event_is_refused(body):
    with pytest.raises(ValueError, match="not a ShopRunBack webhook"):
        webhooks.parse_event(body)


def test_a_body_that_is_not_json_is_refused():
    with pytest.raises(json.JSONDecodeError):
        webhooks.parse_event(b"<xml/>")
