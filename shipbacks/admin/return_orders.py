"""Admin for return orders, their expected items, the actions taken on them and their timeline.

Warehouse staff work here: they find the parcels to receive, record on the receiving screen
(``receiving``) what arrived and what they did with each item, complete return orders, and move
them through their states with the actions (one by one from an order's page, or in bulk from
the list). Quantities and actions are written by the receiving services only: here they are
read. Warehouse staff see their warehouses' return orders only (``return_orders_for``).
"""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from returns_portal.actors import Actor
from returns_portal.csvio.admin import CsvImportExportMixin
from returns_portal.history import HistoryReadingAdmin

from ..models import ExpectedItem, ItemAction, ReturnOrder, ReturnOrderEvent
from ..selectors import (
    expected_items_for,
    item_actions_for,
    limit_to_warehouses,
    return_orders_for,
)
from ..services import return_order_cancel, return_order_complete, return_order_transition
from ..services.return_orders import return_order_sync_retry
from .base import HistoryAdmin, ReadOnlyInline, StateActionsMixin, run_each
from .receiving import ReceivingAdminMixin

State = ReturnOrder.State


class ExpectedItemInline(ReadOnlyInline):
    """What the return order expects and what arrived, as the receiving screen recorded it."""

    model = ExpectedItem
    fields = [
        "product",
        "quantity_expected",
        "quantity_received",
        "requested_action",
        "unexpected",
        "lot_number",
        "lot_date",
        "returned_item",
        "actions_taken",
    ]
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("product", "returned_item__order_item__product")
            .prefetch_related("actions")
        )

    @admin.display(description="actions taken")
    def actions_taken(self, item):
        if item._state.adding:
            return "-"
        return ", ".join(str(action) for action in item.actions.all()) or "-"


class ReturnOrderEventInline(ReadOnlyInline):
    model = ReturnOrderEvent
    verbose_name_plural = "timeline"
    fields = ["created_at", "from_state", "to_state", "actor", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("return_order")  # in each row's name


@admin.register(ReturnOrder)
class ReturnOrderAdmin(
    CsvImportExportMixin, ReceivingAdminMixin, StateActionsMixin, HistoryReadingAdmin
):
    csv_kind = "return_orders"
    change_form_template = "admin/shipbacks/returnorder/change_form.html"
    list_display = [
        "reference",
        "warehouse",
        "order_number",
        "state",
        "type",
        "expected_item_count",
        "created_at",
        "receive_link",
    ]
    list_select_related = ["warehouse", "order"]
    list_filter = ["state", "type", "warehouse", "created_at", "arrived_at"]
    search_fields = ["reference", "shipback__rma", "tracking_number", "order__order_number"]
    ordering = ["-created_at"]
    # What the return order is, and where, was sent to the provider when it was created.
    readonly_fields = [
        "reference",
        "warehouse",
        "type",
        "shipback",
        "order",
        "source",
        "source_ref",
        "state",
        "provider_transactions",
        "created_at",
        "updated_at",
        *ReturnOrder.MILESTONES.values(),
    ]
    fieldsets = [
        (
            None,
            {"fields": ["reference", "warehouse", "state", "type", "tracking_number"]},
        ),
        (
            "What is returned",
            {"fields": ["shipback", "order", "source", "source_ref", "reason", "reason_ref"]},
        ),
        (
            "History",
            {
                "fields": [
                    "provider_id",
                    "provider_transactions",
                    "created_at",
                    "updated_at",
                    *ReturnOrder.MILESTONES.values(),
                ]
            },
        ),
    ]
    inlines = [ExpectedItemInline, ReturnOrderEventInline]
    actions = [
        "mark_awaiting_arrival",
        "mark_arrived",
        "mark_processing",
        "complete",
        "flag_in_trouble",
        "cancel_return_orders",
        "retry_provider_sync",
    ]
    state_actions = {
        "mark_awaiting_arrival": (State.AWAITING_ARRIVAL, "Mark awaiting arrival"),
        "mark_arrived": (State.ARRIVED, "Mark arrived"),
        "mark_processing": (State.PROCESSING, "Mark processing"),
        "complete": (State.COMPLETED, "Complete"),
        "flag_in_trouble": (State.IN_TROUBLE, "Flag in trouble"),
        "cancel_return_orders": (State.CANCELLED, "Cancel"),
    }

    def get_queryset(self, request):
        expected = (
            ExpectedItem.objects.filter(return_order=OuterRef("pk"))
            .order_by()
            .values("return_order")
            .annotate(n=Count("pk"))
            .values("n")
        )
        queryset = (
            super()
            .get_queryset(request)
            .select_related("warehouse", "order", "shipback")  # the list and the change page
            .annotate(expected_item_count=Coalesce(Subquery(expected), 0))
        )
        return return_orders_for(request.user, queryset)

    @admin.display(description="order", ordering="order__order_number")
    def order_number(self, return_order):
        return return_order.order.order_number if return_order.order else return_order.source_ref

    @admin.display(description="expected items", ordering="expected_item_count")
    def expected_item_count(self, return_order):
        return return_order.expected_item_count

    @admin.display(description="receiving")
    def receive_link(self, return_order):
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_receive",
            args=[return_order.pk],
            current_app=self.admin_site.name,
        )
        label = "View receipt" if return_order.is_final else "Receive"
        return format_html('<a href="{}">{}</a>', url, label)

    # The history pages read past versions, not the queryset: another warehouse's is a 404.
    def history_view(self, request, object_id, extra_context=None):
        self._return_order(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._return_order(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    # A completed or cancelled return order is history: read, never changed.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_final:
            return False
        return super().has_change_permission(request, obj)

    # Return orders come from registered shipbacks and the API (return_order_create).
    def has_add_permission(self, request):
        return False

    # A return order is cancelled, never deleted: the provider and the timeline know it.
    def has_delete_permission(self, request, obj=None):
        return False

    def _move(self, request, queryset, to: str, done: str) -> None:
        actor = Actor.staff(request.user)
        run_each(
            self,
            request,
            queryset,
            lambda ro: return_order_transition(return_order_id=ro.pk, to=to, actor=actor),
            done,
        )

    @admin.action(description="Mark awaiting arrival", permissions=["change"])
    def mark_awaiting_arrival(self, request, queryset):
        self._move(request, queryset, State.AWAITING_ARRIVAL, "marked awaiting arrival")

    @admin.action(description="Mark arrived", permissions=["change"])
    def mark_arrived(self, request, queryset):
        self._move(request, queryset, State.ARRIVED, "marked arrived")

    @admin.action(description="Mark processing", permissions=["change"])
    def mark_processing(self, request, queryset):
        self._move(request, queryset, State.PROCESSING, "marked processing")

    @admin.action(description="Complete", permissions=["change"])
    def complete(self, request, queryset):
        # Completing settles the customer's returned items and shipback: the receiving service.
        actor = Actor.staff(request.user)
        run_each(
            self,
            request,
            queryset,
            lambda ro: return_order_complete(return_order_id=ro.pk, actor=actor),
            "completed",
        )

    @admin.action(description="Flag in trouble", permissions=["change"])
    def flag_in_trouble(self, request, queryset):
        self._move(request, queryset, State.IN_TROUBLE, "flagged in trouble")

    @admin.action(description="Cancel", permissions=["change"])
    def cancel_return_orders(self, request, queryset):
        actor = Actor.staff(request.user)
        run_each(
            self,
            request,
            queryset,
            lambda ro: return_order_cancel(return_order_id=ro.pk, actor=actor),
            "cancelled",
        )

    @admin.action(description="Retry provider sync", permissions=["change"])
    def retry_provider_sync(self, request, queryset):
        run_each(
            self,
            request,
            queryset,
            lambda ro: return_order_sync_retry(return_order_id=ro.pk),
            "sent to their provider again",
        )


class ItemActionInline(ReadOnlyInline):
    """Recorded on the receiving screen, through the receiving service."""

    model = ItemAction
    fields = ["action", "quantity", "reason", "photo", "performed_at", "performed_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("performed_by")


@admin.register(ExpectedItem)
class ExpectedItemAdmin(admin.ModelAdmin):
    list_display = [
        "return_order",
        "product",
        "quantity_expected",
        "quantity_received",
        "requested_action",
        "unexpected",
        "created_at",
    ]
    list_select_related = ["return_order", "product"]
    list_filter = [
        "requested_action",
        "unexpected",
        "return_order__state",
        "return_order__warehouse",
        "created_at",
    ]
    search_fields = [
        "return_order__reference",
        "product__reference",
        "product__label",
        "product__ean",
    ]
    ordering = ["-created_at"]
    fields = [
        "return_order",
        "product",
        "returned_item",
        "quantity_expected",
        "quantity_received",
        "requested_action",
        "unexpected",
        "lot_number",
        "lot_date",
        "note",
        "created_at",
        "updated_at",
    ]
    # Quantities and actions are recorded on the receiving screen, through the services; here
    # staff note lots and remarks while the return order is open.
    readonly_fields = [
        "return_order",
        "product",
        "returned_item",
        "quantity_expected",
        "quantity_received",
        "requested_action",
        "unexpected",
        "created_at",
        "updated_at",
    ]
    inlines = [ItemActionInline]

    def get_queryset(self, request):
        return expected_items_for(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.return_order.is_final:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ItemAction)
class ItemActionAdmin(HistoryAdmin):
    """What was done with the units received: recorded by the receiving service, read here."""

    list_display = [
        "return_order",
        "product",
        "action",
        "quantity",
        "reason",
        "performed_by",
        "performed_at",
    ]
    list_select_related = [
        "expected_item__return_order",
        "expected_item__product",
        "performed_by",
    ]
    list_filter = ["action", "performed_at"]
    search_fields = [
        "expected_item__return_order__reference",
        "expected_item__product__reference",
        "reason",
    ]
    ordering = ["-performed_at", "-id"]
    fields = [
        "expected_item",
        "action",
        "quantity",
        "reason",
        "photo",
        "performed_at",
        "performed_by",
    ]

    def get_queryset(self, request):
        return item_actions_for(request.user, super().get_queryset(request))

    @admin.display(ordering="expected_item__return_order__reference")
    def return_order(self, action):
        return action.expected_item.return_order

    @admin.display(ordering="expected_item__product__reference")
    def product(self, action):
        return action.expected_item.product


@admin.register(ReturnOrderEvent)
class ReturnOrderEventAdmin(HistoryAdmin):
    list_display = ["created_at", "return_order", "from_state", "to_state", "actor"]
    list_select_related = ["return_order"]
    list_filter = ["to_state", "created_at"]
    search_fields = ["return_order__reference", "actor", "note"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return limit_to_warehouses(request.user, queryset, "return_order__warehouse")
