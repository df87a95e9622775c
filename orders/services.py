"""Writes to orders: creating an order with its customer and items, deleting one."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import ProtectedError

from catalog.models import Product
from returns_portal.errors import DomainError

from .models import Address, Customer, Order, OrderItem


@dataclass
class AddressData:
    line1: str
    zipcode: str
    city: str
    country_code: str
    line2: str = ""
    state: str = ""


@dataclass
class CustomerData:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    locale: str = "en"
    address: AddressData | None = None


@dataclass
class OrderItemData:
    product: Product
    reference: str = ""
    label: str = ""
    barcode: str = ""
    price_cents: int = 0
    currency: str = "EUR"
    quantity: int = 1


@dataclass
class OrderData:
    order_number: str
    ordered_at: date
    customer: CustomerData
    items: list[OrderItemData]
    metadata: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    source: str = ""
    source_ref: str = ""


def _validated(instance):
    instance.full_clean()
    instance.save()
    return instance


def customer_create(*, data: CustomerData) -> Customer:
    address = _validated(Address(**vars(data.address))) if data.address else None
    fields = {k: v for k, v in vars(data).items() if k != "address"}
    return _validated(Customer(address=address, **fields))


def customer_copy(*, customer: Customer) -> Customer:
    """A new customer row with the same details (a shipback keeps its own copy)."""
    address = None
    if customer.address_id:
        source = customer.address
        address = Address.objects.create(
            line1=source.line1,
            line2=source.line2,
            zipcode=source.zipcode,
            city=source.city,
            state=source.state,
            country_code=source.country_code,
        )
    return Customer.objects.create(
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        phone=customer.phone,
        locale=customer.locale,
        address=address,
    )


@transaction.atomic
def order_create(*, data: OrderData) -> Order:
    """Create an order, its customer and items in one transaction: all or nothing.

    Items without a reference get their position in the order (1, 2, ...), so every item can
    be named by reference when a return is created.
    """
    if not data.items:
        raise DomainError("An order needs at least one item.", code="REQUIRED", field="items")
    customer = customer_create(data=data.customer)
    order = _validated(
        Order(
            order_number=data.order_number,
            ordered_at=data.ordered_at,
            customer=customer,
            metadata=data.metadata,
            tags=data.tags,
            source=data.source,
            source_ref=data.source_ref,
        )
    )
    given = [item.reference for item in data.items if item.reference]
    if len(given) != len(set(given)):
        raise DomainError(
            "Item references must be unique within the order.", code="DUPLICATE", field="items"
        )
    taken = set(given)
    position = 0
    for item in data.items:
        reference = item.reference
        while not reference:
            position += 1
            reference = str(position) if str(position) not in taken else ""
        taken.add(reference)
        fields = {k: v for k, v in vars(item).items() if k != "reference"}
        OrderItem(order=order, reference=reference, **fields).full_clean(exclude=["order"])
        OrderItem.objects.create(order=order, reference=reference, **fields)
    return order


def _refuse_if_returning(order: Order) -> None:
    # A registered return was built from this order as it is: it must not change under it.
    if order.shipbacks.filter(registered_at__isnull=False).exists():
        raise DomainError(
            "This order has a registered return and can no longer be changed.",
            code="SHIPBACK_REGISTERED",
        )


@transaction.atomic
def order_update(
    *,
    order: Order,
    customer: dict | None = None,
    address: dict | None = None,
    **fields,
) -> Order:
    """Change some fields of an order, of its customer and of the customer's address."""
    # Lock the order row only: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("customer__address")
        .get(pk=order.pk)
    )
    _refuse_if_returning(order)
    for name, value in fields.items():
        setattr(order, name, value)
    _validated(order)
    if customer or address:
        customer_update(customer=order.customer, address=address, **(customer or {}))
    return order


def customer_update(*, customer: Customer, address: dict | None = None, **fields) -> Customer:
    """Change some fields of a customer and of its address (created if it had none)."""
    for name, value in fields.items():
        setattr(customer, name, value)
    _validated(customer)
    if address:
        target = customer.address or Address()
        for name, value in address.items():
            setattr(target, name, value)
        _validated(target)
        if customer.address_id is None:
            customer.address = target
            customer.save(update_fields=["address", "updated_at"])
    return customer


@transaction.atomic
def order_item_add(*, order: Order, data: OrderItemData) -> OrderItem:
    _refuse_if_returning(order)
    reference = data.reference or str(order.items.count() + 1)
    fields = {k: v for k, v in vars(data).items() if k != "reference"}
    return _validated(OrderItem(order=order, reference=reference, **fields))


@transaction.atomic
def order_item_update(*, item: OrderItem, **fields) -> OrderItem:
    _refuse_if_returning(item.order)
    for name, value in fields.items():
        setattr(item, name, value)
    return _validated(item)


@transaction.atomic
def order_item_delete(*, item: OrderItem) -> None:
    _refuse_if_returning(item.order)
    try:
        item.delete()
    except ProtectedError as exc:
        raise DomainError(
            "This item is in a return and cannot be removed.", code="DEPENDENT_SHIPBACK"
        ) from exc


@transaction.atomic
def order_delete(*, order: Order) -> None:
    """Delete an order and its customer; refused while a shipback or return order depends on it."""
    customer = order.customer
    try:
        order.delete()
    except ProtectedError as exc:
        # protected_objects is a set (shipbacks, their returned items, return orders) in no
        # particular order: name the shipback when there is one.
        dependent = min(exc.protected_objects, key=lambda obj: obj._meta.model_name != "shipback")
        if dependent._meta.model_name == "shipback":
            raise DomainError(
                f"dependent shipback found ({dependent.pk})", code="DEPENDENT_SHIPBACK"
            ) from exc
        raise DomainError(
            f"dependent {dependent._meta.verbose_name} found ({dependent.pk})",
            code="DEPENDENT_RETURN_ORDER",
        ) from exc
    if not customer.orders.exists():
        address = customer.address
        customer.delete()
        if address:
            address.delete()
