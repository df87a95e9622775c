"""Orders in and out as CSV: one row per order item, the order's columns repeated on each.

The rows of an order (same ``order_number``, anywhere in the file) must agree on the order's
columns: date, source, customer and address. Each order is created by ``order_create``, as the
API creates one, all of them in the import's one transaction. An import creates orders and
never changes one: a file naming an order that exists is refused on that order's rows (an order
with returns must not change under them; it is corrected on its page).
"""

from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError

from catalog.models import Product
from returns_portal.csvio.files import CsvTable
from returns_portal.csvio.formats import (
    MAX_SMALL_INTEGER,
    Checked,
    Column,
    CsvFormat,
    Progress,
    RowErrors,
    Written,
    choice,
    chunks,
    email,
    field_text,
    grouped,
    integer,
    iso_date,
    lookup,
    matching,
    no_progress,
)
from returns_portal.errors import DomainError

from .models import Address, Customer, Locale, Order, OrderItem
from .services import AddressData, CustomerData, OrderData, OrderItemData, order_create

COUNTRY = matching(
    r"[A-Z]{2}", "The two-letter ISO 3166-1 code, in capitals (FR, US, DE).", required=False
)
CURRENCY = matching(r"[A-Z]{3}", "The three-letter ISO 4217 code, in capitals.", default="EUR")

# The columns that describe the order (the same on each of its rows), then the item's.
ORDER_COLUMNS = (
    Column("order_number", field_text(Order, "order_number", required=True), "The key.", True),
    Column("ordered_at", iso_date(required=True), "Date of the order, YYYY-MM-DD.", True),
    Column("source", field_text(Order, "source"), "Channel it came from (with source_ref)."),
    Column("source_ref", field_text(Order, "source_ref"), "Its reference there."),
    Column("customer_email", email(), "", True),
    Column("customer_first_name", field_text(Customer, "first_name", required=True), "", True),
    Column("customer_last_name", field_text(Customer, "last_name", required=True), "", True),
    Column("customer_phone", field_text(Customer, "phone"), ""),
    Column("customer_locale", choice(Locale, default=Locale.EN), "en or fr (empty: en)."),
    Column("address_line1", field_text(Address, "line1"), "The customer's address (optional)."),
    Column("address_line2", field_text(Address, "line2"), ""),
    Column("address_zipcode", field_text(Address, "zipcode"), ""),
    Column("address_city", field_text(Address, "city"), ""),
    Column("address_state", field_text(Address, "state"), ""),
    Column("address_country_code", COUNTRY, "Two letters, in capitals (FR)."),
)
ITEM_COLUMNS = (
    Column(
        "item_reference",
        field_text(OrderItem, "reference"),
        "The line's reference, unique in the order (empty: its position).",
    ),
    Column(
        "item_product_reference",
        field_text(Product, "reference", required=True),
        "The product's reference; it must exist.",
        True,
    ),
    Column("item_label", field_text(OrderItem, "label"), "Empty: the product's."),
    Column("item_barcode", field_text(OrderItem, "barcode"), ""),
    Column("item_price_cents", integer(default=0), "Unit price in cents (empty: 0)."),
    Column("item_currency", CURRENCY, "ISO 4217 code (empty: EUR)."),
    Column(
        "item_quantity",
        integer(min_value=1, max_value=MAX_SMALL_INTEGER, default=1),
        "Empty: 1.",
    ),
)
ADDRESS_REQUIRED = ("address_line1", "address_zipcode", "address_city", "address_country_code")


class OrderCsv(CsvFormat):
    kind = "orders"
    model = Order
    description = (
        "One row per order item; the order's columns are repeated on each of its rows. "
        "Imports create orders: an order number that exists already is refused."
    )
    columns = (*ORDER_COLUMNS, *ITEM_COLUMNS)

    def check(
        self, table: CsvTable, *, progress: Progress = no_progress, preview: bool = True
    ) -> Checked:
        errors = RowErrors()
        checked = Checked(records=[], errors=errors)
        rows = list(self.converted_dicts(table, errors, checked.sample, progress))
        shared = tuple(column.name for column in ORDER_COLUMNS[1:])
        orders = grouped(rows, "order_number", shared, errors)
        existing = lookup(Order.objects.only("order_number"), "order_number", orders)
        products = lookup(
            Product.objects.all(),
            "reference",
            (values["item_product_reference"] for _, values in rows),
        )
        pairs = _taken_source_refs(orders)
        for order_number, lines in orders.items():
            first_number, first = lines[0]
            if order_number in existing:
                errors.add(
                    first_number,
                    "order_number",
                    f"Order {order_number} exists already: an import creates orders, it does "
                    f"not change them.",
                )
                continue
            if not self._order_is_valid(first_number, first, pairs, errors):
                continue
            items = self._items(lines, products, errors)
            if items is not None:
                checked.records.append(_order_data(first, items))
        checked.to_create = len(checked.records)
        return checked

    def _order_is_valid(self, number: int, values: dict, pairs: dict, errors: RowErrors) -> bool:
        valid = True
        source, source_ref = values.get("source", ""), values.get("source_ref", "")
        if bool(source) != bool(source_ref):
            missing = "source_ref" if source else "source"
            errors.add(number, missing, "Give both source and source_ref, or neither.")
            valid = False
        elif source:
            owner = pairs.setdefault((source, source_ref), values["order_number"])
            if owner != values["order_number"]:
                errors.add(
                    number,
                    "source_ref",
                    f"Order {owner} has source {source} and source_ref {source_ref} already.",
                )
                valid = False
        given = [name for name in ADDRESS_REQUIRED if values.get(name)]
        if given or values.get("address_line2") or values.get("address_state"):
            for name in ADDRESS_REQUIRED:
                if not values.get(name):
                    errors.add(number, name, "Required when the address is given.")
                    valid = False
        return valid

    def _items(self, lines, products: dict, errors: RowErrors) -> list[OrderItemData] | None:
        items, references = [], {}
        for number, values in lines:
            product = products.get(values["item_product_reference"])
            if product is None:
                errors.add(
                    number,
                    "item_product_reference",
                    f"No product has the reference {values['item_product_reference']}.",
                )
                continue
            reference = values.get("item_reference", "")
            if reference and reference in references:
                errors.add(
                    number,
                    "item_reference",
                    f"Item {reference} is on row {references[reference]} of this order already.",
                )
                continue
            references[reference] = number
            items.append(
                OrderItemData(
                    product=product,
                    reference=reference,
                    label=values.get("item_label", ""),
                    barcode=values.get("item_barcode", ""),
                    price_cents=values.get("item_price_cents", 0),
                    currency=values.get("item_currency") or "EUR",
                    quantity=values.get("item_quantity", 1),
                )
            )
        return items if len(items) == len(lines) else None

    def write(self, checked: Checked, *, job) -> Written:
        for data in checked.records:
            try:
                order_create(data=data)
            except DomainError as exc:
                raise DomainError(f"Order {data.order_number}: {exc.message}") from exc
            except ValidationError as exc:
                raise DomainError(f"Order {data.order_number}: {'; '.join(exc.messages)}") from exc
        return Written(created=len(checked.records))

    def export_rows(self, queryset) -> Iterator[list]:
        fields = [
            "order__order_number",
            "order__ordered_at",
            "order__source",
            "order__source_ref",
            "order__customer__email",
            "order__customer__first_name",
            "order__customer__last_name",
            "order__customer__phone",
            "order__customer__locale",
            "order__customer__address__line1",
            "order__customer__address__line2",
            "order__customer__address__zipcode",
            "order__customer__address__city",
            "order__customer__address__state",
            "order__customer__address__country_code",
            "reference",
            "product__reference",
            "label",
            "barcode",
            "price_cents",
            "currency",
            "quantity",
        ]
        items = (
            OrderItem.objects.filter(order__in=queryset.order_by().values("pk"))
            .order_by(
                "-order__ordered_at", "-order__created_at", "order__order_number", "reference"
            )
            .values_list(*fields)
            .iterator(chunk_size=settings.CSV_EXPORT_CHUNK_SIZE)
        )
        return (list(item) for item in items)


def _taken_source_refs(orders: dict) -> dict[tuple[str, str], str]:
    """``{(source, source_ref): order_number}`` of the orders that hold a pair the file uses."""
    wanted = {
        (lines[0][1].get("source", ""), lines[0][1].get("source_ref", ""))
        for lines in orders.values()
    }
    wanted = {pair for pair in wanted if all(pair)}
    taken = {}
    for part in chunks(sorted({ref for _, ref in wanted})):
        for order_number, source, source_ref in Order.objects.filter(
            source_ref__in=part
        ).values_list("order_number", "source", "source_ref"):
            if (source, source_ref) in wanted:
                taken[(source, source_ref)] = order_number
    return taken


def _order_data(values: dict, items: list[OrderItemData]) -> OrderData:
    address = None
    if values.get("address_line1"):
        address = AddressData(
            line1=values["address_line1"],
            line2=values.get("address_line2", ""),
            zipcode=values["address_zipcode"],
            city=values["address_city"],
            state=values.get("address_state", ""),
            country_code=values["address_country_code"],
        )
    return OrderData(
        order_number=values["order_number"],
        ordered_at=values["ordered_at"],
        source=values.get("source", ""),
        source_ref=values.get("source_ref", ""),
        customer=CustomerData(
            first_name=values["customer_first_name"],
            last_name=values["customer_last_name"],
            email=values["customer_email"],
            phone=values.get("customer_phone", ""),
            locale=values.get("customer_locale", Locale.EN),
            address=address,
        ),
        items=items,
    )
