"""Demo data for ``make run``: a catalog, customers' orders, the merchant's rules, and returns in
every state, so each screen has something to show.

Safe to run again: every record is looked up by its natural key first (brand and product
reference, reason code, warehouse reference, order number, username, ``RO-DEMO-*`` return order
reference), and an order that already has a return gets no other. States only change through the
services, with the system as the actor, so every shipback and return order has its timeline.
Choices come from ``random.Random`` seeded per order number: an order gets the same content
whatever ``--orders`` says, and dates are relative to the time of the first run.

The returns happened over the weeks before that run, as in a shop: each one on its own days,
after its order was delivered, the older ones finished, the recent ones on their way. The
services stamp the time they run at; the seed notes, before each step, when the step happened
(``timeline.Backdating``) and moves the stamps there once every return is walked.

The package, by subdomain; ``seed_demo`` here calls each in turn:

- ``data``: the tables (brands, products, reasons, warehouses, rules, countries, fixed orders);
- ``catalog``: brands, products, reasons, warehouses and the merchant's rules;
- ``orders``: customers' orders and their outbound shipments;
- ``users``: the demo logins;
- ``returns``: the scenarios, each shipback created and walked with its return orders;
- ``quotes``: what the provider quotes, the mode the customer picks, the quotes recorded;
- ``return_orders``: return order steps, receiving, return orders without a shipback;
- ``timeline``: when each step happened, and the backdating of what the services stamped.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Brand, Product
from orders.models import Order, Shipment
from returns_portal.roles import sync_role_groups

from ..models import (
    ExpectedItem,
    ItemAction,
    Quote,
    RelocationRule,
    ReturnedItem,
    ReturnOrder,
    ReturnOrderEvent,
    ReturnPolicy,
    ReturnReason,
    Shipback,
    ShipbackEvent,
    SponsoringRule,
    Warehouse,
)
from ..services.sync.outbox import sync_paused
from .catalog import ensure_brands, ensure_products, ensure_reasons, ensure_rules, ensure_warehouses
from .data import FIXED_ORDERS
from .orders import ensure_orders
from .returns import ensure_returns
from .users import ensure_users

__all__ = ["COUNTED", "DEFAULT_ORDERS", "FIXED_ORDERS", "SeedReport", "seed_demo"]

DEFAULT_ORDERS = 200

# What the summary counts, created = count after - count before.
COUNTED = {
    "brands": Brand,
    "products": Product,
    "return reasons": ReturnReason,
    "return policy": ReturnPolicy,
    "warehouses": Warehouse,
    "relocation rules": RelocationRule,
    "sponsoring rules": SponsoringRule,
    "orders": Order,
    "shipments": Shipment,
    "shipbacks": Shipback,
    "returned items": ReturnedItem,
    "quotes": Quote,
    "return orders": ReturnOrder,
    "expected items": ExpectedItem,
    "item actions": ItemAction,
    "shipback events": ShipbackEvent,
    "return order events": ReturnOrderEvent,
}


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    users_created: list[str] = field(default_factory=list)
    users_skipped: bool = False


def seed_demo(*, orders: int = DEFAULT_ORDERS) -> SeedReport:
    """Load the demo data, ``orders`` orders in all (DEMO-1001 and DEMO-1002 included).

    Demo users (admin, manager, warehouse, each with its name as password) only with DEBUG on.
    All or nothing: one transaction.
    """
    if orders < len(FIXED_ORDERS):
        raise ValueError(f"At least {len(FIXED_ORDERS)} orders: the fixed demo orders.")
    before = _counts()
    report = SeedReport(users_skipped=not settings.DEBUG)
    # The demo returns are history: nothing of them is sent to the providers.
    with sync_paused(), transaction.atomic():
        now = timezone.now().replace(second=0, microsecond=0)
        today = timezone.localdate(now)
        sync_role_groups()
        brands = ensure_brands()
        products = ensure_products(brands)
        reasons = ensure_reasons()
        ReturnPolicy.current()  # 30 days from delivery unless a manager changed it
        warehouses = ensure_warehouses()
        ensure_rules(reasons, warehouses)
        ensure_orders(orders, today, products)
        if not report.users_skipped:
            report.users_created = ensure_users(warehouses)
        ensure_returns(orders, now, reasons)
    after = _counts()
    report.created = {label: after[label] - before[label] for label in COUNTED}
    return report


def _counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in COUNTED.items()}
