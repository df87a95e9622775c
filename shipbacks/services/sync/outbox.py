"""The outbox: provider calls written with the change that causes them, then sent by a task.

Lifecycle of a ``ProviderCall`` (``TRANSITIONS`` on the model)::

    pending --claim--> running --answer--> succeeded
       ^                  |  \\--refused (4xx), retries spent, deadline--> failed --admin--> pending
       +--transient/poll--+
    pending/failed --admin or superseded--> cancelled

1. :func:`call_enqueue` writes the row in the caller's transaction. A call due later has its
   task message sent after commit, with its countdown (none when the transaction rolls back);
   one due now waits for a batch: after commit, ``calls_cover`` sends messages for the oldest
   calls waiting while fewer than ``SYNC_SEND_AHEAD`` are on their way, and every task ends by
   doing the same, so that a backlog costs a message per batch.
2. :func:`call_send` (the task, in ``sending``) claims the row in a short transaction, under a
   row lock, with a lease, and with it other calls waiting (a batch); the handler then calls
   the provider outside any transaction; the outcome and what it brings (a remote id, quotes, a
   label) are recorded together in one short transaction, as soon as it is answered (or with
   the batch's other answers, for those a worker could lose without harm: see ``sending``).
3. Transient failures (connection, timeout, 429, 5xx) come back pending after an exponential
   backoff with jitter, never sooner than Retry-After, at most ``SYNC_MAX_RETRIES`` in a row;
   a refusal (other 4xx) fails at once with the provider's message. Polls come back pending
   after their interval until their deadline.
4. ``recovery.calls_sweep`` (beat) sends again the calls that are due but whose message is late
   (lost by the broker) and the calls still running after their lease (their worker died), then
   covers the calls waiting (a call come due with no message, its wait longer than
   ``TASK_MAX_COUNTDOWN``, say): nothing is lost.

Calls on one record (provider + target) run one at a time in the order they were written
(``ProviderCallQuerySet.ready``); when one ends, the next is sent (looked for once that end is
committed, so a call written meanwhile is not missed).
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ...models import ProviderCall, ReturnOrder, Shipback
from .sending import (
    Again,
    Done,
    backoff_delay,
    call_send,
    calls_cover,
    messages_send,
    schedule_next_attempt,
    send_on_commit,
    task_countdown,
    wake_followers,
)

__all__ = [
    "Again",
    "Done",
    "backoff_delay",
    "call_due_now",
    "call_enqueue",
    "call_send",
    "calls_cancel",
    "calls_cover",
    "calls_enqueue",
    "cancel_locked",
    "messages_send",
    "schedule_next_attempt",
    "sync_enabled",
    "sync_paused",
]

State = ProviderCall.State


# Pausing --------------------------------------------------------------------------------------

_paused: ContextVar[bool] = ContextVar("sync_paused", default=False)


@contextmanager
def sync_paused() -> Iterator[None]:
    """Changes made inside write no provider calls (loading history, such as the demo data)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def sync_enabled() -> bool:
    return settings.SYNC_ENABLED and not _paused.get()


# Writing calls --------------------------------------------------------------------------------


def call_enqueue(
    *,
    provider: str,
    operation: str,
    target: str,
    shipback: Shipback | None = None,
    return_order: ReturnOrder | None = None,
    key: str = "",
    payload: dict | None = None,
    deadline: timedelta | None = None,
    delay: timedelta | None = None,
) -> ProviderCall | None:
    """Write a call in the caller's transaction; its task is sent once that commits, ``delay``
    after now (a poll's first look), and it gives up ``deadline`` after now (polls).

    ``key`` is the idempotency key: when a call with this key exists, it is returned and nothing
    is written (a create is written once per record). Without it, every call is a new one.
    Returns None while sync is paused or disabled.

    Neither case needs a savepoint: a keyed call is inserted unless its key is taken (``ON
    CONFLICT DO NOTHING``, which a concurrent transaction writing the same key cannot break)
    and read back; a call without a key cannot conflict.
    """
    written = calls_enqueue(
        [
            {
                "provider": provider,
                "operation": operation,
                "target": target,
                "shipback": shipback,
                "return_order": return_order,
                "key": key,
                "payload": payload,
                "deadline": deadline,
                "delay": delay,
            }
        ]
    )
    return written[0] if written else None


def calls_enqueue(specs: list[dict]) -> list[ProviderCall]:
    """``call_enqueue`` for many calls at once (the answers of a batch recorded together):
    ``specs`` are its keyword arguments; one insert for those with a key, one for the others.
    Returns the calls in the order given; none while sync is paused or disabled."""
    if not sync_enabled() or not specs:
        return []
    now = timezone.now()
    calls, keyed = [], []
    for spec in specs:
        call = _call_new(now, spec)
        calls.append(call)
        keyed.append(bool(spec.get("key")))
    fresh = [call for call, has_key in zip(calls, keyed, strict=True) if not has_key]
    if fresh:
        ProviderCall.objects.bulk_create(fresh)
    if any(keyed):
        # SQLite's form (INSERT OR IGNORE) also passes over a row that breaks another
        # constraint: then there is nothing to read back, and that is said.
        with_key = [call for call, has_key in zip(calls, keyed, strict=True) if has_key]
        ProviderCall.objects.bulk_create(with_key, ignore_conflicts=True)
        found = ProviderCall.objects.in_bulk(
            [call.idempotency_key for call in with_key], field_name="idempotency_key"
        )
        for n, call in enumerate(calls):
            if not keyed[n]:
                continue
            written = found.get(call.idempotency_key)
            if written is None:
                raise ProviderCall.DoesNotExist(f"Call {call.idempotency_key} was not written.")
            calls[n] = written
            if written.created_at == call.created_at:  # else written before (or meanwhile)
                fresh.append(written)
    for call in fresh:
        if call.enqueued_for is not None:
            send_on_commit(call, task_countdown(call))
    if any(call.next_attempt_at <= now for call in fresh):
        transaction.on_commit(calls_cover, robust=True)
    return calls


def _call_new(now, spec: dict) -> ProviderCall:
    """An unsaved call from ``call_enqueue``'s arguments."""
    provider, operation, target = spec["provider"], spec["operation"], spec["target"]
    delay, deadline = spec.get("delay"), spec.get("deadline")
    call = ProviderCall(
        provider=provider,
        operation=operation,
        target=target,
        shipback=spec.get("shipback"),
        return_order=spec.get("return_order"),
        idempotency_key=spec.get("key") or f"{provider}:{target}:{operation}:{uuid.uuid4().hex}",
        payload=spec.get("payload") or {},
        next_attempt_at=now + delay if delay else now,
        deadline=now + deadline if deadline else None,
    )
    # A call due later gets its message for then; one due now waits for a batch (calls_cover).
    call.enqueued_for = call.next_attempt_at if task_countdown(call) else None
    return call


def call_due_now(call: ProviderCall) -> None:
    """Bring a pending call's next attempt forward to now (a webhook says the provider is done):
    inside the caller's transaction, the message goes after commit."""
    ProviderCall.objects.filter(pk=call.pk, state=State.PENDING).update(
        next_attempt_at=timezone.now()
    )
    call.next_attempt_at = timezone.now()
    schedule_next_attempt(call)


# Cancelling ----------------------------------------------------------------------------------


def cancel_locked(call: ProviderCall, note: str) -> None:
    """Cancel a locked call (superseded, given up); the calls waiting behind it go on."""
    call.become(State.CANCELLED)
    call.claimed_until = None
    call.next_attempt_at = None
    call.enqueued_for = None
    call.completed_at = timezone.now()
    if note:
        call.last_error = note
    call.save()
    wake_followers(call)


def calls_cancel(queryset, *, note: str, running_too: bool = False) -> int:
    """Cancel the pending calls of ``queryset`` (inside the caller's transaction), and the
    running ones with ``running_too`` (polls only: what their answer brings is then dropped)."""
    states = (State.PENDING, State.RUNNING) if running_too else (State.PENDING,)
    cancelled = 0
    for call in queryset.select_for_update().filter(state__in=states):
        cancel_locked(call, note)
        cancelled += 1
    return cancelled
