"""Background work of the shipbacks app, run in-process."""

import datetime

import pytest
from django.utils import timezone

from shipbacks.models import Shipback
from shipbacks.tasks import cancel_abandoned_shipbacks
from tests.factories import shipback_in_state

pytestmark = pytest.mark.django_db


def _touched_hours_ago(shipback, hours: int) -> None:
    Shipback.objects.filter(pk=shipback.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=hours)
    )


@pytest.mark.parametrize(("after_hours", "cancelled"), [(3, 1), (5, 0)])
def test_cancelling_abandoned_shipbacks_uses_the_configured_delay(settings, after_hours, cancelled):
    # given
    settings.RETURNS_ABANDONED_SHIPBACK_AFTER = datetime.timedelta(hours=after_hours)
    stale = shipback_in_state(Shipback.State.CREATED)
    _touched_hours_ago(stale, 4)

    # when
    result = cancel_abandoned_shipbacks.apply()

    # then
    assert result.successful()
    assert result.get() == cancelled
    expected = Shipback.State.CANCELLED if cancelled else Shipback.State.CREATED
    assert Shipback.objects.get(pk=stale.pk).state == expected


def test_cancelling_abandoned_shipbacks_leaves_registered_and_recent_ones(settings):
    # given
    settings.RETURNS_ABANDONED_SHIPBACK_AFTER = datetime.timedelta(hours=72)
    stale = shipback_in_state(Shipback.State.CREATED)
    registered = shipback_in_state(Shipback.State.REGISTERED)
    recent = shipback_in_state(Shipback.State.CREATED)
    _touched_hours_ago(stale, 100)
    _touched_hours_ago(registered, 100)

    # when
    count = cancel_abandoned_shipbacks()

    # then
    assert count == 1
    assert dict(Shipback.objects.values_list("pk", "state")) == {
        stale.pk: "cancelled",
        registered.pk: "registered",
        recent.pk: "created",
    }


def test_the_task_is_acknowledged_after_it_ran():
    # A worker killed mid-run leaves the message to be delivered again: the task is idempotent.
    assert cancel_abandoned_shipbacks.acks_late is True
    assert cancel_abandoned_shipbacks.name == "shipbacks.tasks.cancel_abandoned_shipbacks"
