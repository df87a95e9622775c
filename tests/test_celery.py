"""The Celery app: what beat schedules exists, and the worker runs tasks one at a time."""

import pytest

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
