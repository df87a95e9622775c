"""Standard Webhooks signatures, checked against an HMAC computed here independently."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from shipbacks.providers.shipbob import webhooks

from .helpers import PAYLOADS

KEY = b"shipbob-test-signing-key-32bytes"
WHSEC = "whsec_" + base64.b64encode(KEY).decode()
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
NOW = 1_752_830_000


def raw_body() -> bytes:
    return (PAYLOADS / "shipbob" / "webhook_return_updated.json").read_bytes()


def independent_signature(body: bytes, *, key: bytes, msg_id=MSG_ID, timestamp=NOW) -> str:
    signed = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(signature: str, *, timestamp=NOW, msg_id=MSG_ID) -> dict:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def test_a_delivery_signed_with_the_whsec_secret_is_accepted():
    body = raw_body()
    signature = independent_signature(body, key=KEY)

    assert webhooks.verify_webhook(body, headers(signature), WHSEC, now=NOW)


def test_a_raw_secret_is_used_as_the_key_itself():
    body = raw_body()
    signature = independent_signature(body, key=b"plain-secret")

    assert webhooks.verify_webhook(body, headers(signature), "plain-secret", now=NOW)


def test_header_names_are_matched_whatever_their_case():
    body = raw_body()
    sent = {
        key.title(): value for key, value in headers(independent_signature(body, key=KEY)).items()
    }

    assert webhooks.verify_webhook(body, sent, WHSEC, now=NOW)


def test_one_matching_signature_among_several_is_enough():
    body = raw_body()
    signatures = f"v1,bm9wZQ== {independent_signature(body, key=KEY)}"

    assert webhooks.verify_webhook(body, headers(signatures), WHSEC, now=NOW)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "v1,bm9wZQ==",
        independent_signature(b'{"tampered": true}', key=KEY),
        independent_signature(raw_body(), key=b"another key"),
        independent_signature(raw_body(), key=KEY, msg_id="msg_other"),
        independent_signature(raw_body(), key=KEY).replace("v1,", "v2,"),
    ],
)
def test_a_wrong_signature_is_refused(signature):
    assert not webhooks.verify_webhook(raw_body(), headers(signature), WHSEC, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_delivery_missing_a_header_is_refused(missing):
    sent = headers(independent_signature(raw_body(), key=KEY))
    del sent[missing]

    assert not webhooks.verify_webhook(raw_body(), sent, WHSEC, now=NOW)


def test_a_stale_timestamp_is_refused_even_correctly_signed():
    body = raw_body()
    old = NOW - 301
    signature = independent_signature(body, key=KEY, timestamp=old)

    assert not webhooks.verify_webhook(body, headers(signature, timestamp=old), WHSEC, now=NOW)
    assert webhooks.verify_webhook(
        body, headers(signature, timestamp=old), WHSEC, now=NOW, tolerance=600
    )


def test_a_timestamp_from_the_future_is_refused():
    body = raw_body()
    ahead = NOW + 301
    signature = independent_signature(body, key=KEY, timestamp=ahead)

    assert not webhooks.verify_webhook(body, headers(signature, timestamp=ahead), WHSEC, now=NOW)


@pytest.mark.parametrize("secret", ["", "whsec_%%%not-base64%%%"])
def test_an_unset_or_malformed_secret_accepts_nothing(secret):
    body = raw_body()

    assert not webhooks.verify_webhook(
        body, headers(independent_signature(body, key=KEY)), secret, now=NOW
    )


def test_our_signature_is_the_standard_one():
    body = raw_body()

    assert webhooks.sign(body, msg_id=MSG_ID, timestamp=NOW, secret=WHSEC) == (
        independent_signature(body, key=KEY)
    )


def test_a_return_webhook_gives_the_returns_new_state():
    body = raw_body()

    event = webhooks.parse_event(body, headers(independent_signature(body, key=KEY)))
    remote = webhooks.return_order_from_event(event)

    assert (event.id, event.event) == (MSG_ID, "return.updated")
    assert event.created_at == datetime.fromtimestamp(NOW, UTC)
    assert (remote.provider_id, remote.reference, remote.state) == (
        "512345",
        "ROK7Q2M9XA",
        "arrived",
    )
