"""The outbox: provider calls written with the change that causes them, then sent by a task.

Lifecycle of a ``ProviderCall`` (``TRANSITIONS`` on the model)::

    pending --claim--> running --answer--> succeeded
       ^                  |  \\--refused (4xx), retries spent, deadline--> failed --admin--> pending
       +--transient/poll--+
    pending/failed --admin or superseded--> cancelled

1. :func:`call_enqueue` writes the row in the caller's transaction; the task message is sent
   after commit (or not at all when the transaction rolls back).
2. :func:`call_send` (the task) claims the row in a short transaction, under a row lock
   (``skip_locked``: a second worker passes its way), with a lease; the handler then calls the
   provider outside any transaction; the outcome and what it brings (a remote id, quotes, a
   label) are recorded together in one short transaction.
3. Transient failures (connection, timeout, 429, 5xx) come back pending after an exponential
   backoff with jitter, never sooner than Retry-After, at most ``SYNC_MAX_RETRIES`` in a row;
   a refusal (other 4xx) fails at once with the provider's message. Polls come back pending
   after their interval until their deadline.
4. ``recovery.calls_sweep`` (beat) sends again the calls that are due but whose message is late
   (lost by the broker) or never sent (waits longer than ``TASK_MAX_COUNTDOWN``), and the calls
   still running after their lease (their worker died): nothing is lost.

Calls on one record (provider + target) run one at a time in the order they were written
(``ProviderCallQuerySet.ready``); when one ends, the next is sent.
"""

import logging
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from returns_portal.errors import DomainError

from ...models import ProviderCall, ReturnOrder, Shipback
from ...providers import ProviderRejected, ProviderUnavailable
from .ratelimit import rate_limit_wait

logger = logging.getLogger("shipbacks.sync")

State = ProviderCall.State
# A task message may arrive this much before its countdown (clocks of two machines).
EARLY = timedelta(seconds=1)


@dataclass
class Done:
    """The call did what it had to. ``record`` runs in the transaction that marks it done."""

    result: dict = field(default_factory=dict)
    record: Callable[[], None] | None = None


@dataclass
class Again:
    """A poll found the provider still at work: ask again ``after`` this long."""

    after: timedelta
    result: dict = field(default_factory=dict)
    record: Callable[[], None] | None = None


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
    """
    if not sync_enabled():
        return None
    key = key or f"{provider}:{target}:{operation}:{uuid.uuid4().hex}"
    if existing := ProviderCall.objects.filter(idempotency_key=key).first():
        return existing
    now = timezone.now()
    call = ProviderCall(
        provider=provider,
        operation=operation,
        target=target,
        shipback=shipback,
        return_order=return_order,
        idempotency_key=key,
        payload=payload or {},
        next_attempt_at=now + delay if delay else now,
        deadline=now + deadline if deadline else None,
    )
    countdown = _countdown(call)
    call.enqueued_for = call.next_attempt_at if countdown is not None else None
    try:
        with transaction.atomic():
            call.save(force_insert=True)
    except IntegrityError:  # written meanwhile by a concurrent transaction
        return ProviderCall.objects.get(idempotency_key=key)
    if countdown is not None:
        _send_on_commit(call, countdown)
    return call


def _countdown(call: ProviderCall) -> float | None:
    """Seconds until the call's next attempt, or None when that is longer than
    TASK_MAX_COUNTDOWN: no message waits that long in the broker, the sweeper sends it."""
    wait = max(0.0, ((call.next_attempt_at or timezone.now()) - timezone.now()).total_seconds())
    return None if wait > settings.TASK_MAX_COUNTDOWN.total_seconds() else wait


def _send_on_commit(call: ProviderCall, countdown: float) -> None:
    from ...tasks import send_provider_call

    send_provider_call.apply_async_on_commit((call.pk,), countdown=countdown)


def schedule_next_attempt(call: ProviderCall) -> None:
    """Send the task message for the call's next attempt after commit, with a countdown (see
    ``_countdown``), and note it on the row. Call inside the transaction that set
    ``next_attempt_at``."""
    countdown = _countdown(call)
    call.enqueued_for = call.next_attempt_at if countdown is not None else None
    if countdown is not None:
        _send_on_commit(call, countdown)
    ProviderCall.objects.filter(pk=call.pk).update(enqueued_for=call.enqueued_for)


def call_due_now(call: ProviderCall) -> None:
    """Bring a pending call's next attempt forward to now (a webhook says the provider is done):
    inside the caller's transaction, the message goes after commit."""
    ProviderCall.objects.filter(pk=call.pk, state=State.PENDING).update(
        next_attempt_at=timezone.now()
    )
    call.next_attempt_at = timezone.now()
    schedule_next_attempt(call)


def _wake_followers(call: ProviderCall) -> None:
    """The calls on the same record that waited for this one: sent now (or when due, if that
    is soon; a poll's first look a day away is left to the sweeper)."""
    followers = (
        ProviderCall.objects.ready()
        .filter(provider=call.provider, target=call.target, state=State.PENDING, pk__gt=call.pk)
        .filter(next_attempt_at__lte=timezone.now() + settings.TASK_MAX_COUNTDOWN)
        .order_by("pk")
    )
    for follower in followers:
        schedule_next_attempt(follower)


# Sending --------------------------------------------------------------------------------------


def call_send(*, call_id: int) -> ProviderCall | None:
    """One attempt of a call: claim it, call the provider, record the outcome.

    Returns the call as recorded, or None when there was nothing to do (not pending, not due,
    held back by an earlier call on the same record, claimed by another worker, or rate-limited).
    """
    call = _claim(call_id)
    if call is None:
        return None
    try:
        outcome = _handler(call.operation)(call)
    except ProviderUnavailable as exc:
        return _retry_later(call, exc.message, status=exc.status, retry_after=exc.retry_after)
    except ProviderRejected as exc:
        return _fail(call, exc.message, status=exc.status, details=_details(exc))
    except SoftTimeLimitExceeded:
        return _retry_later(call, "The call took longer than the task's time limit.")
    except (OperationalError, DatabaseError) as exc:
        # Our database, not the provider: busy or restarting. Worth another try.
        return _retry_later(call, f"Database error: {exc}")
    except DomainError as exc:
        return _fail(call, exc.message, details={"code": exc.code, "field": exc.field or ""})
    except Exception as exc:
        # A bug or a setting (a malformed URL...): trying again changes nothing. Failed, shown
        # in the admin, retried by staff once it is fixed.
        logger.exception("provider call %s: unexpected error", call)
        return _fail(call, f"Unexpected error: {type(exc).__name__}: {exc}")
    return _record_outcome(call, outcome)


def _handler(operation: str):
    from . import shoprunback, warehouses

    return {**shoprunback.HANDLERS, **warehouses.HANDLERS}[operation]


def _on_deadline(call: ProviderCall) -> None:
    from . import shoprunback, warehouses

    hook = {**shoprunback.ON_DEADLINE, **warehouses.ON_DEADLINE}.get(call.operation)
    if hook is not None:
        hook(call)


def _claim(call_id: int) -> ProviderCall | None:
    now = timezone.now()
    with transaction.atomic():
        # Not ready (an earlier call on the same record runs first, and wakes this one when it
        # ends), or locked by another worker: nothing to do here.
        call = (
            ProviderCall.objects.ready()
            .select_for_update(skip_locked=True)
            .filter(pk=call_id)
            .filter(Q(state=State.PENDING) | Q(state=State.RUNNING, claimed_until__lt=now))
            .first()
        )
        if call is None:
            return None
        if (
            call.state == State.PENDING
            and call.next_attempt_at
            and call.next_attempt_at > now + EARLY
        ):
            return None  # an early duplicate: the message for the due time is on its way
        abandoned = call.state == State.RUNNING
        if abandoned:
            # Its worker died mid-call: whether the provider got the request is unknown. The
            # handlers look the record up before creating it again.
            logger.warning("provider call %s abandoned by its worker: taken again", call)
            times = call.result.get("abandoned_attempts", 0) + 1
            call.result = {**call.result, "abandoned_attempts": times}
            if times > settings.SYNC_MAX_RETRIES:
                # Whatever kills its workers (memory, a hard time limit) will kill the next one.
                call.become(State.FAILED)
                call.last_error = f"Abandoned by its worker {times} times: given up."
                call.claimed_until = None
                call.completed_at = now
                call.save()
                _wake_followers(call)
                return None
        wait = rate_limit_wait(call.provider, call.operation)
        if wait:
            if abandoned:
                call.become(State.PENDING)
                call.claimed_until = None
            call.next_attempt_at = now + timedelta(seconds=wait)
            call.save(
                update_fields=["state", "claimed_until", "next_attempt_at", "result", "updated_at"]
            )
            schedule_next_attempt(call)
            return None
        if not abandoned:
            call.become(State.RUNNING)
        call.attempts += 1
        call.claimed_until = now + settings.SYNC_CLAIM_LEASE
        call.enqueued_for = None
        call.save(
            update_fields=[
                "state",
                "attempts",
                "claimed_until",
                "enqueued_for",
                "result",
                "updated_at",
            ]
        )
    return call


def _details(exc: ProviderRejected) -> dict:
    details = exc.as_dict()
    return {key: details[key] for key in ("code", "field_errors") if details.get(key)}


# Recording outcomes ---------------------------------------------------------------------------


def _finish(call: ProviderCall, apply: Callable[[ProviderCall], None], record=None) -> ProviderCall:
    """Lock the call, run ``record`` (what the answer brings to our records), then ``apply``
    (the call's own fields) and save, all in one short transaction.

    A call cancelled meanwhile (superseded) keeps its state and records nothing. A call taken
    over by another worker (this one outlived its lease) records what it brings, since a remote
    id must never be lost, but leaves the call's state to the other worker.
    """
    with transaction.atomic():
        current = ProviderCall.objects.select_for_update().get(pk=call.pk)
        if current.state == State.CANCELLED:
            return current
        if record is not None:
            record()
        if current.state != State.RUNNING or current.attempts != call.attempts:
            logger.warning(
                "provider call %s was taken over: outcome left to the other attempt", call
            )
            return current
        current.result = call.result
        apply(current)
        current.claimed_until = None
        if current.state == State.PENDING:
            countdown = _countdown(current)
            current.enqueued_for = current.next_attempt_at if countdown is not None else None
            current.save()
            if countdown is not None:
                _send_on_commit(current, countdown)
        else:
            current.completed_at = timezone.now()
            current.next_attempt_at = None
            current.enqueued_for = None
            current.save()
            _wake_followers(current)
        return current


def _record_outcome(call: ProviderCall, outcome: Done | Again) -> ProviderCall:
    call.result = {**call.result, **outcome.result}
    if isinstance(outcome, Done):

        def succeed(current: ProviderCall) -> None:
            current.become(State.SUCCEEDED)
            current.failures = 0
            current.last_error = ""
            current.last_status = None
            current.error_details = {}

        return _record(call, succeed, outcome.record)

    now = timezone.now()
    if call.deadline and now >= call.deadline:

        def expire(current: ProviderCall) -> None:
            _on_deadline(current)
            current.become(State.FAILED)
            current.last_error = (
                f"Deadline passed ({timezone.localtime(call.deadline):%Y-%m-%d %H:%M:%S}): "
                "the provider had not finished."
            )

        return _record(call, expire, outcome.record)

    def poll_later(current: ProviderCall) -> None:
        current.become(State.PENDING)
        current.failures = 0
        current.next_attempt_at = _capped(now + outcome.after, call.deadline)

    return _record(call, poll_later, outcome.record)


def _record(call, apply, record) -> ProviderCall:
    """``_finish``, and when recording what the provider said breaks one of our rules, the call
    fails with that rule's message (nothing of the answer is recorded)."""
    try:
        return _finish(call, apply, record)
    except DomainError as exc:
        logger.warning("provider call %s: recording its answer was refused: %s", call, exc.message)
        return _fail(call, f"Recording the answer was refused: {exc.message}")


def _retry_later(
    call: ProviderCall, error: str, *, status: int | None = None, retry_after: float | None = None
) -> ProviderCall:
    now = timezone.now()
    failures = call.failures + 1
    if failures > settings.SYNC_MAX_RETRIES:
        return _fail(
            call,
            f"Gave up after {call.failures} transient failures in a row: {error}",
            status=status,
        )
    if call.deadline and now >= call.deadline:
        return _fail(call, f"Deadline passed; last attempt: {error}", status=status, expired=True)

    def retry(current: ProviderCall) -> None:
        current.become(State.PENDING)
        current.failures = failures
        current.last_error = error
        current.last_status = status
        current.next_attempt_at = _capped(now + backoff_delay(failures, retry_after), call.deadline)

    logger.info("provider call %s failed (%s), retry %s: %s", call, status, failures, error)
    return _finish(call, retry)


def _fail(
    call: ProviderCall,
    error: str,
    *,
    status: int | None = None,
    details: dict | None = None,
    expired: bool = False,
) -> ProviderCall:
    def fail(current: ProviderCall) -> None:
        if expired:
            _on_deadline(current)
        current.become(State.FAILED)
        current.last_error = error
        current.last_status = status
        current.error_details = details or {}

    logger.warning("provider call %s failed: %s", call, error)
    return _finish(call, fail)


def backoff_delay(failures: int, retry_after: float | None = None) -> timedelta:
    """Exponential from SYNC_RETRY_BASE_DELAY, capped at SYNC_RETRY_MAX_DELAY, with jitter
    (a random point in the upper half, so calls failing together do not retry together), and
    never sooner than the provider's Retry-After."""
    base = settings.SYNC_RETRY_BASE_DELAY.total_seconds()
    cap = settings.SYNC_RETRY_MAX_DELAY.total_seconds()
    delay = min(cap, base * 2 ** max(0, failures - 1))
    delay = random.uniform(delay / 2, delay)
    if retry_after:
        delay = max(delay, retry_after)
    return timedelta(seconds=delay)


def _capped(when: datetime, deadline: datetime | None) -> datetime:
    """A last attempt at the deadline rather than none after it."""
    return min(when, deadline) if deadline else when


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
    _wake_followers(call)


def calls_cancel(queryset, *, note: str, running_too: bool = False) -> int:
    """Cancel the pending calls of ``queryset`` (inside the caller's transaction), and the
    running ones with ``running_too`` (polls only: what their answer brings is then dropped)."""
    states = (State.PENDING, State.RUNNING) if running_too else (State.PENDING,)
    cancelled = 0
    for call in queryset.select_for_update().filter(state__in=states):
        cancel_locked(call, note)
        cancelled += 1
    return cancelled
