"""Provider sync: the outbox of calls to make to the providers, and the webhooks they send us.

A ``ProviderCall`` is written in the transaction of the change that causes it, so a call exists
exactly when the change does; a task then claims and sends it (see
``shipbacks/services/sync/outbox.py``). An ``InboundEvent`` is one webhook a provider sent,
stored once under its id before a task applies it.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from returns_portal.models import StateMachine, state_check

from .return_orders import ReturnOrder
from .shipbacks import Shipback


class SyncProvider(models.TextChoices):
    SHOPRUNBACK = "shoprunback", "ShopRunBack"
    SHIPPINGBO = "shippingbo", "Shippingbo"
    SHIPBOB = "shipbob", "ShipBob"
    KIBO = "kibo", "Kibo"


class Operation(models.TextChoices):
    """What a call does. Polls follow slow provider work and end at their deadline."""

    # ShopRunBack, the customer leg (seeds 002, 003).
    SHIPBACK_CREATE = "shipback.create", "Create the shipback (brands, products, order first)"
    QUOTES_POLL = "quotes.poll", "Request the quotes and poll them"
    QUOTES_CLEAR = "quotes.clear", "Clear the quotes"
    SHIPBACK_UPDATE = "shipback.update", "Send the mode and overrides"
    SHIPBACK_FREE = "shipback.free", "Send the mode and register without payment (free)"
    LABEL_POLL = "label.poll", "Poll for the label and store it"
    SHIPBACK_DELETE = "shipback.delete", "Delete the shipback"
    # Shippingbo, ShipBob, Kibo: the warehouse leg (seeds 000, 001, 004).
    RETURN_ORDER_CREATE = "return_order.create", "Create the return order"
    RETURN_ORDER_POLL = "return_order.poll", "Follow the return order to completion"
    RETURN_ORDER_CANCEL = "return_order.cancel", "Cancel the return order"


POLL_OPERATIONS = frozenset(
    {Operation.QUOTES_POLL, Operation.LABEL_POLL, Operation.RETURN_ORDER_POLL}
)


class CallState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ProviderCallQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=(CallState.PENDING, CallState.RUNNING))

    def ready(self):
        """Calls no earlier call on the same record holds back.

        Calls on one record (same provider and target) run one at a time, in the order they
        were written: a mode is never sent before the shipback exists. Polls hold nothing back
        (a cancel must not wait for a days-long poll), and neither do failed calls: the call
        after one checks what it needs and fails with a clear message if it is missing.
        """
        blocking = ProviderCall.objects.filter(
            provider=OuterRef("provider"),
            target=OuterRef("target"),
            pk__lt=OuterRef("pk"),
            state__in=(CallState.PENDING, CallState.RUNNING),
        ).exclude(operation__in=POLL_OPERATIONS)
        return self.filter(~Exists(blocking))


class ProviderCall(StateMachine, models.Model):
    """One call to make to a provider: the outbox row, and how its attempts went."""

    State = CallState
    Operation = Operation
    Provider = SyncProvider

    S = CallState
    TRANSITIONS = {
        # Pending -> failed: given up without sending (a poll whose record went away).
        S.PENDING: {S.RUNNING, S.CANCELLED, S.FAILED},
        # Running -> pending: retried after a transient failure, or polled again later.
        S.RUNNING: {S.PENDING, S.SUCCEEDED, S.FAILED, S.CANCELLED},
        # Failed -> pending: retried from the admin once the data is fixed.
        S.FAILED: {S.PENDING, S.CANCELLED},
        S.SUCCEEDED: set(),
        S.CANCELLED: set(),
    }
    FINAL_STATES = (S.SUCCEEDED, S.FAILED, S.CANCELLED)
    del S

    id = models.BigAutoField(primary_key=True)
    provider = models.CharField(max_length=20, choices=SyncProvider.choices)
    operation = models.CharField(max_length=30, choices=Operation.choices)
    target = models.CharField(
        max_length=100,
        db_index=True,
        help_text="Our reference of the record: a shipback's RMA, a return order's reference.",
    )
    shipback = models.ForeignKey(
        Shipback,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="provider_calls",
    )
    return_order = models.ForeignKey(
        ReturnOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="provider_calls",
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(
        "status", max_length=10, choices=CallState.choices, default=CallState.PENDING
    )
    payload = models.JSONField(
        default=dict, blank=True, help_text="What the call needs beyond the record itself."
    )
    result = models.JSONField(
        default=dict, blank=True, help_text="What the provider answered (ids, last state seen)."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Times the call was sent.")
    failures = models.PositiveSmallIntegerField(
        default=0, help_text="Transient failures in a row (connection, timeout, 429, 5xx)."
    )
    last_error = models.TextField(blank=True)
    last_status = models.PositiveSmallIntegerField(
        "last HTTP status", null=True, blank=True, help_text="Of the last failure."
    )
    error_details = models.JSONField(
        default=dict, blank=True, help_text="The provider's error code and field errors."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    enqueued_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the task message sent for the next attempt is due (empty: none was "
        "sent, the sweeper sends it when the attempt is due).",
    )
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While running: the lease. A call still running after it was abandoned by "
        "its worker and is taken again.",
    )
    deadline = models.DateTimeField(
        null=True, blank=True, help_text="Polls stop here and the call is marked failed."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ProviderCallQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "provider call"
        constraints = [
            state_check("state", CallState, "shipbacks_providercall_state_valid", "status"),
            state_check("provider", SyncProvider, "shipbacks_providercall_provider_valid"),
            state_check("operation", Operation, "shipbacks_providercall_operation_valid"),
            models.CheckConstraint(
                condition=~Q(state=CallState.RUNNING) | Q(claimed_until__isnull=False),
                name="shipbacks_providercall_running_has_lease",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "target", "id"]),
            models.Index(fields=["state", "next_attempt_at"]),
            # The messages on their way (calls_cover counts them), among many calls due.
            models.Index(
                fields=["enqueued_for"],
                condition=Q(state=CallState.PENDING, enqueued_for__isnull=False),
                name="shipbacks_call_message_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_provider_display()} {self.operation} {self.target}"

    @property
    def is_poll(self) -> bool:
        return self.operation in POLL_OPERATIONS


class InboundState(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class InboundEvent(models.Model):
    """One webhook a provider sent, verified, stored once under its id, applied by a task."""

    State = InboundState
    Provider = SyncProvider

    id = models.BigAutoField(primary_key=True)
    provider = models.CharField(max_length=20, choices=SyncProvider.choices)
    event_id = models.CharField(
        max_length=200,
        help_text="The provider's id of the event (Shippingbo sends none: the body's hash).",
    )
    event_type = models.CharField(max_length=100, blank=True, db_index=True)
    body = models.TextField(help_text="The raw body, as received and verified.")
    state = models.CharField(
        "status", max_length=10, choices=InboundState.choices, default=InboundState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    target = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="The record it was applied to."
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "inbound provider event"
        constraints = [
            state_check("state", InboundState, "shipbacks_inboundevent_state_valid", "status"),
            state_check("provider", SyncProvider, "shipbacks_inboundevent_provider_valid"),
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="shipbacks_inboundevent_once_per_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.event_type or 'event'} {self.event_id}"
