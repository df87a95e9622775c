import pytest

from shipbacks.models import ReturnOrder, Shipback
from tests.factories import return_order_in_state, shipback_in_state

pytestmark = pytest.mark.django_db


def test_shipback_walks_to_relocated_through_events():
    shipback = shipback_in_state(Shipback.State.RELOCATED, items=2)

    assert shipback.state == Shipback.State.RELOCATED
    assert shipback.relocated_at is not None
    assert [e.to_state for e in shipback.events.all()] == Shipback.path("created", "relocated")


def test_return_order_walks_to_completed():
    return_order = return_order_in_state(ReturnOrder.State.COMPLETED, items=1)

    assert return_order.state == ReturnOrder.State.COMPLETED
    assert return_order.completed_at is not None
