"""``Idempotency-Key`` on POST: replays, conflicts, retention; and 20 identical POSTs at once."""

import concurrent.futures
import threading
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.utils import timezone

from catalog.models import Brand
from returns_portal.api.idempotency import purge_idempotency_keys
from returns_portal.models import IdempotencyKey, Integrator
from returns_portal.services import api_token_issue
from shipbacks.models import Shipback
from tests.factories import ReturnReasonFactory

from .helpers import new_key, order_with_items, send

BRAND = {"name": "Apple", "reference": "apple"}


@pytest.mark.django_db
def test_the_same_key_and_body_replays_the_first_response(api):
    key = new_key()

    first = send(api, "POST", "/api/v1/brands", BRAND, HTTP_IDEMPOTENCY_KEY=key)
    second = send(api, "POST", "/api/v1/brands", BRAND, HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert Brand.objects.filter(reference="apple").count() == 1


@pytest.mark.django_db
def test_a_refusal_is_replayed_too(api):
    key = new_key()

    first = send(api, "POST", "/api/v1/brands", {"name": "No reference"}, HTTP_IDEMPOTENCY_KEY=key)
    second = send(api, "POST", "/api/v1/brands", {"name": "No reference"}, HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == second.status_code == 422
    assert first.content == second.content


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(api):
    key = new_key()
    send(api, "POST", "/api/v1/brands", BRAND, HTTP_IDEMPOTENCY_KEY=key)

    response = send(
        api, "POST", "/api/v1/brands", {**BRAND, "reference": "other"}, HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert not Brand.objects.filter(reference="other").exists()


@pytest.mark.django_db
def test_a_request_still_in_flight_is_409(api):
    key = new_key()
    integrator = Integrator.objects.get()
    send(api, "POST", "/api/v1/brands", BRAND, HTTP_IDEMPOTENCY_KEY=key)
    IdempotencyKey.objects.filter(key=key).update(
        state=IdempotencyKey.State.IN_FLIGHT, response_status=None
    )

    response = send(api, "POST", "/api/v1/brands", BRAND, HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "IDEMPOTENCY_CONFLICT"
    assert IdempotencyKey.objects.get(key=key).integrator == integrator


@pytest.mark.django_db
def test_keys_belong_to_their_integrator(api):
    key = new_key()
    send(api, "POST", "/api/v1/brands", BRAND, HTTP_IDEMPOTENCY_KEY=key)
    _, other = api_token_issue(integrator_name="Other shop")
    api.credentials(HTTP_AUTHORIZATION=f"Token {other}")

    response = send(
        api, "POST", "/api/v1/brands", {**BRAND, "reference": "b"}, HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 201


@pytest.mark.django_db
def test_keys_are_kept_at_least_24_hours_then_purged(api, settings):
    assert timedelta(hours=24) <= settings.IDEMPOTENCY_KEY_TTL
    key = new_key()
    send(api, "POST", "/api/v1/brands", BRAND, HTTP_IDEMPOTENCY_KEY=key)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=23))
    assert purge_idempotency_keys() == 0

    IdempotencyKey.objects.update(created_at=timezone.now() - settings.IDEMPOTENCY_KEY_TTL * 1.01)

    assert purge_idempotency_keys() == 1


@pytest.mark.django_db
def test_without_a_key_nothing_is_kept(api):
    send(api, "POST", "/api/v1/brands", BRAND)

    assert not IdempotencyKey.objects.exists()


# Twenty identical requests at once, over HTTP, against a live server.


@pytest.fixture
def one_at_a_time_on_sqlite(live_server):
    """On SQLite the live server's threads share the test's in-memory connection (an SQLite
    database has one writer anyway): there requests are served one at a time. On PostgreSQL
    they run truly in parallel, each on its own connection."""
    if connection.vendor != "sqlite":
        yield
        return
    httpd = live_server.thread.httpd
    app, lock = httpd.get_app(), threading.Lock()

    def serialized(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    httpd.set_app(serialized)
    yield
    httpd.set_app(app)


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_posts_at_once_create_one_shipback(live_server, one_at_a_time_on_sqlite):
    # given
    ReturnReasonFactory(code="doesnt_fit")
    order = order_with_items(1, order_number="1234567")
    _, token = api_token_issue(integrator_name="Acme shop")
    body = '{"order_id": "1234567", "items": [{"item_id": "item 1", "reason_code": "doesnt_fit"}]}'
    headers = {
        "Authorization": f"Token token={token}",
        "Content-Type": "application/json",
        "Idempotency-Key": new_key(),
    }
    start = threading.Barrier(20)

    def post():
        start.wait()
        return requests.post(
            f"{live_server.url}/api/v1/shipbacks", data=body, headers=headers, timeout=60
        )

    # when
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda _: post(), range(20)))

    # then
    assert Shipback.objects.filter(order=order).count() == 1
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    created = [r for r in responses if r.status_code == 201]
    assert created
    assert {r.content for r in created} == {created[0].content}
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["errors"][0]["code"] == "IDEMPOTENCY_CONFLICT"
    # and once the first has finished, the same request replays it
    again = requests.post(
        f"{live_server.url}/api/v1/shipbacks", data=body, headers=headers, timeout=60
    )
    assert again.status_code == 201
    assert again.content == created[0].content
