"""Every (from, to) pair of every lifecycle.

An allowed change goes through its service, is saved, stamps its milestone and leaves exactly
one event row; any other pair raises InvalidTransition and leaves the row and its timeline as
they were. The lifecycles are written out here on purpose: a change to a model's TRANSITIONS
map has to be made twice to pass, once in the model and once in this specification.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from returns_portal.actors import Actor
from returns_portal.models import InvalidTransition
from shipbacks.models import (
    Quote,
    ReturnedItem,
    ReturnOrder,
    ReturnOrderEvent,
    Shipback,
    ShipbackEvent,
)
from shipbacks.services import (
    quote_record_result,
    return_order_transition,
    returned_item_transition,
    shipback_transition,
)
from tests.factories import (
    QuoteFactory,
    ReturnedItemFactory,
    UserFactory,
    return_order_in_state,
    shipback_in_state,
)

pytestmark = pytest.mark.django_db

ACTOR = Actor.integrator("acme")

SHIPBACK_ALLOWED = {
    "created": {"registering", "registered", "cancelled", "failed"},
    "registering": {"registered", "cancelled", "failed"},
    "registered": {"labelled", "delivering", "delivered", "failed"},
    "labelled": {"delivering", "delivered", "failed"},
    "delivering": {"delivered", "failed"},
    "delivered": {"identified", "relocating", "relocated", "failed"},
    "identified": {"relocating", "relocated", "failed"},
    "relocating": {"relocated", "failed"},
    "relocated": set(),
    "failed": set(),
    "cancelled": set(),
}
SHIPBACK_MILESTONES = {
    state: f"{state}_at" for state in SHIPBACK_ALLOWED if state not in {"created", "registering"}
}

RETURNED_ITEM_ALLOWED = {
    "pending": {"transiting", "relocated", "missing", "error"},
    "transiting": {"relocated", "missing", "error"},
    "missing": {"relocated"},
    "error": {"transiting", "relocated", "missing"},
    "relocated": set(),
}

QUOTE_ALLOWED = {
    "computing": {"available", "unavailable", "failed"},
    "available": set(),
    "unavailable": set(),
    "failed": set(),
}

# A return order is reached through different routes: "in_trouble" before and after arrival
# differ (cancelling is refused once the parcel arrived), so both are starting points.
RETURN_ORDER_ROUTES = {
    "new": [],
    "awaiting_arrival": ["awaiting_arrival"],
    "arrived": ["arrived"],
    "processing": ["arrived", "processing"],
    "completed": ["arrived", "completed"],
    "cancelled": ["cancelled"],
    "in_trouble": ["in_trouble"],
    "in_trouble_after_arrival": ["arrived", "in_trouble"],
}
RETURN_ORDER_ALLOWED = {
    "new": {"awaiting_arrival", "arrived", "cancelled", "in_trouble"},
    "awaiting_arrival": {"arrived", "cancelled", "in_trouble"},
    "arrived": {"processing", "completed", "in_trouble"},
    "processing": {"completed", "in_trouble"},
    "completed": set(),
    "cancelled": set(),
    "in_trouble": {"awaiting_arrival", "arrived", "processing", "cancelled"},
    "in_trouble_after_arrival": {"awaiting_arrival", "arrived", "processing"},
}
RETURN_ORDER_MILESTONES = {
    "arrived": "arrived_at",
    "completed": "completed_at",
    "cancelled": "cancelled_at",
}


def _pairs(starts, states, allowed, *, wanted: bool):
    """One param per (start, to) pair whose allowed-ness is ``wanted``, with a readable id."""
    return [
        pytest.param(start, to, id=f"{start}->{to}")
        for start in starts
        for to in states
        if (to in allowed[start]) is wanted
    ]


def _milestones(model, pk, fields) -> dict:
    return model.objects.values(*fields).get(pk=pk)


def _assert_milestones(model, pk, before: dict, stamped: str | None, since) -> None:
    """``stamped`` (if any) was set at or after ``since``; every other milestone is unchanged."""
    after = _milestones(model, pk, before)
    if stamped:
        assert after.pop(stamped) >= since
        before = {name: value for name, value in before.items() if name != stamped}
    assert after == before


def test_the_written_lifecycles_name_every_state():
    assert set(SHIPBACK_ALLOWED) == set(Shipback.State.values)
    assert set(RETURNED_ITEM_ALLOWED) == set(ReturnedItem.State.values)
    assert set(QUOTE_ALLOWED) == set(Quote.State.values)
    assert set(RETURN_ORDER_ROUTES) - {"in_trouble_after_arrival"} == set(ReturnOrder.State.values)
    assert set(SHIPBACK_MILESTONES.items()) == set(Shipback.MILESTONES.items())
    assert set(RETURN_ORDER_MILESTONES.items()) == set(ReturnOrder.MILESTONES.items())


# Shipbacks.


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    _pairs(SHIPBACK_ALLOWED, Shipback.State.values, SHIPBACK_ALLOWED, wanted=True),
)
def test_an_allowed_shipback_transition_is_saved_stamped_and_recorded(from_state, to_state):
    # given
    shipback = shipback_in_state(from_state)
    events_before = set(shipback.events.values_list("pk", flat=True))
    milestones = _milestones(Shipback, shipback.pk, SHIPBACK_MILESTONES.values())
    started = timezone.now()

    # when
    returned = shipback_transition(shipback_id=shipback.pk, to=to_state, actor=ACTOR)

    # then
    assert returned.state == to_state
    assert Shipback.objects.get(pk=shipback.pk).state == to_state
    new_events = ShipbackEvent.objects.filter(shipback=shipback).exclude(pk__in=events_before)
    assert list(new_events.values_list("from_state", "to_state", "actor", "returned_item")) == [
        (from_state, to_state, "api:acme", None)
    ]
    _assert_milestones(
        Shipback, shipback.pk, milestones, SHIPBACK_MILESTONES.get(to_state), started
    )


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    _pairs(SHIPBACK_ALLOWED, Shipback.State.values, SHIPBACK_ALLOWED, wanted=False),
)
def test_a_forbidden_shipback_transition_is_refused_and_changes_nothing(from_state, to_state):
    # given
    shipback = shipback_in_state(from_state)
    before = Shipback.objects.values().get(pk=shipback.pk)
    event_count = ShipbackEvent.objects.count()

    # when
    with pytest.raises(InvalidTransition) as refused:
        shipback_transition(shipback_id=shipback.pk, to=to_state, actor=ACTOR)

    # then
    assert (refused.value.from_state, refused.value.to_state) == (from_state, to_state)
    assert Shipback.objects.values().get(pk=shipback.pk) == before
    assert ShipbackEvent.objects.count() == event_count


# Returned items.


def returned_item_in_state(state: str) -> ReturnedItem:
    item = ReturnedItemFactory()
    for step in ReturnedItem.path(item.state, state):
        item = returned_item_transition(returned_item_id=item.pk, to=step, actor=Actor.system())
    return item


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    _pairs(RETURNED_ITEM_ALLOWED, ReturnedItem.State.values, RETURNED_ITEM_ALLOWED, wanted=True),
)
def test_an_allowed_returned_item_transition_is_saved_and_recorded(from_state, to_state):
    # given
    item = returned_item_in_state(from_state)
    events_before = set(ShipbackEvent.objects.values_list("pk", flat=True))

    # when
    returned = returned_item_transition(returned_item_id=item.pk, to=to_state, actor=ACTOR)

    # then
    assert returned.state == to_state
    assert ReturnedItem.objects.get(pk=item.pk).state == to_state
    new_events = ShipbackEvent.objects.exclude(pk__in=events_before)
    assert list(
        new_events.values_list("shipback", "returned_item", "from_state", "to_state", "actor")
    ) == [(item.shipback_id, item.pk, from_state, to_state, "api:acme")]
    assert Shipback.objects.get(pk=item.shipback_id).state == Shipback.State.CREATED


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    _pairs(RETURNED_ITEM_ALLOWED, ReturnedItem.State.values, RETURNED_ITEM_ALLOWED, wanted=False),
)
def test_a_forbidden_returned_item_transition_is_refused_and_changes_nothing(from_state, to_state):
    # given
    item = returned_item_in_state(from_state)
    before = ReturnedItem.objects.values().get(pk=item.pk)
    event_count = ShipbackEvent.objects.count()

    # when
    with pytest.raises(InvalidTransition):
        returned_item_transition(returned_item_id=item.pk, to=to_state, actor=ACTOR)

    # then
    assert ReturnedItem.objects.values().get(pk=item.pk) == before
    assert ShipbackEvent.objects.count() == event_count


# Quotes: they only leave "computing", through quote_record_result (no event rows: quotes
# have no timeline of their own).


def quote_in_state(state: str) -> Quote:
    quote = QuoteFactory()
    for step in Quote.path(quote.state, state):
        quote = quote_record_result(quote_id=quote.pk, state=step, price_cents=100)
    return quote


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    _pairs(QUOTE_ALLOWED, Quote.State.values, QUOTE_ALLOWED, wanted=True),
)
def test_a_computing_quote_records_the_result(from_state, to_state):
    # given
    quote = quote_in_state(from_state)
    expires_at = timezone.now() + datetime.timedelta(days=1)
    started = timezone.now()

    # when
    quote_record_result(
        quote_id=quote.pk,
        state=to_state,
        price_cents=590,
        customer_price_cents=290,
        dropoff_points=[{"code": "PUDO1"}],
        pickup_slots=[{"pickup_datetime": "2030-01-01T09:00:00Z", "pickup_duration": 120}],
        provider_reference="Q-42",
        expires_at=expires_at,
    )

    # then
    stored = Quote.objects.get(pk=quote.pk)
    assert stored.state == to_state
    assert (stored.price_cents, stored.customer_price_cents) == (590, 290)
    assert stored.dropoff_points == [{"code": "PUDO1"}]
    assert stored.pickup_slots[0]["pickup_duration"] == 120
    assert stored.provider_reference == "Q-42"
    assert stored.expires_at == expires_at
    assert stored.computed_at >= started


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    _pairs(QUOTE_ALLOWED, Quote.State.values, QUOTE_ALLOWED, wanted=False),
)
def test_a_quote_result_is_refused_unless_the_quote_is_computing(from_state, to_state):
    # given
    quote = quote_in_state(from_state)
    before = Quote.objects.values().get(pk=quote.pk)

    # when
    with pytest.raises(InvalidTransition):
        quote_record_result(quote_id=quote.pk, state=to_state, price_cents=999)

    # then
    assert Quote.objects.values().get(pk=quote.pk) == before


# Return orders.


def return_order_by_route(start: str) -> ReturnOrder:
    return_order = return_order_in_state(ReturnOrder.State.NEW)
    for step in RETURN_ORDER_ROUTES[start]:
        return_order = return_order_transition(
            return_order_id=return_order.pk, to=step, actor=Actor.system()
        )
    return return_order


@pytest.mark.parametrize(
    ("start", "to_state"),
    _pairs(RETURN_ORDER_ROUTES, ReturnOrder.State.values, RETURN_ORDER_ALLOWED, wanted=True),
)
def test_an_allowed_return_order_transition_is_saved_stamped_and_recorded(start, to_state):
    # given
    return_order = return_order_by_route(start)
    from_state = return_order.state
    events_before = set(return_order.events.values_list("pk", flat=True))
    milestones = _milestones(ReturnOrder, return_order.pk, RETURN_ORDER_MILESTONES.values())
    started = timezone.now()

    # when
    returned = return_order_transition(return_order_id=return_order.pk, to=to_state, actor=ACTOR)

    # then
    assert returned.state == to_state
    assert ReturnOrder.objects.get(pk=return_order.pk).state == to_state
    new_events = ReturnOrderEvent.objects.filter(return_order=return_order).exclude(
        pk__in=events_before
    )
    assert list(new_events.values_list("from_state", "to_state", "actor")) == [
        (from_state, to_state, "api:acme")
    ]
    _assert_milestones(
        ReturnOrder, return_order.pk, milestones, RETURN_ORDER_MILESTONES.get(to_state), started
    )


@pytest.mark.parametrize(
    ("start", "to_state"),
    _pairs(RETURN_ORDER_ROUTES, ReturnOrder.State.values, RETURN_ORDER_ALLOWED, wanted=False),
)
def test_a_forbidden_return_order_transition_is_refused_and_changes_nothing(start, to_state):
    # given
    return_order = return_order_by_route(start)
    before = ReturnOrder.objects.values().get(pk=return_order.pk)
    event_count = ReturnOrderEvent.objects.count()

    # when
    with pytest.raises(InvalidTransition):
        return_order_transition(return_order_id=return_order.pk, to=to_state, actor=ACTOR)

    # then
    assert ReturnOrder.objects.values().get(pk=return_order.pk) == before
    assert ReturnOrderEvent.objects.count() == event_count


def test_a_return_order_back_on_track_after_arrival_still_cannot_be_cancelled():
    # given
    return_order = return_order_by_route("in_trouble_after_arrival")
    return_order_transition(
        return_order_id=return_order.pk, to=ReturnOrder.State.AWAITING_ARRIVAL, actor=ACTOR
    )

    # when
    with pytest.raises(InvalidTransition):
        return_order_transition(
            return_order_id=return_order.pk, to=ReturnOrder.State.CANCELLED, actor=ACTOR
        )

    # then
    assert ReturnOrder.objects.get(pk=return_order.pk).state == ReturnOrder.State.AWAITING_ARRIVAL


def test_a_return_order_locked_by_the_caller_changes_state_in_the_callers_transaction():
    # given: the caller (recording a provider's answer) holds the lock and changed a field
    return_order = return_order_in_state(ReturnOrder.State.NEW)

    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        locked = ReturnOrder.objects.select_for_update().get(pk=return_order.pk)
        locked.provider_id = "700001"
        return_order_transition(
            return_order_id=locked.pk,
            to=ReturnOrder.State.AWAITING_ARRIVAL,
            actor=ACTOR,
            locked=locked,
            also=["provider_id"],
        )

    # then: saved with the state in one write, no savepoint of its own
    saved = ReturnOrder.objects.get(pk=return_order.pk)
    assert (saved.state, saved.provider_id) == (ReturnOrder.State.AWAITING_ARRIVAL, "700001")
    assert saved.events.filter(to_state=ReturnOrder.State.AWAITING_ARRIVAL).count() == 1
    statements = [query["sql"] for query in queries.captured_queries]
    assert sum("SAVEPOINT" in sql and "RELEASE" not in sql for sql in statements) == 1  # caller's
    assert sum(sql.startswith("UPDATE") for sql in statements) == 1


def test_a_refused_change_of_a_return_order_locked_by_the_caller_rolls_back_all_it_did():
    # given
    return_order = return_order_in_state(ReturnOrder.State.COMPLETED)

    def record_answer():
        with transaction.atomic():
            locked = ReturnOrder.objects.select_for_update().get(pk=return_order.pk)
            locked.tracking_number = "1Z-NEW"
            locked.save(update_fields=["tracking_number"])
            return_order_transition(
                return_order_id=locked.pk, to=ReturnOrder.State.ARRIVED, actor=ACTOR, locked=locked
            )

    # when
    with pytest.raises(InvalidTransition):
        record_answer()

    # then
    saved = ReturnOrder.objects.get(pk=return_order.pk)
    assert (saved.state, saved.tracking_number) == (ReturnOrder.State.COMPLETED, "")


# What every transition shares.


def test_a_transition_records_the_staff_user_and_the_note():
    user = UserFactory()
    shipback = shipback_in_state(Shipback.State.CREATED)

    shipback_transition(
        shipback_id=shipback.pk, to="cancelled", actor=Actor.staff(user), note="Asked by phone."
    )

    event = shipback.events.get(to_state="cancelled")
    assert (event.actor, event.actor_user, event.note) == (
        f"staff:{user.username}",
        user,
        "Asked by phone.",
    )


def test_a_refused_transition_says_what_was_asked():
    shipback = shipback_in_state(Shipback.State.CANCELLED)

    with pytest.raises(InvalidTransition) as refused:
        shipback_transition(shipback_id=shipback.pk, to="registered", actor=ACTOR)

    error = refused.value
    assert (error.code, error.field) == ("INVALID_TRANSITION", "state")
    assert error.message == f"Shipback {shipback.rma} cannot go from cancelled to registered."


def test_path_is_the_shortest_walk_through_allowed_transitions():
    assert Shipback.path("created", "relocated") == ["registered", "delivered", "relocated"]
    assert ReturnOrder.path("new", "completed") == ["arrived", "completed"]
    assert Shipback.path("created", "created") == []


def test_path_refuses_a_state_that_cannot_be_reached():
    with pytest.raises(ValueError, match="no path from relocated to created"):
        Shipback.path("relocated", "created")
