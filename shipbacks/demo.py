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
(``_Backdating``) and moves the stamps there once every return is walked.
"""

import bisect
import io
import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from catalog.models import Brand, Product
from catalog.services import product_create
from orders.models import Address, Customer, Order, Shipment
from orders.services import AddressData, CustomerData, OrderData, OrderItemData, order_create
from returns_portal.actors import Actor
from returns_portal.roles import RETURNS_MANAGERS, WAREHOUSE_STAFF, sync_role_groups

from .demo_data import (
    BRANDS,
    COUNTRIES,
    FIXED_ORDERS,
    NON_RETURNABLE,
    PRODUCT_LINES,
    REASON_COMMENTS,
    REASON_WEIGHTS,
    REASONS,
    RELOCATION_RULES,
    SPONSORING_RULES,
    WAREHOUSES,
    WINDOW_OVERRIDES,
    Country,
)
from .models import (
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
from .services import (
    ActionData,
    ReceivedLineData,
    ReturnedItemData,
    quote_record_result,
    quotes_request,
    return_order_create,
    return_order_receive,
    return_order_transition,
    returned_item_transition,
    shipback_cancel,
    shipback_create,
    shipback_record_label,
    shipback_transition,
)
from .services.editing import shipback_free
from .services.sync.outbox import sync_paused

DEFAULT_ORDERS = 200
SEED = "returns-portal-demo"
RETURN_RATE = 0.3  # share of delivered orders with a return, beyond the first of each scenario
ACTOR = Actor.system()

SB = Shipback.State
RO = ReturnOrder.State

# What the returns look like, handed out in turn to delivered orders: (shipback, return orders).
SCENARIOS = (
    (SB.RELOCATED, RO.COMPLETED),
    (SB.CREATED, None),
    (SB.REGISTERED, RO.NEW),
    (SB.LABELLED, RO.NEW),
    (SB.CANCELLED, None),
    (SB.DELIVERING, RO.AWAITING_ARRIVAL),
    (SB.DELIVERED, RO.ARRIVED),
    (SB.DELIVERED, RO.PROCESSING),
    (SB.LABELLED, RO.AWAITING_ARRIVAL),
    (SB.RELOCATED, RO.COMPLETED),
    (SB.DELIVERING, RO.AWAITING_ARRIVAL),
    (SB.RELOCATED, RO.COMPLETED),
)
SHIPBACK_STEPS = (SB.CREATED, SB.REGISTERED, SB.LABELLED, SB.DELIVERING, SB.DELIVERED, SB.RELOCATED)
RETURN_ORDER_STEPS = (RO.NEW, RO.AWAITING_ARRIVAL, RO.ARRIVED, RO.PROCESSING, RO.COMPLETED)
# Beyond the first round of SCENARIOS, a return on an order delivered more days ago than this
# is over: completed, or now and then never confirmed (cancelled).
SETTLED_AFTER_DAYS = 12
FINISHED = (SB.RELOCATED, RO.COMPLETED)
NEVER_CONFIRMED = (SB.CANCELLED, None)
NEVER_CONFIRMED_RATE = 0.1

# When things happened. A step of a return takes (shortest, longest) after the step before it;
# "quoted" is when the provider computed the quotes, the other steps are the states reached.
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
SHIPBACK_STEP_TIMES = {
    "quoted": (timedelta(seconds=30), 1.5 * MINUTE),
    SB.REGISTERED: (2 * MINUTE, 25 * MINUTE),  # the customer chooses and confirms
    SB.LABELLED: (MINUTE, 5 * MINUTE),
    RO.AWAITING_ARRIVAL: (5 * MINUTE, 40 * MINUTE),  # the warehouse is told
    SB.DELIVERING: (8 * HOUR, 3 * DAY),  # the customer hands the parcel over
    SB.DELIVERED: (DAY, 4 * DAY),
    RO.ARRIVED: (10 * MINUTE, 2 * HOUR),
    RO.PROCESSING: (2 * HOUR, 2 * DAY),
    RO.COMPLETED: (30 * MINUTE, 4 * HOUR),
    SB.RELOCATED: (5 * MINUTE, 30 * MINUTE),
}
STANDALONE_STEP_TIMES = {
    RO.AWAITING_ARRIVAL: (5 * MINUTE, 40 * MINUTE),
    RO.ARRIVED: (DAY, 5 * DAY),  # the carrier brings the parcel back
    RO.PROCESSING: (2 * HOUR, 2 * DAY),
    RO.COMPLETED: (30 * MINUTE, 4 * HOUR),
    RO.IN_TROUBLE: (HOUR, 6 * HOUR),
    RO.CANCELLED: (DAY, 4 * DAY),
}
# How long an open return has been in its state, by its last step. Unconfirmed returns stay
# below the 72 hours after which the sweep cancels them (RETURNS_ABANDONED_SHIPBACK_AFTER).
IDLE_TIMES = {
    RO.NEW: (HOUR, 2 * DAY),
    "quoted": (HOUR, 30 * HOUR),
    SB.REGISTERED: (10 * MINUTE, 3 * HOUR),
    SB.LABELLED: (HOUR, 2 * DAY),
    RO.AWAITING_ARRIVAL: (HOUR, 2 * DAY),
    SB.DELIVERING: (2 * HOUR, 2 * DAY),
    RO.ARRIVED: (HOUR, DAY),
    RO.PROCESSING: (HOUR, DAY),
    RO.IN_TROUBLE: (2 * HOUR, 3 * DAY),
}
# A finished return was started this long after its order was delivered (within the 30 days
# of the default return policy).
RETURN_LEAD = (6 * HOUR, 14 * DAY)
# Nothing happened in the hour after the delivery, nor in the last minutes before the seed.
FIRST_AFTER_DELIVERY = HOUR
QUIET_BEFORE_NOW = 15 * MINUTE

# Return orders a warehouse got without a shipback: (reference, type, states walked, note).
STANDALONE_RETURN_ORDERS = (
    ("RO-DEMO-01", ReturnOrder.Type.CARRIER, [RO.AWAITING_ARRIVAL, RO.CANCELLED],
     "Delivered to the customer at the second attempt: nothing comes back."),
    ("RO-DEMO-02", ReturnOrder.Type.CUSTOMER, [RO.CANCELLED], "The customer kept the parcel."),
    ("RO-DEMO-03", ReturnOrder.Type.CARRIER, [RO.AWAITING_ARRIVAL], ""),
    ("RO-DEMO-04", ReturnOrder.Type.CUSTOMER, [], ""),
    ("RO-DEMO-05", ReturnOrder.Type.LABEL,
     [RO.AWAITING_ARRIVAL, RO.ARRIVED, RO.PROCESSING, RO.COMPLETED], ""),
    ("RO-DEMO-06", ReturnOrder.Type.CUSTOMER, [RO.AWAITING_ARRIVAL, RO.ARRIVED, RO.IN_TROUBLE],
     "The parcel arrived open; one item is missing."),
)  # fmt: skip

ACTION_NOTES = {
    ItemAction.Action.RESTOCK: ("Unworn, tags attached", "As new, repacked", "Sealed"),
    ItemAction.Action.QUARANTINE: ("Stain on the front", "Packaging missing", "For QA to check"),
    ItemAction.Action.DISPOSE: ("Broken in transit", "Cracked, cannot be repaired"),
}
OPENING_HOURS = (
    "Mon–Sat 09:00–19:00",
    "Mon–Fri 08:30–20:00, Sat 09:00–13:00",
    "Every day 07:00–22:00",
)
DEMO_PASSWORD_USERS = (
    # username (also the password), superuser, group
    ("admin", True, None),
    ("manager", False, RETURNS_MANAGERS),
    ("warehouse", False, WAREHOUSE_STAFF),
)
# Where the demo's warehouse staff work: the French sites. Leipzig and Chicago are run by their
# providers' own staff, so ``warehouse`` does not see their return orders.
DEMO_STAFF_WAREHOUSES = {"warehouse": ("PAR-01", "LYS-QC")}

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
        brands = _ensure_brands()
        products = _ensure_products(brands)
        reasons = _ensure_reasons()
        ReturnPolicy.current()  # 30 days from delivery unless a manager changed it
        warehouses = _ensure_warehouses()
        _ensure_rules(reasons, warehouses)
        _ensure_orders(orders, today, products)
        if not report.users_skipped:
            report.users_created = _ensure_users(warehouses)
        _ensure_returns(orders, now, reasons)
    after = _counts()
    report.created = {label: after[label] - before[label] for label in COUNTED}
    return report


def _counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in COUNTED.items()}


def order_number(position: int) -> str:
    """The demo orders are DEMO-1001, DEMO-1002, ..."""
    return f"DEMO-{1000 + position}"


# Catalog, reasons, warehouses and rules.


def _ensure_brands() -> dict[str, Brand]:
    brands = {brand.reference: brand for brand in Brand.objects.all()}
    for reference, name in BRANDS:
        if reference not in brands:
            brands[reference] = Brand.objects.create(reference=reference, name=name)
    brands[None] = Brand.objects.default()
    return brands


def _product_rows() -> Iterable[dict]:
    """Each product line in each of its colours, with a valid EAN-13."""
    position = 0
    for brand, sku, label, grams, (width, length, height), price, colours in PRODUCT_LINES:
        for colour in colours or ("",):
            position += 1
            yield {
                "reference": f"{sku}-{slugify(colour).upper()}" if colour else sku,
                "label": f"{label} – {colour}" if colour else label,
                "brand": brand,
                "weight_grams": grams,
                "width_mm": width,
                "length_mm": length,
                "height_mm": height,
                "color": colour,
                "ean": _ean13(f"376123{position:06d}"),
                "returnable": sku not in NON_RETURNABLE,
                "return_window_days": WINDOW_OVERRIDES.get(sku),
                "shipbob_inventory_id": 7_400_000 + position,
                "metadata": {"price_cents": price},
            }


def _ean13(first_twelve: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return f"{first_twelve}{(10 - total % 10) % 10}"


def _ensure_products(brands: dict) -> dict[str, Product]:
    rows = list(_product_rows())
    products = Product.objects.in_bulk([row["reference"] for row in rows], field_name="reference")
    for row in rows:
        if row["reference"] not in products:
            brand = brands[row.pop("brand")]
            products[row["reference"]] = product_create(brand=brand, **row)
    return products


def _ensure_reasons() -> dict[str, ReturnReason]:
    reasons = {}
    for position, (code, label_en, label_fr, requires_photo) in enumerate(REASONS, start=1):
        reasons[code], _ = ReturnReason.objects.get_or_create(
            code=code,
            defaults={
                "label_en": label_en,
                "label_fr": label_fr,
                "requires_photo": requires_photo,
                "position": position * 10,
            },
        )
    return reasons


def _ensure_warehouses() -> dict[str, Warehouse]:
    warehouses = Warehouse.objects.in_bulk(
        [w["reference"] for w in WAREHOUSES], field_name="reference"
    )
    for spec in WAREHOUSES:
        if spec["reference"] in warehouses:
            continue
        fields = {k: v for k, v in spec.items() if k != "address"}
        warehouse = Warehouse(**fields)
        warehouse.full_clean(exclude=["address"])
        warehouse.address = _address(spec["address"])
        warehouse.save()
        warehouses[spec["reference"]] = warehouse
    return warehouses


def _address(data: AddressData) -> Address:
    address = Address(**vars(data))
    address.full_clean()
    address.save()
    return address


def _ensure_rules(reasons: dict, warehouses: dict) -> None:
    for reason_code, country, warehouse in RELOCATION_RULES:
        RelocationRule.objects.get_or_create(
            reason=reasons.get(reason_code),
            country_code=country,
            defaults={"warehouse": warehouses[warehouse]},
        )
    for reason_code, country, percentage, customer_fee_max in SPONSORING_RULES:
        SponsoringRule.objects.get_or_create(
            reason=reasons.get(reason_code),
            country_code=country,
            defaults={"percentage": percentage, "customer_fee_max_cents": customer_fee_max},
        )


# Orders.


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _ensure_orders(count: int, today: date, products: dict) -> None:
    numbers = [order_number(position) for position in range(1, count + 1)]
    existing = set(
        Order.objects.filter(order_number__in=numbers).values_list("order_number", flat=True)
    )
    shipments = []
    for position, number in enumerate(numbers, start=1):
        if number in existing:
            continue
        if position <= len(FIXED_ORDERS):
            data, shipment = _fixed_order(FIXED_ORDERS[position - 1], today, products)
        else:
            data, shipment = _generated_order(number, today, products)
        order = order_create(data=data)
        if shipment:
            shipments.append(Shipment(order=order, **shipment))
    # Outbound shipments have no service: nothing but plain rows, no state.
    Shipment.objects.bulk_create(shipments)


def _fixed_order(spec: dict, today: date, products: dict) -> tuple[OrderData, dict]:
    ordered_at = today - timedelta(days=spec["ordered_days_ago"])
    delivered = today - timedelta(days=spec["delivered_days_ago"])
    items = [_item(products[reference], quantity, "EUR") for reference, quantity in spec["items"]]
    data = OrderData(
        order_number=spec["order_number"],
        ordered_at=ordered_at,
        customer=spec["customer"],
        items=items,
    )
    shipment = {
        "carrier": "Colissimo",
        "tracking_number": spec["tracking_number"],
        "shipped_at": _at(ordered_at + timedelta(days=1), 17, 30),
        "delivered_at": _at(delivered, 11, 40),
    }
    return data, shipment


def _item(product: Product, quantity: int, currency: str) -> OrderItemData:
    price = product.metadata.get("price_cents", 1990)
    rate = {"EUR": 1, "GBP": 0.86, "USD": 1.08}[currency]
    return OrderItemData(
        product=product,
        label=product.label,
        barcode=product.ean,
        price_cents=max(int(round(price * rate, -2)) - 10, 90),
        currency=currency,
        quantity=quantity,
    )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _generated_order(number: str, today: date, products: dict) -> tuple[OrderData, dict | None]:
    rng = random.Random(f"{SEED}:order:{number}")
    country = rng.choices(list(COUNTRIES.values()), [c.weight for c in COUNTRIES.values()])[0]
    street, zipcode, city, state, locale = rng.choice(country.places)
    if country.code == "FR" and rng.random() < 0.15:
        locale = "en"
    first_name = rng.choice(country.first_names)
    last_name = rng.choice(country.last_names)
    domain = rng.choice(("example.com", "example.org", "example.net"))
    customer = CustomerData(
        first_name=first_name,
        last_name=last_name,
        email=f"{_ascii(first_name)}.{_ascii(last_name).replace(' ', '')}{number[5:]}@{domain}",
        phone="".join(str(rng.randint(0, 9)) if c == "#" else c for c in country.phone),
        locale=locale,
        address=AddressData(
            line1=_street_line(country, street, rng.randint(1, 140)),
            zipcode=zipcode,
            city=city,
            state=state,
            country_code=country.code,
        ),
    )
    catalog = sorted(products.values(), key=lambda p: p.reference)
    picked = rng.sample(catalog, rng.choices((1, 2, 3), (55, 30, 15))[0])
    items = [_item(p, 2 if rng.random() < 0.15 else 1, country.currency) for p in picked]
    ordered_at = today - timedelta(days=rng.randint(2, 60))
    source, source_ref = "", ""
    if rng.random() < 0.1:
        source = "amazon"
        source_ref = f"40{rng.randint(1, 9)}-{rng.randint(10**6, 10**7 - 1)}-{number[5:]}000"
    data = OrderData(
        order_number=number,
        ordered_at=ordered_at,
        customer=customer,
        items=items,
        source=source,
        source_ref=source_ref,
    )
    shipped = ordered_at + timedelta(days=rng.randint(0, 2))
    if shipped >= today:
        return data, None
    delivered = shipped + timedelta(days=rng.randint(1, 4) + (2 if country.code == "US" else 0))
    return data, {
        "carrier": country.carrier,
        "tracking_number": _tracking(rng, country),
        "shipped_at": _at(shipped, 17, rng.randint(0, 59)),
        # Not delivered yet when the delivery day is still ahead.
        "delivered_at": _at(delivered, rng.randint(9, 18), rng.randint(0, 59))
        if delivered < today
        else None,
    }


def _tracking(rng: random.Random, country: Country) -> str:
    prefix, suffix = country.tracking
    return f"{prefix}{rng.randint(10**10, 10**11 - 1)}{suffix}"


# Users.


def _ensure_users(warehouses: dict[str, Warehouse]) -> list[str]:
    """The demo logins; an existing user is left exactly as it is, except that warehouse staff
    working nowhere (created before warehouses had staff) are linked to their demo warehouses."""
    User = get_user_model()
    created = []
    for username, superuser, group in DEMO_PASSWORD_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@example.com",
                is_staff=True,
                is_superuser=superuser,
            )
            user.set_password(username)
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            created.append(username)
        elif user.warehouses.exists():
            continue
        for reference in DEMO_STAFF_WAREHOUSES.get(username, ()):
            warehouses[reference].staff.add(user)
    return created


# Returns.


def _ensure_returns(count: int, now: datetime, reasons: dict) -> None:
    """Shipbacks in turn through SCENARIOS on delivered orders, then return orders without one,
    then every stamp moved to when it happened."""
    numbers = [order_number(position) for position in range(len(FIXED_ORDERS) + 1, count + 1)]
    orders = Order.objects.filter(order_number__in=numbers).select_related("customer__address")
    orders = orders.prefetch_related("items__product", "shipments", "shipbacks", "return_orders")
    by_number = {order.order_number: order for order in orders}
    context = _ReturnContext(
        now=now,
        reasons=reasons,
        warehouse_user=get_user_model().objects.filter(username="warehouse").first(),
    )
    eligible = 0
    candidates = []
    for number in numbers:
        order = by_number[number]
        has_returns = bool(order.shipbacks.all() or order.return_orders.all())
        delivered_at = max(
            (s.delivered_at for s in order.shipments.all() if s.delivered_at), default=None
        )
        # Sorted here, not by the database, whose collation would change what is picked.
        returnable = sorted(
            (item for item in order.items.all() if item.product.returnable),
            key=lambda item: item.reference,
        )
        if delivered_at and returnable:
            rng = random.Random(f"{SEED}:return:{number}")
            chosen = eligible < len(SCENARIOS) or rng.random() < RETURN_RATE
            scenario = _scenario(eligible, delivered_at, rng, now)
            eligible += 1
            if chosen:
                if not has_returns:
                    _seed_shipback(order, returnable, scenario, rng, context, delivered_at)
                continue
        if order.shipments.all() and not has_returns:
            candidates.append(order)
    _seed_standalone_return_orders(candidates, context)
    context.backdating.apply()


def _scenario(eligible: int, delivered_at: datetime, rng: random.Random, now: datetime):
    """Every scenario once, in turn; then a return on an order delivered long ago is over by
    now, and the others keep taking the scenarios in turn."""
    days = (timezone.localdate(now) - timezone.localdate(delivered_at)).days
    if eligible >= len(SCENARIOS) and days > SETTLED_AFTER_DAYS:
        return NEVER_CONFIRMED if rng.random() < NEVER_CONFIRMED_RATE else FINISHED
    return SCENARIOS[eligible % len(SCENARIOS)]


@dataclass
class _Backdating:
    """When the demo's returns happened, given step by step while the services write them.

    ``at(instant)`` before a step says it happened at ``instant``: every time a service stamps
    from then until the next ``at`` (creation, update, milestone, event, history row) is moved
    to ``instant`` plus the time the services took since, so the order of the stamps is kept.
    ``apply()`` moves them all once every return is walked: per model, one SELECT of what was
    stamped, then per column an UPDATE whose CASE has a branch per step that stamped it.
    """

    # What the demo's returns write and stamp: their rows, events, history and customer copies.
    MODELS = (
        Shipback,
        ReturnedItem,
        Quote,
        ShipbackEvent,
        ReturnOrder,
        ExpectedItem,
        ItemAction,
        ReturnOrderEvent,
        Customer,
        Address,
        Shipback.history.model,
        ReturnOrder.history.model,
    )
    # Instants chosen by someone rather than stamped by a service: kept as they are.
    CHOSEN = frozenset({"pickup_datetime", "expires_at"})
    # Branches of one CASE, at most.
    STEPS_PER_UPDATE = 250

    marks: list[tuple[datetime, datetime]] = field(default_factory=list)

    def at(self, instant: datetime) -> None:
        self.marks.append((timezone.now(), instant))

    def apply(self) -> None:
        if not self.marks:
            return
        # Step k stamped from starts[k] to starts[k + 1] (excluded), the last one up to now.
        starts = [real for real, _ in self.marks]
        shifts = [instant - real for real, instant in self.marks]
        walked = (starts[0], timezone.now())
        for model in self.MODELS:
            names = self._stamped(model)
            stamped = Q.create([(f"{name}__range", walked) for name in names], connector=Q.OR)
            rows = list(model._default_manager.filter(stamped).values_list(*names))
            for position, name in enumerate(names):
                steps = sorted(
                    {
                        bisect.bisect_right(starts, row[position]) - 1
                        for row in rows
                        if row[position] is not None and walked[0] <= row[position] <= walked[1]
                    }
                )
                size = self.STEPS_PER_UPDATE
                for chunk in (steps[first : first + size] for first in range(0, len(steps), size)):
                    # Highest step first: a stamp belongs to the last step started before it.
                    moved = Case(
                        *(
                            When(**{f"{name}__gte": starts[k]}, then=F(name) + shifts[k])
                            for k in reversed(chunk)
                        ),
                        default=F(name),
                    )
                    following = chunk[-1] + 1
                    upper = {f"{name}__lt": starts[following]} if following < len(starts) else {}
                    model._default_manager.filter(
                        **{f"{name}__gte": starts[chunk[0]], f"{name}__lte": walked[1]}, **upper
                    ).update(**{name: moved})
        self.marks.clear()

    def _stamped(self, model) -> list[str]:
        return [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField) and f.name not in self.CHOSEN
        ]


@dataclass
class _ReturnContext:
    now: datetime
    reasons: dict
    warehouse_user: object
    backdating: _Backdating = field(default_factory=_Backdating)
    _photo: bytes = b""
    _staff_sites: set | None = None

    def receiver(self, return_order: ReturnOrder) -> Actor:
        """Who reports a parcel received: the demo's warehouse staff where they work, else the
        system (the providers' own staff run the other warehouses)."""
        if self._staff_sites is None:
            user = self.warehouse_user
            self._staff_sites = set(user.warehouses.values_list("pk", flat=True)) if user else set()
        if return_order.warehouse_id in self._staff_sites:
            return Actor.staff(self.warehouse_user)
        return ACTOR

    def damage_photo(self) -> ContentFile:
        """A small JPEG of a dented box, standing for the customer's photo."""
        if not self._photo:
            image = Image.new("RGB", (480, 360), (198, 170, 128))
            draw = ImageDraw.Draw(image)
            draw.rectangle((60, 60, 420, 300), outline=(120, 90, 60), width=6)
            draw.line([(150, 60), (210, 150), (180, 210), (260, 300)], fill=(60, 40, 25), width=5)
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=70)
            self._photo = buffer.getvalue()
        return ContentFile(self._photo, name="damaged.jpg")


def _seed_shipback(
    order: Order, returnable, scenario, rng: random.Random, context, delivered_at: datetime
) -> None:
    target, return_order_target = scenario
    country = COUNTRIES[order.customer.address.country_code]
    # A reason a manager switched off is no longer offered to customers.
    codes = [code for code in REASON_WEIGHTS if context.reasons[code].active]
    weights = [REASON_WEIGHTS[code] for code in codes]
    items = []
    for order_item in rng.sample(returnable, rng.randint(1, len(returnable))):
        reason = context.reasons[rng.choices(codes, weights)[0]]
        comments = REASON_COMMENTS[reason.code][order.customer.locale]
        items.append(
            ReturnedItemData(
                order_item=order_item,
                reason=reason,
                quantity=rng.randint(1, order_item.quantity),
                comment=rng.choice(comments) if rng.random() < 0.5 else "",
                photo=context.damage_photo() if reason.requires_photo else None,
            )
        )
    # Never confirmed: cancelled by the sweep, which runs every 15 minutes.
    abandoned = settings.RETURNS_ABANDONED_SHIPBACK_AFTER
    timeline = _timeline(
        _shipback_steps(target, return_order_target),
        {**SHIPBACK_STEP_TIMES, SB.CANCELLED: (abandoned + MINUTE, abandoned + 15 * MINUTE)},
        after=delivered_at,
        now=context.now,
        rng=random.Random(f"{SEED}:timeline:{order.order_number}"),
    )
    # Pickup slots from the day after the return was started; not yet handed over: from tomorrow.
    slots_from = timezone.localdate(timeline[SB.CREATED]) + timedelta(days=1)
    if target in (SB.CREATED, SB.REGISTERED, SB.LABELLED):
        slots_from = max(slots_from, timezone.localdate(context.now) + timedelta(days=1))
    offer = _offer(rng, country, order.customer.address, items, slots_from)
    fields = {}
    mode = ""
    if target not in (SB.CREATED, SB.CANCELLED):
        mode = _choose_mode(rng, target, country, items, offer)
        quote = offer.get(mode)
        fields["weight_grams"] = sum(i.order_item.product.weight_grams * i.quantity for i in items)
        if mode == Shipback.Mode.DROPOFF:
            fields["dropoff_code"] = rng.choice(quote["dropoff_points"])["code"]
        if mode == Shipback.Mode.PICKUP:
            slot = rng.choice(quote["pickup_slots"])
            fields["pickup_datetime"] = datetime.fromisoformat(slot["pickup_datetime"])
            fields["pickup_duration"] = slot["pickup_duration"]
    backdating = context.backdating
    backdating.at(timeline[SB.CREATED])
    shipback = shipback_create(
        order=order,
        items=items,
        actor=ACTOR,
        mode=mode,
        metadata={"seed": "demo"},
        **fields,
    )
    if target != SB.CANCELLED:
        backdating.at(timeline["quoted"])
        _record_quotes(shipback, offer, expires_at=timeline["quoted"] + DAY)
    if target == SB.CANCELLED:
        backdating.at(timeline[SB.CANCELLED])
        shipback_cancel(shipback_id=shipback.pk, actor=ACTOR, note="Not confirmed in time.")
    elif target != SB.CREATED:
        _walk_shipback(shipback, target, return_order_target, rng, context, timeline)


def _shipback_reaches(state, target) -> bool:
    return SHIPBACK_STEPS.index(state) <= SHIPBACK_STEPS.index(target)


def _return_orders_reach(state, target) -> bool:
    if target is None:  # no return order: never registered
        return False
    return RETURN_ORDER_STEPS.index(state) <= RETURN_ORDER_STEPS.index(target)


def _shipback_steps(target, return_order_target) -> list[str]:
    """The steps of a return that reaches these states, in the order _walk_shipback takes them."""
    if target == SB.CANCELLED:
        return [SB.CREATED, SB.CANCELLED]
    steps = [SB.CREATED, "quoted"]
    if target == SB.CREATED:
        return steps
    steps.append(SB.REGISTERED)
    if _shipback_reaches(SB.LABELLED, target):  # a direct return skips it: the time still passes
        steps.append(SB.LABELLED)
    if _return_orders_reach(RO.AWAITING_ARRIVAL, return_order_target):
        steps.append(RO.AWAITING_ARRIVAL)
    steps += [state for state in (SB.DELIVERING, SB.DELIVERED) if _shipback_reaches(state, target)]
    steps += [
        state
        for state in (RO.ARRIVED, RO.PROCESSING, RO.COMPLETED)
        if _return_orders_reach(state, return_order_target)
    ]
    if _shipback_reaches(SB.RELOCATED, target):
        steps.append(SB.RELOCATED)
    return steps


def _timeline(
    steps: list[str], step_times: dict, *, after: datetime, now: datetime, rng: random.Random
) -> dict[str, datetime]:
    """When each step happened, the first (the return started) after ``after`` (its order's
    delivery) and the last before ``now``, each taking its ``step_times`` after the one before.

    An open return (its last step in IDLE_TIMES) has been in its state for a while now; a
    finished one was started some days after the delivery (RETURN_LEAD), unless that would end
    it too late. When the delivery is too recent for the steps, they all went quicker."""
    durations = [_between(rng, *step_times[step]) for step in steps[1:]]
    total = sum(durations, timedelta())
    idle = IDLE_TIMES.get(steps[-1])
    latest_end = now - (_between(rng, *idle) if idle else QUIET_BEFORE_NOW)
    start = latest_end - total
    if idle is None:
        start = min(start, after + _between(rng, *RETURN_LEAD))
    earliest = after + FIRST_AFTER_DELIVERY
    if start < earliest:  # delivered too recently for this pace: it all went quicker
        room = max(now - QUIET_BEFORE_NOW - earliest, timedelta())
        if total > room:
            durations = [max(duration * (room / total), MINUTE) for duration in durations]
        start = min(earliest, now - QUIET_BEFORE_NOW - sum(durations, timedelta()))
    at = start.replace(second=0, microsecond=0)
    instants = {steps[0]: at}
    for step, duration in zip(steps[1:], durations, strict=True):
        at += duration
        instants[step] = at
    return instants


def _between(rng: random.Random, shortest: timedelta, longest: timedelta) -> timedelta:
    """A duration from ``shortest`` to ``longest``, to the second."""
    return timedelta(
        seconds=rng.randint(int(shortest.total_seconds()), int(longest.total_seconds()))
    )


def _merchant_rule(items: list[ReturnedItemData], country: str) -> SponsoringRule | None:
    """The most generous sponsoring rule among the items' reasons (demo assumption)."""
    rules = [
        SponsoringRule.objects.matching(reason_id=item.reason.pk, country_code=country).first()
        for item in items
    ]
    return max((r for r in rules if r), key=lambda r: r.percentage, default=None)


def _offer(rng, country: Country, near: Address, items, slots_from) -> dict[str, dict | None]:
    """What the provider would quote for each mode (None: mode not offered there), with
    drop-off points near the customer."""
    rule = _merchant_rule(items, country.code)
    offer = {}
    for mode, price in country.return_prices.items():
        if price is None:
            offer[mode] = None
            continue
        customer_price = price * (100 - (rule.percentage if rule else 0)) // 100
        if rule and rule.customer_fee_max_cents is not None:
            customer_price = min(customer_price, rule.customer_fee_max_cents)
        offer[mode] = {"price_cents": price, "customer_price_cents": customer_price}
    if offer.get(Quote.Mode.DROPOFF):
        offer[Quote.Mode.DROPOFF]["dropoff_points"] = [
            {
                "code": f"{country.code}{rng.randint(1000, 9999)}",
                "name": f"{country.dropoff_network} – {shop}",
                "address": f"{_street_line(country, street, rng.randint(1, 90))}, "
                f"{near.zipcode} {near.city}",
                "opening_hours": rng.choice(OPENING_HOURS),
            }
            for shop, (street, *_) in zip(
                rng.sample(country.shops, 3), rng.sample(country.places, 3), strict=True
            )
        ]
    if offer.get(Quote.Mode.PICKUP):
        days = [slots_from + timedelta(days=n) for n in range(5)]
        weekdays = [day for day in days if day.weekday() < 5][:2]
        offer[Quote.Mode.PICKUP]["pickup_slots"] = [
            {"pickup_datetime": _at(day, hour).isoformat(), "pickup_duration": 240}
            for day in weekdays
            for hour in (9, 14)
        ]
    return offer


def _street_line(country: Country, street: str, house: int) -> str:
    return f"{house} {street}" if country.number_first else f"{street} {house}"


def _choose_mode(rng, target, country: Country, items, offer) -> str:
    modes = [m for m in (Quote.Mode.POSTAL, Quote.Mode.DROPOFF, Quote.Mode.PICKUP) if offer[m]]
    weights = [{"postal": 40, "dropoff": 35, "pickup": 20}[m] for m in modes]
    # Direct returns skip the label: only where every destination accepts them.
    destinations = [
        RelocationRule.objects.matching(reason_id=i.reason.pk, country_code=country.code).first()
        for i in items
    ]
    if target != SB.LABELLED and all(
        r and r.warehouse.accepts_direct_returns for r in destinations
    ):
        modes.append(Shipback.Mode.DIRECT)
        weights.append(10)
    return rng.choices(modes, weights)[0]


def _record_quotes(shipback: Shipback, offer: dict, *, expires_at: datetime) -> None:
    """The three quotes, as the provider computed them."""
    for quote in quotes_request(shipback_id=shipback.pk):
        result = offer[quote.mode]
        if result is None:
            quote_record_result(quote_id=quote.pk, state=Quote.State.UNAVAILABLE)
            continue
        quote_record_result(
            quote_id=quote.pk,
            state=Quote.State.AVAILABLE,
            price_cents=result["price_cents"],
            customer_price_cents=result["customer_price_cents"],
            dropoff_points=result.get("dropoff_points"),
            pickup_slots=result.get("pickup_slots"),
            provider_reference=f"Q{shipback.rma[1:]}{quote.mode[:2].upper()}",
            expires_at=expires_at,
        )


def _walk_shipback(shipback: Shipback, target, return_order_target, rng, context, timeline):
    """Register, then move the shipback and its return orders along, as the parcel travels,
    each step at its time in ``timeline``."""
    at = context.backdating.at

    def shipback_reaches(state) -> bool:
        return _shipback_reaches(state, target)

    def return_orders_reach(state) -> bool:
        return _return_orders_reach(state, return_order_target)

    def move_shipback(state) -> None:
        shipback_transition(shipback_id=shipback.pk, to=state, actor=ACTOR)

    def move_items(state) -> None:
        for item_id in shipback.returned_items.values_list("pk", flat=True):
            returned_item_transition(returned_item_id=item_id, to=state, actor=ACTOR)

    def move_return_orders(state) -> None:
        for return_order in return_orders:
            _move_return_order(
                return_order,
                state,
                rng,
                context,
                timeline,
                complete=return_order_target == RO.COMPLETED,
            )

    # Registered as the portal and the API do: the chosen quote's prices go on the shipback.
    at(timeline[SB.REGISTERED])
    shipback_free(shipback_id=shipback.pk, actor=ACTOR)
    return_orders = list(shipback.return_orders.all())
    if shipback_reaches(SB.LABELLED) and shipback.mode != Shipback.Mode.DIRECT:
        country = COUNTRIES[shipback.customer.address.country_code]
        at(timeline[SB.LABELLED])
        shipback_record_label(
            shipback_id=shipback.pk,
            actor=ACTOR,
            carrier=country.carrier,
            tracking_number=_tracking(rng, country),
        )
    if return_orders_reach(RO.AWAITING_ARRIVAL):
        move_return_orders(RO.AWAITING_ARRIVAL)
    if shipback_reaches(SB.DELIVERING):
        at(timeline[SB.DELIVERING])
        move_shipback(SB.DELIVERING)
        move_items(ReturnedItem.State.TRANSITING)
    if shipback_reaches(SB.DELIVERED):
        at(timeline[SB.DELIVERED])
        move_shipback(SB.DELIVERED)
    for state in (RO.ARRIVED, RO.PROCESSING, RO.COMPLETED):
        if return_orders_reach(state):
            move_return_orders(state)
    if shipback_reaches(SB.RELOCATED):
        at(timeline[SB.RELOCATED])
        move_items(ReturnedItem.State.RELOCATED)
        move_shipback(SB.RELOCATED)


def _move_return_order(
    return_order, state, rng, context, timeline, *, complete: bool, note=""
) -> None:
    """One step, at its time in ``timeline``. Processing starts when the warehouse reports
    what arrived and what it did with it (``complete``: for every line, else the first only)."""
    context.backdating.at(timeline[state])
    if state == RO.PROCESSING:
        _receive(return_order, rng, context, complete=complete)
    else:
        return_order_transition(return_order_id=return_order.pk, to=state, actor=ACTOR, note=note)


def _receive(return_order: ReturnOrder, rng: random.Random, context, *, complete: bool) -> None:
    """Report, through the receiving service, the units received (never more than expected)
    and the actions taken on them: the service moves the return order to processing."""
    items = list(
        return_order.expected_items.select_related("returned_item__reason").order_by(
            "created_at", "pk"
        )
    )
    received = [
        item.quantity_expected - (1 if item.quantity_expected >= 2 and rng.random() < 0.25 else 0)
        for item in items
    ]
    lines = []
    for position, (item, quantity) in enumerate(zip(items, received, strict=True)):
        actions = []
        if complete or position == 0:
            reason = item.returned_item.reason.code if item.returned_item else ""
            actions = [
                ActionData(action=action, quantity=units, reason=rng.choice(ACTION_NOTES[action]))
                for action, units in _actions_for(reason, quantity, rng)
            ]
        lines.append(
            ReceivedLineData(quantity_received=quantity, expected_item_id=item.pk, actions=actions)
        )
    return_order_receive(
        return_order_id=return_order.pk, lines=lines, actor=context.receiver(return_order)
    )


def _actions_for(reason: str, received: int, rng) -> list[tuple[str, int]]:
    Action = ItemAction.Action
    if received < 1:
        return []
    if reason == "damaged":
        return [(rng.choice((Action.DISPOSE, Action.QUARANTINE)), received)]
    if reason == "quality":
        return [(Action.QUARANTINE, received)]
    if rng.random() < 0.2:  # one unit not resalable as it is
        return [(Action.RESTOCK, received - 1), (Action.QUARANTINE, 1)][received < 2 :]
    return [(Action.RESTOCK, received)]


def _seed_standalone_return_orders(candidates: list[Order], context) -> None:
    """Return orders warehouses got straight from a carrier, a label or a marketplace."""
    existing = set(
        ReturnOrder.objects.filter(
            reference__in=[spec[0] for spec in STANDALONE_RETURN_ORDERS]
        ).values_list("reference", flat=True)
    )
    candidates = iter(candidates)
    for reference, type_, states, note in STANDALONE_RETURN_ORDERS:
        if reference in existing:
            continue
        order = next(candidates, None)
        if order is None:
            return
        rng = random.Random(f"{SEED}:return-order:{reference}")
        country = COUNTRIES[order.customer.address.country_code]
        rule = RelocationRule.objects.matching(reason_id=None, country_code=country.code).first()
        if order.source:  # a marketplace's return names the order by its source reference
            names_order = {"source": order.source, "source_ref": order.source_ref}
        else:
            names_order = {"order": order}
        timeline = _timeline(
            [RO.NEW, *states],
            STANDALONE_STEP_TIMES,
            after=max(s.delivered_at or s.shipped_at for s in order.shipments.all()),
            now=context.now,
            rng=random.Random(f"{SEED}:timeline:{reference}"),
        )
        context.backdating.at(timeline[RO.NEW])
        return_order = return_order_create(
            warehouse=rule.warehouse,
            actor=ACTOR,
            type=type_,
            reason="Returned by the carrier" if type_ == ReturnOrder.Type.CARRIER else "",
            tracking_number=_tracking(rng, country),
            reference=reference,
            **names_order,
        )
        for position, state in enumerate(states, start=1):
            _move_return_order(
                return_order,
                state,
                rng,
                context,
                timeline,
                complete=states[-1] == RO.COMPLETED,
                note=note if position == len(states) else "",
            )
