"""What the simulated providers hold: one table per kind of provider record.

Each record keeps the provider's own JSON in ``body`` (what the API shows, minus what is computed
when it is read) next to the few columns the sandbox searches, filters or times on. Providers
whose ids are integers (Shippingbo, ShipBob, Kibo) get auto-incremented integer ids; ShopRunBack's
are UUIDs, as its documents show.

A record's state moves on a timer: ``TIMED`` maps a state to the next one and the setting that
holds the delay in seconds, counted from ``state_changed_at``. ``NEXT`` is the path the admin's
"advance" action follows, timed or not.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models


class Provider(models.TextChoices):
    SHOPRUNBACK = "shoprunback", "ShopRunBack"
    SHIPPINGBO = "shippingbo", "Shippingbo"
    SHIPBOB = "shipbob", "ShipBob"
    KIBO = "kibo", "Kibo"


class Timed:
    """Mixin: the state a record reaches next on its own, and when."""

    TIMED: dict[str, tuple[str, str]] = {}
    NEXT: dict[str, str] = {}

    def next_timed_step(self) -> tuple[str, datetime] | None:
        step = self.TIMED.get(self.state)
        if step is None:
            return None
        state, delay_setting = step
        return state, self.state_changed_at + timedelta(seconds=getattr(settings, delay_setting))

    @property
    def next_state(self) -> str | None:
        return self.NEXT.get(self.state)


# ShopRunBack (seeds 002, 003) ---------------------------------------------------------------


class ShopRunBackRecord(models.Model):
    """A brand, product or order, found by its id or its reference (order number for orders)."""

    class Kind(models.TextChoices):
        BRAND = "brand", "brand"
        PRODUCT = "product", "product"
        ORDER = "order", "order"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind)
    reference = models.CharField(max_length=255, help_text="Reference, or order number.")
    body = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ShopRunBack record"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="sandbox_srb_reference"),
        ]

    def __str__(self):
        return f"{self.kind} {self.reference}"


class ShopRunBackShipback(Timed, models.Model):
    """A shipback: created, quoted, registered by ``free``, then labelled after a delay."""

    class State(models.TextChoices):
        CREATED = "created"
        REGISTERING = "registering"
        REGISTERED = "registered"
        LABELLED = "labelled"
        DELIVERING = "delivering"
        DELIVERED = "delivered"
        IDENTIFIED = "identified"
        RELOCATING = "relocating"
        RELOCATED = "relocated"
        FAILED = "failed"
        CANCELLED = "cancelled"

    # 003 "4. Get the label": the label comes up to a minute after ``free``; the rest is the
    # parcel's journey, moved on from the admin.
    TIMED = {State.REGISTERED: (State.LABELLED, "SANDBOX_LABEL_SECONDS")}
    NEXT = {
        State.REGISTERED: State.LABELLED,
        State.LABELLED: State.DELIVERING,
        State.DELIVERING: State.DELIVERED,
        State.DELIVERED: State.IDENTIFIED,
        State.IDENTIFIED: State.RELOCATING,
        State.RELOCATING: State.RELOCATED,
    }
    # 003 "Delete a shipback": only before the customer completed the process.
    DELETABLE = {State.CREATED, State.REGISTERING}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(
        ShopRunBackRecord,
        on_delete=models.PROTECT,
        related_name="shipbacks",
        limit_choices_to={"kind": ShopRunBackRecord.Kind.ORDER},
    )
    rma = models.CharField("RMA", max_length=64, db_index=True)
    state = models.CharField(max_length=16, choices=State, default=State.CREATED)
    mode = models.CharField(max_length=16, blank=True)
    body = models.JSONField(default=dict, blank=True)
    # Where the sandbox was reached when the shipback was created: label links are absolute.
    base_url = models.CharField(max_length=255)
    quotes_requested_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ShopRunBack shipback"
        ordering = ["-created_at"]

    def __str__(self):
        return f"shipback {self.rma}"


# Shippingbo (seed 000, spec) ----------------------------------------------------------------


class ShippingboOrder(models.Model):
    """An order the simulated Shippingbo knows, with the lines a return order expects by default.

    Orders not listed here are known too unless the sandbox's rule says otherwise (see
    ``shippingbo.order_is_known``), so ``make run`` works without creating any.
    """

    id = models.BigIntegerField("order id", primary_key=True)
    source = models.CharField(max_length=100, blank=True)
    source_ref = models.CharField(max_length=255, blank=True, db_index=True)
    items = models.JSONField(
        default=list, blank=True, help_text='Lines, e.g. [{"user_ref": "my_sku", "quantity": 2}].'
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Shippingbo order"
        ordering = ["-created_at"]

    def __str__(self):
        return f"order {self.id}"


class ShippingboReturnOrder(Timed, models.Model):
    class State(models.TextChoices):
        NEW = "new"
        PREGENERATED = "pregenerated"
        SENT_TO_LOGISTICS = "sent_to_logistics"
        DISPATCHED = "dispatched"
        RETURNED = "returned"
        CLOSED = "closed"
        CANCELED = "canceled"
        IN_TROUBLE = "in_trouble"

    # Expected, handed to the warehouse, then received and restocked (seed 000: "returned").
    TIMED = {
        State.NEW: (State.SENT_TO_LOGISTICS, "SANDBOX_WAREHOUSE_STEP_SECONDS"),
        State.SENT_TO_LOGISTICS: (State.RETURNED, "SANDBOX_WAREHOUSE_STEP_SECONDS"),
    }
    NEXT = {
        State.NEW: State.SENT_TO_LOGISTICS,
        State.PREGENERATED: State.SENT_TO_LOGISTICS,
        State.SENT_TO_LOGISTICS: State.RETURNED,
        State.DISPATCHED: State.RETURNED,
        State.RETURNED: State.CLOSED,
    }

    state = models.CharField(max_length=20, choices=State, default=State.NEW)
    reason_ref = models.CharField(max_length=255, blank=True, db_index=True)
    order_id = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)
    source_ref = models.CharField(max_length=255, blank=True)
    supplier_id = models.BigIntegerField(null=True, blank=True)
    body = models.JSONField(default=dict, blank=True)
    state_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Shippingbo return order"
        ordering = ["-created_at"]

    def __str__(self):
        return f"return order {self.pk} ({self.reason_ref})"


# ShipBob (seed 001, spec) -------------------------------------------------------------------


class ShipBobReturn(Timed, models.Model):
    class State(models.TextChoices):
        # The 2025-07 status names (filters, status_history); seed 001's create answer writes
        # "Awaiting Arrival".
        AWAITING_ARRIVAL = "AwaitingArrival", "Awaiting Arrival"
        ARRIVED = "Arrived"
        PROCESSING = "Processing"
        COMPLETED = "Completed"
        CANCELLED = "Cancelled"

    TIMED = {
        State.AWAITING_ARRIVAL: (State.ARRIVED, "SANDBOX_WAREHOUSE_STEP_SECONDS"),
        State.ARRIVED: (State.PROCESSING, "SANDBOX_WAREHOUSE_STEP_SECONDS"),
        State.PROCESSING: (State.COMPLETED, "SANDBOX_WAREHOUSE_STEP_SECONDS"),
    }
    NEXT = {current: following for current, (following, _) in TIMED.items()}

    reference_id = models.CharField(max_length=255, db_index=True)
    state = models.CharField("status", max_length=20, choices=State, default=State.AWAITING_ARRIVAL)
    fulfillment_center_id = models.BigIntegerField()
    body = models.JSONField(default=dict, blank=True)
    state_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ShipBob return"
        ordering = ["-created_at"]

    def __str__(self):
        return f"return {self.pk} ({self.reference_id})"


# Kibo (seed 004) ----------------------------------------------------------------------------


class KiboReturn(Timed, models.Model):
    class State(models.TextChoices):
        OPEN = "OPEN"
        PROCESSING = "PROCESSING"
        CLOSED = "CLOSED"

    TIMED = {
        State.OPEN: (State.PROCESSING, "SANDBOX_WAREHOUSE_STEP_SECONDS"),
        State.PROCESSING: (State.CLOSED, "SANDBOX_WAREHOUSE_STEP_SECONDS"),
    }
    NEXT = {current: following for current, (following, _) in TIMED.items()}

    state = models.CharField("status", max_length=16, choices=State, default=State.OPEN)
    order_id = models.BigIntegerField()
    shipment_id = models.BigIntegerField()
    body = models.JSONField(default=dict, blank=True)
    state_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Kibo return"
        ordering = ["-created_at"]

    def __str__(self):
        return f"return {self.pk}"


# Webhooks the sandbox sends to the portal ------------------------------------------------------


class OutgoingWebhook(models.Model):
    """One webhook for the portal: written with the state change, sent by a task."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"
        SKIPPED = "skipped", "skipped (no secret set)"

    provider = models.CharField(max_length=16, choices=Provider)
    event = models.CharField(max_length=64)
    # The event's id: ShopRunBack's body "id", ShipBob's webhook-id; the same on every attempt.
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    body = models.TextField(help_text="The exact JSON sent.")
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    url = models.CharField(max_length=500, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outgoing webhook"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_provider_display()} {self.event}"
