"""Returns on the delivered orders: the scenarios handed out in turn, each shipback created with
its items and quotes, then walked along with its return orders, each step at its time."""

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from orders.models import Order
from returns_portal.actors import Actor

from ..models import ReturnedItem, ReturnOrder, Shipback
from ..services import (
    ReturnedItemData,
    returned_item_transition,
    shipback_cancel,
    shipback_create,
    shipback_record_label,
    shipback_transition,
)
from ..services.editing import shipback_free
from .data import ACTOR, COUNTRIES, FIXED_ORDERS, REASON_COMMENTS, REASON_WEIGHTS, SEED
from .orders import order_number, tracking
from .quotes import choose_mode, provider_offer, record_quotes
from .return_orders import move_return_order, seed_standalone_return_orders
from .timeline import DAY, MINUTE, SHIPBACK_STEP_TIMES, Backdating, timeline_of

SB = Shipback.State
RO = ReturnOrder.State

RETURN_RATE = 0.3  # share of delivered orders with a return, beyond the first of each scenario

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


def ensure_returns(count: int, now: datetime, reasons: dict) -> None:
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
    seed_standalone_return_orders(candidates, context)
    context.backdating.apply()


def _scenario(eligible: int, delivered_at: datetime, rng: random.Random, now: datetime):
    """Every scenario once, in turn; then a return on an order delivered long ago is over by
    now, and the others keep taking the scenarios in turn."""
    days = (timezone.localdate(now) - timezone.localdate(delivered_at)).days
    if eligible >= len(SCENARIOS) and days > SETTLED_AFTER_DAYS:
        return NEVER_CONFIRMED if rng.random() < NEVER_CONFIRMED_RATE else FINISHED
    return SCENARIOS[eligible % len(SCENARIOS)]


@dataclass
class _ReturnContext:
    now: datetime
    reasons: dict
    warehouse_user: object
    backdating: Backdating = field(default_factory=Backdating)
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
    timeline = timeline_of(
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
    offer = provider_offer(rng, country, order.customer.address, items, slots_from)
    fields = {}
    mode = ""
    if target not in (SB.CREATED, SB.CANCELLED):
        mode = choose_mode(rng, target, country, items, offer)
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
        record_quotes(shipback, offer, expires_at=timeline["quoted"] + DAY)
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
            move_return_order(
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
            tracking_number=tracking(rng, country),
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
