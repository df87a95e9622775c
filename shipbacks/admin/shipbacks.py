"""Admin for shipbacks, their returned items, quotes and timeline."""

from django import forms
from django.contrib import admin, messages
from django.db import models

from orders.models import OrderItem
from returns_portal.actors import Actor
from returns_portal.errors import DomainError
from returns_portal.history import HistoryReadingAdmin

from ..models import Quote, ReturnedItem, ReturnOrder, Shipback, ShipbackEvent
from ..selectors import shipbacks_for
from ..services import shipback_cancel, shipback_delete
from ..services.editing import shipback_update
from ..services.shipbacks import OVERRIDE_FIELDS
from .base import HistoryAdmin, ReadOnlyInline, StateActionsMixin, choices_once, run_each

# Rows that go with their shipback when it is deleted: the service decides, not their own
# (read-only) admins.
GO_WITH_THE_SHIPBACK = {ShipbackEvent._meta.verbose_name, Quote._meta.verbose_name}


class ReturnedItemForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        # In the shipback's inline, "shipback" is its page's shipback; on a change page where
        # it is read-only, the item's own.
        shipback = cleaned_data.get("shipback") or (
            self.instance.shipback if self.instance.shipback_id else None
        )
        order_item = cleaned_data.get("order_item")
        if shipback is None:
            return cleaned_data
        if not shipback.is_modifiable:
            self.add_error(
                "shipback" if "shipback" in self.fields else None,
                f"Shipback {shipback} is {shipback.get_state_display().lower()}: "
                "its items can no longer change.",
            )
        if order_item is not None and order_item.order_id != shipback.order_id:
            self.add_error(
                "order_item",
                f"This item is not part of order {shipback.order}, the one shipback "
                f"{shipback} returns.",
            )
        return cleaned_data


# What staff may change on a shipback, all through shipback_update (which tells ShopRunBack);
# the rest is the customer's, the provider's or the services'.
EDITABLE_FIELDS = frozenset(
    {"mode", "dropoff_code", "pickup_datetime", "pickup_duration", "weight_grams", "metadata"}
    | OVERRIDE_FIELDS
)


class ShipbackForm(forms.ModelForm):
    def clean_relocation_warehouse(self):
        warehouse = self.cleaned_data.get("relocation_warehouse")
        if (
            warehouse is not None
            and not warehouse.active
            and "relocation_warehouse" in (self.changed_data)
        ):
            raise forms.ValidationError("This warehouse is not active.")
        return warehouse

    def clean(self):
        cleaned_data = super().clean()
        mode = cleaned_data.get("mode")
        if "mode" in self.changed_data and mode and self.instance.pk:
            offered = set(
                self.instance.quotes.filter(state=Quote.State.AVAILABLE).values_list(
                    "mode", flat=True
                )
            )
            if self.instance.quotes.exists() and mode not in offered:
                self.add_error("mode", "This mode is not among the shipback's available quotes.")
        return cleaned_data


class ReturnedItemInline(admin.TabularInline):
    model = ReturnedItem
    form = ReturnedItemForm
    fields = ["order_item", "quantity", "reason", "comment", "photo", "state"]
    readonly_fields = ["state"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_item__product", "reason")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            # Only the items of the shipback's order can be returned: a short select.
            formset.form.base_fields["order_item"].queryset = OrderItem.objects.filter(
                order=obj.order_id
            ).select_related("product")
        return choices_once(formset, "order_item", "reason")


class QuoteInline(ReadOnlyInline):
    model = Quote
    fields = ["mode", "state", "price_cents", "customer_price_cents", "computed_at", "expires_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shipback")  # each row's name shows it


class ReturnOrderInline(ReadOnlyInline):
    model = ReturnOrder
    fields = ["reference", "warehouse", "state", "tracking_number", "created_at"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warehouse")


class ShipbackEventInline(ReadOnlyInline):
    model = ShipbackEvent
    verbose_name_plural = "timeline"
    fields = ["created_at", "from_state", "to_state", "returned_item", "actor", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("returned_item__order_item__product")


@admin.register(Shipback)
class ShipbackAdmin(StateActionsMixin, HistoryReadingAdmin):
    list_display = [
        "rma",
        "order_number",
        "customer_name",
        "state",
        "mode",
        "created_at",
        "registered_at",
    ]
    list_select_related = ["order", "customer"]
    list_filter = ["state", "mode", "created_at", "registered_at"]
    search_fields = [
        "rma",
        "order__order_number",
        "customer__email",
        "customer__last_name",
        "tracking_number",
    ]
    ordering = ["-created_at"]
    autocomplete_fields = ["order", "customer", "relocation_warehouse"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    form = ShipbackForm
    readonly_fields = [
        "rma",
        "order",  # its returned items are that order's items
        "customer",  # changed on its own page (customer_update)
        "state",
        "created_at",
        "updated_at",
        # Figures, label and ids the provider gave.
        "price_cents",
        "customer_price_cents",
        "label_file",
        "label_url",
        "carrier",
        "tracking_number",
        "shoprunback_id",
        *Shipback.MILESTONES.values(),
    ]
    fieldsets = [
        (None, {"fields": ["rma", "order", "customer", "state", "created_at", "updated_at"]}),
        (
            "Sending back",
            {
                "fields": [
                    "mode",
                    "dropoff_code",
                    "pickup_datetime",
                    "pickup_duration",
                    "weight_grams",
                    "price_cents",
                    "customer_price_cents",
                ]
            },
        ),
        (
            "Label and tracking",
            {"fields": ["label_file", "label_url", "carrier", "tracking_number", "shoprunback_id"]},
        ),
        (
            "Overrides",
            {
                "fields": [
                    "relocation_warehouse",
                    "postal_customer_price_cents",
                    "pickup_customer_price_cents",
                    "dropoff_customer_price_cents",
                    "try_at_home",
                    "metadata",
                ]
            },
        ),
        ("Milestones", {"fields": list(Shipback.MILESTONES.values())}),
    ]
    inlines = [ReturnedItemInline, QuoteInline, ReturnOrderInline, ShipbackEventInline]
    actions = ["cancel_shipbacks"]
    state_actions = {"cancel_shipbacks": (Shipback.State.CANCELLED, "Cancel")}

    @admin.display(description="order", ordering="order__order_number")
    def order_number(self, shipback):
        return shipback.order.order_number

    @admin.display(description="customer", ordering="customer__last_name")
    def customer_name(self, shipback):
        return shipback.customer.full_name

    # Shipbacks are created with their items by shipback_create (the portal, the API).
    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return shipbacks_for(request.user, super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data) & EDITABLE_FIELDS
        if not changed:
            return
        values = {name: form.cleaned_data[name] for name in changed}
        shipback_update(
            shipback_id=obj.pk,
            actor=Actor.staff(request.user),
            metadata=values.pop("metadata", None),
            overrides={name: values.pop(name) for name in changed & OVERRIDE_FIELDS},
            **values,
        )
        obj.refresh_from_db()

    # Once registered, a shipback belongs to its return orders and the provider.
    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_modifiable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_modifiable:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - GO_WITH_THE_SHIPBACK, protected

    def delete_model(self, request, obj):
        shipback_delete(shipback_id=obj.pk, actor=Actor.staff(request.user))

    def delete_queryset(self, request, queryset):
        actor = Actor.staff(request.user)
        for shipback in queryset:
            try:
                shipback_delete(shipback_id=shipback.pk, actor=actor)
            except DomainError as exc:
                self.message_user(request, f"{shipback}: {exc.message}", messages.ERROR)

    @admin.action(description="Cancel selected shipbacks", permissions=["change"])
    def cancel_shipbacks(self, request, queryset):
        actor = Actor.staff(request.user)
        run_each(
            self,
            request,
            queryset,
            lambda shipback: shipback_cancel(shipback_id=shipback.pk, actor=actor),
            "cancelled",
        )


@admin.register(ReturnedItem)
class ReturnedItemAdmin(admin.ModelAdmin):
    form = ReturnedItemForm
    list_display = ["shipback", "order_item", "quantity", "reason", "state", "created_at"]
    list_select_related = ["shipback", "order_item__product", "reason"]
    list_filter = ["state", "reason", "created_at"]
    search_fields = ["shipback__rma", "order_item__reference", "order_item__order__order_number"]
    ordering = ["-created_at"]
    autocomplete_fields = ["shipback", "order_item"]
    fields = ["shipback", "order_item", "quantity", "reason", "comment", "photo", "state"]
    readonly_fields = ["state", "created_at", "updated_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("shipback__order")
        return shipbacks_for(request.user, queryset, "shipback")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("shipback")
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.shipback.is_modifiable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.shipback.is_modifiable:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - GO_WITH_THE_SHIPBACK, protected


@admin.register(Quote)
class QuoteAdmin(HistoryAdmin):
    """Quotes are the provider's answers: read here, written by quote_record_result."""

    list_display = [
        "shipback",
        "mode",
        "state",
        "price_cents",
        "customer_price_cents",
        "computed_at",
        "expires_at",
    ]
    list_select_related = ["shipback"]
    list_filter = ["state", "mode", "created_at"]
    search_fields = ["shipback__rma", "provider_reference"]
    ordering = ["-created_at"]


@admin.register(ShipbackEvent)
class ShipbackEventAdmin(HistoryAdmin):
    list_display = ["created_at", "shipback", "returned_item", "from_state", "to_state", "actor"]
    list_select_related = ["shipback", "returned_item__order_item__product"]
    list_filter = ["to_state", "created_at"]
    search_fields = ["shipback__rma", "actor", "note"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self, request):
        return shipbacks_for(request.user, super().get_queryset(request), "shipback")
