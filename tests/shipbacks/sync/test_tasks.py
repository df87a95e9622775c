"""The sync's Celery tasks: thin, acknowledged late, and the sweeper on the beat schedule."""

import datetime

import pytest
from django.utils import timezone

from returns_portal.celery import app
from shipbacks import tasks
from shipbacks.models import InboundEvent, ProviderCall
from tests.factories import InboundEventFactory, ProviderCallFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "task",
    [tasks.send_provider_call, tasks.sweep_provider_calls, tasks.process_inbound_event],
    ids=lambda task: task.name,
)
def test_sync_tasks_are_acknowledged_after_they_ran(task):
    # A worker killed mid-task leaves its message to be delivered again: they are idempotent.
    assert task.acks_late is True


def test_the_sweeper_runs_on_the_beat_at_the_configured_interval(settings):
    entry = app.conf.beat_schedule["sweep-provider-calls"]

    assert entry["task"] == "shipbacks.tasks.sweep_provider_calls"
    assert entry["schedule"] == settings.SYNC_SWEEP_INTERVAL


def test_the_sweep_task_sends_due_calls_and_webhooks_whose_task_was_lost(
    messages, settings, django_capture_on_commit_callbacks
):
    settings.SYNC_LOST_MESSAGE_AFTER = datetime.timedelta(minutes=2)
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    call = ProviderCallFactory(next_attempt_at=long_ago)
    event = InboundEventFactory()
    InboundEvent.objects.filter(pk=event.pk).update(received_at=long_ago)
    InboundEventFactory(state=InboundEvent.State.PROCESSED)

    with django_capture_on_commit_callbacks(execute=True):
        swept = tasks.sweep_provider_calls()

    assert swept == 1
    assert sorted(messages) == sorted(
        [
            ("shipbacks.tasks.send_provider_call", (call.pk,), None),
            ("shipbacks.tasks.process_inbound_event", (event.pk,), None),
        ]
    )


def test_the_send_task_makes_one_attempt(messages, monkeypatch):
    from shipbacks.services.sync import sending
    from shipbacks.services.sync.outbox import Done

    call = ProviderCallFactory()
    monkeypatch.setattr(sending, "_handler", lambda operation: lambda c: Done({"ok": True}))

    tasks.send_provider_call(call.pk)
    tasks.send_provider_call(call.pk)  # delivered twice: nothing more

    call.refresh_from_db()
    assert (call.state, call.attempts) == (ProviderCall.State.SUCCEEDED, 1)
