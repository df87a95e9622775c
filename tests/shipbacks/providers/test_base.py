import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from shipbacks.providers.base import BaseClient, parse_retry_after
from shipbacks.providers.errors import NON_FIELD_ERRORS, ProviderRejected, ProviderUnavailable

BASE = "https://api.example.test/v1"


class ExampleClient(BaseClient):
    provider = "Example"

    def auth_headers(self):
        return {"Authorization": "Bearer s3cr3t-token"}


def make_client(**kwargs):
    return ExampleClient(base_url=BASE + "/", timeout=(2.0, 7.0), **kwargs)


def test_every_request_carries_the_connect_and_read_timeouts(http):
    http.get(f"{BASE}/things/1", json={"id": 1})

    make_client().get("things/1")

    assert http.calls[0].request.req_kwargs["timeout"] == (2.0, 7.0)


def test_json_goes_out_with_auth_headers_and_comes_back_decoded(http):
    http.post(f"{BASE}/things", json={"id": 7}, status=201)

    answer = make_client().post("things", json={"name": "lamp"})

    request = http.calls[0].request
    assert answer == {"id": 7}
    assert request.body == b'{"name": "lamp"}'
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Authorization"] == "Bearer s3cr3t-token"


def test_an_empty_success_is_none(http):
    http.delete(f"{BASE}/things/1", status=204)

    assert make_client().delete("things/1") is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_unavailable(http, status):
    http.get(f"{BASE}/things", json={"message": "down"}, status=status)

    with pytest.raises(ProviderUnavailable) as caught:
        make_client().get("things")

    assert caught.value.status == status
    assert caught.value.retry_after is None


def test_too_many_requests_is_unavailable_with_the_seconds_to_wait(http):
    http.get(f"{BASE}/things", status=429, headers={"Retry-After": "120"})

    with pytest.raises(ProviderUnavailable) as caught:
        make_client().get("things")

    assert caught.value.status == 429
    assert caught.value.retry_after == 120


def test_too_many_requests_with_an_http_date_waits_until_that_date(http):
    later = datetime.now(UTC) + timedelta(seconds=90)
    http.get(f"{BASE}/things", status=503, headers={"Retry-After": format_datetime(later, True)})

    with pytest.raises(ProviderUnavailable) as caught:
        make_client().get("things")

    assert 80 <= caught.value.retry_after <= 90


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("0", 0),
        (" 42 ", 42),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0),  # already past: no wait
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_delta_seconds_or_http_date(header, seconds):
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)

    assert parse_retry_after(header, now=now) == seconds


@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectionError("refused"),
        requests.ConnectTimeout("connect timeout"),
        requests.ReadTimeout("read timeout"),
    ],
)
def test_transport_failures_are_unavailable(http, failure):
    http.get(f"{BASE}/things", body=failure)

    with pytest.raises(ProviderUnavailable) as caught:
        make_client().get("things")

    assert caught.value.status is None
    assert caught.value.__cause__ is failure


def test_a_validation_error_is_rejected_with_the_providers_field_errors(http):
    body = {"message": "Validation failed", "errors": {"reference": ["has already been taken"]}}
    http.post(f"{BASE}/things", json=body, status=422)

    with pytest.raises(ProviderRejected) as caught:
        make_client().post("things", json={})

    assert caught.value.status == 422
    assert caught.value.message == "Validation failed"
    assert caught.value.field_errors == {"reference": ["has already been taken"]}


def test_an_error_list_with_codes_is_rejected_with_the_first_code(http):
    body = {"errors": [{"code": "SOMETHING_WRONG", "message": "Nope."}, "Also this."]}
    http.post(f"{BASE}/things", json=body, status=400)

    with pytest.raises(ProviderRejected) as caught:
        make_client().post("things", json={})

    assert caught.value.code == "SOMETHING_WRONG"
    assert caught.value.message == "Nope.; Also this."
    assert caught.value.field_errors == {NON_FIELD_ERRORS: ["Nope.", "Also this."]}


def test_a_404_is_an_error_unless_the_call_is_a_lookup(http):
    http.get(f"{BASE}/things/9", json={"error": "Not found"}, status=404)
    http.get(f"{BASE}/things/9", json={"error": "Not found"}, status=404)

    assert make_client().get("things/9", not_found_ok=True) is None
    with pytest.raises(ProviderRejected) as caught:
        make_client().get("things/9")
    assert caught.value.status == 404
    assert caught.value.message == "Not found"


def test_a_non_json_error_keeps_its_text_as_the_message(http):
    http.get(f"{BASE}/things", body="Forbidden for this app", status=403)

    with pytest.raises(ProviderRejected) as caught:
        make_client().get("things")

    assert caught.value.message == "Forbidden for this app"


def test_a_redirect_is_not_followed_with_our_credentials(http):
    http.get(f"{BASE}/things", status=302, headers={"Location": "https://elsewhere.test/"})

    with pytest.raises(ProviderRejected, match="redirect"):
        make_client().get("things")

    assert len(http.calls) == 1


def test_a_success_that_is_not_json_is_unavailable(http):
    http.get(f"{BASE}/things", body="<html>maintenance</html>", status=200)

    with pytest.raises(ProviderUnavailable, match="non-JSON"):
        make_client().get("things")


def test_log_lines_name_the_call_but_no_secret(http, caplog):
    http.get(f"{BASE}/things", json=[], match=[])
    caplog.set_level(logging.INFO, logger="shipbacks.providers")

    make_client().get("things", params={"token": "query-secret"})

    assert "Example GET https://api.example.test/v1/things -> 200" in caplog.text
    assert "s3cr3t-token" not in caplog.text
    assert "query-secret" not in caplog.text


def test_a_label_on_another_host_is_fetched_without_our_credentials(http):
    http.get("https://cdn.example.test/label/1.pdf", body=b"%PDF-1.4 label")

    content, _ = make_client().download("https://cdn.example.test/label/1.pdf", max_bytes=1000)

    assert content == b"%PDF-1.4 label"
    assert "Authorization" not in http.calls[0].request.headers


def test_a_document_on_the_providers_host_is_fetched_with_credentials(http):
    http.get(f"{BASE}/labels/1.pdf", body=b"%PDF-1.4 label", content_type="application/pdf")

    content, content_type = make_client().download(f"{BASE}/labels/1.pdf", max_bytes=1000)

    assert content == b"%PDF-1.4 label"
    assert content_type == "application/pdf"
    assert http.calls[0].request.headers["Authorization"] == "Bearer s3cr3t-token"


def test_a_document_over_the_size_cap_is_refused(http):
    http.get("https://cdn.example.test/big.pdf", body=b"%PDF-" + b"x" * 2000)

    with pytest.raises(ProviderRejected, match="exceeds 1000"):
        make_client().download("https://cdn.example.test/big.pdf", max_bytes=1000)


def test_only_http_documents_are_downloaded():
    with pytest.raises(ProviderRejected, match="not a downloadable URL"):
        make_client().download("file:///etc/passwd", max_bytes=1000)


def test_a_client_needs_a_base_url():
    with pytest.raises(ValueError, match="no base URL"):
        ExampleClient(base_url="")
