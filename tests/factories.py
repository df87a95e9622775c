"""Factories for every model, and helpers that walk records through the real transitions."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from catalog.models import Brand, Product, SparePart
from orders.models import Address, Customer, Order, OrderItem, Shipment
from returns_portal.actors import Actor
from returns_portal.roles import RETURNS_MANAGERS, WAREHOUSE_STAFF
from shipbacks.models import (
    ExpectedItem,
    InboundEvent,
    ItemAction,
    ProviderCall,
    Quote,
    RelocationRule,
    ReturnedItem,
    ReturnOrder,
    ReturnReason,
    Shipback,
    SponsoringRule,
    Warehouse,
)
from shipbacks.services import return_order_transition, shipback_transition


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("password")


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


def _in_group(group_name):
    def add(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=group_name))

    return add


class WarehouseUserFactory(UserFactory):
    is_staff = True
    role = factory.PostGeneration(_in_group(WAREHOUSE_STAFF))


class ManagerUserFactory(UserFactory):
    is_staff = True
    role = factory.PostGeneration(_in_group(RETURNS_MANAGERS))


def default_brand() -> Brand:
    """The default brand a migration creates; transactional tests flush it, so it comes back."""
    brand, _ = Brand.objects.get_or_create(
        is_default=True, defaults={"name": "default", "reference": "default"}
    )
    return brand


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    reference = factory.Sequence(lambda n: f"brand-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    label = factory.Sequence(lambda n: f"Product {n}")
    reference = factory.Sequence(lambda n: f"SKU-{n:05d}")
    ean = factory.Sequence(lambda n: f"{3700000000000 + n}")
    weight_grams = 500
    brand = factory.LazyFunction(lambda: default_brand())


class SparePartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SparePart

    product = factory.SubFactory(ProductFactory)
    reference = factory.Sequence(lambda n: f"PART-{n}")
    name = factory.Sequence(lambda n: f"Part {n}")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    line1 = factory.Sequence(lambda n: f"{n} rue de la Paix")
    zipcode = "75002"
    city = "Paris"
    country_code = "FR"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    address = factory.SubFactory(AddressFactory)


class OrderFactory(factory.django.DjangoModelFactory):
    """An order; ``items=N`` adds N items of new products."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    order_number = factory.Sequence(lambda n: f"ORD-{n:06d}")
    ordered_at = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    customer = factory.SubFactory(CustomerFactory)

    @factory.post_generation
    def items(order, create, extracted, **kwargs):
        if create and extracted:
            for _ in range(extracted):
                OrderItemFactory(order=order, **kwargs)


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    reference = factory.Sequence(lambda n: f"item-{n}")
    label = factory.LazyAttribute(lambda item: item.product.label)
    price_cents = 2990
    quantity = 1


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    carrier = "Colissimo"
    tracking_number = factory.Sequence(lambda n: f"6A{n:011d}")
    shipped_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=9))
    delivered_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    name = factory.Sequence(lambda n: f"Warehouse {n}")
    reference = factory.Sequence(lambda n: f"WH{n:03d}")
    address = factory.SubFactory(AddressFactory)


class ReturnReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnReason
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"reason_{n}")
    label_en = factory.LazyAttribute(lambda r: r.code.replace("_", " ").capitalize())
    label_fr = factory.LazyAttribute(lambda r: f"{r.label_en} (fr)")


class RelocationRuleFactory(factory.django.DjangoModelFactory):
    """By default the catch-all rule: any reason, any country."""

    class Meta:
        model = RelocationRule

    warehouse = factory.SubFactory(WarehouseFactory)


class SponsoringRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SponsoringRule

    percentage = 100


class ShipbackFactory(factory.django.DjangoModelFactory):
    """A created shipback; ``items=N`` adds N returned items (new order items of its order)."""

    class Meta:
        model = Shipback
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory)
    customer = factory.LazyAttribute(lambda s: s.order.customer)

    @factory.post_generation
    def items(shipback, create, extracted, **kwargs):
        if create and extracted:
            for _ in range(extracted):
                ReturnedItemFactory(
                    shipback=shipback, order_item=OrderItemFactory(order=shipback.order), **kwargs
                )


class ReturnedItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnedItem

    shipback = factory.SubFactory(ShipbackFactory)
    order_item = factory.LazyAttribute(lambda item: OrderItemFactory(order=item.shipback.order))
    reason = factory.SubFactory(ReturnReasonFactory, code="doesnt_fit")
    quantity = 1
    # The copies the services write (see shipbacks.dashboard); registration also copies the
    # warehouse it expects the item at (``warehouse=``).
    product = factory.LazyAttribute(lambda item: item.order_item.product)
    shipback_registered_at = factory.LazyAttribute(lambda item: item.shipback.registered_at)


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    shipback = factory.SubFactory(ShipbackFactory)
    mode = Quote.Mode.POSTAL


class ReturnOrderFactory(factory.django.DjangoModelFactory):
    """A new return order for an order; ``items=N`` adds N expected items."""

    class Meta:
        model = ReturnOrder
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    reason = "Does not fit"
    shipback = None
    shipback_registered_at = factory.LazyAttribute(
        lambda return_order: return_order.shipback and return_order.shipback.registered_at
    )

    @factory.post_generation
    def items(return_order, create, extracted, **kwargs):
        if create and extracted:
            for _ in range(extracted):
                ExpectedItemFactory(return_order=return_order, **kwargs)


class ExpectedItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpectedItem

    return_order = factory.SubFactory(ReturnOrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity_expected = 1


class ItemActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemAction

    expected_item = factory.SubFactory(ExpectedItemFactory, quantity_received=1)
    action = ItemAction.Action.RESTOCK
    quantity = 1
    shipback_registered_at = factory.LazyAttribute(
        lambda action: action.expected_item.return_order.shipback_registered_at
    )
    warehouse = factory.LazyAttribute(lambda action: action.expected_item.return_order.warehouse)


class ProviderCallFactory(factory.django.DjangoModelFactory):
    """An outbox row, pending and due; by default a Shippingbo return order create."""

    class Meta:
        model = ProviderCall

    provider = ProviderCall.Provider.SHIPPINGBO
    operation = ProviderCall.Operation.RETURN_ORDER_CREATE
    target = factory.Sequence(lambda n: f"ROTEST{n:04d}")
    idempotency_key = factory.LazyAttribute(lambda c: f"{c.provider}:{c.target}:{c.operation}")
    next_attempt_at = factory.LazyFunction(timezone.now)


class InboundEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundEvent

    provider = InboundEvent.Provider.SHOPRUNBACK
    event_id = factory.Sequence(lambda n: f"evt-{n}")
    event_type = "shipback.labelled"
    body = "{}"


def shipback_in_state(state: str, **kwargs) -> Shipback:
    """A shipback brought to ``state`` through the real transitions, one step at a time."""
    shipback = ShipbackFactory(**kwargs)
    for step in Shipback.path(shipback.state, state):
        shipback = shipback_transition(shipback_id=shipback.pk, to=step, actor=Actor.system())
    return shipback


def return_order_in_state(state: str, **kwargs) -> ReturnOrder:
    """A return order brought to ``state`` through the real transitions, one step at a time."""
    return_order = ReturnOrderFactory(**kwargs)
    for step in ReturnOrder.path(return_order.state, state):
        return_order = return_order_transition(
            return_order_id=return_order.pk, to=step, actor=Actor.system()
        )
    return return_order
