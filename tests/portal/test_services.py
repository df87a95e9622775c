"""The portal's rules: finding an order, which items can be returned, the steps of a return."""

import datetime

import pytest
from django.utils import timezone

from shipbacks.models import Quote, ReturnPolicy, Shipback, ShipbackEvent
from shipbacks.services.portal import (
    Blocked,
    ItemChange,
    PortalError,
    ReturnLine,
    Selection,
    label_pending,
    order_find_for_return,
    order_return_options,
    portal_mode_choose,
    portal_quotes_ensure,
    portal_quotes_retry,
    portal_return_abandon,
    portal_return_confirm,
    portal_return_start,
    portal_returned_items_update,
    selection_check,
    shipback_timeline,
    shipping_options,
)
from shipbacks.services.quotes import quote_record_result
from tests.factories import RelocationRuleFactory, WarehouseFactory

from .helpers import (
    add_item,
    confirmed_return,
    label_recorded,
    make_order,
    photo_upload,
    pickup_slots,
    record_quotes,
    start_return,
)

pytestmark = pytest.mark.django_db


# Finding the order.


def test_an_order_is_found_by_its_number_and_e_mail_whatever_the_case(portal):
    order = make_order(email="Alex.Morgan@Example.com")

    found = order_find_for_return(
        order_number=order.order_number, contact=" alex.morgan@example.COM "
    )

    assert found == order


def test_an_order_is_found_by_its_number_and_postcode_however_it_is_spaced(portal):
    order = make_order(zipcode="SW1A 1AA")

    assert order_find_for_return(order_number=order.order_number, contact="sw1a1aa") == order
    assert order_find_for_return(order_number=order.order_number, contact="SW1A-1AA") == order


def test_an_order_number_typed_in_lower_case_is_found(portal):
    order = make_order(number="DEMO-7001")

    assert order_find_for_return(order_number="demo-7001", contact="alex@example.com") == order


@pytest.mark.parametrize(
    ("number", "contact"),
    [
        ("DEMO-7001", "someone@example.com"),  # wrong e-mail
        ("DEMO-7001", "69002"),  # wrong postcode
        ("DEMO-9999", "alex@example.com"),  # unknown order
        ("DEMO-7001", ""),  # nothing to compare
        ("", "alex@example.com"),
    ],
)
def test_a_wrong_pair_finds_nothing(portal, number, contact):
    make_order(number="DEMO-7001")

    assert order_find_for_return(order_number=number, contact=contact) is None


def test_an_order_past_its_return_window_is_not_found(portal):
    order = make_order(delivered_days_ago=31, ordered_days_ago=35)

    assert order_find_for_return(order_number=order.order_number, contact="75011") is None


def test_the_window_counts_from_the_last_delivery(portal):
    order = make_order(delivered_days_ago=30, ordered_days_ago=40)

    assert order_find_for_return(order_number=order.order_number, contact="75011") == order


def test_an_order_not_delivered_counts_from_its_order_date(portal):
    order = make_order(delivered_days_ago=None, ordered_days_ago=31)

    assert order_find_for_return(order_number=order.order_number, contact="75011") is None


def test_the_policy_may_count_from_the_order_date(portal):
    ReturnPolicy.objects.update_or_create(
        pk=1, defaults={"window_starts_at": ReturnPolicy.WindowStart.ORDER, "window_days": 30}
    )
    order = make_order(delivered_days_ago=5, ordered_days_ago=31)

    assert order_find_for_return(order_number=order.order_number, contact="75011") is None


def test_a_product_with_a_longer_window_keeps_the_order_open(portal):
    order = make_order(delivered_days_ago=40, ordered_days_ago=45, items=0)
    add_item(order, return_window_days=60)

    assert order_find_for_return(order_number=order.order_number, contact="75011") == order


# Which items can be returned.


def test_every_item_is_listed_with_why_it_cannot_be_picked(portal):
    order = make_order(items=1)
    held = add_item(order)
    add_item(order, returnable=False)
    add_item(order, return_window_days=3)
    start_return(order, items=[held])

    options = order_return_options(order=order)

    blocked = sorted(entry.blocked for entry in options.items)
    assert blocked == sorted(["", Blocked.IN_RETURN, Blocked.NOT_RETURNABLE, Blocked.WINDOW_CLOSED])
    assert all(entry.blocked_message for entry in options.items if entry.blocked)


def test_the_units_left_of_a_multi_quantity_line_can_still_be_returned(portal):
    order = make_order(items=1, quantity=3)
    start_return(order, quantity=2)
    options = order_return_options(order=order)
    [entry] = options.items
    assert entry.selectable
    assert entry.quantity_left == 1


def test_a_cancelled_return_lets_its_items_go(portal):
    order = make_order()
    shipback = start_return(order)

    portal_return_abandon(shipback_id=shipback.pk)

    [entry] = order_return_options(order=order).items
    assert entry.selectable
    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.CANCELLED


def test_a_return_started_and_not_confirmed_is_offered_to_continue(portal):
    order = make_order()
    shipback = start_return(order)

    assert order_return_options(order=order).in_progress == [shipback]


@pytest.mark.parametrize(
    "quantities",
    [{}, {"unknown": 1}, {"ITEM": 0}, {"ITEM": 2}],
    ids=["nothing", "not-in-order", "zero", "more-than-left"],
)
def test_a_selection_must_name_items_left_to_return(portal, quantities):
    order = make_order()
    item_id = str(order.items.get().pk)
    selection = Selection({item_id if k == "ITEM" else k: v for k, v in quantities.items()})

    with pytest.raises(PortalError):
        selection_check(options=order_return_options(order=order), selection=selection)


def test_a_selection_travels_in_a_url_and_back():
    selection = Selection({"a1": 2, "b2": 1})

    assert Selection.decode(selection.encode()) == selection
    assert Selection.decode("x:y,z").quantities == {}


# Starting the return.


def test_starting_a_return_creates_it_for_the_customer_and_asks_for_its_quotes(portal):
    order = make_order(items=2)

    shipback = start_return(order)

    assert shipback.state == Shipback.State.CREATED
    assert shipback.returned_items.count() == 2
    assert sorted(shipback.quotes.values_list("state", flat=True)) == ["computing"] * 3
    assert ShipbackEvent.objects.get(shipback=shipback, to_state="created").actor == "customer"


def test_a_reason_asking_for_a_photo_needs_one(portal):
    order = make_order()
    line = ReturnLine(str(order.items.get().pk), 1, portal["reasons"]["damaged"])

    with pytest.raises(PortalError) as refused:
        portal_return_start(order=order, lines=[line])

    assert refused.value.field == "lines.0.photo"
    assert not Shipback.objects.exists()


def test_a_reason_no_longer_offered_is_refused(portal):
    order = make_order()
    line = ReturnLine(str(order.items.get().pk), 1, portal["reasons"]["old"])

    with pytest.raises(PortalError) as refused:
        portal_return_start(order=order, lines=[line])

    assert refused.value.field == "lines.0.reason"


def test_an_item_not_returnable_cannot_be_returned_through_the_service_either(portal):
    order = make_order(items=0)
    item = add_item(order, returnable=False)

    with pytest.raises(PortalError):
        portal_return_start(
            order=order, lines=[ReturnLine(str(item.pk), 1, portal["reasons"]["doesnt_fit"])]
        )


def test_changing_a_reason_clears_the_quotes_and_asks_for_them_again(portal):
    order = make_order()
    shipback = start_return(order)
    record_quotes(shipback)
    item = shipback.returned_items.get()

    portal_returned_items_update(
        shipback=shipback,
        changes=[ItemChange(item, portal["reasons"]["damaged"], "Cracked", photo_upload())],
    )

    item.refresh_from_db()
    assert item.reason.code == "damaged"
    assert item.photo
    assert set(shipback.quotes.values_list("state", flat=True)) == {"computing"}


# Choosing how to send it back.


def test_the_modes_show_as_their_quotes_are_computed(portal):
    shipback = start_return(make_order())
    items = list(shipback.returned_items.all())

    computing = shipping_options(shipback=shipback, items=items)
    record_quotes(shipback, unavailable=("pickup",), failed=("postal",))
    computed = shipping_options(shipback=shipback, items=items)

    assert computing.computing
    assert [o.mode for o in computing.offers if o.available] == ["direct"]  # needs no quote
    states = {offer.mode: offer.state for offer in computed.offers}
    assert states == {
        "dropoff": "available",
        "pickup": "unavailable",
        "postal": "failed",
        "direct": "available",
    }
    assert computed.offer("dropoff").free
    assert computed.retryable


def test_the_direct_mode_is_offered_only_when_every_warehouse_takes_it(portal, reasons):
    labelled_only = WarehouseFactory(accepts_direct_returns=False)
    RelocationRuleFactory(reason=reasons["damaged"], warehouse=labelled_only)
    order = make_order(items=0)
    fits, broken = add_item(order), add_item(order)
    shipback = portal_return_start(
        order=order,
        lines=[
            ReturnLine(str(fits.pk), 1, reasons["doesnt_fit"]),
            ReturnLine(str(broken.pk), 1, reasons["damaged"], photo=photo_upload()),
        ],
    )
    record_quotes(shipback)

    options = shipping_options(shipback=shipback, items=list(shipback.returned_items.all()))

    assert options.offer("direct") is None
    with pytest.raises(PortalError):
        portal_mode_choose(shipback_id=shipback.pk, mode="direct")


def test_a_drop_off_point_must_be_one_offered(portal):
    shipback = start_return(make_order())
    record_quotes(shipback)

    with pytest.raises(PortalError) as refused:
        portal_mode_choose(shipback_id=shipback.pk, mode="dropoff", dropoff_code="ELSEWHERE")
    chosen = portal_mode_choose(shipback_id=shipback.pk, mode="dropoff", dropoff_code="FR5678")

    assert refused.value.field == "dropoff_code"
    assert (chosen.mode, chosen.dropoff_code) == ("dropoff", "FR5678")


def test_a_pickup_slot_must_be_one_offered(portal):
    shipback = start_return(make_order())
    record_quotes(shipback)
    slot = pickup_slots()[1]

    with pytest.raises(PortalError):
        portal_mode_choose(shipback_id=shipback.pk, mode="pickup", pickup_slot="2001-01-01|60")
    chosen = portal_mode_choose(
        shipback_id=shipback.pk, mode="pickup", pickup_slot=f"{slot['pickup_datetime']}|240"
    )

    assert timezone.localtime(chosen.pickup_datetime).hour == 14
    assert chosen.pickup_duration == 240


def test_a_mode_still_computing_or_unavailable_cannot_be_chosen(portal):
    shipback = start_return(make_order())

    with pytest.raises(PortalError):
        portal_mode_choose(shipback_id=shipback.pk, mode="postal")
    record_quotes(shipback, unavailable=("postal",))
    with pytest.raises(PortalError):
        portal_mode_choose(shipback_id=shipback.pk, mode="postal")


def test_failed_quotes_are_asked_for_again(portal):
    shipback = start_return(make_order())
    record_quotes(shipback, failed=("postal", "pickup"))

    portal_quotes_retry(shipback_id=shipback.pk)

    states = dict(shipback.quotes.values_list("mode", "state"))
    assert states == {"dropoff": "available", "pickup": "computing", "postal": "computing"}


def test_an_expired_quote_is_not_offered_and_can_be_asked_for_again(portal):
    shipback = start_return(make_order())
    record_quotes(shipback)
    shipback.quotes.filter(mode="postal").update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    items = list(shipback.returned_items.all())

    assert not shipping_options(shipback=shipback, items=items).offer("postal").available
    portal_quotes_retry(shipback_id=shipback.pk)
    assert shipback.quotes.get(mode="postal").state == Quote.State.COMPUTING


def test_a_mode_quoted_without_any_price_is_not_free_nor_chosen_and_is_asked_for_again(portal):
    # given: the provider says the post office is available but gives no price at all
    shipback = start_return(make_order())
    postal = shipback.quotes.get(mode="postal")
    quote_record_result(quote_id=postal.pk, state=Quote.State.AVAILABLE)
    record_quotes(shipback)  # the other modes, priced
    items = list(shipback.returned_items.all())

    # when
    options = shipping_options(shipback=shipback, items=items)

    # then: shown as a quote that failed, which the customer cannot choose but may ask again
    offer = options.offer("postal")
    assert offer.customer_price_cents is None
    assert not offer.free
    assert not offer.available
    assert offer.state == Quote.State.FAILED
    assert options.retryable
    assert options.offer("dropoff").free  # a price of 0 is free
    with pytest.raises(PortalError):
        portal_mode_choose(shipback_id=shipback.pk, mode="postal")
    portal_quotes_retry(shipback_id=shipback.pk)
    assert shipback.quotes.get(mode="postal").state == Quote.State.COMPUTING
    assert shipback.quotes.get(mode="dropoff").state == Quote.State.AVAILABLE


def test_quotes_missing_after_a_change_are_asked_for_when_the_page_is_shown(portal):
    shipback = start_return(make_order())
    shipback.quotes.all().delete()

    portal_quotes_ensure(shipback=shipback)

    assert shipback.quotes.count() == 3


# Confirming, and the return's page.


def test_confirming_registers_the_return_at_the_price_of_its_quote(portal):
    shipback = confirmed_return(make_order(), mode="pickup")

    assert shipback.state == Shipback.State.REGISTERED
    assert shipback.customer_price_cents == 450
    assert shipback.return_orders.count() == 1
    assert label_pending(shipback)


def test_confirming_twice_changes_nothing(portal):
    shipback = confirmed_return(make_order())

    again = portal_return_confirm(shipback_id=shipback.pk)

    assert again.pk == shipback.pk
    assert ShipbackEvent.objects.filter(shipback=shipback, to_state="registered").count() == 1


def test_a_cancelled_return_cannot_be_confirmed(portal):
    shipback = start_return(make_order())
    record_quotes(shipback)
    portal_mode_choose(shipback_id=shipback.pk, mode="postal")
    portal_return_abandon(shipback_id=shipback.pk)

    with pytest.raises(PortalError):
        portal_return_confirm(shipback_id=shipback.pk)


def test_a_direct_return_needs_no_label(portal):
    shipback = confirmed_return(make_order(), mode="direct")

    assert shipback.mode == "direct"
    assert not label_pending(shipback)
    keys = [step.key for step in shipback_timeline(shipback=shipback, return_orders=[])]
    assert keys == ["registered", "in_transit", "received", "completed"]


def test_the_timeline_follows_the_return(portal):
    shipback = label_recorded(confirmed_return(make_order()))

    steps = shipback_timeline(shipback=shipback, return_orders=list(shipback.return_orders.all()))

    assert [(s.key, s.done, s.current) for s in steps] == [
        ("registered", True, False),
        ("labelled", True, True),
        ("in_transit", False, False),
        ("received", False, False),
        ("completed", False, False),
    ]
    assert not label_pending(shipback)
