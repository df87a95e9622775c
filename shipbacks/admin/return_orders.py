"""Admin for return orders, their expected items, the actions taken on them and their timeline.

Warehouse staff work here: they move return orders through their states with the actions
(one by one from an order's page, or in bulk from the list), fill in quantities received and
record what they did with each item.
"""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from catalog.admin import ProductRowsInline
from returns_portal.actors import Actor
from returns_portal.history import HistoryReadingAdmin

from ..models import ExpectedItem, ItemAction, ReturnOrder, ReturnOrderEvent
from ..services import return_order_cancel, return_order_transition
from .base import HistoryAdmin, ReadOnlyInline, StateActionsMixin, run_each

State = ReturnOrder.State


class ExpectedItemInline(ProductRowsInline):
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
    readonly_fields = ["returned_item", "actions_taken"]
    extra = 0
    show_change_link = True  # actions are recorded on the item's own page

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("returned_item__order_item__product")
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
class ReturnOrderAdmin(StateActionsMixin, HistoryReadingAdmin):
    list_display = [
        "reference",
        "warehouse",
        "order_number",
        "state",
        "type",
        "expected_item_count",
        "created_at",
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
        return (
            super()
            .get_queryset(request)
            .select_related("warehouse", "order", "shipback")  # the list and the change page
            .annotate(expected_item_count=Coalesce(Subquery(expected), 0))
        )

    @admin.display(description="order", ordering="order__order_number")
    def order_number(self, return_order):
        return return_order.order.order_number if return_order.order else return_order.source_ref

    @admin.display(description="expected items", ordering="expected_item_count")
    def expected_item_count(self, return_order):
        return return_order.expected_item_count

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
        self._move(request, queryset, State.COMPLETED, "completed")

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


class ItemActionInline(admin.TabularInline):
    model = ItemAction
    fields = ["action", "quantity", "reason", "photo", "performed_at", "performed_by"]
    readonly_fields = ["performed_by"]
    extra = 1

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
    autocomplete_fields = ["return_order", "product"]
    raw_id_fields = ["returned_item"]
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
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ItemActionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("return_order")
        return fields

    def save_formset(self, request, form, formset, change):
        if formset.model is not ItemAction:
            return super().save_formset(request, form, formset, change)
        for action in formset.save(commit=False):
            if action.pk is None:
                action.performed_by = request.user
            action.save()
        for action in formset.deleted_objects:
            action.delete()
        return None


@admin.register(ItemAction)
class ItemActionAdmin(admin.ModelAdmin):
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
    autocomplete_fields = ["expected_item"]
    fields = [
        "expected_item",
        "action",
        "quantity",
        "reason",
        "photo",
        "performed_at",
        "performed_by",
    ]
    readonly_fields = ["performed_by"]

    @admin.display(ordering="expected_item__return_order__reference")
    def return_order(self, action):
        return action.expected_item.return_order

    @admin.display(ordering="expected_item__product__reference")
    def product(self, action):
        return action.expected_item.product

    def save_model(self, request, obj, form, change):
        if not change:
            obj.performed_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReturnOrderEvent)
class ReturnOrderEventAdmin(HistoryAdmin):
    list_display = ["created_at", "return_order", "from_state", "to_state", "actor"]
    list_select_related = ["return_order"]
    list_filter = ["to_state", "created_at"]
    search_fields = ["return_order__reference", "actor", "note"]
    ordering = ["-created_at", "-id"]
