"""Timed steps: enqueued with a countdown, taken by a task that re-schedules itself, never
waited for; and taken on read when no worker ran."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from shipbacks.providers.sandbox import kibo, shipbob, tasks
from shipbacks.providers.sandbox.models import KiboReturn, OutgoingWebhook, ShipBobReturn

RETURN = {
    "fulfillment_center": {"id": 8},
    "inventory": [{"id": 20150, "quantity": 1, "requested_action": "Default"}],
    "reference_id": "ROK7Q2M9XA",
}


class Clock:
    """The time every ``timezone.now()`` reads, moved on by the test only: countdowns are
    exact, however long the machine takes to run the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def shipbob_return(settings, clock):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 60
    settings.SHIPBOB_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    return shipbob.create_return(RETURN, channel_id=1)


def timers(enqueued) -> list[tuple]:
    return [(args, countdown) for name, args, countdown in enqueued if name.endswith("record")]


def test_a_new_return_s_first_step_is_enqueued_for_when_it_is_due(shipbob_return, enqueued):
    [(args, countdown)] = timers(enqueued)

    assert args == ("shipbobreturn", str(shipbob_return.pk))
    assert countdown == 60


def test_the_task_does_nothing_before_the_step_is_due_but_looks_again(
    shipbob_return, enqueued, clock
):
    clock.advance(20)
    enqueued.clear()

    tasks.advance_sandbox_record("shipbobreturn", str(shipbob_return.pk))

    shipbob_return.refresh_from_db()
    assert shipbob_return.state == ShipBobReturn.State.AWAITING_ARRIVAL
    [(_, countdown)] = timers(enqueued)
    assert countdown == 40  # when the step falls due, not a whole step from now


def test_the_task_takes_the_due_step_sends_its_webhook_and_waits_for_the_next(
    shipbob_return, enqueued, clock
):
    created_at = clock.now
    clock.advance(61)  # the worker runs a second after the step fell due
    enqueued.clear()

    tasks.advance_sandbox_record("shipbobreturn", str(shipbob_return.pk))

    shipbob_return.refresh_from_db()
    assert shipbob_return.state == ShipBobReturn.State.ARRIVED
    assert shipbob_return.state_changed_at == created_at + timedelta(seconds=60)
    assert OutgoingWebhook.objects.filter(event="return.updated").count() == 1
    [(_, countdown)] = timers(enqueued)
    # The next step is due a step after this one fell due, not after the worker took it.
    assert countdown == 59


def test_steps_missed_while_no_worker_ran_are_all_taken_each_at_its_own_time(
    shipbob_return, enqueued, clock
):
    clock.advance(200)
    enqueued.clear()

    tasks.advance_sandbox_record("shipbobreturn", str(shipbob_return.pk))

    shipbob_return.refresh_from_db()
    history = shipbob_return.body["history"]
    assert shipbob_return.state == ShipBobReturn.State.COMPLETED
    assert [entry["status"] for entry in history] == [
        "AwaitingArrival",
        "Arrived",
        "Processing",
        "Completed",
    ]
    assert history[1]["timestamp"] < history[2]["timestamp"] < history[3]["timestamp"]
    assert timers(enqueued) == []  # nothing left to wait for


def test_a_long_step_is_looked_at_again_within_the_broker_s_longest_countdown(settings, enqueued):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3 * 3600
    settings.TASK_MAX_COUNTDOWN = timedelta(minutes=5)

    kibo.create_return(1, 2, {"item": [{"orderItemID": 0, "quantity": 1}]})

    [(_, countdown)] = timers(enqueued)
    assert countdown == 300


def test_a_record_gone_meanwhile_is_forgotten(enqueued):
    tasks.advance_sandbox_record("kiboreturn", "4242")

    assert timers(enqueued) == []


def test_reading_a_record_takes_its_due_steps_without_any_worker(settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 60
    record = kibo.create_return(1, 2, {"item": [{"orderItemID": 0, "quantity": 1}]})
    KiboReturn.objects.filter(pk=record.pk).update(
        state_changed_at=timezone.now() - timedelta(seconds=90)
    )

    assert kibo.current(record.pk).state == KiboReturn.State.PROCESSING
