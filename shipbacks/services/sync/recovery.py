"""What brings provider calls back: staff retrying or cancelling them from the admin, and the
sweeper, which sends again the calls a lost task message or a killed worker left behind.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from returns_portal.errors import DomainError

from ...models import ProviderCall
from .outbox import calls_cover, cancel_locked, messages_send, schedule_next_attempt

State = ProviderCall.State


@transaction.atomic
def call_retry(*, call_id: int) -> ProviderCall:
    """Send a failed call again (from the admin, once the data is fixed): a fresh series of
    attempts, and for a poll a fresh deadline."""
    call = ProviderCall.objects.select_for_update().get(pk=call_id)
    if call.state != State.FAILED:
        raise DomainError(
            f"Call {call} is {call.get_state_display().lower()}: only failed calls are retried.",
            code="NOT_FAILED",
        )
    call.become(State.PENDING)
    call.failures = 0
    call.next_attempt_at = timezone.now()
    call.completed_at = None
    if call.deadline:
        call.deadline = timezone.now() + _poll_deadline(call.operation)
    call.save()
    schedule_next_attempt(call)
    return call


@transaction.atomic
def call_cancel(*, call_id: int, note: str = "") -> ProviderCall:
    """Give up a call that is pending or failed: nothing more is sent."""
    call = ProviderCall.objects.select_for_update().get(pk=call_id)
    if not call.can_become(State.CANCELLED) or call.state == State.RUNNING:
        raise DomainError(
            f"Call {call} is {call.get_state_display().lower()}: it cannot be cancelled.",
            code="NOT_CANCELLABLE",
        )
    cancel_locked(call, note)
    return call


def _poll_deadline(operation: str) -> timedelta:
    return {
        ProviderCall.Operation.QUOTES_POLL: settings.SYNC_QUOTES_DEADLINE,
        ProviderCall.Operation.LABEL_POLL: settings.SYNC_LABEL_DEADLINE,
        ProviderCall.Operation.RETURN_ORDER_POLL: settings.SYNC_RETURN_ORDER_DEADLINE,
    }.get(operation, settings.SYNC_RETURN_ORDER_DEADLINE)


def calls_due(*, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Ids of the calls the sweeper sends again: due with their message late by more than
    SYNC_LOST_MESSAGE_AFTER (lost by the broker), and running past their lease (worker gone)."""
    now = now or timezone.now()
    lost = Q(
        state=State.PENDING,
        next_attempt_at__lte=now,
        enqueued_for__lt=now - settings.SYNC_LOST_MESSAGE_AFTER,
    )
    stuck = Q(state=State.RUNNING, claimed_until__lt=now)
    return list(
        ProviderCall.objects.ready()
        .filter(lost | stuck)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: limit or settings.SYNC_SWEEP_BATCH]
    )


def calls_sweep(*, now: datetime | None = None) -> int:
    """Periodic: send again the calls whose message was lost or whose worker died (see
    :func:`calls_due`), then messages for the calls due that wait for a batch, if too few are
    on their way (a commit's or a task's that never ran, a poll come due with no message: see
    ``calls_cover``). Returns how many messages were sent."""
    now = now or timezone.now()
    due = calls_due(now=now)
    if due:
        # Marked as sent, so the next sweep leaves them alone unless this message is lost too.
        messages_send(due, now)
    return len(due) + calls_cover(now)
