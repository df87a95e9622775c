"""Who changed what and when: the history kept on products, orders, shipbacks, return orders
and rules, read from each record's History page in the admin."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from catalog.models import Product
from returns_portal.services import api_token_issue
from shipbacks.models import ReturnOrder, Shipback, SponsoringRule
from tests.factories import (
    ManagerUserFactory,
    OrderFactory,
    ProductFactory,
    ReturnReasonFactory,
    SponsoringRuleFactory,
    WarehouseUserFactory,
    return_order_in_state,
    shipback_in_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = ManagerUserFactory(username="margaret")
    client.force_login(user)
    return user


def test_a_product_changed_in_the_admin_records_who_changed_it_and_what(client, manager):
    product = ProductFactory(label="Blue shirt", reference="SHIRT-1")
    page = client.get(f"/admin/catalog/product/{product.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("picture", "metadata")
    }
    data |= {
        "label": "Navy shirt",
        "metadata": "{}",
        "spare_parts-TOTAL_FORMS": "0",
        "spare_parts-INITIAL_FORMS": "0",
    }

    response = client.post(f"/admin/catalog/product/{product.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest, previous = product.history.all()[:2]
    assert latest.history_user == manager
    assert latest.history_type == "~"
    assert [change.field for change in latest.diff_against(previous).changes] == ["label"]
    assert (previous.label, latest.label) == ("Blue shirt", "Navy shirt")


def test_a_change_made_through_the_api_is_recorded_without_a_staff_user(db):
    cache.clear()
    _, token = api_token_issue(integrator_name="Acme shop")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token token={token}")

    response = api.post("/api/v1/products", {"label": "Mug", "reference": "MUG-1"}, format="json")

    assert response.status_code == 201
    (created,) = Product.objects.get(reference="MUG-1").history.all()
    assert created.history_type == "+"
    assert created.history_user is None


def test_every_state_a_shipback_goes_through_is_in_its_history(db):
    shipback = shipback_in_state(Shipback.State.REGISTERED)

    states = list(shipback.history.order_by("history_date").values_list("state", flat=True))

    assert states[0] == Shipback.State.CREATED
    assert states[-1] == Shipback.State.REGISTERED


def test_a_return_order_keeps_its_history(db):
    return_order = return_order_in_state(ReturnOrder.State.ARRIVED)

    states = list(return_order.history.order_by("history_date").values_list("state", flat=True))

    assert states == [
        ReturnOrder.State.NEW,
        ReturnOrder.State.ARRIVED,
    ]


def test_rule_changes_are_recorded(client, manager):
    rule = SponsoringRuleFactory(percentage=50, reason=ReturnReasonFactory())
    rule.percentage = 100
    rule.save()

    assert list(
        SponsoringRule.history.filter(id=rule.pk)
        .order_by("history_date")
        .values_list("percentage", flat=True)
    ) == [50, 100]


def test_the_history_page_lists_the_changes_with_their_author(client, manager):
    order = OrderFactory(order_number="A-100")
    order.currency = "USD"
    order._history_user = manager
    order.save()

    response = client.get(f"/admin/orders/order/{order.pk}/history/")

    assert response.status_code == 200
    assert "margaret" in response.text
    assert "Changed" in response.text


def test_a_past_version_can_be_read_but_not_restored(client, manager):
    product = ProductFactory(label="Blue shirt")
    product.label = "Navy shirt"
    product.save()
    first = product.history.earliest("history_date")
    url = f"/admin/catalog/product/{product.pk}/history/{first.history_id}/"

    page = client.get(url)
    revert = client.post(url, {"label": "Blue shirt"})

    assert page.status_code == 200
    assert 'value="Blue shirt"' in page.text
    assert "Revert" not in page.text
    assert revert.status_code == 405
    product.refresh_from_db()
    assert product.label == "Navy shirt"


def test_warehouse_staff_cannot_read_the_history_of_rules(client):
    client.force_login(WarehouseUserFactory())
    rule = SponsoringRuleFactory(percentage=50)

    response = client.get(f"/admin/shipbacks/sponsoringrule/{rule.pk}/history/")

    assert response.status_code == 403
