"""Moving a sandbox record along its states: the due timed steps, or the next one on demand."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

# move(record, state, at=when): change the state, fill what it brings, save, queue webhooks.
Move = Callable[..., None]


def catch_up(record, move: Move, *, now: datetime | None = None) -> bool:
    """Take every timed step that fell due, each at the moment it did, so a record read late
    went through the same states as one a worker moved on time. Call holding the row lock."""
    now = now or timezone.now()
    moved = False
    while (step := record.next_timed_step()) is not None and step[1] <= now:
        move(record, step[0], at=step[1])
        moved = True
    return moved


def current(model, move: Move, **lookup):
    """The record matching ``lookup``, its due steps taken; None when there is none."""
    with transaction.atomic():
        record = model.objects.select_for_update().filter(**lookup).first()
        if record is not None:
            catch_up(record, move)
        return record


def advance(record, move: Move) -> bool:
    """Move ``record`` (locked by the caller) to its next state now; False when it has none.

    Steps already due are taken first and count as the move."""
    if catch_up(record, move):
        return True
    if record.next_state is None:
        return False
    move(record, record.next_state, at=timezone.now())
    return True
