import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from orders.models import Address, Customer, Order
from returns_portal.roles import RETURNS_MANAGERS, WAREHOUSE_STAFF
from shipbacks.demo import COUNTED
from shipbacks.models import (
    ExpectedItem,
    ItemAction,
    Quote,
    RelocationRule,
    ReturnOrder,
    ReturnReason,
    Shipback,
    SponsoringRule,
    Warehouse,
)
from shipbacks.selectors import return_orders_for

pytestmark = pytest.mark.django_db

SMALL = 30  # orders: enough for every scenario, fast enough for most tests


@pytest.fixture
def debug_on(settings):
    """DEBUG on, as in development, with a fast password hasher to keep the tests quick."""
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(orders: int = SMALL) -> str:
    out = StringIO()
    call_command("seed_demo", orders=orders, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = {**COUNTED, "customers": Customer, "addresses": Address, "users": get_user_model()}
    return {label: model.objects.count() for label, model in models.items()}


def test_seeding_creates_demo_1001_for_demo_customer_delivered_a_week_ago_without_shipback():
    seed()

    order = Order.objects.get(order_number="DEMO-1001")
    today = timezone.localdate()
    assert order.customer.email == "demo@example.com"
    assert order.customer.locale == "en"
    assert order.customer.address.country_code == "FR"
    assert order.customer.address.zipcode == "75011"
    items = list(order.items.select_related("product"))
    assert len(items) == 3
    assert len({item.product_id for item in items}) == 3
    assert all(item.product.returnable for item in items)
    assert sorted(item.quantity for item in items) == [1, 1, 2]
    assert order.ordered_at == today - datetime.timedelta(days=10)
    (shipment,) = order.shipments.all()
    assert timezone.localtime(shipment.delivered_at).date() == today - datetime.timedelta(days=7)
    assert not order.shipbacks.exists()
    assert not order.return_orders.exists()


def test_seeding_creates_a_french_demo_order_without_shipback():
    seed()

    order = Order.objects.get(order_number="DEMO-1002")
    assert order.customer.email == "client@example.fr"
    assert order.customer.locale == "fr"
    assert order.items.filter(product__returnable=True).count() >= 2
    assert order.shipments.filter(delivered_at__isnull=False).exists()
    assert not order.shipbacks.exists()


def test_seeding_creates_the_seven_reasons_with_english_and_french_labels():
    seed()

    reasons = {reason.code: reason for reason in ReturnReason.objects.all()}
    assert set(reasons) == {
        "doesnt_fit",
        "damaged",
        "quality",
        "wrong",
        "incorrect",
        "delay",
        "reconsider",
    }
    for reason in reasons.values():
        assert reason.label_en
        assert reason.label_fr
        assert reason.label_en != reason.label_fr
    assert reasons["damaged"].requires_photo
    assert len({reason.position for reason in reasons.values()}) == 7


def test_every_warehouse_provider_is_represented_with_its_id():
    seed()

    for provider in Warehouse.Provider.values:
        warehouse = Warehouse.objects.filter(provider=provider).select_related("address").first()
        assert warehouse is not None, provider
        assert warehouse.address.city
        if id_field := Warehouse.PROVIDER_ID_FIELDS.get(provider):
            assert getattr(warehouse, id_field) is not None


def test_rules_route_every_return_and_sponsor_the_merchants_faults():
    seed()

    catch_all = RelocationRule.objects.get(reason=None, country_code="")
    damaged = ReturnReason.objects.get(code="damaged")
    assert RelocationRule.objects.matching(reason_id=damaged.pk, country_code="FR").first() != (
        catch_all
    )
    us_rule = RelocationRule.objects.matching(reason_id=None, country_code="US").first()
    assert us_rule.warehouse.provider == Warehouse.Provider.SHIPBOB
    for code in ("damaged", "wrong", "incorrect"):
        assert SponsoringRule.objects.get(reason__code=code, country_code="").percentage == 100
    assert SponsoringRule.objects.get(reason=None, country_code="").percentage == 0


def test_shipbacks_and_return_orders_reach_their_states_through_the_services():
    seed()

    shipback_states = set(Shipback.objects.values_list("state", flat=True))
    assert {"created", "registered", "labelled", "relocated", "cancelled"} <= shipback_states
    for shipback in Shipback.objects.all():
        events = list(shipback.events.filter(returned_item=None, quote=None))
        assert events[0].from_state == ""
        assert events[-1].to_state == shipback.state
        assert all(event.actor == "system" for event in events)
        for item in shipback.returned_items.exclude(state="pending"):
            assert item.events.last().to_state == item.state

    return_order_states = set(ReturnOrder.objects.values_list("state", flat=True))
    assert {"new", "awaiting_arrival", "completed", "cancelled"} <= return_order_states
    for return_order in ReturnOrder.objects.all():
        events = list(return_order.events.all())
        assert events[0].from_state == ""
        assert events[-1].to_state == return_order.state


def test_registered_shipbacks_have_a_return_order_per_destination_and_a_mode():
    seed()

    for shipback in Shipback.objects.exclude(state__in=("created", "cancelled")):
        assert shipback.mode
        assert shipback.return_orders.exists()
        if shipback.mode == Shipback.Mode.DROPOFF:
            assert shipback.dropoff_code
        if shipback.mode == Shipback.Mode.PICKUP:
            assert shipback.pickup_datetime
            assert shipback.pickup_duration
    # DEMO-1001 and DEMO-1002 stay free for the portal.
    assert not Shipback.objects.filter(order__order_number__in=("DEMO-1001", "DEMO-1002")).exists()


def test_quotes_carry_prices_drop_off_points_and_pickup_slots():
    seed()

    assert Quote.objects.filter(state=Quote.State.COMPUTING).count() == 0
    dropoff = Quote.objects.filter(mode="dropoff", state="available").first()
    assert dropoff.price_cents > 0
    assert dropoff.customer_price_cents <= dropoff.price_cents
    assert {"code", "name", "address", "opening_hours"} <= set(dropoff.dropoff_points[0])
    pickup = Quote.objects.filter(mode="pickup", state="available").first()
    assert {"pickup_datetime", "pickup_duration"} <= set(pickup.pickup_slots[0])
    assert Quote.objects.filter(mode="postal", state="available").exists()


def test_received_quantities_and_actions_stay_within_what_arrived():
    seed()

    completed = ReturnOrder.objects.filter(state=ReturnOrder.State.COMPLETED)
    assert ItemAction.objects.filter(expected_item__return_order__in=completed).exists()
    for item in ExpectedItem.objects.annotate(acted=Sum("actions__quantity")):
        assert item.quantity_received <= item.quantity_expected
        assert (item.acted or 0) <= item.quantity_received
    for item in ExpectedItem.objects.filter(return_order__in=completed).annotate(
        acted=Sum("actions__quantity")
    ):
        assert item.acted == item.quantity_received


def test_running_it_twice_changes_no_counts():
    first = seed(orders=200)
    before = counts()

    second = seed(orders=200)

    assert before["orders"] == 200
    assert before["products"] >= 50
    assert counts() == before
    assert "nothing created" in second
    assert "orders" in first


def test_a_larger_run_adds_orders_without_a_second_return_on_existing_ones():
    seed(orders=20)

    seed(orders=SMALL)

    assert Order.objects.filter(order_number__startswith="DEMO-").count() == SMALL
    for order in Order.objects.all():
        assert order.shipbacks.count() <= 1


def test_seeding_is_deterministic():
    def snapshot():
        return [
            (
                order.order_number,
                order.ordered_at,
                order.customer.email,
                str(order.customer.address),
                [(i.product.reference, i.quantity, i.price_cents) for i in order.items.all()],
                [s.delivered_at for s in order.shipments.all()],
                [(s.state, s.mode, s.returned_items.count()) for s in order.shipbacks.all()],
            )
            for order in Order.objects.order_by("order_number")
        ]

    with transaction.atomic():
        seed()
        first = snapshot()
        transaction.set_rollback(True)
    assert not Order.objects.exists()

    seed()

    assert snapshot() == first


def test_demo_users_are_skipped_when_debug_is_off(settings):
    settings.DEBUG = False

    out = seed()

    assert not get_user_model().objects.exists()
    assert "Demo users skipped" in out


def test_admin_can_log_in_with_debug_on(debug_on, client):
    seed()

    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "admin"})

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff


def test_manager_and_warehouse_users_get_their_roles(debug_on):
    seed()

    User = get_user_model()
    manager = User.objects.get(username="manager")
    warehouse = User.objects.get(username="warehouse")
    assert manager.is_staff
    assert not manager.is_superuser
    assert warehouse.is_staff
    assert not warehouse.is_superuser
    assert list(manager.groups.values_list("name", flat=True)) == [RETURNS_MANAGERS]
    assert list(warehouse.groups.values_list("name", flat=True)) == [WAREHOUSE_STAFF]
    assert manager.check_password("manager")
    assert warehouse.check_password("warehouse")


def test_the_warehouse_user_works_at_the_french_sites_with_returns_to_receive(debug_on):
    seed()

    user = get_user_model().objects.get(username="warehouse")
    assert sorted(user.warehouses.values_list("reference", flat=True)) == ["LYS-QC", "PAR-01"]
    mine = return_orders_for(user)
    assert mine.awaiting_arrival().exists()
    assert not mine.exclude(warehouse__reference__in=["LYS-QC", "PAR-01"]).exists()
    assert ReturnOrder.objects.exclude(warehouse__reference__in=["LYS-QC", "PAR-01"]).exists()


def test_a_warehouse_user_working_nowhere_is_linked_again_but_a_chosen_warehouse_is_kept(
    debug_on,
):
    seed(orders=2)
    user = get_user_model().objects.get(username="warehouse")
    user.warehouses.clear()

    seed(orders=2)
    assert user.warehouses.count() == 2
    user.warehouses.set([Warehouse.objects.get(reference="LEJ-01")])
    seed(orders=2)

    assert list(user.warehouses.values_list("reference", flat=True)) == ["LEJ-01"]


def test_a_second_run_leaves_existing_users_alone(debug_on):
    seed(orders=2)
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed-by-the-admin")
    admin.save()

    seed(orders=2)

    admin.refresh_from_db()
    assert admin.check_password("changed-by-the-admin")


def test_fewer_orders_than_the_fixed_demo_orders_is_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", orders=1, stdout=StringIO())


# The returns over the past weeks.


def registration_days(shipbacks) -> list[int]:
    """How many days before today each return was registered, in the site's time zone."""
    today = timezone.localdate()
    return [(today - timezone.localdate(s.registered_at)).days for s in shipbacks]


def test_the_returns_were_registered_over_the_past_weeks_and_the_older_ones_are_over():
    seed(orders=200)

    registered = Shipback.objects.exclude(registered_at=None)
    days = registration_days(registered)
    assert min(days) <= 1
    assert 5 * 7 <= max(days) <= 8 * 7 + 3
    assert len(set(days)) >= 25  # spread, not bunched on a few days
    assert len({day // 7 for day in days}) >= 6  # weeks with returns
    # Open returns are the recent ones; what is over is older.
    open_days = registration_days(registered.exclude(state=Shipback.State.RELOCATED))
    assert max(open_days) <= 14
    assert len(days) >= 40


SECOND = datetime.timedelta(seconds=1)


def reached_at(record, state: str) -> datetime.datetime:
    """When ``record`` reached ``state``, by its milestone (its creation for the first state)."""
    milestone = type(record).MILESTONES.get(state)
    return getattr(record, milestone) if milestone else record.created_at


def in_order(instants) -> bool:
    instants = list(instants)
    return instants == sorted(instants)


def test_every_later_timestamp_of_a_return_follows_its_registration_and_none_is_ahead():
    seed()
    now = timezone.now()

    shipbacks = Shipback.objects.select_related("order").prefetch_related(
        "order__shipments", "events", "quotes", "returned_items", "return_orders__events"
    )
    assert shipbacks.filter(registered_at__isnull=False).count() >= 8
    for shipback in shipbacks:
        # Started after the order was delivered, each step after the one before, up to now.
        started = shipback.created_at
        delivered = max(s.delivered_at for s in shipback.order.shipments.all())
        milestones = [
            shipback.registered_at,
            shipback.labelled_at,
            shipback.delivering_at,
            shipback.delivered_at,
            shipback.relocated_at,
            shipback.cancelled_at,
        ]
        assert in_order([delivered, started, *filter(None, milestones), now]), shipback
        # Its timeline lists the steps in the order they were taken, each when it was taken.
        events = [event.created_at for event in shipback.events.all()]
        assert in_order([started, *events, now]), shipback
        for event in shipback.events.filter(returned_item=None, quote=None):
            assert abs(event.created_at - reached_at(shipback, event.to_state)) < SECOND, event
        history = shipback.history.order_by("history_id").values_list("history_date", flat=True)
        assert in_order([started, *history, now]), shipback
        for quote in shipback.quotes.all():
            assert in_order([started, quote.created_at, quote.computed_at, now]), quote
        for item in shipback.returned_items.all():
            assert in_order([started, item.created_at, item.updated_at, now]), item
        for return_order in shipback.return_orders.all():
            ro_events = [event.created_at for event in return_order.events.all()]
            stamps = [return_order.arrived_at, return_order.completed_at]
            assert in_order([shipback.registered_at, return_order.created_at, *ro_events, now])
            assert in_order([shipback.registered_at, *filter(None, stamps), now]), return_order
            for event in return_order.events.filter(to_state__in=ReturnOrder.MILESTONES):
                assert abs(event.created_at - reached_at(return_order, event.to_state)) < SECOND
    actions = ItemAction.objects.select_related("expected_item__return_order__shipback")
    assert actions.exists()
    for action in actions:
        return_order = action.expected_item.return_order
        done = return_order.completed_at or now
        assert in_order([return_order.arrived_at, action.performed_at, done, now]), action
    for return_order in ReturnOrder.objects.filter(shipback=None):
        ro_events = [event.created_at for event in return_order.events.all()]
        assert in_order([return_order.created_at, *ro_events, now]), return_order


def test_the_dashboard_shows_returns_on_many_days_in_every_state_mode_and_action(admin_client):
    seed(orders=200)
    today = timezone.localdate()

    last_30_days = admin_client.get(reverse("admin:dashboard"))
    last_90_days = admin_client.get(
        reverse("admin:dashboard"),
        {"date_from": (today - datetime.timedelta(days=89)).isoformat(), "date_to": today},
    )

    per_day = last_30_days.context["charts"]["per-day"]["values"]
    assert len(per_day) == 30
    assert sum(1 for count in per_day if count) >= 12
    month = last_30_days.context["board"]
    assert {b.key for b in month.by_state} >= {"registered", "labelled", "delivering", "relocated"}
    assert month.completion.completed >= 10
    assert month.completion.average > datetime.timedelta(days=1)
    board = last_90_days.context["board"]
    assert board.total > month.total
    assert {b.key for b in board.by_state} >= {
        "registered",
        "labelled",
        "delivering",
        "delivered",
        "relocated",
    }
    assert {b.key for b in board.by_mode} == set(Shipback.Mode.values)
    assert len(board.by_reason) >= 5
    assert len(board.by_warehouse) >= 2
    assert all(share.units for share in board.actions)  # restocked, quarantined, disposed of


class TickingClock:
    """A clock that moves a millisecond each time it is read: runs from the same start stamp
    the same instants."""

    def __init__(self, start: datetime.datetime):
        self.now = start

    def __call__(self) -> datetime.datetime:
        self.now += datetime.timedelta(milliseconds=1)
        return self.now


def test_the_returns_happen_at_the_same_times_relative_to_the_day_of_the_run(monkeypatch):
    def run_on(start: datetime.datetime) -> list:
        monkeypatch.setattr(timezone, "now", TickingClock(start))
        with transaction.atomic():
            seed()
            shipbacks = Shipback.objects.order_by("order__order_number")
            times = [
                (
                    shipback.order.order_number,
                    shipback.state,
                    shipback.created_at - start,
                    shipback.registered_at and shipback.registered_at - start,
                    shipback.relocated_at and shipback.relocated_at - start,
                    [event.created_at - start for event in shipback.events.all()],
                    [
                        (ro.created_at - start, [e.created_at - start for e in ro.events.all()])
                        for ro in shipback.return_orders.order_by("created_at")
                    ],
                )
                for shipback in shipbacks
            ]
            transaction.set_rollback(True)
        return times

    first = run_on(datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC))
    three_days_later = run_on(datetime.datetime(2026, 3, 5, 9, 30, tzinfo=datetime.UTC))

    assert len(first) >= 10
    assert three_days_later == first


def test_a_second_run_leaves_the_returns_when_they_happened():
    seed()
    stamps = list(
        Shipback.objects.order_by("rma").values_list("rma", "created_at", "registered_at")
    )

    out = seed()

    assert "nothing created" in out
    assert (
        list(Shipback.objects.order_by("rma").values_list("rma", "created_at", "registered_at"))
        == stamps
    )
