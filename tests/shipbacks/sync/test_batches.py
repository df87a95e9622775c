"""Batches: a task sends the call of its message and the other calls due now, claimed with it
in one transaction; each answer is recorded as soon as it comes, or, where a lost answer is
found again rather than duplicated, with the batch's others once they are all in."""

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

from returns_portal.errors import DomainError
from returns_portal.models import WebhookDelivery, WebhookEndpoint
from shipbacks.models import ProviderCall, ReturnOrder, Warehouse
from shipbacks.providers import ProviderRejected, ProviderUnavailable
from shipbacks.services import ExpectedItemData, return_order_create
from shipbacks.services.sync import outbox
from shipbacks.services.sync.outbox import Done, call_send
from shipbacks.services.sync.sending import _claim, calls_cover
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


def test_the_message_of_a_call_sent_already_costs_a_look_and_a_count(
    handler, settings, django_assert_num_queries
):
    settings.SYNC_SEND_AHEAD = 2
    first, second = ProviderCallFactory(), ProviderCallFactory()
    call_send(call_id=first.pk)  # takes the second along
    ProviderCallFactory.create_batch(2, enqueued_for=timezone.now())  # messages on their way

    # The look at its call, then the count of the messages on their way: enough, none sent.
    with django_assert_num_queries(2), TestCase.captureOnCommitCallbacks(execute=True):
        assert call_send(call_id=second.pk) is None
    assert handler.seen == [first.pk, second.pk]


def _scans_of_calls() -> int:
    """Scans of the calls' table so far in this transaction, each a look for some rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq_scan + idx_scan FROM pg_stat_xact_user_tables WHERE relname = %s",
            [ProviderCall._meta.db_table],
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_batch_taken_from_a_large_backlog_looks_at_about_the_calls_it_takes():
    # The statistics know nothing of this backlog, as when one forms between two analyses.
    backlog = ProviderCallFactory.create_batch(400)
    before = _scans_of_calls()

    claimed = _claim(backlog[0].pk, others=9)

    assert claimed == backlog[:10]
    # Each call read is checked once (no earlier call on its record open?), and the index is
    # read a few rows at a time; checking the whole backlog to sort it would be 400 looks.
    assert _scans_of_calls() - before < 60


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


def _work(messages) -> int:
    """Send what is waiting, as workers would: the messages sent once it was written (its
    commit's ``calls_cover``), then those each task sends as it ends, run in turn, each with the
    work done once its outcomes commit. Returns the tasks run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        calls_cover()
    tasks = 0
    while messages:
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_send(call_id=messages.pop(0)[1][0])
        tasks += 1
    return tasks


def _queries_to_push(calls, messages) -> int:
    """Queries to push ``calls`` (see ``_work``)."""
    with CaptureQueriesContext(connection) as queries:
        _work(messages)
    assert _states(calls) == [State.SUCCEEDED] * len(calls)
    return len(queries)


def test_a_backlog_is_sent_by_a_message_per_batch(shipbob, shipbob_backlog, messages, settings):
    settings.SYNC_SEND_AHEAD = 2
    calls = shipbob_backlog(25)  # batches of 10

    tasks = _work(messages)

    # Three batches, and the second message sent ahead, which found its call alone: not 25.
    assert _states(calls) == [State.SUCCEEDED] * 25
    assert tasks == 4


def _written_due_now(target: str) -> ProviderCall:
    """A call due now, written in a transaction of its own (what follows its commit run)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return outbox.call_enqueue(
            provider="shipbob", operation=Operation.SHIPBACK_FREE, target=target
        )


def test_a_call_written_due_now_has_a_message_only_while_few_are_on_their_way(messages, settings):
    settings.SYNC_SEND_AHEAD = 2
    first = _written_due_now("A")
    second = _written_due_now("B")
    third = _written_due_now("C")

    assert [args for _, args, _ in messages] == [(first.pk,), (second.pk,)]
    third.refresh_from_db()
    assert third.enqueued_for is None  # waits for a batch


def test_a_call_written_while_enough_messages_are_on_their_way_goes_with_the_next_task(
    handler, messages, settings
):
    settings.SYNC_SEND_AHEAD = 1
    settings.SYNC_SEND_BATCH = 1  # each task its own call: the late one cannot ride along
    first = _written_due_now("A")
    late = _written_due_now("B")
    assert [args for _, args, _ in messages] == [(first.pk,)]

    tasks = _work(messages)

    assert tasks == 2
    assert handler.seen == [first.pk, late.pk]


def test_a_message_lost_long_ago_no_longer_holds_the_others_back(
    messages, settings, django_capture_on_commit_callbacks
):
    settings.SYNC_SEND_AHEAD = 1
    settings.SYNC_LOST_MESSAGE_AFTER = datetime.timedelta(minutes=2)
    ProviderCallFactory(enqueued_for=timezone.now() - datetime.timedelta(minutes=3))
    waiting = ProviderCallFactory(enqueued_for=None)

    with django_capture_on_commit_callbacks(execute=True):
        assert calls_cover() == 1

    assert [args for _, args, _ in messages] == [(waiting.pk,)]


def test_the_message_of_a_call_held_back_is_spent_and_the_call_goes_with_a_batch(
    handler, messages, settings, django_capture_on_commit_callbacks
):
    settings.SYNC_SEND_AHEAD = 1
    now = timezone.now()
    running = ProviderCallFactory(
        target="R1", state=State.RUNNING, claimed_until=now + datetime.timedelta(minutes=1)
    )
    held_back = ProviderCallFactory(
        target="R1", operation=Operation.SHIPBACK_FREE, enqueued_for=now
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert call_send(call_id=held_back.pk) is None
    held_back.refresh_from_db()
    assert held_back.enqueued_for is None  # no longer counted as on its way
    ProviderCall.objects.filter(pk=running.pk).update(state=State.SUCCEEDED, claimed_until=None)
    with django_capture_on_commit_callbacks(execute=True):
        calls_cover()  # the sweeper's, or the next task's

    _work(messages)
    assert handler.seen == [held_back.pk]


def test_a_push_in_a_batch_costs_a_bounded_number_of_queries(
    shipbob, shipbob_backlog, messages, settings
):
    # The claim, the load and the recording of the answers are shared by the batch: the return
    # orders' ids and states (with their history, events and webhooks), their polls, the calls'
    # outcomes, and once that commits, the calls waiting behind them. A push adds no query of
    # its own: it has no message of its own.
    settings.SYNC_SEND_AHEAD = 1
    two = _queries_to_push(shipbob_backlog(2), messages)
    ten = _queries_to_push(shipbob_backlog(10), messages)  # a batch's size here

    assert ten == two
    assert ReturnOrder.objects.exclude(provider_id="").count() == 12


def test_a_push_on_its_own_costs_a_bounded_number_of_queries(
    shipbob, shipbob_backlog, messages, settings
):
    settings.SYNC_SEND_BATCH = 1
    queries = _queries_to_push(shipbob_backlog(1), messages)

    # Its own (19), and the look for calls waiting for a message (4 or 5 statements, the
    # planner's setting on PostgreSQL included): once it is written (which sends its own),
    # once its task ends.
    assert queries <= 30


# Answers recorded together -------------------------------------------------------------------


class Together:
    """Answers recorded with their batch's: ``answer`` for the handler; ``recorded`` holds the
    parts each call of the recording function was given, ``seen`` the calls' states in the
    database as each call was sent."""

    def __init__(self, calls):
        self.calls, self.recorded, self.seen = calls, [], []

    def record(self, parts):
        self.recorded.append(list(parts))

    def answer(self, call):
        self.seen.append(_states(self.calls))
        return Done({"provider_id": f"P{call.pk}"}, together=(self.record, call.pk))


def test_answers_that_may_wait_are_recorded_together_once_the_batch_is_sent(handler):
    calls = [ProviderCallFactory() for _ in range(3)]
    together = Together(calls)
    handler.answers = [together.answer] * 3

    result = call_send(call_id=calls[0].pk)

    # nothing recorded while the batch was being sent, then all of it at once
    assert together.seen == [[State.RUNNING] * 3] * 3
    assert together.recorded == [[c.pk for c in calls]]
    assert (result.pk, result.state) == (calls[0].pk, State.SUCCEEDED)
    done = ProviderCall.objects.filter(pk__in=[c.pk for c in calls])
    assert {(c.state, c.claimed_until, c.result["provider_id"]) for c in done} == {
        (State.SUCCEEDED, None, f"P{c.pk}") for c in calls
    }
    assert len({c.completed_at for c in done}) == 1


def test_other_answers_are_recorded_before_the_next_call_is_sent(handler):
    calls = [ProviderCallFactory() for _ in range(3)]
    seen = []

    def answer(call):
        seen.append(_states(calls))
        return Done()

    handler.answers = [answer] * 3

    call_send(call_id=calls[0].pk)

    assert seen == [
        [State.RUNNING] * 3,
        [State.SUCCEEDED, State.RUNNING, State.RUNNING],
        [State.SUCCEEDED, State.SUCCEEDED, State.RUNNING],
    ]


def test_answers_recorded_together_wake_the_calls_waiting_behind_each(
    handler, messages, django_capture_on_commit_callbacks
):
    first = ProviderCallFactory(target="R1", operation=Operation.RETURN_ORDER_CREATE)
    second = ProviderCallFactory(target="R2", operation=Operation.RETURN_ORDER_CREATE)
    cancel_1 = ProviderCallFactory(target="R1", operation=Operation.RETURN_ORDER_CANCEL)
    cancel_2 = ProviderCallFactory(target="R2", operation=Operation.RETURN_ORDER_CANCEL)
    later_2 = ProviderCallFactory(
        target="R2", operation=Operation.RETURN_ORDER_CANCEL, idempotency_key="R2:again"
    )
    together = Together([first, second])
    handler.answers = [together.answer] * 2

    with django_capture_on_commit_callbacks(execute=True):
        call_send(call_id=first.pk)

    # each record's next call is sent; the one after it waits for that one
    assert handler.seen == [first.pk, second.pk]
    assert sorted(args for _, args, _ in messages) == [(cancel_1.pk,), (cancel_2.pk,)]
    assert _states([later_2]) == [State.PENDING]


def test_when_one_answer_breaks_a_rule_each_is_recorded_on_its_own(handler):
    calls = [ProviderCallFactory() for _ in range(3)]
    alone = []

    def refuse_together(parts):
        ProviderCall.objects.filter(pk__in=parts).update(last_error="half written")
        raise DomainError("One of them breaks a rule.", code="REFUSED")

    def answer(call):
        def record():
            if call.pk == calls[1].pk:
                raise DomainError("This return order was cancelled here.", code="REFUSED")
            alone.append(call.pk)

        return Done({"provider_id": f"P{call.pk}"}, record, (refuse_together, call.pk))

    handler.answers = [answer] * 3

    call_send(call_id=calls[0].pk)

    assert alone == [calls[0].pk, calls[2].pk]
    assert _states(calls) == [State.SUCCEEDED, State.FAILED, State.SUCCEEDED]
    refused = ProviderCall.objects.get(pk=calls[1].pk)
    assert refused.last_error == (
        "Recording the answer was refused: This return order was cancelled here."
    )
    assert not ProviderCall.objects.filter(last_error="half written").exists()


def test_a_call_cancelled_or_taken_over_while_its_batch_ran_keeps_that_state(handler):
    calls = [ProviderCallFactory() for _ in range(3)]
    together = Together(calls)

    def meanwhile(call):
        ProviderCall.objects.filter(pk=calls[0].pk).update(state=State.CANCELLED)
        ProviderCall.objects.filter(pk=calls[1].pk).update(attempts=2)  # another worker's now
        return together.answer(call)

    handler.answers = [together.answer, together.answer, meanwhile]

    call_send(call_id=calls[0].pk)

    # the cancelled one brings nothing; the one taken over brings its answer (a remote id is
    # never lost) and leaves its state to the other attempt
    assert together.recorded == [[calls[1].pk, calls[2].pk]]
    assert _states(calls) == [State.CANCELLED, State.RUNNING, State.SUCCEEDED]
    assert "provider_id" not in ProviderCall.objects.get(pk=calls[1].pk).result


def test_answers_held_when_the_task_s_time_limit_strikes_are_recorded(handler):
    calls = [ProviderCallFactory() for _ in range(3)]
    together = Together(calls)
    handler.answers = [together.answer, SoftTimeLimitExceeded()]

    call_send(call_id=calls[0].pk)

    assert together.recorded == [[calls[0].pk]]
    assert _states(calls) == [State.SUCCEEDED, State.PENDING, State.PENDING]


def test_shipbob_creates_recorded_together_leave_what_each_would_alone(
    shipbob, shipbob_backlog, messages, settings
):
    # given: an integrator listening, one push alone and three in a batch
    hook = WebhookEndpoint.objects.create(url="https://hooks.example.com/ro")
    settings.SYNC_SEND_BATCH = 1
    alone = shipbob_backlog(1)
    _work(messages)
    settings.SYNC_SEND_BATCH, settings.SYNC_SEND_AHEAD = 10, 1
    batch = shipbob_backlog(3)
    assert _work(messages) == 1

    # then: the same records for each
    def written(call):
        return_order = ReturnOrder.objects.get(pk=call.return_order_id)
        events = list(return_order.events.values_list("from_state", "to_state", "actor", "note"))
        history = list(
            return_order.history.order_by("history_date").values_list("history_type", "state")
        )
        poll = ProviderCall.objects.get(
            target=return_order.reference, operation=Operation.RETURN_ORDER_POLL
        )
        deliveries = sorted(
            (delivery.event, json.loads(delivery.body)["data"]["state"])
            for delivery in WebhookDelivery.objects.filter(endpoint=hook)
            if json.loads(delivery.body)["data"]["reference"] == return_order.reference
        )
        call.refresh_from_db()
        return {
            "state": return_order.state,
            "provider_id": bool(return_order.provider_id),
            "events": events,
            "history": history,
            "poll": (poll.state, poll.deadline is not None, poll.next_attempt_at > timezone.now()),
            "webhooks": deliveries,
            "call": (call.state, call.result["provider_id"] == return_order.provider_id),
        }

    expected = written(alone[0])
    assert expected["state"] == ReturnOrder.State.AWAITING_ARRIVAL
    assert expected["events"][-1] == (
        "new",
        "awaiting_arrival",
        "provider:shipbob",
        "Awaiting Arrival",
    )
    assert [written(call) for call in batch] == [expected] * 3


def test_a_return_order_deleted_while_its_batch_ran_leaves_the_others_recorded(
    http, shipbob_backlog
):
    first, second = shipbob_backlog(2)
    ids = itertools.count(700001)

    def created(request):
        if json.loads(request.body)["reference_id"] == second.target:
            ReturnOrder.objects.filter(pk=first.return_order_id).delete()
        answer = load_payload("shipbob/return_created.json")
        answer.update(id=next(ids), reference_id=json.loads(request.body)["reference_id"])
        return 201, {}, json.dumps(answer)

    http.add_callback(responses.POST, RETURNS, callback=created)

    call_send(call_id=first.pk)

    assert _states([first, second]) == [State.SUCCEEDED, State.SUCCEEDED]
    kept = ReturnOrder.objects.get(pk=second.return_order_id)
    assert (kept.state, kept.provider_id) == (ReturnOrder.State.AWAITING_ARRIVAL, "700002")
    assert not ProviderCall.objects.filter(
        target=first.target, operation=Operation.RETURN_ORDER_POLL
    ).exists()
