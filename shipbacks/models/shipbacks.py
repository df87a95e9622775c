"""Shipbacks (the customer's return parcel), their returned items, quotes and timeline."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from catalog.models import Product
from orders.models import Customer, Order, OrderItem
from returns_portal.models import StateMachine, TimeStampedModel, state_check, tracked_history

from .codes import new_public_token, new_rma
from .copies import copied_link, copied_time
from .rules import ReturnReason, Warehouse


class ShipbackState(models.TextChoices):
    """ShopRunBack's shipback states, which integrators already know."""

    CREATED = "created", "Created"
    REGISTERING = "registering", "Registering"
    REGISTERED = "registered", "Registered"
    LABELLED = "labelled", "Labelled"
    DELIVERING = "delivering", "Delivering"
    DELIVERED = "delivered", "Delivered"
    IDENTIFIED = "identified", "Identified"
    RELOCATING = "relocating", "Relocating"
    RELOCATED = "relocated", "Relocated"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Mode(models.TextChoices):
    POSTAL = "postal", "Postal"
    PICKUP = "pickup", "Pickup"
    DROPOFF = "dropoff", "Drop-off"
    DIRECT = "direct", "Direct (ship it yourself)"


class ShipbackQuerySet(models.QuerySet):
    def modifiable(self):
        """Not registered yet: items, mode and customer can still change, or it can be deleted."""
        return self.filter(state__in=Shipback.MODIFIABLE_STATES)

    def open(self):
        return self.exclude(state__in=Shipback.FINAL_STATES)

    def awaiting_label(self):
        return self.filter(state=ShipbackState.REGISTERED).exclude(mode=Mode.DIRECT)

    def abandoned(self, *, before):
        return self.modifiable().filter(updated_at__lt=before)


class Shipback(StateMachine, TimeStampedModel):
    State = ShipbackState
    Mode = Mode

    S = ShipbackState
    TRANSITIONS = {
        S.CREATED: {S.REGISTERING, S.REGISTERED, S.CANCELLED, S.FAILED},
        S.REGISTERING: {S.REGISTERED, S.CANCELLED, S.FAILED},
        # A direct return has no label: it may go straight to delivering or delivered.
        S.REGISTERED: {S.LABELLED, S.DELIVERING, S.DELIVERED, S.FAILED},
        S.LABELLED: {S.DELIVERING, S.DELIVERED, S.FAILED},
        S.DELIVERING: {S.DELIVERED, S.FAILED},
        S.DELIVERED: {S.IDENTIFIED, S.RELOCATING, S.RELOCATED, S.FAILED},
        S.IDENTIFIED: {S.RELOCATING, S.RELOCATED, S.FAILED},
        S.RELOCATING: {S.RELOCATED, S.FAILED},
        S.RELOCATED: set(),
        S.FAILED: set(),
        S.CANCELLED: set(),
    }
    MODIFIABLE_STATES = (S.CREATED, S.REGISTERING)
    FINAL_STATES = (S.RELOCATED, S.FAILED, S.CANCELLED)
    # The milestone each state stamps when it is reached.
    MILESTONES = {
        S.REGISTERED: "registered_at",
        S.LABELLED: "labelled_at",
        S.DELIVERING: "delivering_at",
        S.DELIVERED: "delivered_at",
        S.IDENTIFIED: "identified_at",
        S.RELOCATING: "relocating_at",
        S.RELOCATED: "relocated_at",
        S.FAILED: "failed_at",
        S.CANCELLED: "cancelled_at",
    }
    del S

    rma = models.CharField("RMA", max_length=20, unique=True, default=new_rma, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipbacks")
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="shipbacks",
        help_text="A copy of the order's customer, which the return may change.",
    )
    state = models.CharField(
        max_length=20, choices=ShipbackState.choices, default=ShipbackState.CREATED, editable=False
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, blank=True)
    dropoff_code = models.CharField(max_length=50, blank=True)
    pickup_datetime = models.DateTimeField(null=True, blank=True)
    pickup_duration = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Minutes from the pickup time."
    )
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    price_cents = models.PositiveIntegerField(null=True, blank=True)
    customer_price_cents = models.PositiveIntegerField(null=True, blank=True)
    label_file = models.FileField(upload_to="labels/", blank=True)
    label_url = models.URLField(max_length=500, blank=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True, db_index=True)
    public_token = models.CharField(
        max_length=64, unique=True, default=new_public_token, editable=False
    )
    # Overrides (ShopRunBack's `overrides` object).
    relocation_warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Send the whole return here, whatever the relocation rules say.",
    )
    dropoff_customer_price_cents = models.PositiveIntegerField(null=True, blank=True)
    postal_customer_price_cents = models.PositiveIntegerField(null=True, blank=True)
    pickup_customer_price_cents = models.PositiveIntegerField(null=True, blank=True)
    try_at_home = models.BooleanField(default=False)
    metadata = models.JSONField(default=dict, blank=True)
    shoprunback_id = models.CharField("ShopRunBack id", max_length=64, blank=True)
    # Milestones, stamped by the transition service.
    registered_at = models.DateTimeField(null=True, blank=True, editable=False)
    labelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivering_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True, editable=False)
    identified_at = models.DateTimeField(null=True, blank=True, editable=False)
    relocating_at = models.DateTimeField(null=True, blank=True, editable=False)
    relocated_at = models.DateTimeField(null=True, blank=True, editable=False)
    failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ShipbackQuerySet.as_manager()
    history = tracked_history()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            state_check("state", ShipbackState, "shipbacks_shipback_state_valid"),
            models.CheckConstraint(
                condition=Q(mode="") | Q(mode__in=Mode.values), name="shipbacks_shipback_mode_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            # The dashboard's figures about the returns registered in a period
            # (shipbacks.dashboard), read from the index alone.
            models.Index(
                fields=["registered_at"],
                include=["state", "mode", "relocated_at", "id"],
                name="shipback_dashboard_idx",
            ),
        ]
        permissions = [("view_dashboard", "Can view the returns dashboard")]

    def __str__(self) -> str:
        return self.rma

    @property
    def public_url(self) -> str:
        """The customer's page for this return, reached by its secret token."""
        return f"{settings.RETURNS_PUBLIC_URL.rstrip('/')}/returns/track/{self.public_token}/"

    @property
    def is_modifiable(self) -> bool:
        return self.state in self.MODIFIABLE_STATES

    def customer_price_override(self, mode: str) -> int | None:
        return getattr(self, f"{mode}_customer_price_cents", None)


class ReturnedItemState(models.TextChoices):
    PENDING = "pending", "Pending"
    TRANSITING = "transiting", "Transiting"
    RELOCATED = "relocated", "Relocated"
    MISSING = "missing", "Missing"
    ERROR = "error", "Error"


class ReturnedItem(StateMachine, TimeStampedModel):
    State = ReturnedItemState

    S = ReturnedItemState
    TRANSITIONS = {
        S.PENDING: {S.TRANSITING, S.RELOCATED, S.MISSING, S.ERROR},
        S.TRANSITING: {S.RELOCATED, S.MISSING, S.ERROR},
        # An item reported missing may turn up later; an error is resolved either way.
        S.MISSING: {S.RELOCATED},
        S.ERROR: {S.TRANSITING, S.RELOCATED, S.MISSING},
        S.RELOCATED: set(),
    }
    del S

    shipback = models.ForeignKey(Shipback, on_delete=models.CASCADE, related_name="returned_items")
    order_item = models.ForeignKey(
        OrderItem, on_delete=models.PROTECT, related_name="returned_items"
    )
    quantity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    reason = models.ForeignKey(ReturnReason, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    photo = models.ImageField(upload_to="returned_items/", blank=True)
    state = models.CharField(
        max_length=20,
        choices=ReturnedItemState.choices,
        default=ReturnedItemState.PENDING,
        editable=False,
    )
    # Copies for the dashboard (see .copies).
    product = copied_link(
        Product, "The order item's product, copied when the item is added to the return."
    )
    shipback_registered_at = copied_time(
        "When the return was registered, copied by the registration."
    )
    warehouse = copied_link(
        Warehouse, "The warehouse the registration expects the item at (its return order's)."
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The dashboard's figures about items, read from the index alone.
            models.Index(
                fields=["shipback_registered_at"],
                include=["warehouse", "reason", "product", "quantity"],
                name="returneditem_dashboard_idx",
            ),
        ]
        constraints = [
            state_check("state", ReturnedItemState, "shipbacks_returneditem_state_valid"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="shipbacks_returneditem_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["shipback", "order_item"],
                name="shipbacks_returneditem_once_per_shipback",
                violation_error_message="This order item is already in the return.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_item.display_label} ×{self.quantity}"


class QuoteState(models.TextChoices):
    COMPUTING = "computing", "Computing"
    AVAILABLE = "available", "Available"
    UNAVAILABLE = "unavailable", "Unavailable"
    FAILED = "failed", "Failed"


class QuoteMode(models.TextChoices):
    POSTAL = Mode.POSTAL.value, Mode.POSTAL.label
    PICKUP = Mode.PICKUP.value, Mode.PICKUP.label
    DROPOFF = Mode.DROPOFF.value, Mode.DROPOFF.label


class Quote(StateMachine, TimeStampedModel):
    """The price of one mode for one shipback, computed by the provider (30–90 s)."""

    State = QuoteState
    Mode = QuoteMode

    TRANSITIONS = {
        QuoteState.COMPUTING: {QuoteState.AVAILABLE, QuoteState.UNAVAILABLE, QuoteState.FAILED},
        QuoteState.AVAILABLE: set(),
        QuoteState.UNAVAILABLE: set(),
        QuoteState.FAILED: set(),
    }

    shipback = models.ForeignKey(Shipback, on_delete=models.CASCADE, related_name="quotes")
    mode = models.CharField(max_length=10, choices=QuoteMode.choices)
    state = models.CharField(
        max_length=20, choices=QuoteState.choices, default=QuoteState.COMPUTING, editable=False
    )
    price_cents = models.PositiveIntegerField(null=True, blank=True)
    customer_price_cents = models.PositiveIntegerField(null=True, blank=True)
    dropoff_points = models.JSONField(
        default=list, blank=True, help_text="Points offered: code, name, address, opening hours."
    )
    pickup_slots = models.JSONField(
        default=list, blank=True, help_text="Slots offered: pickup_datetime, pickup_duration."
    )
    provider_reference = models.CharField(max_length=100, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shipback", "mode"]
        constraints = [
            state_check("state", QuoteState, "shipbacks_quote_state_valid"),
            state_check("mode", QuoteMode, "shipbacks_quote_mode_valid"),
            models.UniqueConstraint(
                fields=["shipback", "mode"], name="shipbacks_quote_one_per_mode"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipback} {self.mode} ({self.state})"


class ShipbackEvent(models.Model):
    """One row per state change of a shipback, of one of its returned items or of one of its
    quotes: the timeline."""

    shipback = models.ForeignKey(Shipback, on_delete=models.CASCADE, related_name="events")
    returned_item = models.ForeignKey(
        ReturnedItem, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    quote = models.ForeignKey(
        "Quote", on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.CharField(max_length=150, help_text="Who: staff:<user>, api:<integrator>, …")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        subject = "item" if self.returned_item_id else "quote" if self.quote_id else "shipback"
        return f"{subject} {self.from_state} → {self.to_state}"
