"""The returns managers' dashboard: figures of the returns registered in a period.

A return is a shipback registered in the period, counted on the day of its registration in the
site's time zone (``settings.TIME_ZONE``); the period runs from the start of ``date_from`` to the
end of ``date_to`` there. Every figure is one aggregate query computed by the database (GROUP BY,
SUM, COUNT), the same on SQLite and PostgreSQL; Python only adds up groups, fills the days
without returns and turns counts into shares. The figures about returns (per day, by state, by
mode, completion time) come from one query grouped by day, state and mode, which the page reads
once for the four.

A return's warehouse is the warehouse of its return orders: registration gives each destination
warehouse one (every item goes to the shipback's relocation override when it has one, else to
its relocation rule's warehouse), so it is where the parcel is actually received. Filtered by a
warehouse, the figures about returns count the returns with a return order there, the figures
about items count the items expected there, and the actions are those taken there. A return
split between two warehouses counts once in each of them.

Each query reads one table through an index holding what it counts: returned items, return
orders and item actions carry a copy of their shipback's registration time
(``shipback_registered_at``), returned items and actions one of their warehouse, returned items
one of their product.
Registration expects each returned item at one warehouse (one expected item each, in that
warehouse's return order) and writes the copies onto the returned items and the return orders;
the product is copied when an item is added, the time and warehouse when an action is
recorded. None changes afterwards: a shipback is registered once and its items are fixed from
then on, and a return order or an action keeps its shipback and warehouse.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DurationField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import Product

from .models import (
    ItemAction,
    ReturnedItem,
    ReturnOrder,
    ReturnReason,
    Shipback,
    Warehouse,
)
from .models.return_orders import ActionTaken
from .models.shipbacks import Mode, ShipbackState

TOP_PRODUCTS = 10
# The longest period shown: a year, leap day included.
MAX_DAYS = 366


@dataclass(frozen=True)
class DayCount:
    day: date
    returns: int


@dataclass(frozen=True)
class Breakdown:
    """One bar of a breakdown: what it counts (``key``), its name for people, how many."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ProductUnits:
    reference: str
    label: str
    units: int


@dataclass(frozen=True)
class CompletionTime:
    """Registration to completion (relocated), over the returns of the period completed so far."""

    average: timedelta | None
    completed: int


@dataclass(frozen=True)
class ActionShare:
    action: str
    label: str
    units: int
    percent: float


@dataclass(frozen=True)
class Dashboard:
    date_from: date
    date_to: date
    warehouse: Warehouse | None
    per_day: list[DayCount]
    by_state: list[Breakdown]
    by_mode: list[Breakdown]
    by_reason: list[Breakdown]
    by_warehouse: list[Breakdown]
    top_products: list[ProductUnits]
    completion: CompletionTime
    actions: list[ActionShare]

    @property
    def total(self) -> int:
        return sum(day.returns for day in self.per_day)

    @property
    def units_processed(self) -> int:
        return sum(share.units for share in self.actions)


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The instants the period starts and ends (excluded) in the site's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _registered(field: str, date_from: date, date_to: date) -> Q:
    start, end = period_bounds(date_from, date_to)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _returns(date_from: date, date_to: date, warehouse):
    returns = Shipback.objects.filter(_registered("registered_at", date_from, date_to))
    if warehouse is not None:
        at_warehouse = ReturnOrder.objects.filter(
            _registered("shipback_registered_at", date_from, date_to), warehouse=warehouse
        )
        returns = returns.filter(pk__in=at_warehouse.values("shipback_id"))
    return returns.order_by()


def _items(date_from: date, date_to: date, warehouse):
    items = ReturnedItem.objects.filter(_registered("shipback_registered_at", date_from, date_to))
    if warehouse is not None:
        items = items.filter(warehouse=warehouse)
    return items.order_by()


class _GroupColumn(Subquery):
    """A column of the row a group is about, looked up once per group after grouping: not a
    grouping key itself (Django's default for a subquery), which would look it up for every
    row counted."""

    def get_group_by_cols(self):
        return []


def _column(model, key: str, field: str) -> _GroupColumn:
    """``field`` of the ``model`` row whose id is the group's ``key``."""
    return _GroupColumn(model.objects.filter(pk=OuterRef(key)).order_by().values(field)[:1])


@dataclass(frozen=True)
class ReturnGroup:
    """The returns of one day, state and mode: how many, and of them the completed ones with
    their total time from registration to completion."""

    day: date
    state: str
    mode: str
    returns: int
    completed: int
    completion: timedelta | None


def return_groups(*, date_from: date, date_to: date, warehouse=None) -> list[ReturnGroup]:
    """The period's returns grouped by day, state and mode, which the figures about returns
    add up."""
    rows = (
        _returns(date_from, date_to, warehouse)
        .annotate(day=TruncDate("registered_at", tzinfo=timezone.get_default_timezone()))
        .values("day", "state", "mode")
        .annotate(
            returns=Count("*"),
            completed=Count("relocated_at"),
            completion=Sum(F("relocated_at") - F("registered_at"), output_field=DurationField()),
        )
        .values_list("day", "state", "mode", "returns", "completed", "completion")
    )
    return [ReturnGroup(*row) for row in rows]


def _returns_per_day(groups, date_from: date, date_to: date) -> list[DayCount]:
    counts = defaultdict(int)
    for group in groups:
        counts[group.day] += group.returns
    days = (date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1))
    return [DayCount(day, counts[day]) for day in days]


def _returns_by_state(groups) -> list[Breakdown]:
    counts = defaultdict(int)
    for group in groups:
        counts[group.state] += group.returns
    return [
        Breakdown(state.value, state.label, counts[state.value])
        for state in ShipbackState
        if counts.get(state.value)
    ]


def _returns_by_mode(groups) -> list[Breakdown]:
    counts = defaultdict(int)
    for group in groups:
        counts[group.mode] += group.returns
    labels = dict(Mode.choices)
    return [
        Breakdown(mode, labels.get(mode, "Not chosen"), count)
        for mode, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _completion_time(groups) -> CompletionTime:
    completed = [group for group in groups if group.completed]
    count = sum(group.completed for group in completed)
    if not count:
        return CompletionTime(None, 0)
    return CompletionTime(sum((g.completion for g in completed), timedelta()) / count, count)


def returns_per_day(*, date_from: date, date_to: date, warehouse=None) -> list[DayCount]:
    """Returns registered each day of the period, days without any included (0)."""
    groups = return_groups(date_from=date_from, date_to=date_to, warehouse=warehouse)
    return _returns_per_day(groups, date_from, date_to)


def returns_by_state(*, date_from: date, date_to: date, warehouse=None) -> list[Breakdown]:
    """The returns of the period by their state now, in the order of the lifecycle."""
    return _returns_by_state(
        return_groups(date_from=date_from, date_to=date_to, warehouse=warehouse)
    )


def returns_by_mode(*, date_from: date, date_to: date, warehouse=None) -> list[Breakdown]:
    """The returns of the period by how the parcel is sent back, most used first."""
    return _returns_by_mode(
        return_groups(date_from=date_from, date_to=date_to, warehouse=warehouse)
    )


def completion_time(*, date_from: date, date_to: date, warehouse=None) -> CompletionTime:
    """Average time from registration to completion of the period's returns completed so far."""
    return _completion_time(
        return_groups(date_from=date_from, date_to=date_to, warehouse=warehouse)
    )


def returns_by_reason(*, date_from: date, date_to: date, warehouse=None) -> list[Breakdown]:
    """Units returned in the period per reason, labelled in the current language, most first."""
    rows = (
        _items(date_from, date_to, warehouse)
        .values("reason")
        .annotate(
            count=Sum("quantity"),
            code=_column(ReturnReason, "reason", "code"),
            label_en=_column(ReturnReason, "reason", "label_en"),
            label_fr=_column(ReturnReason, "reason", "label_fr"),
        )
        .order_by("-count", "code")
    )
    return [
        Breakdown(
            row["code"],
            ReturnReason(label_en=row["label_en"], label_fr=row["label_fr"]).label(),
            row["count"],
        )
        for row in rows
    ]


def returns_by_warehouse(*, date_from: date, date_to: date, warehouse=None) -> list[Breakdown]:
    """Returns of the period per warehouse receiving them (see the module's docstring), most
    first. A return split between two warehouses counts in both."""
    return_orders = ReturnOrder.objects.filter(
        _registered("shipback_registered_at", date_from, date_to)
    )
    if warehouse is not None:
        return_orders = return_orders.filter(warehouse=warehouse)
    rows = (
        return_orders.order_by()
        .values("warehouse")
        .annotate(
            count=Count("shipback", distinct=True),
            reference=_column(Warehouse, "warehouse", "reference"),
            name=_column(Warehouse, "warehouse", "name"),
        )
        .order_by("-count", "name")
    )
    return [
        Breakdown(
            row["reference"],
            str(Warehouse(name=row["name"], reference=row["reference"])),
            row["count"],
        )
        for row in rows
    ]


def top_returned_products(
    *, date_from: date, date_to: date, warehouse=None, limit: int = TOP_PRODUCTS
) -> list[ProductUnits]:
    """The products with the most units returned in the period."""
    rows = (
        _items(date_from, date_to, warehouse)
        .values("product")
        .annotate(
            units=Sum("quantity"),
            reference=_column(Product, "product", "reference"),
            label=_column(Product, "product", "label"),
        )
        .order_by("-units", "reference")[:limit]
    )
    return [ProductUnits(row["reference"], row["label"], row["units"]) for row in rows]


def action_shares(*, date_from: date, date_to: date, warehouse=None) -> list[ActionShare]:
    """Units restocked, quarantined and disposed of among the period's returns, with their
    share of the units processed; every action listed, even at 0."""
    actions = ItemAction.objects.filter(_registered("shipback_registered_at", date_from, date_to))
    if warehouse is not None:
        actions = actions.filter(warehouse=warehouse)
    units = dict(
        actions.order_by()
        .values("action")
        .annotate(units=Sum("quantity"))
        .values_list("action", "units")
    )
    total = sum(units.values())
    return [
        ActionShare(
            action.value,
            action.label,
            units.get(action.value, 0),
            round(100 * units.get(action.value, 0) / total, 1) if total else 0.0,
        )
        for action in ActionTaken
    ]


def dashboard(*, date_from: date, date_to: date, warehouse=None) -> Dashboard:
    """Every figure of the dashboard: one query for those about returns, one for each other."""
    scope = {"date_from": date_from, "date_to": date_to, "warehouse": warehouse}
    groups = return_groups(**scope)
    return Dashboard(
        date_from=date_from,
        date_to=date_to,
        warehouse=warehouse,
        per_day=_returns_per_day(groups, date_from, date_to),
        by_state=_returns_by_state(groups),
        by_mode=_returns_by_mode(groups),
        by_reason=returns_by_reason(**scope),
        by_warehouse=returns_by_warehouse(**scope),
        top_products=top_returned_products(**scope),
        completion=_completion_time(groups),
        actions=action_shares(**scope),
    )
