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


@transaction.atomic
def order_delete(*, order: Order) -> None:
    """Delete an order and its customer; refused while a shipback or return order depends on it."""
    customer = order.customer
    try:
        order.delete()
    except ProtectedError as exc:
        dependent = next(iter(exc.protected_objects))
        raise DomainError(
            f"dependent shipback found ({dependent.pk})", code="DEPENDENT_SHIPBACK"
        ) from exc
    if not customer.orders.exists():
        address = customer.address
        customer.delete()
        if address:
            address.delete()
