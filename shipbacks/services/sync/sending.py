"""Sending the calls of the outbox: claiming them, calling the provider, recording the
outcome, scheduling the next attempt (see ``outbox`` for the lifecycle).

:func:`call_send` (the task) claims its call in a short transaction, under a row lock
(``skip_locked``: a second worker passes its way), with a lease, and with it up to
``SYNC_SEND_BATCH - 1`` other calls due that wait for a batch, with no message of their own
(:func:`calls_cover`; their records loaded together); it sends them in
turn, the handler calling the provider outside any transaction, and records each outcome as soon
as it is answered, with what it brings (a remote id, quotes, a label), in one short transaction.
An answer that would be found again if it were lost (a create the provider can look up by our
reference: ``Done.together``) waits instead for the batch's others, and they are all recorded in
one transaction of a few statements. No call of a batch is started after
``SYNC_SEND_BATCH_SECONDS``: those left are released, due now. Every task but a webhook's ends
by sending messages for the calls waiting, if too few are on their way.
"""

import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from returns_portal.errors import DomainError
from returns_portal.models import save_together

from ...models import ProviderCall
from ...models.sync import POLL_OPERATIONS
from ...providers import ProviderRejected, ProviderUnavailable
from .ratelimit import rate_limit_wait

logger = logging.getLogger("shipbacks.sync")

State = ProviderCall.State
# A task message may arrive this much before its countdown (clocks of two machines).
EARLY = timedelta(seconds=1)


@dataclass
class Done:
    """The call did what it had to. ``record`` runs in the transaction that marks it done.

    ``together``: in a batch, this answer may wait for the batch's others and be recorded with
    them: ``(function, part)``, the function recording the parts of many answers at once (in
    fewer statements than ``record`` for each). Only for an answer that a worker lost before
    recording it is found again, not duplicated, when the call is tried again."""

    result: dict = field(default_factory=dict)
    record: Callable[[], None] | None = None
    together: tuple[Callable[[list], None], object] | None = None


@dataclass
class Again:
    """A poll found the provider still at work: ask again ``after`` this long."""

    after: timedelta
    result: dict = field(default_factory=dict)
    record: Callable[[], None] | None = None


# Scheduling ------------------------------------------------------------------------------------


def task_countdown(call: ProviderCall) -> float | None:
    """Seconds until the call's next attempt, or None when that is longer than
    TASK_MAX_COUNTDOWN: no message waits that long in the broker, the sweeper sends it."""
    wait = max(0.0, ((call.next_attempt_at or timezone.now()) - timezone.now()).total_seconds())
    return None if wait > settings.TASK_MAX_COUNTDOWN.total_seconds() else wait


def send_on_commit(call: ProviderCall, countdown: float) -> None:
    from ...tasks import send_provider_call

    send_provider_call.apply_async_on_commit((call.pk,), countdown=countdown)


def schedule_next_attempt(call: ProviderCall) -> None:
    """Send the task message for the call's next attempt after commit, with a countdown (see
    ``task_countdown``), and note it on the row. Call inside the transaction that set
    ``next_attempt_at``."""
    _message_next_attempt(call)
    ProviderCall.objects.filter(pk=call.pk).update(enqueued_for=call.enqueued_for)


def _message_next_attempt(call: ProviderCall) -> None:
    """The message for the call's next attempt, sent after commit and noted on the (unsaved)
    call; none when that attempt is further away than TASK_MAX_COUNTDOWN (the sweeper's)."""
    countdown = task_countdown(call)
    call.enqueued_for = call.next_attempt_at if countdown is not None else None
    if countdown is not None:
        send_on_commit(call, countdown)


def messages_send(call_ids: list[int], now: datetime) -> None:
    """Messages for calls due now (the sweeper's, ``calls_cover``'s), noted on their rows as
    sent at ``now`` and sent once that is committed."""
    from ...tasks import send_provider_call

    ProviderCall.objects.filter(pk__in=call_ids).update(enqueued_for=now)
    for call_id in call_ids:
        send_provider_call.apply_async_on_commit((call_id,))


def wake_followers(*calls: ProviderCall) -> None:
    """The calls on the same records that waited for these: sent now (or when due, if that
    is soon; a poll's first look a day away is left to the sweeper). Call in the transaction
    that saves them in a final state.

    They are looked for once that transaction commits, so none is missed: a call another
    transaction wrote before then is found, and one written after finds this call ended when
    its own message comes. (Looked for before the commit, a call written in between would find
    this one still running and wait for the sweeper.)
    """
    if calls:
        transaction.on_commit(partial(_wake_followers, calls), robust=True)


def _wake_followers(calls: tuple[ProviderCall, ...]) -> None:
    """Which calls are ready (``ProviderCallQuerySet.ready``) is worked out here from the
    records' open calls, a few rows read once, rather than asked of the database for each."""
    horizon = timezone.now() + settings.TASK_MAX_COUNTDOWN
    ended = {(call.provider, call.target): call.pk for call in calls}
    open_calls = (
        ProviderCall.objects.open()
        .filter(
            provider__in={provider for provider, _ in ended},
            target__in={target for _, target in ended},
        )
        .order_by("provider", "target", "pk")
        .values_list("pk", "provider", "target", "operation", "state", "next_attempt_at")
    )
    ready = []
    held_back = set()  # the records whose later calls an open call holds back
    for pk, provider, target, operation, state, next_attempt_at in open_calls:
        record = (provider, target)
        if record not in ended:
            continue
        if (
            pk > ended[record]
            and record not in held_back
            and state == State.PENDING
            and next_attempt_at is not None
            and next_attempt_at <= horizon
        ):
            ready.append(ProviderCall(pk=pk, next_attempt_at=next_attempt_at))
        # An open call that is not a poll holds back every call written after it.
        if operation not in POLL_OPERATIONS:
            held_back.add(record)
    if ready:
        with transaction.atomic():  # noted on the rows, then their messages sent
            for follower in ready:
                schedule_next_attempt(follower)


def calls_cover(now: datetime | None = None) -> int:
    """Send a task message for the oldest calls due that have none, while fewer than
    ``SYNC_SEND_AHEAD`` messages for calls due are on their way. Returns how many were sent.

    A call written due now gets no message of its own (``call_enqueue``): it waits for a
    batch, which takes up to ``SYNC_SEND_BATCH`` such calls along with the call of its message.
    A backlog (an import, a provider back after an outage) is then sent by a few messages at a
    time, each a whole batch, rather than by one message per call, nearly all of which would
    find their call sent by another task's batch and cost a worker a message for nothing.

    Called once a transaction that writes such calls commits, at the end of every task that
    may take a batch (every one but a webhook's), and by the sweeper. No call is left waiting:
    a call written while enough messages are on their way was committed before they were
    counted, and the task of each of them ends after that, with this, and finds it. A message
    counted that is lost is sent again by the sweeper once it is ``SYNC_LOST_MESSAGE_AFTER``
    late, and is no longer counted.
    """
    now = now or timezone.now()
    ahead = settings.SYNC_SEND_AHEAD
    on_their_way = len(
        ProviderCall.objects.filter(
            state=State.PENDING,
            enqueued_for__gt=now - settings.SYNC_LOST_MESSAGE_AFTER,
            enqueued_for__lte=now,
        ).values_list("pk", flat=True)[:ahead]
    )
    if on_their_way >= ahead:
        return 0
    with transaction.atomic():
        _plan_oldest_first()
        waiting = list(
            ProviderCall.objects.ready()
            .select_for_update(skip_locked=True)
            .filter(state=State.PENDING, next_attempt_at__lte=now, enqueued_for__isnull=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[: ahead - on_their_way]
        )
        if waiting:
            messages_send(waiting, now)
    return len(waiting)


def _uncover(call_id: int) -> None:
    """The message of a call that could not be claimed is spent: a call still pending and due
    (held back by an earlier call on its record, say) waits for a batch again, no longer
    counted as having a message on its way."""
    ProviderCall.objects.filter(
        pk=call_id, state=State.PENDING, enqueued_for__lte=timezone.now()
    ).update(enqueued_for=None)


# Sending --------------------------------------------------------------------------------------


def call_send(*, call_id: int, alone: bool = False) -> ProviderCall | None:
    """One attempt of a call: claim it, call the provider, record the outcome.

    With ``SYNC_SEND_BATCH`` above 1, the task claims with it other calls waiting for a batch
    (one claim, their records loaded together) and sends them in turn, each recorded as soon as
    it is answered: a backlog goes out without a claim and a load per call. It starts none
    after ``SYNC_SEND_BATCH_SECONDS``: the calls left are released, due now. It ends by
    sending messages for the calls waiting (:func:`calls_cover`). ``alone``: this call only (a
    short task that must stay short takes no backlog with it, and leaves the covering to
    others).

    Returns the call ``call_id`` as recorded, or None when there was nothing to do (not pending,
    not due, held back by an earlier call on the same record, claimed by another worker, or
    rate-limited) or the task's soft time limit struck it.
    """
    if alone:
        return _send(call_id, others=0)
    others = max(0, settings.SYNC_SEND_BATCH - 1)
    try:
        return _send(call_id, others=others)
    finally:
        # The calls due without a message wait for a batch: this task's end lets the next go
        # (once what it recorded has woken the calls waiting behind it, with their messages).
        transaction.on_commit(calls_cover, robust=True)


def _send(call_id: int, *, others: int) -> ProviderCall | None:
    # A message may find its call sent already (by a batch it was in, by a duplicate message):
    # a light look first, before a transaction.
    if others and not _may_claim(call_id):
        return None
    batch = _claim(call_id, others=others)
    if not batch:
        _uncover(call_id)
        return None
    stop_starting = time.monotonic() + settings.SYNC_SEND_BATCH_SECONDS.total_seconds()
    unsent = list(batch)
    held = [] if len(batch) > 1 else None  # answers recorded together, once the batch is sent
    recorded = None
    try:
        if len(batch) > 1:
            _prepare(batch)
        while unsent:
            call = unsent.pop(0)
            outcome = _attempt(call, held)
            if call.pk == call_id:
                recorded = outcome
            if time.monotonic() > stop_starting:
                break
    except SoftTimeLimitExceeded:
        # Recorded on the call it struck, if it struck while the provider was being called.
        logger.warning("provider calls: the task's time limit struck; %s released", len(unsent))
    finally:
        if held:
            recorded = next(
                (call for call in _record_together(held) if call.pk == call_id), recorded
            )
        if unsent:
            _release(unsent)
    return recorded


def _attempt(call: ProviderCall, held: list | None = None) -> ProviderCall | None:
    """Call the provider for a claimed call and record the outcome; returns the call as
    recorded. An answer that may be recorded with others (``Done.together``) is put in
    ``held`` instead, when that is given, and None returned. The task's soft time limit is
    recorded (tried again later), then raised: the task starts no other call."""
    try:
        outcome = _handler(call.operation)(call)
    except ProviderUnavailable as exc:
        return _retry_later(call, exc.message, status=exc.status, retry_after=exc.retry_after)
    except ProviderRejected as exc:
        return _fail(call, exc.message, status=exc.status, details=_details(exc))
    except SoftTimeLimitExceeded:
        _retry_later(call, "The call took longer than the task's time limit.")
        raise
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
    if held is not None and isinstance(outcome, Done) and outcome.together:
        held.append((call, outcome))
        return None
    return _record_outcome(call, outcome)


def _handler(operation: str):
    from . import shoprunback, warehouses

    return {**shoprunback.HANDLERS, **warehouses.HANDLERS}[operation]


def _prepare(calls: list[ProviderCall]) -> None:
    """Load the records of a batch of calls together, for their handlers."""
    from . import warehouses

    warehouses.calls_prepare(calls)


def _on_deadline(call: ProviderCall) -> None:
    from . import shoprunback, warehouses

    hook = {**shoprunback.ON_DEADLINE, **warehouses.ON_DEADLINE}.get(call.operation)
    if hook is not None:
        hook(call)


def _may_claim(call_id: int) -> bool:
    """Whether the call looks claimable (pending and due, or running past its lease), read
    without a lock: :func:`_claim` decides."""
    now = timezone.now()
    row = (
        ProviderCall.objects.filter(pk=call_id)
        .values_list("state", "next_attempt_at", "claimed_until")
        .first()
    )
    if row is None:
        return False
    state, next_attempt_at, claimed_until = row
    if state == State.PENDING:
        return next_attempt_at is None or next_attempt_at <= now + EARLY
    return state == State.RUNNING and claimed_until is not None and claimed_until < now


def _claim(call_id: int, *, others: int = 0) -> list[ProviderCall]:
    """Claim the call ``call_id`` and, when it could be, up to ``others`` calls waiting for a
    batch, in one short transaction: each under a row lock (``skip_locked``: a call another worker
    holds is passed over), running with a lease, its attempt counted.

    Returns the calls claimed, ``call_id`` first; empty when that one could not be: not ready
    (an earlier call on the same record runs first, and wakes it when it ends), locked by
    another worker, not due, given up, or held back by its provider's rate limit.
    """
    now = timezone.now()
    with transaction.atomic():
        call = (
            ProviderCall.objects.ready()
            .select_for_update(skip_locked=True)
            .filter(pk=call_id)
            .filter(Q(state=State.PENDING) | Q(state=State.RUNNING, claimed_until__lt=now))
            .first()
        )
        if call is None:
            return []
        if (
            call.state == State.PENDING
            and call.next_attempt_at
            and call.next_attempt_at > now + EARLY
        ):
            return []  # an early duplicate: the message for the due time is on its way
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
                wake_followers(call)
                return []
        if _held_by_rate_limit(call, now):
            return []
        claimed = [call]
        if others:
            # Calls due that wait for a batch, with no message of their own (see calls_cover);
            # a call with its message (a poll, a retry, one woken) and an abandoned one (the
            # sweeper's) are left to it.
            _plan_oldest_first()
            due = (
                ProviderCall.objects.ready()
                .select_for_update(skip_locked=True)
                .filter(state=State.PENDING, next_attempt_at__lte=now, enqueued_for__isnull=True)
                .exclude(pk=call.pk)
                .order_by("next_attempt_at", "pk")[:others]
            )
            claimed += [other for other in due if not _held_by_rate_limit(other, now)]
        lease = now + settings.SYNC_CLAIM_LEASE
        for each in claimed:
            if each.state == State.PENDING:
                each.become(State.RUNNING)
            each.attempts += 1
            each.claimed_until = lease
            each.enqueued_for = None
            each.updated_at = now
        if abandoned:
            call.save(
                update_fields=["attempts", "claimed_until", "enqueued_for", "result", "updated_at"]
            )
        if fresh := [each.pk for each in claimed if not (abandoned and each is call)]:
            ProviderCall.objects.filter(pk__in=fresh).update(
                state=State.RUNNING,
                attempts=F("attempts") + 1,
                claimed_until=lease,
                enqueued_for=None,
                updated_at=now,
            )
    return claimed


def _plan_oldest_first() -> None:
    """Have the rest of the transaction find the oldest due calls by reading the index in its
    order (PostgreSQL), never by sorting every due call.

    The planner counts the pending calls from the table's statistics, which lag behind exactly
    when a backlog forms: taking a backlog of thousands for a handful, it plans to read all of
    them, check each is ready and sort them, for every batch (10-20 ms a claim at 5,000 due
    calls, growing with the backlog). Read in index order, a claim reads about the calls it
    takes. The setting ends with the claim's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")


def _held_by_rate_limit(call: ProviderCall, now: datetime) -> bool:
    """Whether the provider's rate limit holds the (locked) call back: then it waits, pending,
    for the next window, and its message is sent for then."""
    wait = rate_limit_wait(call.provider, call.operation)
    if not wait:
        return False
    if call.state == State.RUNNING:  # abandoned, taken again
        call.become(State.PENDING)
        call.claimed_until = None
    call.next_attempt_at = now + timedelta(seconds=wait)
    call.save(update_fields=["state", "claimed_until", "next_attempt_at", "result", "updated_at"])
    schedule_next_attempt(call)
    return True


def _release(calls: list[ProviderCall]) -> None:
    """Calls a batch claimed and did not start: pending again, due now, their attempt not
    counted, their message sent again (the one they had may have been taken meanwhile)."""
    now = timezone.now()
    with transaction.atomic():
        ProviderCall.objects.filter(pk__in=[call.pk for call in calls], state=State.RUNNING).update(
            state=State.PENDING,
            attempts=F("attempts") - 1,
            claimed_until=None,
            next_attempt_at=now,
            enqueued_for=now,
            updated_at=now,
        )
        for call in calls:
            send_on_commit(call, 0)


def _details(exc: ProviderRejected) -> dict:
    details = exc.as_dict()
    return {key: details[key] for key in ("code", "field_errors") if details.get(key)}


# Recording outcomes ---------------------------------------------------------------------------


# What recording an outcome writes on the call.
OUTCOME_FIELDS = [
    "state",
    "result",
    "failures",
    "last_error",
    "last_status",
    "error_details",
    "next_attempt_at",
    "enqueued_for",
    "claimed_until",
    "completed_at",
    "updated_at",
]


def _finish(call: ProviderCall, apply: Callable[[ProviderCall], None], record=None) -> ProviderCall:
    """Lock the call, run ``record`` (what the answer brings to our records), then ``apply``
    (the call's own fields) and save, all in one short transaction.

    A call cancelled meanwhile (superseded) keeps its state and records nothing. A call taken
    over by another worker (this one outlived its lease) records what it brings, since a remote
    id must never be lost, but leaves the call's state to the other worker.
    """
    with transaction.atomic():
        # The claim loaded the whole row and only this worker writes it while it runs: the lock
        # reads back just what someone else may have changed.
        state, attempts = (
            ProviderCall.objects.select_for_update()
            .filter(pk=call.pk)
            .values_list("state", "attempts")
            .get()
        )
        if state == State.CANCELLED:
            call.refresh_from_db()
            return call
        if record is not None:
            record()
        if state != State.RUNNING or attempts != call.attempts:
            logger.warning(
                "provider call %s was taken over: outcome left to the other attempt", call
            )
            call.refresh_from_db()
            return call
        apply(call)
        _settle(call)
        call.save(update_fields=OUTCOME_FIELDS)
        if call.state != State.PENDING and not call.is_poll:
            wake_followers(call)  # polls hold nothing back: nothing waits for them
        return call


def _settle(call: ProviderCall, now: datetime | None = None) -> None:
    """After an outcome's own fields: the lease let go, then the next attempt's message sent
    after commit (pending) or the end stamped (``now``, or the time it is)."""
    call.claimed_until = None
    if call.state == State.PENDING:
        _message_next_attempt(call)
    else:
        call.completed_at = now or timezone.now()
        call.next_attempt_at = None
        call.enqueued_for = None


def _record_together(held: list[tuple[ProviderCall, Done]]) -> list[ProviderCall]:
    """Record the answers a batch held (``Done.together``) in one short transaction: the calls
    locked in one statement, each function of ``together`` given all its parts, the calls
    saved in one statement. When one of the answers breaks one of our rules, nothing of that is
    kept and each is recorded on its own (the one refused then fails with the rule's message).
    Returns the calls as recorded."""
    try:
        return _finish_together(held)
    except DomainError as exc:
        logger.warning(
            "provider calls: %s answers could not be recorded together (%s): each on its own",
            len(held),
            exc.message,
        )
        return [_record_outcome(call, outcome) for call, outcome in held]


def _finish_together(held: list[tuple[ProviderCall, Done]]) -> list[ProviderCall]:
    """``_finish`` for many answers (the same rules: a call cancelled meanwhile records
    nothing; one taken over records what it brings and leaves its state to the other)."""
    with transaction.atomic():
        current = {
            pk: (state, attempts)
            for pk, state, attempts in ProviderCall.objects.select_for_update()
            .filter(pk__in=[call.pk for call, _ in held])
            .values_list("pk", "state", "attempts")
        }
        kept = [(call, done) for call, done in held if current[call.pk][0] != State.CANCELLED]
        parts = defaultdict(list)
        for _, done in kept:
            record, part = done.together
            parts[record].append(part)
        for record, each in parts.items():
            record(each)
        owned = [
            (call, done)
            for call, done in kept
            if current[call.pk] == (State.RUNNING, call.attempts)
        ]
        now = timezone.now()
        for call, done in owned:
            call.result = {**call.result, **done.result}
            _succeed(call)
            _settle(call, now)
            call.updated_at = now  # auto_now is a save()'s, not a bulk update's
        save_together(ProviderCall, [call for call, _ in owned], OUTCOME_FIELDS)
        wake_followers(*[call for call, _ in owned if not call.is_poll])
    settled = {call.pk for call, _ in owned}
    for call, _ in held:
        if call.pk not in settled:
            if current[call.pk][0] != State.CANCELLED:
                logger.warning(
                    "provider call %s was taken over: outcome left to the other attempt", call
                )
            call.refresh_from_db()
    return [call for call, _ in held]


def _succeed(call: ProviderCall) -> None:
    call.become(State.SUCCEEDED)
    call.failures = 0
    call.last_error = ""
    call.last_status = None
    call.error_details = {}


def _record_outcome(call: ProviderCall, outcome: Done | Again) -> ProviderCall:
    call.result = {**call.result, **outcome.result}
    if isinstance(outcome, Done):
        return _record(call, _succeed, outcome.record)

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
