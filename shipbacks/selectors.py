"""Reads shared by the admin, the API and the portal."""

import operator
from functools import reduce

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from returns_portal.errors import DomainError
from returns_portal.roles import RETURNS_MANAGERS, WAREHOUSE_STAFF

from .models import (
    ExpectedItem,
    ItemAction,
    RelocationRule,
    ReturnedItem,
    ReturnOrder,
    Shipback,
    Warehouse,
)


def relocation_warehouse_for(*, shipback: Shipback, returned_item: ReturnedItem) -> Warehouse:
    """Where a returned item goes: the shipback's override, else the most specific rule whose
    warehouse is active."""
    if shipback.relocation_warehouse_id:
        if not shipback.relocation_warehouse.active:
            raise DomainError(
                f"The relocation warehouse {shipback.relocation_warehouse} is not active.",
                code="NO_WAREHOUSE",
                field="relocation_warehouse_id",
            )
        return shipback.relocation_warehouse
    country = shipback.customer.address.country_code if shipback.customer.address_id else ""
    rule = (
        RelocationRule.objects.matching(reason_id=returned_item.reason_id, country_code=country)
        .filter(warehouse__active=True)
        .select_related("warehouse")
        .first()
    )
    if rule is None:
        raise DomainError(
            "No warehouse receives this return: add a relocation rule for any reason and country.",
            code="NO_WAREHOUSE",
        )
    return rule.warehouse


# Who sees which return orders -----------------------------------------------------------------


def warehouse_scope(user) -> QuerySet[Warehouse] | None:
    """The warehouses a staff user is limited to, or None when the user is not limited.

    Warehouse staff (not superusers, not returns managers) work on the return orders of the
    warehouses they are linked to (``Warehouse.staff``) and nothing else; everyone else is
    governed by their permissions alone. Read once per user object (one query), as a lazy
    queryset the callers use as a subquery.
    """
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    cached = getattr(user, "_warehouse_scope", None)
    if cached is None:
        groups = set(user.groups.values_list("name", flat=True))
        limited = WAREHOUSE_STAFF in groups and RETURNS_MANAGERS not in groups
        cached = user._warehouse_scope = (limited,)
    if not cached[0]:
        return None
    return Warehouse.objects.filter(staff=user)


def limit_to_warehouses(user, queryset: QuerySet, warehouse_path: str) -> QuerySet:
    """``queryset`` limited to the rows whose warehouse (at ``warehouse_path``) ``user`` works
    at, when the user is limited (see :func:`warehouse_scope`)."""
    warehouses = warehouse_scope(user)
    if warehouses is None:
        return queryset
    return queryset.filter(**{f"{warehouse_path}__in": warehouses.values("pk")})


def return_orders_for(user, queryset: QuerySet[ReturnOrder] | None = None) -> QuerySet[ReturnOrder]:
    """The return orders ``user`` may see and act on (of ``queryset``, by default all)."""
    queryset = ReturnOrder.objects.all() if queryset is None else queryset
    return limit_to_warehouses(user, queryset, "warehouse")


def shipbacks_for(user, queryset: QuerySet | None = None, shipback_path: str = "pk") -> QuerySet:
    """The shipbacks ``user`` may see (or the rows of ``queryset`` whose shipback, at
    ``shipback_path``, is one): for warehouse staff, those with a return order at one of their
    warehouses (the parcels they receive)."""
    queryset = Shipback.objects.all() if queryset is None else queryset
    warehouses = warehouse_scope(user)
    if warehouses is None:
        return queryset
    return queryset.filter(
        Exists(
            ReturnOrder.objects.filter(
                shipback=OuterRef(shipback_path), warehouse__in=warehouses.values("pk")
            )
        )
    )


def expected_items_for(
    user, queryset: QuerySet[ExpectedItem] | None = None
) -> QuerySet[ExpectedItem]:
    """The expected items of the return orders ``user`` may see."""
    queryset = ExpectedItem.objects.all() if queryset is None else queryset
    return limit_to_warehouses(user, queryset, "return_order__warehouse")


def item_actions_for(user, queryset: QuerySet[ItemAction] | None = None) -> QuerySet[ItemAction]:
    """The actions taken on the expected items ``user`` may see."""
    queryset = ItemAction.objects.all() if queryset is None else queryset
    return limit_to_warehouses(user, queryset, "expected_item__return_order__warehouse")


# Receiving ------------------------------------------------------------------------------------

# What a scanned barcode can be: the return order's reference (its receiving slip), the RMA
# (the customer's slip), a carrier's tracking number, the order number, a marketplace's
# reference. An exact match on one of them names the return order.
SCANNED_FIELDS = (
    "reference",
    "shipback__rma",
    "tracking_number",
    "shipback__tracking_number",
    "order__order_number",
    "source_ref",
)
SEARCHED_FIELDS = (
    *SCANNED_FIELDS,
    "order__customer__first_name",
    "order__customer__last_name",
    "order__customer__email",
    "shipback__customer__first_name",
    "shipback__customer__last_name",
    "shipback__customer__email",
)


def return_order_scanned(queryset: QuerySet[ReturnOrder], code: str):
    """The id of the one return order (of ``queryset``) a scanned code names, an open one
    rather than a closed one, or None when it names none or several."""
    exact = reduce(operator.or_, (Q(**{f"{name}__iexact": code}) for name in SCANNED_FIELDS))
    matches = list(queryset.filter(exact).values_list("pk", "state")[:20])
    open_ones = [pk for pk, state in matches if state not in ReturnOrder.FINAL_STATES]
    if len(open_ones) == 1:
        return open_ones[0]
    if not open_ones and len(matches) == 1:
        return matches[0][0]
    return None


def return_orders_searched(queryset: QuerySet[ReturnOrder], query: str) -> QuerySet[ReturnOrder]:
    """The return orders with every word of ``query`` in one of their codes, or their
    customer's name or e-mail address."""
    for word in query.split():
        queryset = queryset.filter(
            reduce(operator.or_, (Q(**{f"{name}__icontains": word}) for name in SEARCHED_FIELDS))
        )
    return queryset


def with_units_expected(queryset: QuerySet[ReturnOrder]) -> QuerySet[ReturnOrder]:
    """For a list of return orders: their warehouse, order, shipback and customers, and
    ``units_expected`` (in one query with them)."""
    units = (
        ExpectedItem.objects.filter(return_order=OuterRef("pk"), unexpected=False)
        .order_by()
        .values("return_order")
        .annotate(n=Sum("quantity_expected"))
        .values("n")
    )
    return queryset.select_related("warehouse", "order__customer", "shipback__customer").annotate(
        units_expected=Coalesce(Subquery(units), 0)
    )


def expected_items_received(return_order: ReturnOrder) -> list[ExpectedItem]:
    """The return order's lines in the order the receiving services number them, with their
    product, the customer's reason, the actions taken, ``acted`` (units acted on) and
    ``missing`` (units expected, not received)."""
    items = list(
        return_order.expected_items.select_related("product", "returned_item__reason")
        .prefetch_related(
            Prefetch("actions", queryset=ItemAction.objects.select_related("performed_by"))
        )
        .order_by("created_at", "pk")
    )
    for item in items:
        item.acted = sum(action.quantity for action in item.actions.all())
        item.missing = 0 if item.unexpected else item.quantity_expected - item.quantity_received
    return items
