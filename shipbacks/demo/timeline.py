"""When the demo's returns happened: how long each step takes, the instants of a return's steps
(``timeline_of``), and ``Backdating``, which moves what the services stamped to those instants."""

import bisect
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Case, F, Q, When
from django.utils import timezone

from orders.models import Address, Customer

from ..models import (
    ExpectedItem,
    ItemAction,
    Quote,
    ReturnedItem,
    ReturnOrder,
    ReturnOrderEvent,
    Shipback,
    ShipbackEvent,
)

SB = Shipback.State
RO = ReturnOrder.State

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


def timeline_of(
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


@dataclass
class Backdating:
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
