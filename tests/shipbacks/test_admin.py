import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse

from orders.models import Customer
from returns_portal.actors import Actor
from shipbacks.models import (
    ExpectedItem,
    ItemAction,
    Quote,
    RelocationRule,
    ReturnedItem,
    ReturnOrder,
    ReturnOrderEvent,
    ReturnPolicy,
    Shipback,
    ShipbackEvent,
    Warehouse,
)
from shipbacks.services import quote_record_result, return_order_transition
from tests.admin_pages import add_row, count_queries, form_data, form_errors, log_in
from tests.factories import (
    AddressFactory,
    CustomerFactory,
    ExpectedItemFactory,
    InboundEventFactory,
    ItemActionFactory,
    OrderFactory,
    OrderItemFactory,
    ProviderCallFactory,
    QuoteFactory,
    RelocationRuleFactory,
    ReturnedItemFactory,
    ReturnOrderFactory,
    ReturnReasonFactory,
    ShipbackFactory,
    ShipmentFactory,
    SparePartFactory,
    SponsoringRuleFactory,
    SuperuserFactory,
    WarehouseFactory,
    return_order_in_state,
    shipback_in_state,
)

pytestmark = pytest.mark.django_db

SHIPBACKS = reverse("admin:shipbacks_shipback_changelist")
RETURN_ORDERS = reverse("admin:shipbacks_returnorder_changelist")
State = ReturnOrder.State


@pytest.fixture
def admin_client(client):
    """pytest-django's, without the slow password hashing."""
    log_in(client, SuperuserFactory)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def change_url(obj):
    return reverse(f"admin:shipbacks_{obj._meta.model_name}_change", args=[obj.pk])


def run_action(client, changelist, action, objects):
    return client.post(changelist, {"action": action, "_selected_action": [o.pk for o in objects]})


# Every page.


MODELS = [
    "shipback",
    "returneditem",
    "quote",
    "shipbackevent",
    "returnorder",
    "expecteditem",
    "itemaction",
    "returnorderevent",
    "warehouse",
    "returnreason",
    "relocationrule",
    "sponsoringrule",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_returns_list_renders_its_rows_and_searches(admin_client, model):
    shipback = shipback_in_state(Shipback.State.REGISTERED, items=2)
    QuoteFactory(shipback=shipback)
    ItemActionFactory(expected_item__return_order=return_order_in_state(State.ARRIVED))
    RelocationRuleFactory()
    SponsoringRuleFactory()
    changelist = reverse(f"admin:shipbacks_{model}_changelist")

    listed = admin_client.get(changelist)
    searched = admin_client.get(changelist, {"q": "R"})

    assert listed.status_code == 200
    assert listed.context["cl"].result_count >= 1
    assert searched.status_code == 200


def test_every_admin_page_of_the_back_office_renders_for_a_superuser(admin_client):
    shipback = shipback_in_state(Shipback.State.REGISTERED, items=2)
    QuoteFactory(shipback=shipback)
    ShipmentFactory(order=shipback.order)
    SparePartFactory()
    ItemActionFactory(expected_item__return_order=return_order_in_state(State.ARRIVED))
    RelocationRuleFactory()
    SponsoringRuleFactory()
    ReturnPolicy.current()
    ProviderCallFactory()
    InboundEventFactory()
    statuses = {}

    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label not in ("catalog", "orders", "shipbacks"):
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        obj = model._default_manager.first()
        pages = {
            "list": admin_client.get(reverse(f"{name}_changelist"), {"q": "a"}),
            "add": admin_client.get(reverse(f"{name}_add")),
            "change": admin_client.get(reverse(f"{name}_change", args=[obj.pk])),
            "delete": admin_client.get(reverse(f"{name}_delete", args=[obj.pk])),
            "history": admin_client.get(reverse(f"{name}_history", args=[obj.pk])),
        }
        statuses[opts.model_name] = {page: r.status_code for page, r in pages.items()}

    assert len(statuses) == 23
    assert all(set(pages.values()) <= {200, 302, 403} for pages in statuses.values())
    refused = {
        model: [page for page, status in pages.items() if status == 403]
        for model, pages in statuses.items()
        if 403 in pages.values()
    }
    assert refused == {
        "brand": ["delete"],  # the only brand is the default one
        "shipback": ["add", "delete"],  # registered; shipbacks come from the portal and API
        "returneditem": ["delete"],  # its shipback is registered
        "quote": ["add", "delete"],
        "shipbackevent": ["add", "delete"],
        "returnorder": ["add", "delete"],
        "returnorderevent": ["add", "delete"],
        # written by the receiving screen, through the services
        "expecteditem": ["add", "delete"],
        "itemaction": ["add", "delete"],
        "returnpolicy": ["add", "delete"],
        "providercall": ["add", "delete"],  # written by the services, sent by tasks
        "inboundevent": ["add", "delete"],  # sent by the providers
    }
    assert statuses["returnpolicy"]["list"] == 302  # straight to the one policy


# Shipbacks.


def test_shipback_list_shows_rma_order_customer_state_mode_and_dates(admin_client):
    shipback = ShipbackFactory(
        order__order_number="ORD-42",
        order__customer__last_name="Durand",
        mode=Shipback.Mode.POSTAL,
    )

    response = admin_client.get(SHIPBACKS)

    assert [f for f in response.context["cl"].list_display if f != "action_checkbox"] == [
        "rma",
        "order_number",
        "customer_name",
        "state",
        "mode",
        "created_at",
        "registered_at",
    ]
    content = response.content.decode()
    for shown in (shipback.rma, "ORD-42", "Camille Durand", "Created", "Postal"):
        assert shown in content


@pytest.mark.parametrize(
    "query", ["RSEARCH1", "ORD-SEARCH", "durand@example.com", "Durand", "6A-TRACK"]
)
def test_shipbacks_are_found_by_rma_order_customer_or_tracking_number(admin_client, query):
    wanted = ShipbackFactory(
        order__order_number="ORD-SEARCH",
        customer=CustomerFactory(last_name="Durand", email="durand@example.com"),
        tracking_number="6A-TRACK",
    )
    Shipback.objects.filter(pk=wanted.pk).update(rma="RSEARCH1")
    ShipbackFactory()

    response = admin_client.get(SHIPBACKS, {"q": query})

    assert [s.pk for s in response.context["cl"].result_list] == [wanted.pk]


def test_shipback_list_takes_the_same_queries_for_two_or_fifteen_shipbacks(admin_client):
    ShipbackFactory.create_batch(2, items=2)
    admin_client.get(SHIPBACKS)  # warm the caches (content types, session)
    few = count_queries(admin_client, SHIPBACKS)

    ShipbackFactory.create_batch(13, items=2)
    many = count_queries(admin_client, SHIPBACKS)

    assert many == few


def test_shipback_page_takes_the_same_queries_for_one_or_ten_items(admin_client):
    small = ShipbackFactory(items=1)
    QuoteFactory(shipback=small)
    large = ShipbackFactory(items=10)
    for mode in Quote.Mode.values:
        QuoteFactory(shipback=large, mode=mode)
    for item in large.returned_items.all():
        ShipbackEvent.objects.create(
            shipback=large, returned_item=item, from_state="", to_state="pending", actor="system"
        )
    admin_client.get(change_url(small))  # warm the caches

    one = count_queries(admin_client, change_url(small))
    ten = count_queries(admin_client, change_url(large))

    assert ten == one


def test_shipback_page_shows_items_quotes_return_orders_and_timeline(admin_client):
    shipback = shipback_in_state(Shipback.State.REGISTERED, items=2)
    QuoteFactory(shipback=shipback)
    return_order = ReturnOrderFactory(shipback=shipback, order=shipback.order)

    response = admin_client.get(change_url(shipback))

    inlines = {i.formset.prefix: i for i in response.context["inline_admin_formsets"]}
    assert len(inlines["returned_items"].formset.initial_forms) == 2
    assert len(inlines["quotes"].formset.initial_forms) == 1
    assert inlines["return_orders"].formset.initial_forms[0].instance == return_order
    timeline = [f.instance.to_state for f in inlines["events"].formset.initial_forms]
    assert timeline == ["registered"]
    for read_only in ("quotes", "return_orders", "events"):
        assert not inlines[read_only].has_change_permission
        assert not inlines[read_only].has_add_permission


def test_shipbacks_are_not_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:shipbacks_shipback_add")).status_code == 403


def test_cancelling_created_shipbacks_from_the_admin_records_who_did_it(admin_client):
    shipbacks = ShipbackFactory.create_batch(2)

    response = run_action(admin_client, SHIPBACKS, "cancel_shipbacks", shipbacks)

    assert response.status_code == 302
    user = response.wsgi_request.user
    for shipback in shipbacks:
        shipback.refresh_from_db()
        assert shipback.state == Shipback.State.CANCELLED
        assert shipback.events.get().actor == f"staff:{user.username}"
    assert "2 shipbacks cancelled." in messages_of(response)


def test_cancelling_a_registered_shipback_from_the_admin_reports_why(admin_client):
    created = ShipbackFactory()
    registered = shipback_in_state(Shipback.State.REGISTERED)

    response = run_action(admin_client, SHIPBACKS, "cancel_shipbacks", [created, registered])

    created.refresh_from_db()
    registered.refresh_from_db()
    assert created.state == Shipback.State.CANCELLED
    assert registered.state == Shipback.State.REGISTERED
    success, refusal = messages_of(response)
    assert success == "1 shipback cancelled."
    assert refusal.startswith("1 shipback not cancelled:")
    assert registered.rma in refusal
    assert "already registered; it can no longer be cancelled" in refusal


def test_a_shipback_page_offers_cancel_while_it_is_modifiable(admin_client):
    created = ShipbackFactory()
    registered = shipback_in_state(Shipback.State.REGISTERED)

    offered = admin_client.get(change_url(created)).context["object_state_actions"]
    not_offered = admin_client.get(change_url(registered)).context["object_state_actions"]

    assert [a["label"] for a in offered] == ["Cancel"]
    assert not_offered == []


def test_the_cancel_button_cancels_that_shipback_and_comes_back_to_it(admin_client):
    shipback = ShipbackFactory()
    url = reverse("admin:shipbacks_shipback_action", args=[shipback.pk, "cancel_shipbacks"])

    response = admin_client.post(url)

    assert response.status_code == 302
    assert response.url == change_url(shipback)
    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.CANCELLED


def test_object_actions_only_run_on_post_and_only_known_actions(admin_client):
    shipback = ShipbackFactory()

    got = admin_client.get(
        reverse("admin:shipbacks_shipback_action", args=[shipback.pk, "cancel_shipbacks"])
    )
    unknown = admin_client.post(
        reverse("admin:shipbacks_shipback_action", args=[shipback.pk, "delete_selected"])
    )

    assert got.status_code == 405
    assert unknown.status_code == 403
    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.CREATED


def test_the_state_and_the_providers_figures_are_not_editable_on_a_shipback_page(admin_client):
    shipback = ShipbackFactory(items=1)
    data = form_data(admin_client.get(change_url(shipback)))
    data |= {
        "state": Shipback.State.RELOCATED,
        "tracking_number": "6A-NEW",
        "price_cents": "1",
        "dropoff_code": "PUDO-9",
    }

    response = admin_client.post(change_url(shipback), data)

    assert response.status_code == 302, form_errors(response)
    shipback.refresh_from_db()
    assert shipback.dropoff_code == "PUDO-9"
    assert shipback.tracking_number == ""
    assert shipback.price_cents is None
    assert shipback.state == Shipback.State.CREATED


def test_a_price_override_set_in_the_admin_reprices_the_quotes_and_is_recorded(admin_client):
    shipback = ShipbackFactory(items=1)
    quote = QuoteFactory(shipback=shipback, mode="postal")
    quote_record_result(
        quote_id=quote.pk, state=Quote.State.AVAILABLE, price_cents=690, customer_price_cents=690
    )
    data = form_data(admin_client.get(change_url(shipback)))
    data["postal_customer_price_cents"] = "0"

    response = admin_client.post(change_url(shipback), data)

    assert response.status_code == 302, form_errors(response)
    shipback.refresh_from_db()
    quote.refresh_from_db()
    assert shipback.postal_customer_price_cents == 0
    assert quote.customer_price_cents == 0
    assert shipback.history.latest().history_user == response.wsgi_request.user


def test_a_price_override_removed_in_the_admin_is_removed(admin_client):
    shipback = ShipbackFactory(items=1, postal_customer_price_cents=300)
    data = form_data(admin_client.get(change_url(shipback)))
    data["postal_customer_price_cents"] = ""

    response = admin_client.post(change_url(shipback), data)

    assert response.status_code == 302, form_errors(response)
    shipback.refresh_from_db()
    assert shipback.postal_customer_price_cents is None


def test_a_mode_without_an_available_quote_is_a_field_error_on_the_shipback_page(admin_client):
    shipback = ShipbackFactory(items=1)
    quote = QuoteFactory(shipback=shipback, mode="postal")
    quote_record_result(quote_id=quote.pk, state=Quote.State.UNAVAILABLE)
    data = form_data(admin_client.get(change_url(shipback)))
    data["mode"] = "postal"

    response = admin_client.post(change_url(shipback), data)

    assert response.status_code == 200
    assert "mode" in form_errors(response)
    shipback.refresh_from_db()
    assert shipback.mode == ""


def test_an_inactive_warehouse_cannot_be_chosen_as_the_shipbacks_destination(admin_client):
    shipback = ShipbackFactory(items=1)
    closed = WarehouseFactory(active=False)
    data = form_data(admin_client.get(change_url(shipback)))
    data["relocation_warehouse"] = str(closed.pk)

    response = admin_client.post(change_url(shipback), data)

    assert response.status_code == 200
    assert "relocation_warehouse" in form_errors(response)


def test_a_registered_shipback_is_read_only(admin_client):
    shipback = shipback_in_state(Shipback.State.REGISTERED, items=1)
    page = admin_client.get(change_url(shipback))
    data = form_data(page)
    data["tracking_number"] = "6A-NEW"

    posted = admin_client.post(change_url(shipback), data)

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert posted.status_code == 403
    shipback.refresh_from_db()
    assert shipback.tracking_number == ""


def test_deleting_a_created_shipback_goes_through_the_service(admin_client):
    shipback = ShipbackFactory(items=2, customer=CustomerFactory())
    QuoteFactory(shipback=shipback)
    ShipbackEvent.objects.create(shipback=shipback, from_state="", to_state="created", actor="x")
    copy = shipback.customer
    url = reverse("admin:shipbacks_shipback_delete", args=[shipback.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})

    assert page.context["perms_lacking"] == set()
    assert response.status_code == 302
    assert not Shipback.objects.filter(pk=shipback.pk).exists()
    # The service also deletes the shipback's own copy of the customer; the order's stays.
    assert not Customer.objects.filter(pk=copy.pk).exists()
    assert Customer.objects.filter(pk=shipback.order.customer_id).exists()


def test_deleting_created_shipbacks_in_bulk_goes_through_the_service(admin_client):
    shipbacks = [ShipbackFactory(items=1, customer=CustomerFactory()) for _ in range(2)]

    response = admin_client.post(
        SHIPBACKS,
        {"action": "delete_selected", "_selected_action": [s.pk for s in shipbacks], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Shipback.objects.exists()
    assert Customer.objects.count() == 2  # the two orders' customers; the copies are gone


def test_a_registered_shipback_cannot_be_deleted(admin_client):
    shipback = shipback_in_state(Shipback.State.REGISTERED, items=1)
    url = reverse("admin:shipbacks_shipback_delete", args=[shipback.pk])

    page = admin_client.get(url)
    posted = admin_client.post(url, {"post": "yes"})
    in_bulk = admin_client.post(
        SHIPBACKS, {"action": "delete_selected", "_selected_action": [shipback.pk], "post": "yes"}
    )

    assert page.status_code == 403
    assert posted.status_code == 403
    assert in_bulk.status_code == 403
    assert Shipback.objects.filter(pk=shipback.pk).exists()


def test_adding_a_returned_item_on_the_shipback_page_saves_it(admin_client):
    shipback = ShipbackFactory(items=1)
    other_item = OrderItemFactory(order=shipback.order)
    reason = ReturnReasonFactory()
    data = form_data(admin_client.get(change_url(shipback)))
    add_row(data, "returned_items", order_item=other_item.pk, quantity=1, reason=reason.pk)

    response = admin_client.post(change_url(shipback), data)

    assert response.status_code == 302, form_errors(response)
    assert shipback.returned_items.filter(order_item=other_item, reason=reason).exists()


def test_the_shipback_page_offers_only_the_items_of_its_order(admin_client):
    shipback = ShipbackFactory(items=1)
    OrderItemFactory(order=shipback.order)
    OrderItemFactory()  # another order's

    response = admin_client.get(change_url(shipback))

    [inline] = [
        i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "returned_items"
    ]
    offered = [value for value, _ in inline.formset.form.base_fields["order_item"].choices if value]
    assert len(offered) == 2
    assert {str(v) for v in offered} == {str(i.pk) for i in shipback.order.items.all()}


def test_a_returned_item_of_another_order_is_a_field_error_on_the_shipback_page(admin_client):
    shipback = ShipbackFactory(items=1)
    data = form_data(admin_client.get(change_url(shipback)))
    add_row(
        data,
        "returned_items",
        order_item=OrderItemFactory().pk,
        quantity=1,
        reason=ReturnReasonFactory().pk,
    )

    response = admin_client.post(change_url(shipback), data)

    assert response.status_code == 200
    assert "returned_items-1-order_item" in form_errors(response)
    assert shipback.returned_items.count() == 1


def test_a_returned_item_of_another_order_is_a_field_error_in_the_returned_item_form(
    admin_client,
):
    shipback = ShipbackFactory()
    foreign = OrderItemFactory()

    response = admin_client.post(
        reverse("admin:shipbacks_returneditem_add"),
        {
            "shipback": shipback.pk,
            "order_item": foreign.pk,
            "quantity": "1",
            "reason": ReturnReasonFactory().pk,
            "comment": "",
        },
    )

    assert response.status_code == 200
    [error] = form_errors(response)["order_item"]
    assert f"not part of order {shipback.order}" in error
    assert not ReturnedItem.objects.exists()


def test_a_returned_item_cannot_be_added_to_a_registered_shipback(admin_client):
    shipback = shipback_in_state(Shipback.State.REGISTERED)

    response = admin_client.post(
        reverse("admin:shipbacks_returneditem_add"),
        {
            "shipback": shipback.pk,
            "order_item": OrderItemFactory(order=shipback.order).pk,
            "quantity": "1",
            "reason": ReturnReasonFactory().pk,
            "comment": "",
        },
    )

    assert response.status_code == 200
    assert "can no longer change" in form_errors(response)["shipback"][0]
    assert not ReturnedItem.objects.exists()


def test_the_same_order_item_twice_in_a_shipback_is_refused(admin_client):
    returned = ReturnedItemFactory()

    response = admin_client.post(
        reverse("admin:shipbacks_returneditem_add"),
        {
            "shipback": returned.shipback.pk,
            "order_item": returned.order_item.pk,
            "quantity": "1",
            "reason": returned.reason.pk,
            "comment": "",
        },
    )

    assert response.status_code == 200
    assert "already in the return" in str(form_errors(response))
    assert ReturnedItem.objects.count() == 1


def test_the_items_of_a_registered_shipback_are_read_only(admin_client):
    returned = ReturnedItemFactory(shipback=shipback_in_state(Shipback.State.REGISTERED))
    url = reverse("admin:shipbacks_returneditem_delete", args=[returned.pk])

    page = admin_client.get(change_url(returned))

    assert not page.context["has_change_permission"]
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert ReturnedItem.objects.filter(pk=returned.pk).exists()


# History and quotes.


@pytest.mark.parametrize("model", ["shipbackevent", "returnorderevent", "quote"])
def test_history_and_quotes_are_view_only_even_for_a_superuser(admin_client, model):
    shipback = shipback_in_state(Shipback.State.REGISTERED)
    QuoteFactory(shipback=shipback)
    return_order_in_state(State.ARRIVED)
    obj = {
        "shipbackevent": ShipbackEvent,
        "returnorderevent": ReturnOrderEvent,
        "quote": Quote,
    }[model].objects.first()
    url = change_url(obj)

    viewed = admin_client.get(url)
    added = admin_client.get(reverse(f"admin:shipbacks_{model}_add"))
    changed = admin_client.post(url, form_data(viewed))
    deleted = admin_client.post(reverse(f"admin:shipbacks_{model}_delete", args=[obj.pk]))
    listed = admin_client.get(reverse(f"admin:shipbacks_{model}_changelist"))

    assert viewed.status_code == 200
    assert not viewed.context["has_change_permission"]
    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert listed.context["action_form"] is None  # not even "delete selected"
    assert type(obj).objects.filter(pk=obj.pk).exists()


# Return orders.


def test_return_order_list_shows_reference_warehouse_order_state_type_and_item_count(
    admin_client,
):
    return_order = ReturnOrderFactory(items=3, order__order_number="ORD-42", warehouse__name="Lyon")

    response = admin_client.get(RETURN_ORDERS)

    assert [f for f in response.context["cl"].list_display if f != "action_checkbox"] == [
        "reference",
        "warehouse",
        "order_number",
        "state",
        "type",
        "expected_item_count",
        "created_at",
        "receive_link",
    ]
    [row] = response.context["cl"].result_list
    assert row.expected_item_count == 3
    content = response.content.decode()
    for shown in (return_order.reference, "Lyon", "ORD-42", "New", "Customer return"):
        assert shown in content


@pytest.mark.parametrize("query", ["ROSEARCH", "RSHIPBACK", "6A-TRACK", "ORD-SEARCH"])
def test_return_orders_are_found_by_reference_rma_tracking_or_order_number(admin_client, query):
    shipback = ShipbackFactory(order__order_number="ORD-SEARCH")
    Shipback.objects.filter(pk=shipback.pk).update(rma="RSHIPBACK")
    wanted = ReturnOrderFactory(
        reference="ROSEARCH", shipback=shipback, order=shipback.order, tracking_number="6A-TRACK"
    )
    ReturnOrderFactory()

    response = admin_client.get(RETURN_ORDERS, {"q": query})

    assert [r.pk for r in response.context["cl"].result_list] == [wanted.pk]


def test_return_order_list_takes_the_same_queries_for_two_or_fifteen_return_orders(
    admin_client,
):
    for _ in range(2):
        return_order_in_state(State.ARRIVED, items=2, shipback=ShipbackFactory())
    admin_client.get(RETURN_ORDERS)  # warm the caches (content types, session)
    few = count_queries(admin_client, RETURN_ORDERS)

    for _ in range(13):
        return_order_in_state(State.ARRIVED, items=2, shipback=ShipbackFactory())
    many = count_queries(admin_client, RETURN_ORDERS)

    assert many == few


def test_return_order_page_takes_the_same_queries_for_one_or_ten_items(admin_client):
    small = return_order_in_state(State.ARRIVED, items=1)
    large = return_order_in_state(State.PROCESSING, items=10)
    shipback = ShipbackFactory(order=large.order, items=10)
    for expected, returned in zip(
        large.expected_items.all(), shipback.returned_items.all(), strict=True
    ):
        expected.returned_item = returned
        expected.quantity_received = 1
        expected.save()
        ItemActionFactory.create_batch(2, expected_item=expected)
    admin_client.get(change_url(small))  # warm the caches

    one = count_queries(admin_client, change_url(small))
    ten = count_queries(admin_client, change_url(large))

    assert ten == one


def test_return_order_page_shows_expected_items_their_actions_and_the_timeline(admin_client):
    return_order = return_order_in_state(State.PROCESSING)
    expected = ExpectedItemFactory(return_order=return_order, quantity_expected=2)
    ItemActionFactory(expected_item=expected, action=ItemAction.Action.RESTOCK, quantity=1)
    ItemActionFactory(expected_item=expected, action=ItemAction.Action.DISPOSE, quantity=1)

    response = admin_client.get(change_url(return_order))

    inlines = {i.formset.prefix: i for i in response.context["inline_admin_formsets"]}
    assert [f.instance for f in inlines["expected_items"].formset.initial_forms] == [expected]
    timeline = [f.instance.to_state for f in inlines["events"].formset.initial_forms]
    assert timeline == ["arrived", "processing"]
    assert "Restock ×1, Dispose ×1" in response.content.decode()


def test_return_orders_are_neither_added_nor_deleted_in_the_admin(admin_client):
    return_order = ReturnOrderFactory(items=1)

    added = admin_client.get(reverse("admin:shipbacks_returnorder_add"))
    deleted = admin_client.post(
        reverse("admin:shipbacks_returnorder_delete", args=[return_order.pk]), {"post": "yes"}
    )

    assert (added.status_code, deleted.status_code) == (403, 403)
    assert ReturnOrder.objects.filter(pk=return_order.pk).exists()


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("mark_awaiting_arrival", State.NEW, State.AWAITING_ARRIVAL),
        ("mark_arrived", State.AWAITING_ARRIVAL, State.ARRIVED),
        ("mark_processing", State.ARRIVED, State.PROCESSING),
        ("complete", State.PROCESSING, State.COMPLETED),
        ("flag_in_trouble", State.ARRIVED, State.IN_TROUBLE),
        ("cancel_return_orders", State.AWAITING_ARRIVAL, State.CANCELLED),
    ],
)
def test_each_return_order_action_moves_the_selected_return_orders(
    admin_client, action, start, end
):
    return_orders = [return_order_in_state(start) for _ in range(2)]

    response = run_action(admin_client, RETURN_ORDERS, action, return_orders)

    assert response.status_code == 302
    user = response.wsgi_request.user
    for return_order in return_orders:
        return_order.refresh_from_db()
        assert return_order.state == end
        event = return_order.events.last()
        assert (event.from_state, event.to_state) == (start, end)
        assert event.actor == f"staff:{user.username}"
        assert event.actor_user == user
    [message] = messages_of(response)
    assert message.startswith("2 return orders ")


def test_marking_return_orders_arrived_reports_which_could_not_and_why(admin_client):
    awaiting = return_order_in_state(State.AWAITING_ARRIVAL)
    completed = return_order_in_state(State.COMPLETED)

    response = run_action(admin_client, RETURN_ORDERS, "mark_arrived", [awaiting, completed])

    awaiting.refresh_from_db()
    completed.refresh_from_db()
    assert awaiting.state == State.ARRIVED
    assert completed.state == State.COMPLETED
    success, refusal = messages_of(response)
    assert success == "1 return order marked arrived."
    assert refusal.startswith("1 return order not marked arrived:")
    assert f"{completed.reference}: Return order {completed.reference} cannot go from " in refusal


def test_cancelling_a_return_order_that_arrived_is_refused_with_the_reason(admin_client):
    in_trouble_after_arrival = return_order_in_state(State.ARRIVED)
    return_order_transition(
        return_order_id=in_trouble_after_arrival.pk, to=State.IN_TROUBLE, actor=Actor.system()
    )

    response = run_action(
        admin_client, RETURN_ORDERS, "cancel_return_orders", [in_trouble_after_arrival]
    )

    in_trouble_after_arrival.refresh_from_db()
    assert in_trouble_after_arrival.state == State.IN_TROUBLE
    [refusal] = messages_of(response)
    assert "cannot go from in trouble to cancelled" in refusal


def test_a_long_list_of_refusals_is_cut_short(admin_client):
    completed = [return_order_in_state(State.COMPLETED) for _ in range(12)]

    response = run_action(admin_client, RETURN_ORDERS, "mark_arrived", completed)

    [refusal] = messages_of(response)
    assert refusal.startswith("12 return orders not marked arrived:")
    assert refusal.count("<li>") == 10
    assert refusal.endswith("and 2 more.")


def test_a_return_order_page_offers_the_transitions_it_can_take(admin_client):
    arrived = return_order_in_state(State.ARRIVED)

    response = admin_client.get(change_url(arrived))

    labels = [a["label"] for a in response.context["object_state_actions"]]
    assert labels == ["Mark processing", "Complete", "Flag in trouble"]
    assert reverse("admin:shipbacks_returnorder_action", args=[arrived.pk, "complete"]) in (
        response.content.decode()
    )


def test_a_return_order_button_moves_it_and_comes_back_to_its_page(admin_client):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL)
    url = reverse("admin:shipbacks_returnorder_action", args=[return_order.pk, "mark_arrived"])

    response = admin_client.post(url)

    assert response.status_code == 302
    assert response.url == change_url(return_order)
    return_order.refresh_from_db()
    assert return_order.state == State.ARRIVED
    assert return_order.arrived_at is not None
    assert messages_of(response) == ["1 return order marked arrived."]


def test_what_was_sent_to_the_provider_is_not_editable_on_a_return_order_page(admin_client):
    return_order = return_order_in_state(State.ARRIVED, items=1)
    before = ReturnOrder.objects.values().get(pk=return_order.pk)
    data = form_data(admin_client.get(change_url(return_order)))
    data |= {
        "state": State.COMPLETED,
        "reference": "RO-OTHER",
        "warehouse": str(WarehouseFactory().pk),
        "order": str(OrderFactory().pk),
        "type": ReturnOrder.Type.CARRIER,
        "tracking_number": "6A-NEW",
    }

    response = admin_client.post(change_url(return_order), data)

    assert response.status_code == 302, form_errors(response)
    after = ReturnOrder.objects.values().get(pk=return_order.pk)
    assert after["tracking_number"] == "6A-NEW"
    for field in ("state", "reference", "warehouse_id", "order_id", "type"):
        assert after[field] == before[field]


# Warehouses, reasons, policy and rules.


def warehouse_form(**fields):
    return {
        "name": "Lyon",
        "reference": "WH-LYON",
        "address": str(AddressFactory().pk),
        "accepts_direct_returns": "",
        "active": "on",
        "provider": Warehouse.Provider.MANUAL,
        "shippingbo_supplier_id": "",
        "shipbob_fulfillment_center_id": "",
        "kibo_location_id": "",
    } | fields


def test_adding_a_warehouse_saves_it(admin_client):
    response = admin_client.post(reverse("admin:shipbacks_warehouse_add"), warehouse_form())

    assert response.status_code == 302, form_errors(response)
    assert Warehouse.objects.get().reference == "WH-LYON"


def test_a_warehouse_without_address_is_a_field_error(admin_client):
    response = admin_client.post(
        reverse("admin:shipbacks_warehouse_add"), warehouse_form(address="")
    )

    assert response.status_code == 200
    assert "address" in form_errors(response)
    assert not Warehouse.objects.exists()


def test_a_taken_warehouse_reference_is_a_field_error(admin_client):
    WarehouseFactory(reference="WH-LYON")

    response = admin_client.post(reverse("admin:shipbacks_warehouse_add"), warehouse_form())

    assert response.status_code == 200
    assert "reference" in form_errors(response)
    assert Warehouse.objects.count() == 1


@pytest.mark.parametrize(
    ("provider", "id_field"),
    [
        (Warehouse.Provider.SHIPPINGBO, "shippingbo_supplier_id"),
        (Warehouse.Provider.SHIPBOB, "shipbob_fulfillment_center_id"),
        (Warehouse.Provider.KIBO, "kibo_location_id"),
    ],
)
def test_a_provider_warehouse_without_its_provider_id_is_a_field_error(
    admin_client, provider, id_field
):
    response = admin_client.post(
        reverse("admin:shipbacks_warehouse_add"), warehouse_form(provider=provider)
    )

    assert response.status_code == 200
    assert id_field in form_errors(response)
    assert not Warehouse.objects.exists()


def test_a_warehouse_in_use_shows_what_stops_its_deletion(admin_client):
    rule = RelocationRuleFactory()
    url = reverse("admin:shipbacks_warehouse_delete", args=[rule.warehouse.pk])

    page = admin_client.get(url)
    posted = admin_client.post(url, {"post": "yes"})

    assert page.status_code == 200
    assert page.context["protected"]
    assert posted.status_code == 200
    assert Warehouse.objects.filter(pk=rule.warehouse.pk).exists()


def test_the_return_policy_list_leads_to_the_one_policy(admin_client):
    response = admin_client.get(reverse("admin:shipbacks_returnpolicy_changelist"))

    assert response.status_code == 302
    assert response.url == reverse("admin:shipbacks_returnpolicy_change", args=[1])
    assert ReturnPolicy.objects.count() == 1


def test_the_return_policy_is_edited_never_added_twice_nor_deleted(admin_client):
    policy = ReturnPolicy.current()
    url = reverse("admin:shipbacks_returnpolicy_change", args=[policy.pk])
    data = form_data(admin_client.get(url))
    data["window_days"] = "45"

    edited = admin_client.post(url, data)
    added = admin_client.get(reverse("admin:shipbacks_returnpolicy_add"))
    deleted = admin_client.post(
        reverse("admin:shipbacks_returnpolicy_delete", args=[policy.pk]), {"post": "yes"}
    )

    assert edited.status_code == 302, form_errors(edited)
    assert ReturnPolicy.current().window_days == 45
    assert (added.status_code, deleted.status_code) == (403, 403)
    assert ReturnPolicy.objects.count() == 1


def test_a_return_window_of_zero_days_is_a_field_error(admin_client):
    policy = ReturnPolicy.current()
    url = reverse("admin:shipbacks_returnpolicy_change", args=[policy.pk])
    data = form_data(admin_client.get(url))
    data["window_days"] = "0"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "window_days" in form_errors(response)
    assert ReturnPolicy.current().window_days == policy.window_days


def test_a_second_relocation_rule_for_the_same_reason_and_country_is_refused(admin_client):
    rule = RelocationRuleFactory(reason=ReturnReasonFactory(), country_code="FR")

    response = admin_client.post(
        reverse("admin:shipbacks_relocationrule_add"),
        {"reason": rule.reason.pk, "country_code": "FR", "warehouse": rule.warehouse.pk},
    )

    assert response.status_code == 200
    assert "A rule for this reason and country exists already." in str(form_errors(response))
    assert RelocationRule.objects.count() == 1


def test_a_relocation_rule_with_a_lowercase_country_is_a_field_error(admin_client):
    response = admin_client.post(
        reverse("admin:shipbacks_relocationrule_add"),
        {"reason": "", "country_code": "fr", "warehouse": WarehouseFactory().pk},
    )

    assert response.status_code == 200
    assert "country_code" in form_errors(response)
    assert not RelocationRule.objects.exists()


def test_a_sponsoring_rule_over_100_percent_is_a_field_error(admin_client):
    response = admin_client.post(
        reverse("admin:shipbacks_sponsoringrule_add"),
        {"reason": "", "country_code": "", "percentage": "150"},
    )

    assert response.status_code == 200
    assert "percentage" in form_errors(response)


def test_expected_items_are_listed_with_their_return_order_and_product(admin_client):
    expected = ExpectedItemFactory(product__reference="SKU-XYZ")

    response = admin_client.get(
        reverse("admin:shipbacks_expecteditem_changelist"), {"q": "SKU-XYZ"}
    )

    assert [e.pk for e in response.context["cl"].result_list] == [expected.pk]
    assert expected.return_order.reference in response.content.decode()


def test_an_order_with_a_return_order_cannot_be_deleted(admin_client):
    return_order = ReturnOrderFactory(items=1, order=OrderFactory(items=1))
    url = reverse("admin:orders_order_delete", args=[return_order.order.pk])

    posted = admin_client.post(url, {"post": "yes"})

    assert posted.status_code == 200
    assert ExpectedItem.objects.exists()
    assert ReturnOrder.objects.filter(order=return_order.order).exists()
