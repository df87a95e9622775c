"""The warehouse's receiving screens in the admin: the return orders to receive (and the scanner),
the receiving screen, the bulk actions, and who sees what."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from returns_portal.actors import Actor
from shipbacks.models import (
    ExpectedItem,
    ItemAction,
    ProviderCall,
    ReturnedItem,
    ReturnOrder,
    Shipback,
    Warehouse,
)
from shipbacks.selectors import expected_items_for, item_actions_for, return_orders_for
from shipbacks.services import (
    ActionData,
    ReceivedLineData,
    return_order_receive,
    shipback_register,
    shipback_transition,
)
from tests.admin_pages import count_queries, form_data, log_in
from tests.factories import (
    ExpectedItemFactory,
    ManagerUserFactory,
    OrderFactory,
    ProductFactory,
    ProviderCallFactory,
    RelocationRuleFactory,
    ReturnOrderFactory,
    ShipbackFactory,
    SuperuserFactory,
    WarehouseFactory,
    WarehouseUserFactory,
    return_order_in_state,
)

pytestmark = pytest.mark.django_db

State = ReturnOrder.State
TO_RECEIVE = reverse("admin:shipbacks_returnorder_to_receive")
RETURN_ORDERS = reverse("admin:shipbacks_returnorder_changelist")


def receive_url(return_order) -> str:
    return reverse("admin:shipbacks_returnorder_receive", args=[return_order.pk])


def slip_url(return_order) -> str:
    return reverse("admin:shipbacks_returnorder_slip", args=[return_order.pk])


def change_url(obj) -> str:
    return reverse(f"admin:shipbacks_{obj._meta.model_name}_change", args=[obj.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def warehouse():
    return WarehouseFactory(name="Paris Nord")


@pytest.fixture
def other_warehouse():
    return WarehouseFactory(name="Leipzig")


@pytest.fixture
def staff(client, warehouse):
    """A client logged in as warehouse staff of ``warehouse``."""
    user = log_in(client, WarehouseUserFactory)
    warehouse.staff.add(user)
    return client


def receiving_page(client, return_order):
    response = client.get(receive_url(return_order))
    assert response.status_code == 200
    return response


def posted(page, **changes) -> dict:
    """The receiving form as the page rendered it (its defaults), with ``changes``."""
    data = {}
    for form in page.context["rows"]:
        for bound in form:
            if bound.name.endswith("_photo"):
                continue
            value = bound.value()
            data[bound.html_name] = "" if value is None else str(value)
    for bound in page.context["unexpected"]:
        value = bound.value()
        data[bound.html_name] = "" if value is None or bound.name == "quantity" else str(value)
    data.update({key: str(value) for key, value in changes.items()})
    return data


def photo_file(name="stain.png", fmt="PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def registered_shipback(items: int = 2, **rule) -> Shipback:
    """A labelled shipback whose return order is at the catch-all rule's warehouse."""
    RelocationRuleFactory(**rule)
    shipback = ShipbackFactory(items=items, mode=Shipback.Mode.POSTAL)
    shipback = shipback_register(shipback_id=shipback.pk, actor=Actor.system())
    return shipback_transition(
        shipback_id=shipback.pk, to=Shipback.State.LABELLED, actor=Actor.system()
    )


# Who sees what.


def test_warehouse_staff_see_only_the_return_orders_of_their_warehouses(
    staff, warehouse, other_warehouse
):
    mine = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse)
    theirs = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=other_warehouse)

    listed = staff.get(RETURN_ORDERS)
    to_receive = staff.get(TO_RECEIVE)

    assert [ro.pk for ro in listed.context["cl"].result_list] == [mine.pk]
    assert [ro.pk for ro in to_receive.context["awaiting"]] == [mine.pk]
    assert theirs.reference not in to_receive.content.decode()


def test_another_warehouse_s_return_order_is_not_found_for_warehouse_staff(staff, other_warehouse):
    theirs = return_order_in_state(State.ARRIVED, warehouse=other_warehouse, items=1)
    action = ItemAction.objects.create(
        expected_item=theirs.expected_items.get(), action="restock", photo="item_actions/x.png"
    )

    responses = {
        "receive": staff.get(receive_url(theirs)),
        "receive (post)": staff.post(receive_url(theirs), {"_save": "1"}),
        "slip": staff.get(slip_url(theirs)),
        "photo": staff.get(
            reverse("admin:shipbacks_returnorder_action_photo", args=[theirs.pk, action.pk])
        ),
        "history": staff.get(reverse("admin:shipbacks_returnorder_history", args=[theirs.pk])),
    }
    # The admin's own pages say "does not exist", as for a return order that never existed.
    pages = [staff.get(change_url(obj)) for obj in (theirs, theirs.expected_items.get(), action)]
    marked = staff.post(RETURN_ORDERS, {"action": "mark_arrived", "_selected_action": [theirs.pk]})

    assert {name: r.status_code for name, r in responses.items() if r.status_code != 404} == {}
    assert [(page.status_code, page.url) for page in pages] == [(302, reverse("admin:index"))] * 3
    theirs.refresh_from_db()
    assert theirs.state == State.ARRIVED
    assert marked.status_code == 302
    assert not theirs.events.filter(actor_user__isnull=False).exists()


@pytest.mark.parametrize(
    "user_factory", [SuperuserFactory, ManagerUserFactory], ids=["superuser", "manager"]
)
def test_superusers_and_managers_see_every_warehouse(client, user_factory, other_warehouse):
    user = log_in(client, user_factory)
    other_warehouse.staff.add(user)  # a manager working at a warehouse still sees them all
    return_orders = [return_order_in_state(State.AWAITING_ARRIVAL) for _ in range(2)]

    to_receive = client.get(TO_RECEIVE)

    assert return_orders_for(user).count() == 2
    assert {ro.pk for ro in to_receive.context["awaiting"]} == {ro.pk for ro in return_orders}
    assert to_receive.context["warehouses"] is None
    assert client.get(receive_url(return_orders[0])).status_code == 200


def test_staff_at_two_warehouses_see_both_and_nothing_else(client, warehouse, other_warehouse):
    user = log_in(client, WarehouseUserFactory)
    warehouse.staff.add(user)
    other_warehouse.staff.add(user)
    third = WarehouseFactory()
    for place in (warehouse, other_warehouse, third):
        ExpectedItemFactory(return_order__warehouse=place, quantity_received=1)
        ItemAction.objects.create(
            expected_item=ExpectedItem.objects.get(return_order__warehouse=place),
            action="restock",
        )

    assert set(return_orders_for(user).values_list("warehouse", flat=True)) == {
        warehouse.pk,
        other_warehouse.pk,
    }
    assert expected_items_for(user).count() == 2
    assert item_actions_for(user).count() == 2
    assert client.get(TO_RECEIVE).context["warehouses"] == ["Leipzig", "Paris Nord"]


def test_warehouse_staff_linked_to_no_warehouse_see_nothing_and_are_told_why(client):
    log_in(client, WarehouseUserFactory)
    return_order_in_state(State.AWAITING_ARRIVAL)

    response = client.get(TO_RECEIVE)

    assert list(response.context["awaiting"]) == []
    assert "not linked to any warehouse" in response.content.decode()


def test_a_user_without_a_role_cannot_open_the_screens(client):
    log_in(client, WarehouseUserFactory, is_staff=True).groups.clear()
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, items=1)

    assert client.get(TO_RECEIVE).status_code == 403
    assert client.get(receive_url(return_order)).status_code == 403


# To receive.


def test_to_receive_lists_the_parcels_awaited_then_those_in_progress(staff, warehouse):
    new = return_order_in_state(State.NEW, warehouse=warehouse)
    awaiting = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse)
    arrived = return_order_in_state(State.ARRIVED, warehouse=warehouse)
    processing = return_order_in_state(State.PROCESSING, warehouse=warehouse)
    for state in (State.COMPLETED, State.CANCELLED, State.IN_TROUBLE):
        return_order_in_state(state, warehouse=warehouse)

    response = staff.get(TO_RECEIVE)

    assert [ro.pk for ro in response.context["awaiting"]] == [new.pk, awaiting.pk]
    assert [ro.pk for ro in response.context["in_progress"]] == [arrived.pk, processing.pk]
    html = response.content.decode()
    assert '<input type="search" name="q" id="rcv-q" value="" autofocus' in html
    assert receive_url(new) in html


def expected_shipback_return_order(warehouse):
    RelocationRuleFactory(warehouse=warehouse)
    shipback = ShipbackFactory(
        items=1,
        mode=Shipback.Mode.POSTAL,
        order__order_number="ORD-SCAN-1",
        order__customer__first_name="Aurélie",
        order__customer__last_name="Dupont",
        order__customer__email="aurelie.dupont@example.com",
    )
    shipback = shipback_register(shipback_id=shipback.pk, actor=Actor.system())
    Shipback.objects.filter(pk=shipback.pk).update(tracking_number="6A0012345678")
    return shipback.return_orders.get()


@pytest.mark.parametrize(
    "code",
    [
        lambda ro: ro.reference,
        lambda ro: ro.reference.lower(),
        lambda ro: ro.shipback.rma,
        lambda ro: "6A0012345678",
        lambda ro: "  ORD-SCAN-1 ",
    ],
    ids=["reference", "lowercase", "rma", "tracking number", "order number"],
)
def test_scanning_a_code_opens_the_receiving_screen_of_its_return_order(staff, warehouse, code):
    return_order = expected_shipback_return_order(warehouse)

    response = staff.get(TO_RECEIVE, {"q": code(return_order)})

    assert response.status_code == 302
    assert response.url == receive_url(return_order)


def test_a_code_naming_two_open_return_orders_lists_them(staff, warehouse):
    order = OrderFactory(order_number="ORD-TWICE")
    first = ReturnOrderFactory(order=order, warehouse=warehouse)
    second = ReturnOrderFactory(order=order, warehouse=warehouse)

    response = staff.get(TO_RECEIVE, {"q": "ORD-TWICE"})

    assert response.status_code == 200
    assert {ro.pk for ro in response.context["awaiting"]} == {first.pk, second.pk}


def test_a_code_prefers_the_open_return_order_to_a_completed_one(staff, warehouse):
    order = OrderFactory(order_number="ORD-AGAIN")
    return_order_in_state(State.COMPLETED, order=order, warehouse=warehouse)
    awaited = ReturnOrderFactory(order=order, warehouse=warehouse)

    response = staff.get(TO_RECEIVE, {"q": "ord-again"})

    assert response.url == receive_url(awaited)


def test_another_warehouse_s_code_finds_nothing(staff, other_warehouse):
    theirs = ReturnOrderFactory(warehouse=other_warehouse)

    response = staff.get(TO_RECEIVE, {"q": theirs.reference})

    assert response.status_code == 200
    assert list(response.context["awaiting"]) == []


def test_searching_a_customer_by_name_or_part_of_it_lists_their_return_orders(staff, warehouse):
    return_order = expected_shipback_return_order(warehouse)
    ReturnOrderFactory(warehouse=warehouse)

    by_name = staff.get(TO_RECEIVE, {"q": "aurélie dup"})
    by_email = staff.get(TO_RECEIVE, {"q": "dupont@example"})

    assert [ro.pk for ro in by_name.context["awaiting"]] == [return_order.pk]
    assert [ro.pk for ro in by_email.context["awaiting"]] == [return_order.pk]
    assert "Aurélie Dupont" in by_name.content.decode()


def test_the_lists_are_paginated_and_keep_the_other_list_s_page(staff, warehouse, monkeypatch):
    monkeypatch.setattr("shipbacks.admin.receiving.PER_PAGE", 2)
    for _ in range(3):
        ReturnOrderFactory(warehouse=warehouse)
        return_order_in_state(State.ARRIVED, warehouse=warehouse)

    first = staff.get(TO_RECEIVE)
    second = staff.get(TO_RECEIVE + first.context["awaiting"].next_link)

    assert len(first.context["awaiting"]) == 2
    assert len(second.context["awaiting"]) == 1
    assert "progress_page=2" in second.context["in_progress"].next_link
    assert "awaiting_page=2" in second.context["in_progress"].next_link


def test_the_to_receive_screen_takes_the_same_queries_for_2_or_15_return_orders(staff, warehouse):
    def add(count):
        for _ in range(count):
            shipback = ShipbackFactory(items=1)
            ReturnOrderFactory(
                warehouse=warehouse, shipback=shipback, order=shipback.order, items=2
            )
            return_order_in_state(State.PROCESSING, warehouse=warehouse, items=1)

    add(1)
    few = count_queries(staff, TO_RECEIVE)
    add(14)
    many = count_queries(staff, TO_RECEIVE)

    assert few == many
    assert few <= 12


# The receiving screen.


def test_the_receiving_screen_proposes_what_was_received_and_the_requested_action(staff, warehouse):
    return_order = ReturnOrderFactory(warehouse=warehouse)
    quarantined = ExpectedItemFactory(
        return_order=return_order,
        quantity_expected=3,
        requested_action=ExpectedItem.RequestedAction.QUARANTINE,
    )
    ExpectedItemFactory(return_order=return_order, quantity_expected=1)
    return_order_receive(
        return_order_id=return_order.pk,
        lines=[
            ReceivedLineData(2, expected_item_id=quarantined.pk, actions=[ActionData("dispose")])
        ],
        actor=Actor.system(),
    )

    page = receiving_page(staff, return_order)

    first, second = page.context["rows"]
    assert first.initial["received"] == 2
    assert (first.initial["quarantine"], first.initial["dispose"]) == (1, None)
    assert first.default_action == "quarantine"
    assert (second.initial["received"], second.initial["restock"]) == (0, None)
    assert second.default_action == "restock"  # the warehouse's default
    html = page.content.decode()
    assert quarantined.product.ean in html
    assert "Dispose ×1" in html
    assert "autofocus" in str(first["received"])


def test_saving_records_quantities_and_actions_through_the_service(staff, warehouse):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse)
    item = ExpectedItemFactory(return_order=return_order, quantity_expected=3)
    page = receiving_page(staff, return_order)

    response = staff.post(
        receive_url(return_order),
        posted(
            page,
            **{
                "item-0-received": 3,
                "item-0-restock": 2,
                "item-0-quarantine": 1,
                "item-0-quarantine_reason": "Stain on the sleeve",
                "_save": "Save",
            },
        ),
    )

    assert response.status_code == 302
    assert response.url == receive_url(return_order)
    assert messages_of(response) == [f"{return_order} saved: processing."]
    item.refresh_from_db()
    assert item.quantity_received == 3
    user = response.wsgi_request.user
    assert sorted(item.actions.values_list("action", "quantity", "reason", "performed_by")) == [
        ("quarantine", 1, "Stain on the sleeve", user.pk),
        ("restock", 2, "", user.pk),
    ]
    return_order.refresh_from_db()
    assert return_order.state == State.PROCESSING
    assert [(e.to_state, e.actor_user) for e in return_order.events.all()][-2:] == [
        (State.ARRIVED, user),
        (State.PROCESSING, user),
    ]


def test_saving_with_nothing_received_records_the_arrival_of_the_parcel(staff, warehouse):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse, items=2)

    response = staff.post(
        receive_url(return_order), posted(receiving_page(staff, return_order), _save="Save")
    )

    assert response.status_code == 302
    return_order.refresh_from_db()
    assert return_order.state == State.ARRIVED
    assert not ItemAction.objects.exists()


def test_receive_all_without_the_script_fills_in_the_expected_quantities_and_saves_nothing(
    staff, warehouse
):
    return_order = ReturnOrderFactory(warehouse=warehouse)
    ExpectedItemFactory(return_order=return_order, quantity_expected=2)
    ExpectedItemFactory(return_order=return_order, quantity_expected=3, requested_action="dispose")
    page = receiving_page(staff, return_order)

    response = staff.post(
        receive_url(return_order),
        posted(
            page, **{"item-1-quarantine": 1, "item-1-dispose_reason": "Broken", "receive_all": 1}
        ),
    )

    assert response.status_code == 200
    first, second = response.context["rows"]
    assert (first.initial["received"], first.initial["restock"]) == (2, 2)
    assert second.initial["received"] == 3
    assert (second.initial["dispose"], second.initial["quarantine"]) == (2, 1)
    assert second.initial["dispose_reason"] == "Broken"
    assert set(ExpectedItem.objects.values_list("quantity_received", flat=True)) == {0}
    return_order.refresh_from_db()
    assert return_order.state == State.NEW


def test_save_and_complete_settles_the_shipback_and_goes_on_to_the_next_parcel(client):
    shipback = registered_shipback(items=2)
    return_order = shipback.return_orders.get()
    user = log_in(client, WarehouseUserFactory)
    return_order.warehouse.staff.add(user)
    arrived, lost = return_order.expected_items.order_by("created_at", "pk")
    page = receiving_page(client, return_order)

    response = client.post(
        receive_url(return_order),
        posted(page, **{"item-0-received": 1, "item-0-restock": 1, "_complete": "1"}),
    )

    assert response.status_code == 302
    assert response.url == TO_RECEIVE
    assert messages_of(response) == [f"{return_order} completed."]
    return_order.refresh_from_db()
    assert return_order.state == State.COMPLETED
    assert ReturnedItem.objects.get(pk=arrived.returned_item_id).state == "relocated"
    assert ReturnedItem.objects.get(pk=lost.returned_item_id).state == "missing"
    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.RELOCATED
    assert shipback.events.last().actor_user == user


def test_completing_with_units_not_acted_on_writes_nothing_and_points_at_the_line(staff, warehouse):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse, items=2)
    page = receiving_page(staff, return_order)

    response = staff.post(
        receive_url(return_order),
        posted(
            page,
            **{"item-0-received": 1, "item-1-received": 1, "item-1-restock": 1, "_complete": "1"},
        ),
    )

    assert response.status_code == 200
    first, second = response.context["rows"]
    assert "received without an action" in " ".join(first.non_field_errors())
    assert not second.errors
    assert response.context["has_errors"]
    assert "nothing was saved" in response.content.decode()
    return_order.refresh_from_db()
    assert return_order.state == State.AWAITING_ARRIVAL
    assert set(ExpectedItem.objects.values_list("quantity_received", flat=True)) == {0}
    assert not ItemAction.objects.exists()


@pytest.mark.parametrize(
    ("changes", "row_field", "message"),
    [
        ({"item-0-received": 3}, "received", "2 expected"),
        ({"item-0-received": 1, "item-0-restock": 1, "item-0-dispose": 1}, None, "actions on 2"),
        ({"item-0-received": -1}, "received", "greater than or equal to 0"),
        ({"item-0-received": "two"}, "received", "whole number"),
    ],
    ids=["more than expected", "actions beyond received", "negative", "not a number"],
)
def test_refused_quantities_are_shown_on_their_line_and_nothing_is_written(
    staff, warehouse, changes, row_field, message
):
    return_order = ReturnOrderFactory(warehouse=warehouse)
    ExpectedItemFactory(return_order=return_order, quantity_expected=2)
    ExpectedItemFactory(return_order=return_order, quantity_expected=1)
    page = receiving_page(staff, return_order)

    response = staff.post(
        receive_url(return_order),
        posted(page, **{"item-1-received": 1, "item-1-restock": 1, **changes, "_save": "1"}),
    )

    assert response.status_code == 200
    errors = response.context["rows"][0].errors.get(row_field or "__all__")
    assert message in " ".join(errors or []), response.context["rows"][0].errors
    assert set(ExpectedItem.objects.values_list("quantity_received", flat=True)) == {0}
    assert not ItemAction.objects.exists()
    return_order.refresh_from_db()
    assert return_order.state == State.NEW


def test_an_action_refused_by_the_service_is_shown_on_that_action(staff, warehouse):
    return_order = return_order_in_state(State.ARRIVED, warehouse=warehouse)
    item = ExpectedItemFactory(return_order=return_order, quantity_expected=2)
    return_order_receive(
        return_order_id=return_order.pk,
        lines=[ReceivedLineData(1, expected_item_id=item.pk)],
        actor=Actor.system(),
    )
    page = receiving_page(staff, return_order)
    data = posted(page, **{"item-0-dispose": 1, "_save": "1"})

    # another user records the action meanwhile: this one now exceeds what was received
    return_order_receive(
        return_order_id=return_order.pk,
        lines=[ReceivedLineData(1, expected_item_id=item.pk, actions=[ActionData("restock")])],
        actor=Actor.system(),
    )
    response = staff.post(receive_url(return_order), data)

    assert response.status_code == 200
    assert "actions on 3 units, 1 received" in " ".join(
        response.context["rows"][0].non_field_errors()
    )
    assert item.actions.count() == 1


def test_an_unexpected_item_is_added_by_its_ean_with_a_note_and_an_action(staff, warehouse):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse, items=1)
    extra = ProductFactory(reference="SCARF-RED", ean="3761230000999")
    page = receiving_page(staff, return_order)

    response = staff.post(
        receive_url(return_order),
        posted(
            page,
            **{
                "item-0-received": 1,
                "item-0-restock": 1,
                "unexpected-product": "3761230000999",
                "unexpected-quantity": 2,
                "unexpected-action": "quarantine",
                "unexpected-note": "Not on the slip, tags removed",
                "_save": "1",
            },
        ),
    )

    assert response.status_code == 302
    added = return_order.expected_items.get(unexpected=True)
    assert (added.product, added.quantity_expected, added.quantity_received) == (extra, 0, 2)
    assert added.note == "Not on the slip, tags removed"
    assert list(added.actions.values_list("action", "quantity")) == [("quarantine", 2)]
    page = receiving_page(staff, return_order)
    assert [row.item.pk for row in page.context["rows"]][-1] == added.pk
    assert "unexpected" in page.content.decode()


@pytest.mark.parametrize(
    ("product", "quantity", "note", "field", "message"),
    [
        ("NOPE-404", "1", "", "product", "No product has the reference or EAN NOPE-404."),
        ("SHARED", "1", "", "product", "Several products have the EAN SHARED"),
        ("", "1", "A scarf", "product", "Scan or type the product's reference or EAN."),
        ("SKU-KNOWN", "", "", "quantity", "How many arrived?"),
        ("SKU-KNOWN", "0", "", "quantity", "greater than or equal to 1"),
    ],
)
def test_an_unexpected_item_that_cannot_be_added_is_refused_on_its_field(
    staff, warehouse, product, quantity, note, field, message
):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse, items=1)
    ProductFactory(reference="SKU-KNOWN")
    ProductFactory(ean="SHARED")
    ProductFactory(ean="SHARED")
    page = receiving_page(staff, return_order)

    response = staff.post(
        receive_url(return_order),
        posted(
            page,
            **{
                "unexpected-product": product,
                "unexpected-quantity": quantity,
                "unexpected-note": note,
                "_save": "1",
            },
        ),
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["unexpected"].errors[field])
    assert not return_order.expected_items.filter(unexpected=True).exists()
    return_order.refresh_from_db()
    assert return_order.state == State.AWAITING_ARRIVAL


def test_a_photo_is_checked_stored_with_the_action_and_shown_to_the_warehouse_only(
    client, warehouse, other_warehouse
):
    user = log_in(client, WarehouseUserFactory)
    warehouse.staff.add(user)
    return_order = return_order_in_state(State.ARRIVED, warehouse=warehouse, items=1)
    page = receiving_page(client, return_order)
    data = posted(page, **{"item-0-received": 1, "item-0-quarantine": 1, "_save": "1"})

    refused = client.post(
        receive_url(return_order),
        {**data, "item-0-quarantine_photo": SimpleUploadedFile("x.png", b"not a picture")},
    )
    saved = client.post(
        receive_url(return_order), {**data, "item-0-quarantine_photo": photo_file()}
    )

    assert refused.status_code == 200
    assert "not a photo we can read" in " ".join(
        refused.context["rows"][0].errors["quarantine_photo"]
    )
    assert saved.status_code == 302
    action = ItemAction.objects.get()
    assert action.photo.name.startswith("item_actions/")
    assert action.photo.name.endswith(".jpg")  # re-encoded
    photo_url = reverse(
        "admin:shipbacks_returnorder_action_photo", args=[return_order.pk, action.pk]
    )
    assert photo_url in receiving_page(client, return_order).content.decode()
    shown = client.get(photo_url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content)[:3] == b"\xff\xd8\xff"
    client.force_login(log_in(client, WarehouseUserFactory))  # staff of no warehouse
    assert client.get(photo_url).status_code == 404


@pytest.mark.parametrize("state", [State.COMPLETED, State.CANCELLED])
def test_a_closed_return_order_is_shown_read_only_and_cannot_be_received(staff, warehouse, state):
    return_order = return_order_in_state(state, warehouse=warehouse, items=1)

    page = receiving_page(staff, return_order)
    response = staff.post(receive_url(return_order), {"item-0-received": "1", "_save": "1"})

    assert not page.context["can_receive"]
    assert "<form" not in page.content.decode().split('id="content-main"')[1]
    assert "nothing more can be received" in page.content.decode()
    assert response.status_code == 403
    assert return_order.expected_items.get().quantity_received == 0


def test_a_completed_return_order_s_page_is_read_only(staff, warehouse):
    return_order = return_order_in_state(State.COMPLETED, warehouse=warehouse, items=1)

    page = staff.get(change_url(return_order))
    response = staff.post(change_url(return_order), {"tracking_number": "CHANGED"})

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert response.status_code == 403
    return_order.refresh_from_db()
    assert return_order.tracking_number == ""


def test_a_view_only_user_reads_the_receiving_screen_but_cannot_save(client, warehouse):
    user = log_in(client, WarehouseUserFactory)
    user.groups.clear()
    user.user_permissions.add(Permission.objects.get(codename="view_returnorder"))
    return_order = return_order_in_state(State.ARRIVED, warehouse=warehouse, items=1)

    page = receiving_page(client, return_order)
    response = client.post(receive_url(return_order), {"item-0-received": "1", "_save": "1"})

    assert not page.context["can_receive"]
    assert response.status_code == 403


def test_the_receiving_screen_takes_the_same_queries_for_2_or_15_items(staff, warehouse):
    return_order = return_order_in_state(State.ARRIVED, warehouse=warehouse)

    def add(count):
        for _ in range(count):
            item = ExpectedItemFactory(return_order=return_order, quantity_expected=2)
            ItemAction.objects.create(expected_item=item, action="restock", performed_by=None)
            ExpectedItem.objects.filter(pk=item.pk).update(quantity_received=1)

    add(2)
    few = count_queries(staff, receive_url(return_order))
    add(13)
    many = count_queries(staff, receive_url(return_order))

    assert few == many
    assert few <= 12


# Links, the slip, and the rest of the admin.


def test_the_change_page_and_the_list_link_to_the_receiving_screen_and_the_slip(staff, warehouse):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse, items=1)

    page = staff.get(change_url(return_order)).content.decode()
    listed = staff.get(RETURN_ORDERS).content.decode()

    assert f'href="{receive_url(return_order)}"' in page
    assert f'href="{slip_url(return_order)}"' in page
    assert f'href="{receive_url(return_order)}"' in listed


def test_the_receiving_slip_is_a_pdf_of_the_return_order(staff, warehouse):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse, items=2)

    response = staff.get(slip_url(return_order))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"receiving-slip-{return_order.reference}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_quantities_and_actions_are_read_only_outside_the_receiving_screen(staff, warehouse):
    return_order = return_order_in_state(State.ARRIVED, warehouse=warehouse, items=1)
    item = return_order.expected_items.get()

    page = staff.get(change_url(return_order))
    data = form_data(page)
    posted_page = staff.post(
        change_url(return_order), {**data, "expected_items-0-quantity_received": "1"}
    )
    item_page = staff.get(change_url(item))
    item_data = form_data(item_page)
    item_data.update({"quantity_received": "1", "note": "Box dented", "lot_number": "L-7"})
    item_saved = staff.post(change_url(item), item_data)

    assert posted_page.status_code == 302
    assert item_saved.status_code == 302
    item.refresh_from_db()
    assert (item.quantity_received, item.note, item.lot_number) == (0, "Box dented", "L-7")
    assert staff.get(reverse("admin:shipbacks_itemaction_add")).status_code == 403
    assert staff.get(reverse("admin:shipbacks_expecteditem_add")).status_code == 403


def test_a_completed_return_order_s_items_cannot_be_changed_in_the_admin(staff, warehouse):
    return_order = return_order_in_state(State.COMPLETED, warehouse=warehouse, items=1)
    item = return_order.expected_items.get()

    page = staff.get(change_url(item))
    response = staff.post(change_url(item), {"note": "Changed after the fact"})

    assert not page.context["has_change_permission"]
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.note == ""


# Bulk actions on the list.


def run_action(client, action, return_orders):
    return client.post(
        RETURN_ORDERS, {"action": action, "_selected_action": [ro.pk for ro in return_orders]}
    )


def test_marking_arrived_in_bulk_reports_successes_and_refusals(staff, warehouse):
    awaiting = return_order_in_state(State.AWAITING_ARRIVAL, warehouse=warehouse)
    completed = return_order_in_state(State.COMPLETED, warehouse=warehouse)

    response = run_action(staff, "mark_arrived", [awaiting, completed])

    awaiting.refresh_from_db()
    assert awaiting.state == State.ARRIVED
    success, refusal = messages_of(response)
    assert success == "1 return order marked arrived."
    assert refusal.startswith("1 return order not marked arrived:")
    assert "cannot go from completed to arrived" in refusal


def test_completing_in_bulk_goes_through_the_service_and_says_why_some_could_not(client):
    shipback = registered_shipback(items=1)
    ready = shipback.return_orders.get()
    user = log_in(client, WarehouseUserFactory)
    ready.warehouse.staff.add(user)
    return_order_receive(
        return_order_id=ready.pk,
        lines=[
            ReceivedLineData(
                1, expected_item_id=ready.expected_items.get().pk, actions=[ActionData("restock")]
            )
        ],
        actor=Actor.system(),
    )
    waiting = return_order_in_state(State.PROCESSING, warehouse=ready.warehouse)
    item = ExpectedItemFactory(return_order=waiting, quantity_expected=1)
    return_order_receive(
        return_order_id=waiting.pk,
        lines=[ReceivedLineData(1, expected_item_id=item.pk)],
        actor=Actor.system(),
    )

    response = run_action(client, "complete", [ready, waiting])

    ready.refresh_from_db()
    waiting.refresh_from_db()
    assert (ready.state, waiting.state) == (State.COMPLETED, State.PROCESSING)
    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.RELOCATED
    success, refusal = messages_of(response)
    assert success == "1 return order completed."
    assert (
        f"{waiting.reference}: {item.product.reference}: 1 unit(s) received without an action"
        in refusal
    )


def test_retrying_provider_sync_in_bulk_sends_failed_calls_again_and_says_why_not(
    staff, warehouse, django_capture_on_commit_callbacks
):
    Warehouse.objects.filter(pk=warehouse.pk).update(
        provider=Warehouse.Provider.SHIPPINGBO, shippingbo_supplier_id=28714
    )
    failed = ReturnOrderFactory(warehouse=warehouse)
    call = ProviderCallFactory(
        return_order=failed,
        target=failed.reference,
        state=ProviderCall.State.FAILED,
        attempts=3,
        failures=3,
        last_error="422 Unprocessable",
        completed_at=timezone.now(),
    )
    synced = ReturnOrderFactory(warehouse=warehouse)
    ProviderCallFactory(
        return_order=synced, target=synced.reference, state=ProviderCall.State.SUCCEEDED
    )

    with django_capture_on_commit_callbacks() as callbacks:
        response = run_action(staff, "retry_provider_sync", [failed, synced])

    call.refresh_from_db()
    assert (call.state, call.failures) == (ProviderCall.State.PENDING, 0)
    assert len(callbacks) == 1  # the task message, sent after commit
    success, refusal = messages_of(response)
    assert success == "1 return order sent to their provider again."
    assert f"{synced.reference}: Return order {synced.reference} has no failed or pending" in (
        refusal
    )
