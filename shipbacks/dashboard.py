"""The returns managers' dashboard: figures of the returns registered in a period.

A return is a shipback registered in the period, counted on the day of its registration in the
site's time zone (``settings.TIME_ZONE``); the period runs from the start of ``date_from`` to the
end of ``date_to`` there. Every figure is one aggregate query computed by the database (GROUP BY,
SUM, AVG), the same on SQLite and PostgreSQL; Python only fills the days without returns and
turns counts into shares. Items, return orders and actions are read among the rows written
since the period's returns were (see ``written_since``), not across whole tables.

A return's warehouse is the warehouse of its return orders: registration gives each destination
warehouse one (every item goes to the shipback's relocation override when it has one, else to
its relocation rule's warehouse), so it is where the parcel is actually received. Filtered by a
warehouse, the figures about returns count the returns with a return order there, the figures
about items count the items expected there, and the actions are those taken there. A return
split between two warehouses counts once in each of them.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    F,
    Min,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import (
    ExpectedItem,
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
# How far apart the clocks of the application servers writing rows may be (see written_since).
CLOCK_MARGIN = timedelta(hours=1)


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


def _registered(prefix: str, date_from: date, date_to: date) -> Q:
    start, end = period_bounds(date_from, date_to)
    return Q(**{f"{prefix}registered_at__gte": start, f"{prefix}registered_at__lt": end})


def _earliest_written() -> Min:
    # An expression, not the bare column: PostgreSQL would otherwise look for the minimum by
    # walking the whole created_at index.
    return Min(F("created_at") - Value(CLOCK_MARGIN))


def _written_since_query(date_from: date, date_to: date):
    return (
        Shipback.objects.filter(_registered("", date_from, date_to))
        .order_by()
        .annotate(period=Value(1))
        .values("period")
        .annotate(since=_earliest_written())
        .values("since")
    )


def written_since(*, date_from: date, date_to: date) -> datetime | None:
    """The earliest instant a row about the period's returns can have been written at (None
    without returns).

    Returned items, return orders and expected items refer to their shipback, so they are
    written after it: their ``created_at`` is never before the shipback's. Every such row of
    the period's returns is therefore among those created since the earliest ``created_at`` of
    these returns, less a margin for application servers whose clocks differ. With that bound
    the database reads the recent rows by their ``created_at`` index instead of whole tables. A
    return started long before it was registered only moves the bound back.

    Alone, a figure works the bound out in a subquery; figures read together share it (their
    ``written_since``), which also lets the database plan them knowing the instant.
    """
    returns = Shipback.objects.filter(_registered("", date_from, date_to))
    return returns.aggregate(since=_earliest_written())["since"]


def _since(date_from: date, date_to: date, written_since: datetime | None):
    if written_since is not None:
        return written_since
    return Subquery(_written_since_query(date_from, date_to), output_field=DateTimeField())


def _returns(date_from: date, date_to: date, warehouse, written_since):
    returns = Shipback.objects.filter(_registered("", date_from, date_to))
    if warehouse is not None:
        at_warehouse = ReturnOrder.objects.filter(
            warehouse=warehouse, created_at__gte=_since(date_from, date_to, written_since)
        )
        returns = returns.filter(pk__in=at_warehouse.values("shipback_id"))
    return returns.order_by()


def _items(date_from: date, date_to: date, warehouse, written_since):
    since = _since(date_from, date_to, written_since)
    items = ReturnedItem.objects.filter(
        _registered("shipback__", date_from, date_to), created_at__gte=since
    )
    if warehouse is not None:
        expected_there = ExpectedItem.objects.filter(
            return_order__warehouse=warehouse, created_at__gte=since
        )
        items = items.filter(pk__in=expected_there.values("returned_item_id"))
    return items.order_by()


def returns_per_day(
    *, date_from: date, date_to: date, warehouse=None, written_since: datetime | None = None
) -> list[DayCount]:
    """Returns registered each day of the period, days without any included (0)."""
    counts = dict(
        _returns(date_from, date_to, warehouse, written_since)
        .annotate(day=TruncDate("registered_at", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(returns=Count("pk"))
        .values_list("day", "returns")
    )
    days = (date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1))
    return [DayCount(day, counts.get(day, 0)) for day in days]


def returns_by_state(
    *, date_from: date, date_to: date, warehouse=None, written_since: datetime | None = None
) -> list[Breakdown]:
    """The returns of the period by their state now, in the order of the lifecycle."""
    counts = dict(
        _returns(date_from, date_to, warehouse, written_since)
        .values("state")
        .annotate(count=Count("pk"))
        .values_list("state", "count")
    )
    return [
        Breakdown(state.value, state.label, counts[state.value])
        for state in ShipbackState
        if counts.get(state.value)
    ]


def returns_by_mode(
    *, date_from: date, date_to: date, warehouse=None, written_since: datetime | None = None
) -> list[Breakdown]:
    """The returns of the period by how the parcel is sent back, most used first."""
    rows = (
        _returns(date_from, date_to, warehouse, written_since)
        .values("mode")
        .annotate(count=Count("pk"))
        .order_by("-count", "mode")
    )
    labels = dict(Mode.choices)
    return [
        Breakdown(row["mode"], labels.get(row["mode"], "Not chosen"), row["count"]) for row in rows
    ]


def returns_by_reason(
    *, date_from: date, date_to: date, warehouse=None, written_since: datetime | None = None
) -> list[Breakdown]:
    """Units returned in the period per reason, labelled in the current language, most first."""
    rows = (
        _items(date_from, date_to, warehouse, written_since)
        .values("reason__code", "reason__label_en", "reason__label_fr")
        .annotate(count=Sum("quantity"))
        .order_by("-count", "reason__code")
    )
    return [
        Breakdown(
            row["reason__code"],
            ReturnReason(
                label_en=row["reason__label_en"], label_fr=row["reason__label_fr"]
            ).label(),
            row["count"],
        )
        for row in rows
    ]


def returns_by_warehouse(
    *, date_from: date, date_to: date, warehouse=None, written_since: datetime | None = None
) -> list[Breakdown]:
    """Returns of the period per warehouse receiving them (see the module's docstring), most
    first. A return split between two warehouses counts in both."""
    return_orders = ReturnOrder.objects.filter(
        _registered("shipback__", date_from, date_to),
        created_at__gte=_since(date_from, date_to, written_since),
    )
    if warehouse is not None:
        return_orders = return_orders.filter(warehouse=warehouse)
    rows = (
        return_orders.values("warehouse__reference", "warehouse__name")
        .annotate(count=Count("shipback", distinct=True))
        .order_by("-count", "warehouse__name")
    )
    return [
        Breakdown(
            row["warehouse__reference"],
            str(Warehouse(name=row["warehouse__name"], reference=row["warehouse__reference"])),
            row["count"],
        )
        for row in rows
    ]


def top_returned_products(
    *,
    date_from: date,
    date_to: date,
    warehouse=None,
    written_since: datetime | None = None,
    limit: int = TOP_PRODUCTS,
) -> list[ProductUnits]:
    """The products with the most units returned in the period."""
    rows = (
        _items(date_from, date_to, warehouse, written_since)
        .values("order_item__product__reference", "order_item__product__label")
        .annotate(units=Sum("quantity"))
        .order_by("-units", "order_item__product__reference")[:limit]
    )
    return [
        ProductUnits(
            row["order_item__product__reference"], row["order_item__product__label"], row["units"]
        )
        for row in rows
    ]


def completion_time(
    *, date_from: date, date_to: date, warehouse=None, written_since: datetime | None = None
) -> CompletionTime:
    """Average time from registration to completion of the period's returns completed so far."""
    figures = (
        _returns(date_from, date_to, warehouse, written_since)
        .filter(relocated_at__isnull=False)
        .aggregate(
            average=Avg(F("relocated_at") - F("registered_at"), output_field=DurationField()),
            completed=Count("pk"),
        )
    )
    return CompletionTime(figures["average"], figures["completed"])


def action_shares(
    *, date_from: date, date_to: date, warehouse=None, written_since: datetime | None = None
) -> list[ActionShare]:
    """Units restocked, quarantined and disposed of among the period's returns, with their
    share of the units processed; every action listed, even at 0."""
    actions = ItemAction.objects.filter(
        _registered("expected_item__return_order__shipback__", date_from, date_to),
        expected_item__return_order__created_at__gte=_since(date_from, date_to, written_since),
    )
    if warehouse is not None:
        actions = actions.filter(expected_item__return_order__warehouse=warehouse)
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
    """Every figure of the dashboard: one query each, and one for the bound they share."""
    since = written_since(date_from=date_from, date_to=date_to)
    scope = {
        "date_from": date_from,
        "date_to": date_to,
        "warehouse": warehouse,
        # Without returns in the period any bound will do: every figure is empty.
        "written_since": since or period_bounds(date_from, date_to)[0],
    }
    return Dashboard(
        date_from=date_from,
        date_to=date_to,
        warehouse=warehouse,
        per_day=returns_per_day(**scope),
        by_state=returns_by_state(**scope),
        by_mode=returns_by_mode(**scope),
        by_reason=returns_by_reason(**scope),
        by_warehouse=returns_by_warehouse(**scope),
        top_products=top_returned_products(**scope),
        completion=completion_time(**scope),
        actions=action_shares(**scope),
    )
