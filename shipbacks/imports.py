"""Return orders in and out as CSV: one row per expected item, the return order's columns
repeated on each.

Rows with the same ``reference`` are one return order; they must agree on its columns. Each is
created by ``return_order_create``, as the API creates one from Shippingbo's body (the lines given
are the expected items, the order's items are not added), all in the import's one transaction;
it is then pushed to its warehouse's provider like any other. Imports create return orders and
never change one: a reference that exists is refused. The export adds each return order's
``state``, which an import ignores.
"""

from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError

from catalog.models import Product
from orders.models import Order
from returns_portal.actors import Actor
from returns_portal.csvio.files import CsvTable
from returns_portal.csvio.formats import (
    Checked,
    Column,
    CsvFormat,
    Progress,
    RowErrors,
    Written,
    choice,
    field_text,
    grouped,
    integer,
    iso_date,
    lookup,
    no_progress,
)
from returns_portal.errors import DomainError

from .models import ExpectedItem, ReturnOrder, Warehouse
from .services import ExpectedItemData, return_order_create

RETURN_ORDER_COLUMNS = (
    Column(
        "reference",
        field_text(ReturnOrder, "reference", required=True),
        "The return order's reference, new; its rows share it.",
        True,
    ),
    Column(
        "warehouse",
        field_text(Warehouse, "reference", required=True),
        "The reference of the warehouse expecting it (active).",
        True,
    ),
    Column("order_number", field_text(Order, "order_number"), "The order returned, if known."),
    Column("source", field_text(ReturnOrder, "source"), "Without an order: where it comes from…"),
    Column("source_ref", field_text(ReturnOrder, "source_ref"), "… and its reference there."),
    Column(
        "type",
        choice(ReturnOrder.Type, default=ReturnOrder.Type.CUSTOMER),
        f"{', '.join(ReturnOrder.Type.values)} (empty: {ReturnOrder.Type.CUSTOMER.value}).",
    ),
    Column("reason", field_text(ReturnOrder, "reason"), ""),
    Column("reason_ref", field_text(ReturnOrder, "reason_ref"), ""),
    Column("tracking_number", field_text(ReturnOrder, "tracking_number"), ""),
)
ITEM_COLUMNS = (
    Column(
        "product_reference",
        field_text(Product, "reference", required=True),
        "The product expected; it must exist.",
        True,
    ),
    Column("quantity", integer(min_value=1, default=1), "Units expected (empty: 1)."),
    Column(
        "requested_action",
        choice(ExpectedItem.RequestedAction, default=ExpectedItem.RequestedAction.DEFAULT),
        f"{', '.join(ExpectedItem.RequestedAction.values)} (empty: default).",
    ),
    Column("lot_number", field_text(ExpectedItem, "lot_number"), ""),
    Column("lot_date", iso_date(), "YYYY-MM-DD."),
)


class ReturnOrderCsv(CsvFormat):
    kind = "return_orders"
    model = ReturnOrder
    description = (
        "One row per expected item; the return order's columns are repeated on each of its "
        "rows. Imports create return orders: a reference that exists already is refused."
    )
    columns = (
        *RETURN_ORDER_COLUMNS,
        *ITEM_COLUMNS,
        Column("state", None, "Exported only: the return order's state (an import ignores it)."),
    )

    def check(
        self, table: CsvTable, *, progress: Progress = no_progress, preview: bool = True
    ) -> Checked:
        errors = RowErrors()
        checked = Checked(records=[], errors=errors)
        rows = list(self.converted_dicts(table, errors, checked.sample, progress))
        shared = tuple(column.name for column in RETURN_ORDER_COLUMNS[1:])
        groups = grouped(rows, "reference", shared, errors)
        taken = lookup(ReturnOrder.objects.only("reference"), "reference", groups)
        warehouses = {w.reference: w for w in Warehouse.objects.all()}
        orders = lookup(
            Order.objects.all(),
            "order_number",
            (values["order_number"] for _, values in rows if values.get("order_number")),
        )
        products = lookup(
            Product.objects.all(), "reference", (values["product_reference"] for _, values in rows)
        )
        for reference, lines in groups.items():
            number, first = lines[0]
            if reference in taken:
                errors.add(
                    number,
                    "reference",
                    f"Return order {reference} exists already: an import creates return "
                    "orders, it does not change them.",
                )
                continue
            header = self._return_order(number, first, warehouses, orders, errors)
            items = self._items(lines, products, errors)
            if header is not None and items is not None:
                checked.records.append({**header, "expected_items": items})
        checked.to_create = len(checked.records)
        return checked

    def _return_order(self, number, values, warehouses, orders, errors) -> dict | None:
        valid = True
        warehouse = warehouses.get(values["warehouse"])
        if warehouse is None:
            errors.add(
                number, "warehouse", f"No warehouse has the reference {values['warehouse']}."
            )
            valid = False
        elif not warehouse.active:
            errors.add(number, "warehouse", f"The warehouse {warehouse} is not active.")
            valid = False
        order = None
        if values.get("order_number"):
            order = orders.get(values["order_number"])
            if order is None:
                errors.add(number, "order_number", f"No order {values['order_number']}.")
                valid = False
        elif not (values.get("source") and values.get("source_ref")):
            errors.add(
                number, "order_number", "Give the order number, or its source and source_ref."
            )
            valid = False
        if not valid:
            return None
        return {
            "reference": values["reference"],
            "warehouse": warehouse,
            "order": order,
            "source": values.get("source", ""),
            "source_ref": values.get("source_ref", ""),
            "type": values.get("type", ReturnOrder.Type.CUSTOMER),
            "reason": values.get("reason", ""),
            "reason_ref": values.get("reason_ref", ""),
            "tracking_number": values.get("tracking_number", ""),
        }

    def _items(self, lines, products, errors) -> list[ExpectedItemData] | None:
        items = []
        for number, values in lines:
            product = products.get(values["product_reference"])
            if product is None:
                errors.add(
                    number,
                    "product_reference",
                    f"No product has the reference {values['product_reference']}.",
                )
                continue
            items.append(
                ExpectedItemData(
                    product=product,
                    quantity=values.get("quantity", 1),
                    requested_action=values.get(
                        "requested_action", ExpectedItem.RequestedAction.DEFAULT
                    ),
                    lot_number=values.get("lot_number", ""),
                    lot_date=values.get("lot_date"),
                )
            )
        return items if len(items) == len(lines) else None

    def write(self, checked: Checked, *, job) -> Written:
        user = job.confirmed_by
        actor = Actor.staff(user) if user is not None else Actor.system()
        for record in checked.records:
            try:
                return_order_create(actor=actor, skip_expected_items_creation=True, **record)
            except DomainError as exc:
                raise DomainError(f"Return order {record['reference']}: {exc.message}") from exc
            except ValidationError as exc:
                raise DomainError(
                    f"Return order {record['reference']}: {'; '.join(exc.messages)}"
                ) from exc
        return Written(created=len(checked.records))

    def export_rows(self, queryset) -> Iterator[list]:
        fields = [
            "return_order__reference",
            "return_order__warehouse__reference",
            "return_order__order__order_number",
            "return_order__source",
            "return_order__source_ref",
            "return_order__type",
            "return_order__reason",
            "return_order__reason_ref",
            "return_order__tracking_number",
            "product__reference",
            "quantity_expected",
            "requested_action",
            "lot_number",
            "lot_date",
            "return_order__state",
        ]
        # The lines that were expected: those received unexpectedly are the warehouse's record.
        items = (
            ExpectedItem.objects.filter(
                return_order__in=queryset.order_by().values("pk"), unexpected=False
            )
            .order_by("-return_order__created_at", "return_order__reference", "created_at")
            .values_list(*fields)
            .iterator(chunk_size=settings.CSV_EXPORT_CHUNK_SIZE)
        )
        return (list(item) for item in items)
