"""The outbox: calls written with their change, claimed once, retried with backoff, swept."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from shipbacks.models import ProviderCall
from shipbacks.providers import ProviderRejected, ProviderUnavailable
from shipbacks.services import ReturnedItemData, shipback_create
from shipbacks.services.sync import outbox, sending
from shipbacks.services.sync.outbox import Again, Done, backoff_delay, call_send
from shipbacks.services.sync.recovery import calls_sweep
from tests.factories import OrderItemFactory, ProviderCallFactory, ReturnReasonFactory

pytestmark = pytest.mark.django_db

State = ProviderCall.State
Operation = ProviderCall.Operation
SEND = "shipbacks.tasks.send_provider_call"


def _at_once(function, *, times: int) -> list:
    """``function()`` run by ``times`` threads started together, each on its own database
    connection; their results (any exception is raised here)."""
    barrier = threading.Barrier(times)
    results, failures = [], []

    def run():
        try:
            barrier.wait()
            results.append(function())
        except Exception as exc:  # raised below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results


def _create_shipback(actor):
    item = OrderItemFactory()
    return shipback_create(
        order=item.order,
        items=[ReturnedItemData(order_item=item, reason=ReturnReasonFactory())],
        actor=actor,
    )


def test_a_change_writes_its_call_and_sends_the_task_only_after_commit(
    actor, messages, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        shipback = _create_shipback(actor)
        sent_before_commit = list(messages)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    # then
    call = ProviderCall.objects.get(target=shipback.rma)
    assert (call.provider, call.operation, call.state) == (
        "shoprunback",
        Operation.SHIPBACK_CREATE,
        State.PENDING,
    )
    assert call.shipback == shipback
    assert call.idempotency_key == f"shoprunback:{shipback.rma}:create"
    assert sent_before_commit == []
    assert messages == [(SEND, (call.pk,), None)]  # due now: no message ahead of it


def test_a_change_rolled_back_takes_its_call_with_it(actor, messages):
    written = []

    def change_then_fail():
        with transaction.atomic():
            _create_shipback(actor)
            written.append(ProviderCall.objects.count())
            raise RuntimeError("the change fails after the call was written")

    with pytest.raises(RuntimeError):
        change_then_fail()

    assert written == [1]
    assert ProviderCall.objects.count() == 0
    assert messages == []


def test_a_call_with_an_existing_idempotency_key_is_not_written_twice(
    messages, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.call_enqueue(
            provider="shipbob", operation=Operation.RETURN_ORDER_CREATE, target="RO1", key="k1"
        )
    first_messages = list(messages)

    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(2):
        again = outbox.call_enqueue(
            provider="shipbob", operation=Operation.RETURN_ORDER_CREATE, target="RO1", key="k1"
        )

    assert again.pk == first.pk
    assert ProviderCall.objects.count() == 1
    assert first_messages == [(SEND, (first.pk,), None)]
    assert messages == first_messages  # none for the call already written


def test_a_new_keyed_call_is_inserted_and_read_back_without_a_savepoint(
    django_assert_num_queries,
):
    with django_assert_num_queries(2):  # insert unless the key is taken, read back
        call = outbox.call_enqueue(
            provider="shipbob", operation=Operation.RETURN_ORDER_POLL, target="RO1", key="k2"
        )

    assert call.pk == ProviderCall.objects.get(idempotency_key="k2").pk
    assert call.state == State.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_keyed_call_written_by_concurrent_transactions_is_written_once(messages):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite writes one transaction at a time: nothing to race.")

    def write():
        with transaction.atomic():
            return outbox.call_enqueue(
                provider="shipbob",
                operation=Operation.RETURN_ORDER_CREATE,
                target="RO7",
                key="shipbob:RO7:create",
            ).pk

    returned = _at_once(write, times=6)

    written = ProviderCall.objects.get(idempotency_key="shipbob:RO7:create")
    assert returned == [written.pk] * 6
    assert messages == [(SEND, (written.pk,), None)]  # sent once, after the one that wrote it


def test_a_call_without_idempotency_key_is_written_without_looking_for_one(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):  # the insert: nothing read first, no savepoint
        first = outbox.call_enqueue(
            provider="shipbob", operation=Operation.RETURN_ORDER_POLL, target="RO1"
        )
    again = outbox.call_enqueue(
        provider="shipbob", operation=Operation.RETURN_ORDER_POLL, target="RO1"
    )

    assert again.pk != first.pk
    assert first.idempotency_key != again.idempotency_key


def test_nothing_is_written_while_sync_is_paused(actor):
    with outbox.sync_paused():
        _create_shipback(actor)

    assert ProviderCall.objects.count() == 0


def test_a_successful_call_is_recorded_with_what_it_brings(handler):
    call = ProviderCallFactory()
    recorded = []
    handler.answers = [Done({"provider_id": "42"}, lambda: recorded.append(True))]

    result = call_send(call_id=call.pk)

    assert result.state == State.SUCCEEDED
    assert result.result == {"provider_id": "42"}
    assert result.attempts == 1
    assert result.completed_at is not None
    assert result.claimed_until is None
    assert recorded == [True]


def test_a_call_not_due_yet_is_not_sent(handler):
    call = ProviderCallFactory(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))

    assert call_send(call_id=call.pk) is None
    assert handler.seen == []


def test_a_running_call_within_its_lease_is_not_taken_twice(handler):
    call = ProviderCallFactory(
        state=State.RUNNING, claimed_until=timezone.now() + datetime.timedelta(minutes=1)
    )

    assert call_send(call_id=call.pk) is None
    assert handler.seen == []


def test_a_finished_call_is_never_sent_again(handler):
    call = ProviderCallFactory(state=State.SUCCEEDED)

    assert call_send(call_id=call.pk) is None
    assert handler.seen == []


def test_a_transient_failure_comes_back_pending_after_a_backoff(
    handler, messages, django_capture_on_commit_callbacks
):
    call = ProviderCallFactory()
    handler.answers = [ProviderUnavailable("Shippingbo", "POST answered 503", status=503)]
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        result = call_send(call_id=call.pk)
    elapsed = (timezone.now() - before).total_seconds()

    assert result.state == State.PENDING
    assert result.failures == 1
    assert result.last_status == 503
    assert result.last_error == "POST answered 503"
    # the first delay is the base (2 s here), jittered within its upper half
    wait = (result.next_attempt_at - before).total_seconds()
    assert 1 <= wait <= 3
    assert messages[-1][0] == SEND
    # counted down from when the outcome was recorded, a few milliseconds after ``before``
    assert 1 - elapsed <= messages[-1][2] <= 2


def test_retry_after_is_honoured(handler, messages, django_capture_on_commit_callbacks):
    call = ProviderCallFactory()
    handler.answers = [ProviderUnavailable("Shippingbo", "429", status=429, retry_after=45)]
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        result = call_send(call_id=call.pk)

    assert (result.next_attempt_at - before).total_seconds() >= 45
    assert messages[-1][2] >= 44


def test_a_refusal_fails_at_once_with_the_providers_message(handler):
    call = ProviderCallFactory()
    handler.answers = [
        ProviderRejected(
            "ShipBob",
            "Invalid request",
            status=422,
            code="INVALID",
            field_errors={"fulfillment_center.id": ["Unknown."]},
        )
    ]

    result = call_send(call_id=call.pk)

    assert result.state == State.FAILED
    assert result.last_error == "Invalid request"
    assert result.last_status == 422
    assert result.error_details == {
        "code": "INVALID",
        "field_errors": {"fulfillment_center.id": ["Unknown."]},
    }


def test_transient_failures_stop_at_the_retry_bound(handler, settings):
    settings.SYNC_MAX_RETRIES = 2
    call = ProviderCallFactory()
    handler.answers = [ProviderUnavailable("Shippingbo", f"timeout {n}") for n in range(5)]

    for _ in range(3):
        ProviderCall.objects.filter(pk=call.pk).update(next_attempt_at=timezone.now())
        result = call_send(call_id=call.pk)

    assert result.state == State.FAILED
    assert result.attempts == 3
    assert result.last_error == "Gave up after 2 transient failures in a row: timeout 2"


def test_backoff_doubles_up_to_its_cap_with_jitter(settings):
    settings.SYNC_RETRY_BASE_DELAY = datetime.timedelta(seconds=10)
    settings.SYNC_RETRY_MAX_DELAY = datetime.timedelta(seconds=100)

    delays = {n: {backoff_delay(n).total_seconds() for _ in range(50)} for n in (1, 2, 3, 8)}

    assert all(5 <= d <= 10 for d in delays[1])
    assert all(10 <= d <= 20 for d in delays[2])
    assert all(20 <= d <= 40 for d in delays[3])
    assert all(50 <= d <= 100 for d in delays[8])
    assert len(delays[8]) > 1  # jitter: not all the same
    assert backoff_delay(1, retry_after=300).total_seconds() == 300


def test_a_wait_longer_than_the_task_countdown_limit_is_left_to_the_sweeper(
    handler, messages, settings
):
    settings.TASK_MAX_COUNTDOWN = datetime.timedelta(seconds=30)
    call = ProviderCallFactory()
    handler.answers = [ProviderUnavailable("ShipBob", "429", status=429, retry_after=600)]

    result = call_send(call_id=call.pk)

    assert result.state == State.PENDING
    assert result.enqueued_for is None
    assert [m for m in messages if m[1] == (call.pk,)] == []
    # due later: the sweeper sends it then
    assert calls_sweep(now=result.next_attempt_at + datetime.timedelta(seconds=1)) == 1


def test_a_poll_comes_back_after_its_interval_then_fails_at_its_deadline(handler):
    deadline = timezone.now() + datetime.timedelta(minutes=2)
    call = ProviderCallFactory(operation=Operation.RETURN_ORDER_POLL, deadline=deadline)
    handler.answers = [Again(datetime.timedelta(seconds=30)), Again(datetime.timedelta(seconds=30))]

    first = call_send(call_id=call.pk)
    ProviderCall.objects.filter(pk=call.pk).update(
        next_attempt_at=timezone.now(), deadline=timezone.now()
    )
    second = call_send(call_id=call.pk)

    assert first.state == State.PENDING
    assert first.failures == 0
    assert second.state == State.FAILED
    assert second.last_error.startswith("Deadline passed")


def test_calls_on_one_record_run_in_the_order_they_were_written(
    handler, messages, django_capture_on_commit_callbacks, settings
):
    settings.SYNC_SEND_BATCH = 1  # each call by its own task (batches: test_batches.py)
    first = ProviderCallFactory(target="R1", operation=Operation.SHIPBACK_CREATE)
    second = ProviderCallFactory(target="R1", operation=Operation.SHIPBACK_FREE)
    other = ProviderCallFactory(target="R2", operation=Operation.SHIPBACK_FREE)

    held_back = call_send(call_id=second.pk)
    independent = call_send(call_id=other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        call_send(call_id=first.pk)

    assert held_back is None
    assert independent.state == State.SUCCEEDED
    assert handler.seen == [other.pk, first.pk]
    assert (SEND, (second.pk,), 0.0) in messages  # woken when the first ended
    assert call_send(call_id=second.pk).state == State.SUCCEEDED


def test_a_call_written_while_the_one_before_it_is_at_the_provider_is_sent_when_it_ends(
    handler, messages, django_capture_on_commit_callbacks, settings
):
    settings.SYNC_SEND_BATCH = 1
    first = ProviderCallFactory(target="R4", operation=Operation.SHIPBACK_CREATE)
    written = []

    def meanwhile(call):
        # another request writes a call on the same record while this one is being sent
        written.append(ProviderCallFactory(target="R4", operation=Operation.SHIPBACK_FREE))
        return Done()

    handler.answers = [meanwhile]
    with django_capture_on_commit_callbacks(execute=True):
        call_send(call_id=first.pk)

    assert (SEND, (written[0].pk,), 0.0) in messages


def test_a_call_written_while_the_answer_before_it_is_recorded_is_sent_when_that_commits(
    handler, messages, django_capture_on_commit_callbacks, settings
):
    settings.SYNC_SEND_BATCH = 1
    first = ProviderCallFactory(target="R5", operation=Operation.SHIPBACK_CREATE)
    written = []

    def record():
        # after the call was locked to record its answer, before that commits
        written.append(ProviderCallFactory(target="R5", operation=Operation.SHIPBACK_FREE))

    handler.answers = [Done(record=record)]
    with django_capture_on_commit_callbacks(execute=True):
        call_send(call_id=first.pk)

    assert (SEND, (written[0].pk,), 0.0) in messages


def test_a_poll_does_not_hold_back_the_calls_after_it(handler):
    ProviderCallFactory(target="RO9", operation=Operation.RETURN_ORDER_POLL)
    cancel = ProviderCallFactory(target="RO9", operation=Operation.RETURN_ORDER_CANCEL)

    assert call_send(call_id=cancel.pk).state == State.SUCCEEDED


def test_a_failed_call_does_not_hold_back_the_calls_after_it(handler):
    ProviderCallFactory(target="R3", operation=Operation.SHIPBACK_CREATE, state=State.FAILED)
    free = ProviderCallFactory(target="R3", operation=Operation.SHIPBACK_FREE)

    assert call_send(call_id=free.pk).state == State.SUCCEEDED


def test_the_sweeper_sends_due_calls_whose_message_was_lost_or_never_sent(
    messages, settings, django_capture_on_commit_callbacks
):
    settings.SYNC_LOST_MESSAGE_AFTER = datetime.timedelta(minutes=2)
    now = timezone.now()
    due = now - datetime.timedelta(minutes=10)
    never_sent = ProviderCallFactory(enqueued_for=None, next_attempt_at=due)
    lost = ProviderCallFactory(enqueued_for=due, next_attempt_at=due)
    on_its_way = ProviderCallFactory(
        enqueued_for=now - datetime.timedelta(seconds=10), next_attempt_at=due
    )
    not_due = ProviderCallFactory(next_attempt_at=now + datetime.timedelta(minutes=1))
    done = ProviderCallFactory(state=State.SUCCEEDED, next_attempt_at=due)

    with django_capture_on_commit_callbacks(execute=True):
        swept = calls_sweep(now=now)

    sent = {args[0] for name, args, _ in messages if name == SEND}
    assert swept == 2
    assert sent == {never_sent.pk, lost.pk}
    assert {on_its_way.pk, not_due.pk, done.pk}.isdisjoint(sent)
    # marked as sent: the next sweep leaves them alone
    assert calls_sweep(now=now) == 0


def test_a_call_abandoned_by_a_killed_worker_is_taken_again_after_its_lease(handler, messages):
    now = timezone.now()
    abandoned = ProviderCallFactory(
        state=State.RUNNING, attempts=1, claimed_until=now - datetime.timedelta(seconds=1)
    )

    assert calls_sweep(now=now) == 1
    result = call_send(call_id=abandoned.pk)

    assert result.state == State.SUCCEEDED
    assert result.attempts == 2
    assert result.result["abandoned_attempts"] == 1


def test_a_call_abandoned_again_and_again_is_given_up(handler, settings):
    settings.SYNC_MAX_RETRIES = 2
    call = ProviderCallFactory(
        state=State.RUNNING,
        attempts=3,
        claimed_until=timezone.now() - datetime.timedelta(seconds=1),
        result={"abandoned_attempts": 2},
    )

    assert call_send(call_id=call.pk) is None

    call.refresh_from_db()
    assert call.state == State.FAILED
    assert call.last_error == "Abandoned by its worker 3 times: given up."
    assert handler.seen == []


def test_an_unexpected_error_fails_the_call_with_its_message(handler):
    call = ProviderCallFactory()
    handler.answers = [ValueError("Invalid URL 'x': No scheme supplied")]

    result = call_send(call_id=call.pk)

    assert result.state == State.FAILED
    assert result.last_error == "Unexpected error: ValueError: Invalid URL 'x': No scheme supplied"


def test_the_answer_of_a_call_cancelled_meanwhile_is_dropped(handler):
    call = ProviderCallFactory(operation=Operation.QUOTES_POLL)
    recorded = []

    def cancel_while_running(running):
        ProviderCall.objects.filter(pk=running.pk).update(state=State.CANCELLED)
        return Done({"quotes": "old"}, lambda: recorded.append(True))

    handler.answers = [cancel_while_running]

    result = call_send(call_id=call.pk)

    assert result.state == State.CANCELLED
    assert recorded == []


def test_rate_limited_calls_wait_for_the_next_minute(handler, settings):
    settings.SYNC_SEND_BATCH = 1  # each call by its own task (batches: test_batches.py)
    settings.SYNC_RATE_LIMITS = {"shippingbo": 2}
    calls = [ProviderCallFactory() for _ in range(3)]

    results = [call_send(call_id=call.pk) for call in calls]

    assert [r.state if r else None for r in results] == [State.SUCCEEDED, State.SUCCEEDED, None]
    held = ProviderCall.objects.get(pk=calls[2].pk)
    assert held.state == State.PENDING
    assert held.attempts == 0
    assert held.next_attempt_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_call_is_claimed_by_one_worker_only_under_concurrency(handler):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip('In-memory SQLite (shared cache) answers "table is locked" to threads.')
    call = ProviderCallFactory()

    claimed = _at_once(lambda: sending._claim(call.pk), times=8)

    winners = [batch for batch in claimed if batch]
    assert len(claimed) == 8
    assert len(winners) == 1
    assert ProviderCall.objects.get(pk=call.pk).attempts == 1


@pytest.mark.parametrize("interval", [1, 60, 300, 301, 3600, 86400])
def test_a_poll_waits_in_the_broker_no_longer_than_the_longest_countdown(
    handler, messages, settings, django_capture_on_commit_callbacks, interval
):
    # A message waiting for its countdown stays unacknowledged: past the broker's visibility
    # timeout, Redis would deliver it twice. Longer waits are left to the sweeper.
    settings.TASK_MAX_COUNTDOWN = datetime.timedelta(seconds=300)
    call = ProviderCallFactory(
        operation=Operation.RETURN_ORDER_POLL,
        deadline=timezone.now() + datetime.timedelta(days=2),
    )
    handler.answers = [Again(datetime.timedelta(seconds=interval))]

    with django_capture_on_commit_callbacks(execute=True):
        result = call_send(call_id=call.pk)

    countdowns = [countdown for _, args, countdown in messages if args == (call.pk,)]
    assert result.state == State.PENDING
    if interval <= 300:
        assert len(countdowns) == 1
        assert interval - 2 <= countdowns[0] <= 300
        assert result.enqueued_for == result.next_attempt_at
    else:
        assert countdowns == []
        assert result.enqueued_for is None
        due = result.next_attempt_at + datetime.timedelta(seconds=1)
        assert calls_sweep(now=due) == 1
