"""The returns dashboard: its figures against hand-computed ones, and its admin page."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from returns_portal.actors import Actor
from shipbacks import dashboard
from shipbacks.models import ExpectedItem, ItemAction, ReturnedItem, ReturnOrder, Shipback
from shipbacks.services import (
    ActionData,
    ReceivedLineData,
    ReturnedItemData,
    return_order_receive,
    shipback_create,
    shipback_register,
)
from shipbacks.services.editing import returned_item_add
from tests.admin_pages import count_queries, log_in
from tests.factories import (
    ExpectedItemFactory,
    ItemActionFactory,
    ManagerUserFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    RelocationRuleFactory,
    ReturnedItemFactory,
    ReturnOrderFactory,
    ReturnReasonFactory,
    ShipbackFactory,
    SuperuserFactory,
    WarehouseFactory,
    WarehouseUserFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:dashboard")
PERIOD = {"date_from": date(2026, 1, 10), "date_to": date(2026, 1, 12)}
State = Shipback.State


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_return(registered_at, lines, *, state=State.REGISTERED, mode="postal", completed_in=None):
    """A return registered at ``registered_at`` (None: never registered), in ``state``.

    ``lines`` are ``(warehouse, product, quantity, reason, actions)``: each becomes a returned
    item expected at that warehouse (one return order per warehouse), with its actions
    ``[(action, quantity)]`` taken there.
    """
    shipback = ShipbackFactory(mode=mode)
    # The figures depend on these instants: set them as they are, not as now.
    Shipback.objects.filter(pk=shipback.pk).update(
        state=state,
        registered_at=registered_at,
        relocated_at=registered_at + completed_in if completed_in else None,
    )
    shipback.refresh_from_db()  # the factories copy its registration time
    return_orders = {}
    for warehouse, product, quantity, reason, actions in lines:
        item = ReturnedItemFactory(
            shipback=shipback,
            order_item=OrderItemFactory(order=shipback.order, product=product),
            quantity=quantity,
            reason=reason,
            warehouse=warehouse if registered_at else None,
        )
        if registered_at is None:
            continue
        if warehouse not in return_orders:
            return_orders[warehouse] = ReturnOrderFactory(
                shipback=shipback, order=shipback.order, warehouse=warehouse
            )
        expected = ExpectedItemFactory(
            return_order=return_orders[warehouse],
            product=product,
            returned_item=item,
            quantity_expected=quantity,
            quantity_received=sum(units for _, units in actions),
        )
        for action, units in actions:
            ItemActionFactory(expected_item=expected, action=action, quantity=units)
    return shipback


@pytest.fixture
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"


@pytest.fixture
def returns(paris):
    """Returns around 10-12 January 2026 (Paris, UTC+1), with the figures worked out by hand
    in the tests below."""
    w1 = WarehouseFactory(name="Alpha", reference="W1")
    w2 = WarehouseFactory(name="Bravo", reference="W2")
    p1 = ProductFactory(reference="P1", label="Parka")
    p2 = ProductFactory(reference="P2", label="Pull")
    p3 = ProductFactory(reference="P3", label="Polo")
    fit = ReturnReasonFactory(code="doesnt_fit", label_en="Doesn't fit", label_fr="Trop petit")
    damaged = ReturnReasonFactory(code="damaged", label_en="Damaged", label_fr="Abîmé")
    late = ReturnReasonFactory(code="late", label_en="Late", label_fr="En retard")
    make_return(  # A: 00:30 in Paris on the 10th (still the 9th in UTC)
        utc(2026, 1, 9, 23, 30),
        [(w1, p1, 2, fit, [("restock", 2)]), (w1, p2, 1, damaged, [("dispose", 1)])],
        state=State.RELOCATED,
        completed_in=timedelta(days=2),
    )
    make_return(  # B: the 10th
        utc(2026, 1, 10, 10), [(w2, p1, 1, fit, [])], state=State.DELIVERED, mode="dropoff"
    )
    make_return(  # C: 23:59 in Paris on the 12th, the last minute of the period
        utc(2026, 1, 12, 22, 59),
        [(w1, p3, 1, damaged, [("quarantine", 1)])],
        state=State.RELOCATED,
        completed_in=timedelta(days=4),
    )
    make_return(  # G: the 12th, split between the two warehouses
        utc(2026, 1, 12, 12),
        [(w1, p2, 1, fit, [("restock", 1)]), (w2, p3, 2, late, [("quarantine", 1)])],
        state=State.RELOCATING,
        mode="pickup",
    )
    make_return(  # D: midnight in Paris on the 13th, after the period
        utc(2026, 1, 12, 23),
        [(w1, p1, 5, fit, [("restock", 5)])],
        state=State.RELOCATED,
        completed_in=timedelta(days=1),
    )
    make_return(  # E: 23:59 in Paris on the 9th, before the period
        utc(2026, 1, 9, 22, 59), [(w1, p2, 4, late, [("dispose", 4)])], state=State.RELOCATED
    )
    make_return(None, [(w1, p1, 3, fit, [])], state=State.CREATED)  # F: never registered
    return {"w1": w1, "w2": w2}


def rows(breakdown) -> list[tuple[str, int]]:
    return [(row.key, row.count) for row in breakdown]


def test_returns_per_day_count_registrations_on_the_sites_days_with_empty_days_at_0(returns):
    per_day = dashboard.returns_per_day(**PERIOD)

    assert [(d.day, d.returns) for d in per_day] == [
        (date(2026, 1, 10), 2),
        (date(2026, 1, 11), 0),
        (date(2026, 1, 12), 2),
    ]


def test_the_days_follow_the_sites_time_zone(returns, settings):
    settings.TIME_ZONE = "UTC"

    per_day = dashboard.returns_per_day(**PERIOD)

    # A is on the 9th in UTC; D (23:00 UTC) on the 12th.
    assert [d.returns for d in per_day] == [1, 0, 3]


def test_a_day_when_the_clocks_change_has_its_23_hours(paris):
    make_return(utc(2026, 3, 28, 23, 30), [])  # 00:30 on the 29th (UTC+1)
    make_return(utc(2026, 3, 29, 21, 59), [])  # 23:59 on the 29th (UTC+2 from 02:00)
    make_return(utc(2026, 3, 29, 22, 0), [])  # midnight on the 30th

    per_day = dashboard.returns_per_day(date_from=date(2026, 3, 29), date_to=date(2026, 3, 30))

    assert [d.returns for d in per_day] == [2, 1]


def test_returns_by_state_follow_the_lifecycle(returns):
    assert rows(dashboard.returns_by_state(**PERIOD)) == [
        ("delivered", 1),
        ("relocating", 1),
        ("relocated", 2),
    ]


def test_returns_by_mode_most_used_first(returns):
    by_mode = dashboard.returns_by_mode(**PERIOD)

    assert rows(by_mode) == [("postal", 2), ("dropoff", 1), ("pickup", 1)]
    assert [row.label for row in by_mode] == ["Postal", "Drop-off", "Pickup"]


def test_returns_by_reason_count_units_with_labels_in_the_current_language(returns):
    assert rows(dashboard.returns_by_reason(**PERIOD)) == [
        ("doesnt_fit", 4),
        ("damaged", 2),
        ("late", 2),
    ]
    with translation.override("fr"):
        labels = [row.label for row in dashboard.returns_by_reason(**PERIOD)]
    assert labels == ["Trop petit", "Abîmé", "En retard"]


def test_returns_by_warehouse_count_a_split_return_in_each_warehouse(returns):
    by_warehouse = dashboard.returns_by_warehouse(**PERIOD)

    assert rows(by_warehouse) == [("W1", 3), ("W2", 2)]
    assert by_warehouse[0].label == "Alpha (W1)"


def test_top_products_rank_units_returned(returns):
    top = dashboard.top_returned_products(**PERIOD)

    assert [(p.reference, p.label, p.units) for p in top] == [
        ("P1", "Parka", 3),
        ("P3", "Polo", 3),
        ("P2", "Pull", 2),
    ]
    assert len(dashboard.top_returned_products(**PERIOD, limit=1)) == 1


def test_completion_time_averages_the_completed_returns_of_the_period(returns):
    completion = dashboard.completion_time(**PERIOD)

    assert completion == dashboard.CompletionTime(timedelta(days=3), 2)


def test_action_shares_count_units_processed_per_action(returns):
    shares = dashboard.action_shares(**PERIOD)

    assert [(s.action, s.units, s.percent) for s in shares] == [
        ("restock", 3, 50.0),
        ("quarantine", 2, 33.3),
        ("dispose", 1, 16.7),
    ]


def test_filtered_by_warehouse_the_figures_are_the_returns_and_items_received_there(returns):
    board = dashboard.dashboard(**PERIOD, warehouse=returns["w2"])

    assert [d.returns for d in board.per_day] == [1, 0, 1]
    assert rows(board.by_state) == [("delivered", 1), ("relocating", 1)]
    assert rows(board.by_mode) == [("dropoff", 1), ("pickup", 1)]
    # Only G's item sent to W2, not the one it sent to W1.
    assert rows(board.by_reason) == [("late", 2), ("doesnt_fit", 1)]
    assert rows(board.by_warehouse) == [("W2", 2)]
    assert [(p.reference, p.units) for p in board.top_products] == [("P3", 2), ("P1", 1)]
    assert board.completion == dashboard.CompletionTime(None, 0)
    assert [(s.action, s.units, s.percent) for s in board.actions] == [
        ("restock", 0, 0.0),
        ("quarantine", 1, 100.0),
        ("dispose", 0, 0.0),
    ]


def test_a_return_started_long_before_its_registration_is_counted_whole(returns):
    shipback = make_return(
        utc(2026, 1, 11, 9),
        [(returns["w2"], ProductFactory(reference="P9"), 7, ReturnReasonFactory(code="late"), [])],
    )
    # Written months before it was registered: every row about it is as old.
    long_ago = utc(2025, 6, 1)
    Shipback.objects.filter(pk=shipback.pk).update(created_at=long_ago)
    shipback.returned_items.update(created_at=long_ago)
    shipback.return_orders.update(created_at=long_ago)
    ExpectedItem.objects.filter(return_order__shipback=shipback).update(created_at=long_ago)

    board = dashboard.dashboard(**PERIOD, warehouse=returns["w2"])

    assert [d.returns for d in board.per_day] == [1, 1, 1]
    assert ("late", 9) in rows(board.by_reason)
    assert board.top_products[0].reference == "P9"
    assert rows(board.by_warehouse) == [("W2", 3)]


def test_the_figures_about_returns_share_one_query_on_the_page(returns):
    with CaptureQueriesContext(connection) as queries:
        board = dashboard.dashboard(**PERIOD, warehouse=returns["w2"])

    # Returns (per day, state, mode, completion), reasons, warehouses, products, actions.
    assert len(queries.captured_queries) == 5
    assert board.total == 2


def test_a_period_without_returns_has_only_zeros(returns):
    board = dashboard.dashboard(date_from=date(2025, 6, 1), date_to=date(2025, 6, 30))

    assert len(board.per_day) == 30
    assert board.total == 0
    assert board.by_state == board.by_mode == board.by_reason == board.by_warehouse == []
    assert board.top_products == []
    assert board.completion == dashboard.CompletionTime(None, 0)
    assert [s.units for s in board.actions] == [0, 0, 0]


@pytest.mark.parametrize(
    "figure",
    [
        dashboard.returns_per_day,
        dashboard.returns_by_state,
        dashboard.returns_by_mode,
        dashboard.returns_by_reason,
        dashboard.returns_by_warehouse,
        dashboard.top_returned_products,
        dashboard.completion_time,
        dashboard.action_shares,
    ],
)
@pytest.mark.parametrize("by_warehouse", [False, True])
def test_every_figure_is_one_query(returns, figure, by_warehouse):
    warehouse = returns["w1"] if by_warehouse else None

    with CaptureQueriesContext(connection) as queries:
        figure(**PERIOD, warehouse=warehouse)

    assert len(queries.captured_queries) == 1


# The copies the figures are read from: written with the rows, filled by the migration.

ACTOR = Actor.integrator("acme")


def registered_through_the_services():
    """A return created, registered and received (one unit restocked, one unexpected unit
    disposed of) by the services, as in production."""
    warehouse = RelocationRuleFactory().warehouse
    order = OrderFactory()
    fit = ReturnReasonFactory(code="doesnt_fit")
    shipback = shipback_create(
        order=order,
        items=[ReturnedItemData(OrderItemFactory(order=order, quantity=2), fit, quantity=2)],
        actor=ACTOR,
        mode="postal",
    )
    returned_item_add(
        shipback_id=shipback.pk,
        data=ReturnedItemData(OrderItemFactory(order=order), fit),
        actor=ACTOR,
    )
    shipback = shipback_register(shipback_id=shipback.pk, actor=ACTOR)
    return_order = shipback.return_orders.get()
    first = return_order.expected_items.order_by("quantity_expected").first()
    return_order_receive(
        return_order_id=return_order.pk,
        lines=[
            ReceivedLineData(
                quantity_received=1,
                expected_item_id=first.pk,
                actions=[ActionData("restock", 1)],
            ),
            ReceivedLineData(
                quantity_received=1,
                product_reference=ProductFactory(reference="EXTRA").reference,
                unexpected=True,
                actions=[ActionData("dispose", 1)],
            ),
        ],
        actor=ACTOR,
    )
    return shipback, warehouse


def test_a_returned_item_copies_its_product_when_it_is_added():
    shipback, _ = registered_through_the_services()

    items = shipback.returned_items.select_related("order_item")
    assert len(items) == 2
    assert all(item.product_id == item.order_item.product_id for item in items)


def test_registering_copies_its_time_and_warehouses_onto_the_items_and_return_orders():
    # given a return split between two warehouses
    defective = ReturnReasonFactory(code="defective")
    repairs = RelocationRuleFactory(reason=defective).warehouse
    main = RelocationRuleFactory().warehouse
    order = OrderFactory()
    shipback = shipback_create(
        order=order,
        items=[
            ReturnedItemData(OrderItemFactory(order=order), reason)
            for reason in (defective, ReturnReasonFactory(code="doesnt_fit"))
        ],
        actor=ACTOR,
        mode="postal",
    )
    assert {i.shipback_registered_at for i in shipback.returned_items.all()} == {None}

    # when
    shipback = shipback_register(shipback_id=shipback.pk, actor=ACTOR)

    # then
    registered_at = shipback.registered_at
    assert registered_at is not None
    items = shipback.returned_items.all()
    assert {(i.reason.code, i.shipback_registered_at, i.warehouse) for i in items} == {
        ("defective", registered_at, repairs),
        ("doesnt_fit", registered_at, main),
    }
    for item in items:
        assert item.expected_items.get().return_order.warehouse == item.warehouse
    return_orders = shipback.return_orders.all()
    assert {(r.warehouse, r.shipback_registered_at) for r in return_orders} == {
        (repairs, registered_at),
        (main, registered_at),
    }


def test_an_action_copies_the_registration_and_the_warehouse_when_it_is_recorded():
    shipback, warehouse = registered_through_the_services()

    actions = ItemAction.objects.filter(expected_item__return_order__shipback=shipback)
    assert sorted(actions.values_list("action", "shipback_registered_at", "warehouse")) == [
        ("dispose", shipback.registered_at, warehouse.pk),
        ("restock", shipback.registered_at, warehouse.pk),
    ]


def test_the_figures_count_a_return_made_through_the_services(paris):
    shipback, warehouse = registered_through_the_services()
    day = timezone.localtime(shipback.registered_at, timezone.get_default_timezone()).date()

    board = dashboard.dashboard(date_from=day, date_to=day, warehouse=warehouse)

    assert board.total == 1
    assert rows(board.by_reason) == [("doesnt_fit", 3)]
    assert rows(board.by_warehouse) == [(warehouse.reference, 1)]
    assert sorted(p.units for p in board.top_products) == [1, 2]
    assert [(a.action, a.units) for a in board.actions] == [
        ("restock", 1),
        ("quarantine", 0),
        ("dispose", 1),
    ]


def test_the_migration_fills_the_copies_of_the_rows_already_there(returns):
    # given rows written before the copies existed
    before = dashboard.dashboard(**PERIOD, warehouse=returns["w1"])
    ReturnedItem.objects.update(product=None, shipback_registered_at=None, warehouse=None)
    ReturnOrder.objects.update(shipback_registered_at=None)
    ItemAction.objects.update(shipback_registered_at=None, warehouse=None)
    assert dashboard.dashboard(**PERIOD, warehouse=returns["w1"]).total == 0
    migration = importlib.import_module("shipbacks.migrations.0007_dashboard_copies")

    # when
    migration.fill_dashboard_copies(apps, None)

    # then
    for item in ReturnedItem.objects.select_related("order_item", "shipback"):
        assert item.product_id == item.order_item.product_id
        assert item.shipback_registered_at == item.shipback.registered_at
        expected = item.expected_items.select_related("return_order").first()
        assert item.warehouse_id == (expected.return_order.warehouse_id if expected else None)
    assert ReturnedItem.objects.filter(warehouse=returns["w2"]).count() == 2  # B's, G's second
    for return_order in ReturnOrder.objects.select_related("shipback"):
        assert return_order.shipback_registered_at == return_order.shipback.registered_at
    for action in ItemAction.objects.select_related("expected_item__return_order"):
        return_order = action.expected_item.return_order
        assert action.shipback_registered_at == return_order.shipback_registered_at
        assert action.warehouse_id == return_order.warehouse_id
    assert ItemAction.objects.count() == 7
    assert not ItemAction.objects.filter(shipback_registered_at__isnull=True).exists()
    assert dashboard.dashboard(**PERIOD, warehouse=returns["w1"]) == before


# The page.


@pytest.fixture
def admin_client(client):
    """pytest-django's, without the slow password hashing."""
    log_in(client, SuperuserFactory)
    return client


def query(**params) -> str:
    values = {"date_from": "2026-01-10", "date_to": "2026-01-12", **params}
    return DASHBOARD + "?" + "&".join(f"{key}={value}" for key, value in values.items())


def test_the_dashboard_is_a_page_of_the_admin():
    assert DASHBOARD == "/admin/dashboard/"


def test_the_dashboard_shows_each_figure_as_a_chart_and_a_table(admin_client, returns):
    response = admin_client.get(query())

    assert response.status_code == 200
    assert response.templates[0].name == "admin/dashboard.html"
    html = response.content.decode()
    assert '<div class="breadcrumbs">' in html
    for chart in response.context["charts"]:
        assert f'data-chart="{chart}"' in html
    assert response.context["charts"]["per-day"]["values"] == [2, 0, 2]
    assert response.context["charts"]["by-warehouse"]["labels"] == ["Alpha (W1)", "Bravo (W2)"]
    assert 'id="dashboard-charts"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "returns_portal/dashboard.js" in html
    assert "<strong>4</strong> returns registered" in html
    assert "<strong>3.0 days</strong>" in html
    assert '<th scope="row">Parka</th>' not in html  # products are listed by reference
    assert '<th scope="row">P1</th><td>Parka</td><td class="number">3</td>' in html
    assert '<th scope="row">Quarantine</th><td class="number">2</td>' in html
    assert "33.3 %" in html
    # No inline script or style: the strict Content Security Policy would block them.
    assert "<script>" not in html
    assert " style=" not in html


def test_the_dashboard_filters_by_warehouse(admin_client, returns):
    response = admin_client.get(query(warehouse=returns["w2"].pk))

    assert response.status_code == 200
    assert response.context["board"].warehouse == returns["w2"]
    assert response.context["charts"]["per-day"]["values"] == [1, 0, 1]
    assert "at Bravo (W2)" in response.content.decode()


def test_the_dashboard_shows_the_last_30_days_by_default(admin_client):
    response = admin_client.get(DASHBOARD)

    board = response.context["board"]
    assert response.status_code == 200
    assert (board.date_to - board.date_from).days == 29
    presets = response.context["presets"]
    assert [p["label"] for p in presets] == ["Last 30 days", "Last 90 days"]
    assert f"date_from={board.date_from.isoformat()}" in presets[0]["query"]


def test_the_presets_keep_the_warehouse(admin_client, returns):
    response = admin_client.get(query(warehouse=returns["w1"].pk))

    assert all(f"warehouse={returns['w1'].pk}" in p["query"] for p in response.context["presets"])


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
        ({"date_to": "2026-02-30"}, "date_to", "Enter a valid date."),
        ({"date_from": ""}, "date_from", "This field is required."),
        (
            {"date_from": "2026-01-12", "date_to": "2026-01-10"},
            "date_to",
            "The end of the period is before its start.",
        ),
        (
            {"date_from": "2024-01-01", "date_to": "2026-01-10"},
            "date_from",
            "Choose a period of at most 366 days.",
        ),
        (
            {"date_from": "9999-12-30", "date_to": "9999-12-31"},
            "date_to",
            "Ensure this value is less than or equal to 2999-12-31.",
        ),
        (
            {"date_from": "0001-01-01", "date_to": "0001-01-02"},
            "date_from",
            "Ensure this value is greater than or equal to 1900-01-01.",
        ),
        ({"warehouse": "not-a-warehouse"}, "warehouse", "is not a valid UUID."),
        (
            {"warehouse": "00000000-0000-0000-0000-000000000000"},
            "warehouse",
            "Select a valid choice.",
        ),
    ],
)
def test_bad_filters_are_form_errors(admin_client, params, field, message):
    response = admin_client.get(query(**params))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert "board" not in response.context
    html = response.content.decode()
    assert message in html
    assert 'id="dashboard-charts"' not in html


def test_a_returns_manager_with_the_permission_sees_the_dashboard(client):
    manager = log_in(client, ManagerUserFactory)
    manager.user_permissions.add(
        Permission.objects.get(content_type__app_label="shipbacks", codename="view_dashboard")
    )

    assert client.get(DASHBOARD).status_code == 200


def test_warehouse_staff_may_not_see_the_dashboard(client):
    log_in(client, WarehouseUserFactory)

    assert client.get(DASHBOARD).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_dashboard_takes_as_many_queries_with_more_returns(admin_client, returns):
    few = count_queries(admin_client, query())
    fit = ReturnReasonFactory(code="doesnt_fit")
    for day in range(10, 13):
        for hour in range(5):
            warehouse = WarehouseFactory()
            make_return(
                utc(2026, 1, day, hour + 8),
                [(warehouse, ProductFactory(), 1, fit, [("restock", 1)])],
                state=State.RELOCATED,
                completed_in=timedelta(hours=30),
            )

    many = count_queries(admin_client, query())

    assert many == few
    assert count_queries(admin_client, query(warehouse=returns["w1"].pk)) == few + 1
