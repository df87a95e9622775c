"""What each staff role may do in the admin (the groups returns_portal.roles sets up)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from catalog.models import Product
from shipbacks.models import RelocationRule, ReturnOrder, ReturnReason, Shipback
from tests.admin_pages import form_data, form_errors, log_in
from tests.factories import (
    BrandFactory,
    ExpectedItemFactory,
    ManagerUserFactory,
    ProductFactory,
    RelocationRuleFactory,
    ReturnOrderFactory,
    ReturnReasonFactory,
    ShipbackFactory,
    SponsoringRuleFactory,
    UserFactory,
    WarehouseFactory,
    WarehouseUserFactory,
    return_order_in_state,
)

pytestmark = pytest.mark.django_db

RETURN_ORDERS = reverse("admin:shipbacks_returnorder_changelist")
State = ReturnOrder.State


@pytest.fixture
def staff_warehouse():
    """The warehouse the warehouse staff of these tests work at."""
    return WarehouseFactory()


@pytest.fixture
def warehouse_client(client, staff_warehouse):
    staff_warehouse.staff.add(log_in(client, WarehouseUserFactory))
    return client


@pytest.fixture
def manager_client(client):
    log_in(client, ManagerUserFactory)
    return client


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize("user_factory", [WarehouseUserFactory, ManagerUserFactory])
def test_each_role_gets_its_admin_index(client, user_factory):
    log_in(client, user_factory)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert "ReturnOrder" in models
    assert "User" not in models


def test_the_admin_index_leads_staff_to_receiving_and_managers_to_the_dashboard(client):
    staff = log_in(client, WarehouseUserFactory)
    staff_page = client.get(reverse("admin:index")).text
    client.logout()
    log_in(client, ManagerUserFactory)
    manager_page = client.get(reverse("admin:index")).text

    to_receive = reverse("admin:shipbacks_returnorder_to_receive")
    dashboard = reverse("admin:dashboard")
    assert staff.has_perm("shipbacks.change_returnorder")
    assert f'href="{to_receive}"' in staff_page
    assert f'href="{dashboard}"' not in staff_page
    assert f'href="{dashboard}"' in manager_page


def test_managers_hold_the_dashboard_import_and_export_permissions(db):
    manager = ManagerUserFactory()

    assert manager.has_perm("shipbacks.view_dashboard")
    assert manager.has_perm("returns_portal.import_data")
    assert manager.has_perm("returns_portal.export_data")


# Warehouse staff.


def test_warehouse_staff_open_return_orders_and_mark_them_arrived(
    warehouse_client, staff_warehouse
):
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, items=1, warehouse=staff_warehouse)

    listed = warehouse_client.get(RETURN_ORDERS)
    page = warehouse_client.get(change_url(return_order))
    marked = warehouse_client.post(
        RETURN_ORDERS, {"action": "mark_arrived", "_selected_action": [return_order.pk]}
    )

    assert listed.status_code == 200
    assert page.status_code == 200
    assert page.context["has_change_permission"]
    assert marked.status_code == 302
    return_order.refresh_from_db()
    assert return_order.state == State.ARRIVED
    assert return_order.events.last().actor_user == marked.wsgi_request.user


def test_warehouse_staff_use_the_buttons_on_a_return_order_page(warehouse_client, staff_warehouse):
    return_order = return_order_in_state(State.ARRIVED, items=1, warehouse=staff_warehouse)

    page = warehouse_client.get(change_url(return_order))
    completed = warehouse_client.post(
        reverse("admin:shipbacks_returnorder_action", args=[return_order.pk, "complete"])
    )

    assert "Complete" in [a["label"] for a in page.context["object_state_actions"]]
    assert completed.status_code == 302
    return_order.refresh_from_db()
    assert return_order.state == State.COMPLETED


def test_warehouse_staff_record_what_they_received_and_did(warehouse_client, staff_warehouse):
    return_order = return_order_in_state(State.ARRIVED, items=1, warehouse=staff_warehouse)
    url = reverse("admin:shipbacks_returnorder_receive", args=[return_order.pk])

    page = warehouse_client.get(url)
    received = warehouse_client.post(
        url, {"item-0-received": "1", "item-0-restock": "1", "_save": "1"}
    )

    assert page.status_code == 200
    assert received.status_code == 302
    expected = return_order.expected_items.get()
    assert expected.quantity_received == 1
    assert expected.actions.get().performed_by == received.wsgi_request.user


def test_warehouse_staff_see_the_return_order_timeline(warehouse_client, staff_warehouse):
    return_order = return_order_in_state(State.ARRIVED, items=1, warehouse=staff_warehouse)

    response = warehouse_client.get(change_url(return_order))

    inlines = {i.formset.prefix: i for i in response.context["inline_admin_formsets"]}
    assert [f.instance.to_state for f in inlines["events"].formset.initial_forms] == ["arrived"]


@pytest.mark.parametrize(
    "make",
    [WarehouseFactory, ReturnReasonFactory, SponsoringRuleFactory, RelocationRuleFactory],
    ids=["warehouse", "reason", "sponsoring", "relocation"],
)
def test_warehouse_staff_do_not_see_rules(warehouse_client, make):
    obj = make()
    changelist = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist")

    page = warehouse_client.get(change_url(obj))
    listed = warehouse_client.get(changelist)

    assert page.status_code == 403
    assert listed.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/returns_portal/apitoken/",
        "/admin/returns_portal/integrator/",
        "/admin/returns_portal/webhookendpoint/",
        "/admin/orders/order/",
        "/admin/orders/customer/",
        "/admin/auth/user/",
    ],
)
def test_warehouse_staff_do_not_see_tokens_webhooks_orders_or_users(warehouse_client, path):
    assert warehouse_client.get(path).status_code == 403


def test_warehouse_staff_have_no_dashboard_import_or_export_permission(db):
    user = WarehouseUserFactory()

    assert not user.has_perm("shipbacks.view_dashboard")
    assert not user.has_perm("returns_portal.import_data")
    assert not user.has_perm("returns_portal.export_data")


def test_warehouse_staff_see_only_the_shipbacks_coming_to_their_warehouse(
    warehouse_client, staff_warehouse
):
    mine = return_order_in_state(State.AWAITING_ARRIVAL, items=1, warehouse=staff_warehouse)
    elsewhere = return_order_in_state(State.AWAITING_ARRIVAL, items=1)
    mine.shipback = ShipbackFactory(items=1)
    elsewhere.shipback = ShipbackFactory(items=1)
    ReturnOrder.objects.bulk_update([mine, elsewhere], ["shipback"])

    listed = warehouse_client.get(reverse("admin:shipbacks_shipback_changelist"))
    items = warehouse_client.get(reverse("admin:shipbacks_returneditem_changelist"))
    other_page = warehouse_client.get(change_url(elsewhere.shipback))

    assert [row.pk for row in listed.context["cl"].result_list] == [mine.shipback.pk]
    assert {row.shipback_id for row in items.context["cl"].result_list} == {mine.shipback.pk}
    assert other_page.status_code == 302  # the admin's "does not exist" redirect


def test_managers_see_every_shipback(manager_client):
    shipbacks = [ShipbackFactory(items=1), ShipbackFactory(items=1)]

    listed = manager_client.get(reverse("admin:shipbacks_shipback_changelist"))

    assert {row.pk for row in listed.context["cl"].result_list} == {s.pk for s in shipbacks}


def test_warehouse_staff_see_shipbacks_but_cannot_cancel_or_delete_them(
    warehouse_client, staff_warehouse
):
    shipback = ShipbackFactory(items=1)
    ReturnOrderFactory(shipback=shipback, order=shipback.order, warehouse=staff_warehouse)
    changelist = reverse("admin:shipbacks_shipback_changelist")

    listed = warehouse_client.get(changelist)
    cancelled = warehouse_client.post(
        changelist, {"action": "cancel_shipbacks", "_selected_action": [shipback.pk]}
    )
    deleted = warehouse_client.post(
        reverse("admin:shipbacks_shipback_delete", args=[shipback.pk]), {"post": "yes"}
    )

    assert listed.status_code == 200
    assert listed.context["action_form"] is None
    assert deleted.status_code == 403
    assert cancelled.status_code in (200, 302)
    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.CREATED


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:shipbacks_relocationrule_changelist"),
        reverse("admin:shipbacks_sponsoringrule_changelist"),
        reverse("admin:shipbacks_relocationrule_add"),
        reverse("admin:shipbacks_warehouse_add"),
        reverse("admin:shipbacks_returnreason_add"),
        reverse("admin:shipbacks_returnpolicy_changelist"),
        reverse("admin:catalog_brand_changelist"),
        reverse("admin:catalog_product_add"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_changelist"),
    ],
)
def test_warehouse_staff_are_kept_out_of_what_managers_run(warehouse_client, url):
    assert warehouse_client.get(url).status_code == 403


def test_warehouse_staff_cannot_open_a_rule_or_a_brand(warehouse_client):
    rule = SponsoringRuleFactory()
    brand = BrandFactory()

    assert warehouse_client.get(change_url(rule)).status_code == 403
    assert warehouse_client.get(change_url(brand)).status_code == 403


# Returns managers.


def test_managers_edit_products(manager_client):
    product = ProductFactory()
    data = form_data(manager_client.get(change_url(product)))
    data["weight_grams"] = "750"

    response = manager_client.post(change_url(product), data)

    assert response.status_code == 302, form_errors(response)
    assert Product.objects.get(pk=product.pk).weight_grams == 750


def test_managers_add_and_edit_rules(manager_client):
    warehouse = WarehouseFactory()
    rule = RelocationRuleFactory(country_code="FR")

    added = manager_client.post(
        reverse("admin:shipbacks_relocationrule_add"),
        {"reason": "", "country_code": "BE", "warehouse": warehouse.pk},
    )
    data = form_data(manager_client.get(change_url(rule)))
    data["warehouse"] = str(warehouse.pk)
    edited = manager_client.post(change_url(rule), data)

    assert added.status_code == 302, form_errors(added)
    assert edited.status_code == 302, form_errors(edited)
    assert set(RelocationRule.objects.values_list("country_code", "warehouse")) == {
        ("BE", warehouse.pk),
        ("FR", warehouse.pk),
    }


def test_managers_edit_return_reasons(manager_client):
    reason = ReturnReasonFactory()
    data = form_data(manager_client.get(change_url(reason)))
    data["label_en"] = "Too small"

    response = manager_client.post(change_url(reason), data)

    assert response.status_code == 302, form_errors(response)
    assert ReturnReason.objects.get(pk=reason.pk).label_en == "Too small"


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_add"),
    ],
)
def test_managers_leave_users_and_groups_to_superusers(manager_client, url):
    assert manager_client.get(url).status_code == 403


def test_managers_cancel_shipbacks(manager_client):
    shipback = ShipbackFactory()

    manager_client.post(
        reverse("admin:shipbacks_shipback_changelist"),
        {"action": "cancel_shipbacks", "_selected_action": [shipback.pk]},
    )

    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.CANCELLED


# Actions need the change permission.


def test_return_order_actions_are_only_offered_to_who_may_change_return_orders(client):
    viewer = log_in(client, UserFactory, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_returnorder"))
    return_order = return_order_in_state(State.AWAITING_ARRIVAL, items=1)

    listed = client.get(RETURN_ORDERS)
    page = client.get(change_url(return_order))
    client.post(RETURN_ORDERS, {"action": "mark_arrived", "_selected_action": [return_order.pk]})
    button = client.post(
        reverse("admin:shipbacks_returnorder_action", args=[return_order.pk, "mark_arrived"])
    )

    assert listed.status_code == 200
    assert listed.context["action_form"] is None
    assert page.context["object_state_actions"] == []
    assert button.status_code == 403
    assert ReturnOrder.objects.get(pk=return_order.pk).state == State.AWAITING_ARRIVAL


def test_warehouse_staff_are_offered_every_return_order_action(warehouse_client):
    ExpectedItemFactory()

    response = warehouse_client.get(RETURN_ORDERS)

    offered = {name for name, _ in response.context["action_form"].fields["action"].choices}
    assert offered == {
        "",
        "mark_awaiting_arrival",
        "mark_arrived",
        "mark_processing",
        "complete",
        "flag_in_trouble",
        "cancel_return_orders",
        "retry_provider_sync",
    }
