"""Batches: a task sends the call of its message and the other calls due now, claimed with it
in one transaction, each recorded as soon as it is answered."""

import datetime
import itertools
import json
import random
import threading
import time

import pytest
import responses
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shipbacks.models import ProviderCall, ReturnOrder, Warehouse
from shipbacks.providers import ProviderRejected, ProviderUnavailable
from shipbacks.services import ExpectedItemData, return_order_create
from shipbacks.services.sync.outbox import Done, call_send
from tests.factories import OrderFactory, ProductFactory, ProviderCallFactory, WarehouseFactory
from tests.shipbacks.providers.helpers import load_payload

from .helpers import SHIPBOB

pytestmark = pytest.mark.django_db

State = ProviderCall.State
Operation = ProviderCall.Operation
SEND = "shipbacks.tasks.send_provider_call"


@pytest.fixture(autouse=True)
def _batches(settings):
    settings.SYNC_SEND_BATCH = 10
    settings.SYNC_SEND_BATCH_SECONDS = datetime.timedelta(seconds=60)


def _states(calls) -> list[str]:
    found = dict(
        ProviderCall.objects.filter(pk__in=[c.pk for c in calls]).values_list("pk", "state")
    )
    return [found[c.pk] for c in calls]


def test_a_task_sends_its_call_first_then_the_others_due_in_their_order(handler):
    calls = [ProviderCallFactory() for _ in range(4)]

    result = call_send(call_id=calls[2].pk)

    assert (result.pk, result.state) == (calls[2].pk, State.SUCCEEDED)
    assert handler.seen == [calls[2].pk, calls[0].pk, calls[1].pk, calls[3].pk]
    assert _states(calls) == [State.SUCCEEDED] * 4
    assert set(ProviderCall.objects.values_list("attempts", flat=True)) == {1}


def test_a_batch_takes_no_more_calls_than_its_size(handler, settings):
    settings.SYNC_SEND_BATCH = 3
    calls = [ProviderCallFactory() for _ in range(5)]

    call_send(call_id=calls[0].pk)

    assert handler.seen == [c.pk for c in calls[:3]]
    assert _states(calls) == [State.SUCCEEDED] * 3 + [State.PENDING] * 2


def test_calls_not_due_held_back_running_or_finished_stay_out_of_a_batch(handler):
    now = timezone.now()
    own = ProviderCallFactory()
    ProviderCallFactory(next_attempt_at=now + datetime.timedelta(minutes=5))
    ProviderCallFactory(
        target="R1",
        operation=Operation.SHIPBACK_CREATE,
        state=State.RUNNING,
        claimed_until=now + datetime.timedelta(minutes=1),
    )
    ProviderCallFactory(target="R1", operation=Operation.SHIPBACK_FREE)  # waits for the create
    # Abandoned by a dead worker: its own (sweeper's) message takes it, as an abandoned call.
    ProviderCallFactory(
        state=State.RUNNING, attempts=1, claimed_until=now - datetime.timedelta(seconds=1)
    )
    ProviderCallFactory(state=State.FAILED)
    ProviderCallFactory(state=State.SUCCEEDED)

    call_send(call_id=own.pk)

    assert handler.seen == [own.pk]


def test_a_call_that_cannot_be_claimed_brings_no_batch(handler):
    now = timezone.now()
    ProviderCallFactory(
        target="R2",
        operation=Operation.SHIPBACK_CREATE,
        state=State.RUNNING,
        claimed_until=now + datetime.timedelta(minutes=1),
    )
    held_back = ProviderCallFactory(target="R2", operation=Operation.SHIPBACK_FREE)
    not_due = ProviderCallFactory(next_attempt_at=now + datetime.timedelta(minutes=5))
    due = ProviderCallFactory()

    assert call_send(call_id=held_back.pk) is None
    assert call_send(call_id=not_due.pk) is None
    assert handler.seen == []
    assert _states([due]) == [State.PENDING]


def test_the_message_of_a_call_another_batch_sent_costs_one_query(
    handler, django_assert_num_queries
):
    first, second = ProviderCallFactory(), ProviderCallFactory()
    call_send(call_id=first.pk)

    with django_assert_num_queries(1):
        assert call_send(call_id=second.pk) is None
    assert handler.seen == [first.pk, second.pk]


def test_a_batch_with_one_failing_call_retries_only_that_call(
    handler, messages, django_capture_on_commit_callbacks
):
    # given
    calls = [ProviderCallFactory() for _ in range(3)]
    handler.answers = [
        Done({"provider_id": "1"}),
        ProviderUnavailable("Shippingbo", "POST answered 503", status=503),
        Done({"provider_id": "3"}),
    ]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        call_send(call_id=calls[0].pk)

    # then: the others are done, the failing one comes back after its backoff, alone
    assert _states(calls) == [State.SUCCEEDED, State.PENDING, State.SUCCEEDED]
    failing = ProviderCall.objects.get(pk=calls[1].pk)
    assert (failing.failures, failing.last_status, failing.attempts) == (1, 503, 1)
    assert failing.next_attempt_at > timezone.now()
    assert [(name, args) for name, args, _ in messages] == [(SEND, (calls[1].pk,))]
    assert 1 <= messages[0][2] <= 2  # the first backoff (2 s here, jittered)
    ProviderCall.objects.filter(pk=failing.pk).update(next_attempt_at=timezone.now())
    assert call_send(call_id=failing.pk).state == State.SUCCEEDED
    assert handler.seen == [calls[0].pk, calls[1].pk, calls[2].pk, calls[1].pk]


def test_a_refused_call_in_a_batch_fails_alone(handler):
    calls = [ProviderCallFactory() for _ in range(3)]
    handler.answers = [
        Done(),
        ProviderRejected("Shippingbo", "Unknown supplier", status=422),
        Done(),
    ]

    call_send(call_id=calls[0].pk)

    assert _states(calls) == [State.SUCCEEDED, State.FAILED, State.SUCCEEDED]
    assert ProviderCall.objects.get(pk=calls[1].pk).last_error == "Unknown supplier"


def test_the_rate_limit_holds_back_the_calls_of_a_batch_beyond_it(
    handler, settings, messages, django_capture_on_commit_callbacks
):
    settings.SYNC_RATE_LIMITS = {"shippingbo": 2}
    calls = [ProviderCallFactory() for _ in range(4)]

    with django_capture_on_commit_callbacks(execute=True):
        call_send(call_id=calls[0].pk)

    assert handler.seen == [calls[0].pk, calls[1].pk]
    held = ProviderCall.objects.filter(pk__in=[calls[2].pk, calls[3].pk])
    assert {(c.state, c.attempts) for c in held} == {(State.PENDING, 0)}
    assert all(c.next_attempt_at > timezone.now() for c in held)
    assert sorted(args for _, args, _ in messages) == [(calls[2].pk,), (calls[3].pk,)]
    assert all(countdown > 0 for _, _, countdown in messages)


def test_calls_a_batch_had_no_time_to_start_are_released_due_now(
    handler, settings, messages, django_capture_on_commit_callbacks
):
    settings.SYNC_SEND_BATCH_SECONDS = datetime.timedelta(0)
    calls = [ProviderCallFactory() for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        call_send(call_id=calls[0].pk)

    assert handler.seen == [calls[0].pk]
    released = ProviderCall.objects.filter(pk__in=[calls[1].pk, calls[2].pk])
    assert {(c.state, c.attempts, c.claimed_until) for c in released} == {(State.PENDING, 0, None)}
    assert all(c.next_attempt_at <= timezone.now() for c in released)
    assert sorted(messages) == [(SEND, (calls[1].pk,), 0), (SEND, (calls[2].pk,), 0)]


def test_the_task_s_time_limit_stops_a_batch_and_releases_the_calls_not_started(
    handler, messages, django_capture_on_commit_callbacks
):
    calls = [ProviderCallFactory() for _ in range(3)]
    handler.answers = [Done(), SoftTimeLimitExceeded()]

    with django_capture_on_commit_callbacks(execute=True):
        call_send(call_id=calls[0].pk)

    assert handler.seen == [calls[0].pk, calls[1].pk]
    assert _states(calls) == [State.SUCCEEDED, State.PENDING, State.PENDING]
    struck = ProviderCall.objects.get(pk=calls[1].pk)
    assert (struck.attempts, struck.failures) == (1, 1)
    assert struck.last_error == "The call took longer than the task's time limit."
    assert ProviderCall.objects.get(pk=calls[2].pk).attempts == 0
    assert {args for _, args, _ in messages} == {(calls[1].pk,), (calls[2].pk,)}


@pytest.mark.django_db(transaction=True)
def test_workers_taking_batches_at_once_never_send_a_call_twice(handler):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip('In-memory SQLite (shared cache) answers "table is locked" to threads.')
    # given: a backlog, each call's message delivered to one of four workers
    calls = [ProviderCallFactory() for _ in range(60)]
    messages = [call.pk for call in calls]
    random.Random(4).shuffle(messages)
    queue = iter(messages)
    lock = threading.Lock()
    handler.answers = [lambda call: time.sleep(0.005) or Done()] * len(calls)
    failures = []

    def worker():
        try:
            while True:
                with lock:
                    call_id = next(queue, None)
                if call_id is None:
                    return
                call_send(call_id=call_id)
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: each call sent exactly once, all of them
    assert failures == []
    assert sorted(handler.seen) == sorted(messages)
    assert set(ProviderCall.objects.values_list("state", "attempts")) == {(State.SUCCEEDED, 1)}


# What a push costs -----------------------------------------------------------------------------

RETURNS = f"{SHIPBOB}/2025-07/return"


@pytest.fixture
def shipbob(http):
    """ShipBob answering: no return under the reference asked for, then the one created."""
    ids = itertools.count(700001)

    def created(request):
        body = json.loads(request.body)
        answer = load_payload("shipbob/return_created.json")
        answer.update(id=next(ids), reference_id=body["reference_id"])
        return 201, {}, json.dumps(answer)

    http.get(RETURNS, json={"items": []})
    http.add_callback(responses.POST, RETURNS, callback=created)
    return http


@pytest.fixture
def shipbob_backlog(actor, settings):
    """``make(n)``: n return orders to push to ShipBob; returns their create calls. Their polls
    start after the default interval (longer than a task countdown), as in production."""
    settings.SYNC_RETURN_ORDER_POLL_INTERVAL = datetime.timedelta(minutes=15)
    warehouse = WarehouseFactory(
        provider=Warehouse.Provider.SHIPBOB, shipbob_fulfillment_center_id=8
    )
    product = ProductFactory(shipbob_inventory_id=20150)
    order = OrderFactory()

    def make(count: int) -> list[ProviderCall]:
        references = [
            return_order_create(
                warehouse=warehouse,
                actor=actor,
                order=order,
                skip_expected_items_creation=True,
                expected_items=[ExpectedItemData(product=product)],
            ).reference
            for _ in range(count)
        ]
        return list(
            ProviderCall.objects.filter(
                target__in=references, operation=Operation.RETURN_ORDER_CREATE
            ).order_by("pk")
        )

    return make


def _queries_to_push(calls) -> int:
    """Queries to push ``calls`` in turn, the work done once each outcome commits included."""
    with (
        CaptureQueriesContext(connection) as queries,
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        for call in calls:
            call_send(call_id=call.pk)
    assert _states(calls) == [State.SUCCEEDED] * len(calls)
    return len(queries)


def test_a_push_in_a_batch_costs_a_bounded_number_of_queries(shipbob, shipbob_backlog):
    # The claim, the load and the message of each call are shared by its batch; what is left
    # is recording the answer: the return order's id and state (with their history, event and
    # webhooks), its poll, the call's outcome, and once that commits, the calls waiting behind it.
    two = _queries_to_push(shipbob_backlog(2))
    twelve = _queries_to_push(shipbob_backlog(12))

    per_push = (twelve - two) / 10
    assert per_push <= 14, f"{per_push} queries per push in a batch"
    assert ReturnOrder.objects.exclude(provider_id="").count() == 14


def test_a_push_on_its_own_costs_a_bounded_number_of_queries(shipbob, shipbob_backlog, settings):
    settings.SYNC_SEND_BATCH = 1
    queries = _queries_to_push(shipbob_backlog(1))

    assert queries <= 19
