"""The Celery app: what beat schedules exists, and the worker runs tasks one at a time."""

import json
import time

import pytest
from django.db import connection

from returns_portal.celery import app


@pytest.fixture(scope="module")
def registered_tasks():
    app.loader.import_default_modules()
    return set(app.tasks)


def test_the_beat_schedule_is_not_empty():
    assert "cancel-abandoned-shipbacks" in app.conf.beat_schedule


@pytest.mark.parametrize("entry", sorted(app.conf.beat_schedule), ids=lambda name: name)
def test_every_scheduled_task_is_a_registered_task(entry, registered_tasks):
    assert app.conf.beat_schedule[entry]["task"] in registered_tasks


def test_abandoned_shipbacks_are_looked_for_every_quarter_of_an_hour():
    entry = app.conf.beat_schedule["cancel-abandoned-shipbacks"]

    assert entry["task"] == "shipbacks.tasks.cancel_abandoned_shipbacks"
    assert entry["schedule"] == 15 * 60


def test_the_worker_takes_one_message_at_a_time():
    assert app.conf.worker_prefetch_multiplier == 1


WEBHOOK_TASKS = ["shipbacks.tasks.process_inbound_event", "returns_portal.tasks.deliver_webhook"]


@pytest.mark.parametrize("task", WEBHOOK_TASKS)
def test_webhook_tasks_go_to_a_queue_of_their_own(task, registered_tasks):
    assert task in registered_tasks
    assert app.amqp.router.route({}, task)["queue"].name == "webhooks"


@pytest.mark.parametrize(
    "task", ["shipbacks.tasks.send_provider_call", "returns_portal.csvio.tasks.run_import"]
)
def test_the_backlog_goes_to_the_default_queue(task, registered_tasks):
    assert task in registered_tasks
    assert app.amqp.router.route({}, task)["queue"].name == "celery"


@pytest.mark.parametrize(
    "task",
    [
        "shipbacks.providers.sandbox.tasks.advance_sandbox_record",
        "shipbacks.providers.sandbox.tasks.send_sandbox_webhook",
    ],
)
def test_the_sandboxs_tasks_go_to_its_own_queue(task, registered_tasks):
    assert task in registered_tasks
    assert app.amqp.router.route({}, task)["queue"].name == "sandbox"


def test_a_worker_started_without_queues_consumes_them_all():
    assert set(app.amqp.queues) == {"celery", "webhooks", "sandbox"}


def test_each_queue_is_bound_under_its_own_name():
    # Left to the default, all three are bound to the exchange under one key, "celery": a
    # message sent to the exchange under that key would be copied into each (RabbitMQ's direct
    # exchange). Celery sends a task straight to its queue by name, so it makes no copies itself.
    keys = {name: queue.routing_key for name, queue in app.amqp.queues.items()}

    assert keys == {"celery": "celery", "webhooks": "webhooks", "sandbox": "sandbox"}


def test_tasks_keep_no_results():
    assert app.conf.task_ignore_result is True


def test_tasks_have_a_soft_and_a_hard_time_limit():
    soft, hard = app.conf.task_soft_time_limit, app.conf.task_time_limit

    assert soft is not None
    assert hard is not None
    assert 0 < soft < hard


def test_tasks_travel_as_json_only():
    assert app.conf.task_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_the_worker_leaves_the_root_logger_to_django():
    assert app.conf.worker_hijack_root_logger is False


@pytest.mark.parametrize("entry", sorted(app.conf.beat_schedule), ids=lambda name: name)
def test_a_beat_message_expires_once_the_next_one_is_sent(entry):
    # A worker busy or down for a while runs a periodic task once, not once per message that
    # piled up meanwhile.
    schedule = app.conf.beat_schedule[entry]

    assert 0 < schedule["options"]["expires"] <= schedule["schedule"]


SHOW_BROKER_TIMINGS = """
import json
from django.conf import settings
print(json.dumps({
    "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
    "longest_countdown": settings.TASK_MAX_COUNTDOWN.total_seconds(),
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "claim_lease": settings.SYNC_CLAIM_LEASE.total_seconds(),
    "batch_budget": settings.SYNC_SEND_BATCH_SECONDS.total_seconds(),
}))
"""


def _broker_timings(tmp_path) -> dict:
    """The defaults, as a production process with Redis reads them."""
    from tests.test_settings import _run

    result = _run(["-c", SHOW_BROKER_TIMINGS], tmp_path, CELERY_BROKER_URL="redis://cache:6379/0")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_task_message_waits_long_enough_for_redis_to_deliver_it_twice(tmp_path):
    # Redis hands an unacknowledged message to another worker after the visibility timeout.
    # A message with a countdown stays unacknowledged from its delivery until its task ends
    # (acks_late): the longest countdown (polls, retries, the sandbox's timers) plus the task's
    # hard time limit must end before. Longer waits are left to the sweepers.
    seen = _broker_timings(tmp_path)

    assert seen["longest_countdown"] + seen["time_limit"] < seen["visibility_timeout"]


def test_a_batch_of_provider_calls_ends_within_the_lease_of_its_calls(tmp_path):
    # A batch starts its last call well before the task's soft time limit, and the task is
    # killed at its hard limit, before the lease of the calls it claimed runs out: no other
    # worker takes a call this one may still be sending.
    seen = _broker_timings(tmp_path)

    assert seen["batch_budget"] < seen["soft_time_limit"] / 2
    assert seen["soft_time_limit"] < seen["time_limit"] < seen["claim_lease"]


def _run_tasks_as_a_worker(count: int) -> None:
    """What a worker does around each task for the database: Celery's Django fixup, then our
    handlers, before and after it."""
    from celery.fixups.django import DjangoWorkerFixup
    from celery.signals import task_postrun, task_prerun

    from shipbacks.tasks import sweep_provider_calls as task

    fixup = DjangoWorkerFixup(app)
    for _ in range(count):
        fixup.on_task_prerun(sender=task)
        task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        task_postrun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
        fixup.on_task_postrun(sender=task)


@pytest.fixture
def real_connection():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("An in-memory SQLite connection is never closed: nothing to check.")


@pytest.mark.django_db(transaction=True)
def test_tasks_keep_their_database_connection_from_one_to_the_next(real_connection):
    # Opening one (a PostgreSQL backend forked, its caches cold) costs more than most tasks.
    connection.ensure_connection()
    opened = connection.connection

    _run_tasks_as_a_worker(20)

    assert connection.connection is opened


@pytest.mark.django_db(transaction=True)
def test_a_connection_past_its_max_age_is_closed_around_a_task(real_connection):
    connection.ensure_connection()
    opened = connection.connection
    connection.close_at = time.monotonic() - 1  # CONN_MAX_AGE is over

    _run_tasks_as_a_worker(1)

    assert connection.connection is None or connection.connection is not opened
