"""Return orders: what a warehouse expects, receives and processes (ShipBob's statuses)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from catalog.models import Product
from orders.models import Order
from returns_portal.models import StateMachine, TimeStampedModel, state_check, tracked_history

from .codes import new_return_order_reference
from .copies import copied_link, copied_time
from .rules import Warehouse
from .shipbacks import ReturnedItem, Shipback


class ReturnOrderState(models.TextChoices):
    NEW = "new", "New"
    AWAITING_ARRIVAL = "awaiting_arrival", "Awaiting arrival"
    ARRIVED = "arrived", "Arrived"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    IN_TROUBLE = "in_trouble", "In trouble"


class ReturnOrderType(models.TextChoices):
    """Shippingbo's return order types."""

    CUSTOMER = "return_order_customer", "Customer return"
    LABEL = "return_order_label", "Created from a label"
    CARRIER = "return_order_carrier", "Returned by the carrier"


class ReturnOrderQuerySet(models.QuerySet):
    def awaiting_arrival(self):
        return self.filter(state__in=(ReturnOrderState.NEW, ReturnOrderState.AWAITING_ARRIVAL))

    def open(self):
        return self.exclude(state__in=ReturnOrder.FINAL_STATES)


class ReturnOrder(StateMachine, TimeStampedModel):
    State = ReturnOrderState
    Type = ReturnOrderType

    S = ReturnOrderState
    TRANSITIONS = {
        S.NEW: {S.AWAITING_ARRIVAL, S.ARRIVED, S.CANCELLED, S.IN_TROUBLE},
        S.AWAITING_ARRIVAL: {S.ARRIVED, S.CANCELLED, S.IN_TROUBLE},
        S.ARRIVED: {S.PROCESSING, S.COMPLETED, S.IN_TROUBLE},
        S.PROCESSING: {S.COMPLETED, S.IN_TROUBLE},
        # Trouble is resolved by moving back on track; cancelling still needs "before arrival".
        S.IN_TROUBLE: {S.AWAITING_ARRIVAL, S.ARRIVED, S.PROCESSING, S.CANCELLED},
        S.COMPLETED: set(),
        S.CANCELLED: set(),
    }
    FINAL_STATES = (S.COMPLETED, S.CANCELLED)
    MILESTONES = {
        S.ARRIVED: "arrived_at",
        S.COMPLETED: "completed_at",
        S.CANCELLED: "cancelled_at",
    }
    del S

    reference = models.CharField(
        max_length=50,
        unique=True,
        default=new_return_order_reference,
        help_text="Our unique reference, sent to the provider (reference_id, source_ref).",
    )
    shipback = models.ForeignKey(
        Shipback, on_delete=models.PROTECT, null=True, blank=True, related_name="return_orders"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="return_orders"
    )
    source = models.CharField(max_length=100, blank=True)
    source_ref = models.CharField(max_length=100, blank=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="return_orders")
    reason = models.CharField(max_length=255, blank=True)
    reason_ref = models.CharField(max_length=100, blank=True)
    type = models.CharField(
        max_length=30, choices=ReturnOrderType.choices, default=ReturnOrderType.CUSTOMER
    )
    state = models.CharField(
        max_length=20,
        choices=ReturnOrderState.choices,
        default=ReturnOrderState.NEW,
        editable=False,
    )
    tracking_number = models.CharField(max_length=100, blank=True, db_index=True)
    provider_id = models.CharField(
        max_length=100, blank=True, help_text="The return order's id at the warehouse's provider."
    )
    provider_transactions = models.JSONField(
        default=list,
        blank=True,
        help_text="Fees and credits the warehouse's provider reported (ShipBob transactions).",
    )
    arrived_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A copy for the dashboard (see .copies).
    shipback_registered_at = copied_time(
        "When its shipback was registered, copied when the return order is created."
    )

    objects = ReturnOrderQuerySet.as_manager()
    history = tracked_history()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            state_check("state", ReturnOrderState, "shipbacks_returnorder_state_valid"),
            state_check("type", ReturnOrderType, "shipbacks_returnorder_type_valid"),
            models.CheckConstraint(
                condition=Q(order__isnull=False) | (~Q(source="") & ~Q(source_ref="")),
                name="shipbacks_returnorder_order_or_source",
                violation_error_message="Give the order, or its source and source reference.",
            ),
        ]
        indexes = [
            models.Index(fields=["warehouse", "state"]),
            # The dashboard's returns per warehouse, read from an index alone: by time for a
            # short period, in the order the distinct returns are counted for a long one.
            models.Index(
                fields=["shipback_registered_at"],
                include=["warehouse", "shipback"],
                name="returnorder_dashboard_idx",
            ),
            models.Index(
                fields=["warehouse", "shipback"],
                include=["shipback_registered_at"],
                name="returnorder_dashboard_wh_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES

    def can_become(self, state: str) -> bool:
        # Cancelling is only possible before the parcel arrived, even from "in trouble".
        if state == ReturnOrderState.CANCELLED and self.arrived_at is not None:
            return False
        return super().can_become(state)


class RequestedAction(models.TextChoices):
    """ShipBob's return actions; Default means the product's own default at the warehouse."""

    DEFAULT = "default", "Default"
    RESTOCK = "restock", "Restock"
    QUARANTINE = "quarantine", "Quarantine"
    DISPOSE = "dispose", "Dispose"


class ActionTaken(models.TextChoices):
    RESTOCK = RequestedAction.RESTOCK.value, RequestedAction.RESTOCK.label
    QUARANTINE = RequestedAction.QUARANTINE.value, RequestedAction.QUARANTINE.label
    DISPOSE = RequestedAction.DISPOSE.value, RequestedAction.DISPOSE.label


class ExpectedItem(TimeStampedModel):
    """A product and quantity a return order expects (or received without expecting it)."""

    RequestedAction = RequestedAction

    return_order = models.ForeignKey(
        ReturnOrder, on_delete=models.CASCADE, related_name="expected_items"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    returned_item = models.ForeignKey(
        ReturnedItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expected_items",
        help_text="The customer's returned item this line comes from.",
    )
    quantity_expected = models.PositiveIntegerField(default=1)
    quantity_received = models.PositiveIntegerField(default=0)
    requested_action = models.CharField(
        max_length=20, choices=RequestedAction.choices, default=RequestedAction.DEFAULT
    )
    lot_number = models.CharField(max_length=100, blank=True)
    lot_date = models.DateField(null=True, blank=True)
    unexpected = models.BooleanField(
        default=False, help_text="Received without being expected (declared on arrival)."
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            state_check("requested_action", RequestedAction, "shipbacks_expecteditem_action_valid"),
            models.CheckConstraint(
                condition=Q(unexpected=True) | Q(quantity_expected__gte=1),
                name="shipbacks_expecteditem_expects_something",
                violation_error_message="An expected item expects at least 1 unit.",
            ),
            models.CheckConstraint(
                condition=Q(unexpected=True) | Q(quantity_received__lte=F("quantity_expected")),
                name="shipbacks_expecteditem_received_within_expected",
                violation_error_message="More received than expected: add the extra as unexpected.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.reference} {self.quantity_received}/{self.quantity_expected}"


class ItemAction(models.Model):
    """What the warehouse did with some received units of an expected item."""

    Action = ActionTaken

    expected_item = models.ForeignKey(
        ExpectedItem, on_delete=models.CASCADE, related_name="actions"
    )
    action = models.CharField(max_length=20, choices=ActionTaken.choices)
    reason = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    photo = models.ImageField(upload_to="item_actions/", blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    performed_at = models.DateTimeField(default=timezone.now)
    # Copies of the return order's, for the dashboard (see .copies).
    shipback_registered_at = copied_time(
        "When the return order's shipback was registered, copied on creation."
    )
    warehouse = copied_link(
        Warehouse, "The warehouse where the action was taken, copied on creation."
    )

    class Meta:
        ordering = ["performed_at", "id"]
        indexes = [
            models.Index(
                fields=["shipback_registered_at"],
                include=["warehouse", "action", "quantity"],
                name="itemaction_dashboard_idx",
            ),
        ]
        constraints = [
            state_check("action", ActionTaken, "shipbacks_itemaction_action_valid"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="shipbacks_itemaction_quantity_positive",
                violation_error_message="An action is taken on at least 1 unit.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ×{self.quantity}"


class ReturnOrderEvent(models.Model):
    """One row per state change of a return order."""

    return_order = models.ForeignKey(ReturnOrder, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.CharField(max_length=150)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.return_order} {self.from_state} → {self.to_state}"
