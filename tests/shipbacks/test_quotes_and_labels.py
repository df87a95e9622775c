"""Quotes requested and recorded, labels recorded: the write paths the provider sync uses."""

import pytest

from returns_portal.actors import Actor
from returns_portal.models import InvalidTransition
from shipbacks.models import Quote, Shipback, ShipbackEvent
from shipbacks.services import (
    ReturnedItemData,
    quote_record_result,
    quotes_request,
    shipback_create,
    shipback_record_label,
)
from shipbacks.services.editing import shipback_free
from tests.factories import (
    OrderFactory,
    RelocationRuleFactory,
    ReturnReasonFactory,
    ShipbackFactory,
    shipback_in_state,
)

pytestmark = pytest.mark.django_db

ACTOR = Actor.provider("shoprunback")


def test_requesting_quotes_creates_one_computing_quote_per_mode_once():
    shipback = ShipbackFactory(items=1)

    first = quotes_request(shipback_id=shipback.pk)
    again = quotes_request(shipback_id=shipback.pk)

    assert sorted(q.mode for q in first) == ["dropoff", "pickup", "postal"]
    assert {q.state for q in first} == {Quote.State.COMPUTING}
    assert [q.pk for q in again] == [q.pk for q in first]


def test_recording_a_quote_writes_it_on_the_shipbacks_timeline():
    shipback = ShipbackFactory(items=1)
    quote = next(q for q in quotes_request(shipback_id=shipback.pk) if q.mode == "dropoff")

    quote_record_result(
        quote_id=quote.pk,
        state=Quote.State.AVAILABLE,
        price_cents=590,
        customer_price_cents=0,
        dropoff_points=[{"code": "O4001", "name": "Relay"}],
        actor=ACTOR,
    )

    event = ShipbackEvent.objects.get(quote=quote)
    assert (event.from_state, event.to_state) == ("computing", "available")
    assert event.actor == "provider:shoprunback"
    assert event.shipback_id == shipback.pk


def test_a_computed_quote_cannot_be_recorded_again():
    shipback = ShipbackFactory(items=1)
    quote = quotes_request(shipback_id=shipback.pk)[0]
    quote_record_result(quote_id=quote.pk, state=Quote.State.UNAVAILABLE)

    with pytest.raises(InvalidTransition):
        quote_record_result(quote_id=quote.pk, state=Quote.State.AVAILABLE, price_cents=100)

    assert Quote.objects.get(pk=quote.pk).state == Quote.State.UNAVAILABLE


def test_recording_the_label_stores_it_and_moves_the_shipback_to_labelled():
    shipback = shipback_in_state(Shipback.State.REGISTERED, items=1)

    shipback_record_label(
        shipback_id=shipback.pk,
        actor=ACTOR,
        carrier="Colissimo",
        tracking_number="6A123",
        label_pdf=b"%PDF-1.4 label",
    )

    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.LABELLED
    assert shipback.labelled_at is not None
    assert shipback.tracking_number == "6A123"
    assert shipback.label_file.read() == b"%PDF-1.4 label"


def test_a_label_for_a_shipback_not_registered_is_refused():
    shipback = ShipbackFactory(items=1)

    with pytest.raises(InvalidTransition):
        shipback_record_label(shipback_id=shipback.pk, actor=ACTOR, tracking_number="6A1")

    shipback.refresh_from_db()
    assert shipback.tracking_number == ""
    assert shipback.state == Shipback.State.CREATED


@pytest.mark.parametrize("field", ["state", "price_cents", "rma", "label_url", "registered_at"])
def test_creating_a_shipback_cannot_set_states_prices_or_labels(field):
    order = OrderFactory(items=1)
    item = order.items.get()

    with pytest.raises(TypeError, match=field):
        shipback_create(
            order=order,
            items=[_line(item)],
            actor=ACTOR,
            **{field: "x"},
        )

    assert not Shipback.objects.exists()


def _line(order_item):
    return ReturnedItemData(order_item=order_item, reason=ReturnReasonFactory(code="doesnt_fit"))


def test_registering_uses_the_customer_price_override_of_the_chosen_mode():
    # given: a dropoff quote at 590, the customer pays 200 by override
    RelocationRuleFactory()
    shipback = ShipbackFactory(items=1, mode="dropoff", dropoff_code="O4001")
    Shipback.objects.filter(pk=shipback.pk).update(dropoff_customer_price_cents=200)
    quote = next(q for q in quotes_request(shipback_id=shipback.pk) if q.mode == "dropoff")
    quote_record_result(
        quote_id=quote.pk,
        state=Quote.State.AVAILABLE,
        price_cents=590,
        customer_price_cents=590,
        dropoff_points=[{"code": "O4001", "name": "Relay"}],
    )

    # when
    shipback = shipback_free(shipback_id=shipback.pk, actor=ACTOR)

    # then
    assert shipback.state == Shipback.State.REGISTERED
    assert (shipback.price_cents, shipback.customer_price_cents) == (590, 200)
