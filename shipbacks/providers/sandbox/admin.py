"""The sandbox in the admin: what each simulated provider holds, the webhooks it sent, and actions
that move a record to its next state now (sending the provider's webhook), instead of waiting.

Registered only while PROVIDERS_SANDBOX is on; superusers see it (no role includes it).
"""

from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction

from . import kibo, pushes, shipbob, shippingbo, shoprunback
from .http import SandboxError
from .models import (
    KiboReturn,
    OutgoingWebhook,
    ShipBobReturn,
    ShippingboOrder,
    ShippingboReturnOrder,
    ShopRunBackRecord,
    ShopRunBackShipback,
)


def _advance_each(modeladmin, request, queryset, advance) -> None:
    moved = [record for record in queryset if advance(record.pk)]
    stuck = queryset.count() - len(moved)
    if moved:
        modeladmin.message_user(request, f"{len(moved)} moved to their next state.")
    if stuck:
        modeladmin.message_user(
            request,
            f"{stuck} unchanged: no next state the provider takes on its own from there "
            "(a final state, or a shipback waiting for its customer to register it).",
            messages.WARNING,
        )


def _error_message(error: SandboxError) -> str:
    body = error.body if isinstance(error.body, dict) else {}
    return str(body.get("detail") or body.get("error") or body.get("message") or body)


class SandboxAdmin(admin.ModelAdmin):
    """States change through the actions, as the provider would change them."""

    readonly_fields = ["state", "state_changed_at", "created_at", "updated_at"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # created through the provider's API, as at the provider


@admin.register(ShopRunBackRecord)
class ShopRunBackRecordAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["reference", "id"]
    readonly_fields = ["id", "created_at", "updated_at"]


@admin.register(ShopRunBackShipback)
class ShopRunBackShipbackAdmin(SandboxAdmin):
    list_display = ["rma", "state", "mode", "order", "registered_at", "created_at"]
    list_filter = ["state", "mode"]
    search_fields = ["rma", "id", "order__reference"]
    list_select_related = ["order"]
    readonly_fields = [
        "id", "order", "rma", "mode", "quotes_requested_at", "registered_at", "base_url",
        *SandboxAdmin.readonly_fields,
    ]  # fmt: skip
    actions = ["advance"]

    @admin.action(description="Move to the next state now (labelled, delivering, … relocated)")
    def advance(self, request, queryset):
        _advance_each(self, request, queryset, shoprunback.advance)


@admin.register(ShippingboOrder)
class ShippingboOrderAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "source_ref", "created_at"]
    search_fields = ["id", "source_ref"]


@admin.register(ShippingboReturnOrder)
class ShippingboReturnOrderAdmin(SandboxAdmin):
    list_display = ["id", "reason_ref", "state", "order_id", "supplier_id", "created_at"]
    list_filter = ["state", "supplier_id"]
    search_fields = ["id", "reason_ref", "source_ref"]
    actions = ["advance", "cancel", "in_trouble"]

    @admin.action(description="Move to the next state now (sent to logistics, returned, closed)")
    def advance(self, request, queryset):
        _advance_each(self, request, queryset, shippingbo.advance)

    @admin.action(description="Cancel")
    def cancel(self, request, queryset):
        self._set_state(request, queryset, ShippingboReturnOrder.State.CANCELED)

    @admin.action(description="Mark in trouble")
    def in_trouble(self, request, queryset):
        self._set_state(request, queryset, ShippingboReturnOrder.State.IN_TROUBLE)

    def _set_state(self, request, queryset, state):
        for record in queryset:
            try:
                shippingbo.set_state(record.pk, {"state": state})
            except SandboxError as error:
                self.message_user(request, f"{record}: {_error_message(error)}", messages.ERROR)


@admin.register(ShipBobReturn)
class ShipBobReturnAdmin(SandboxAdmin):
    list_display = ["id", "reference_id", "state", "fulfillment_center_id", "created_at"]
    list_filter = ["state", "fulfillment_center_id"]
    search_fields = ["id", "reference_id"]
    actions = ["advance", "cancel"]

    @admin.action(description="Move to the next status now (arrived, processing, completed)")
    def advance(self, request, queryset):
        _advance_each(self, request, queryset, shipbob.advance)

    @admin.action(description="Cancel (only while awaiting arrival)")
    def cancel(self, request, queryset):
        for record in queryset:
            try:
                shipbob.cancel(record.pk)
            except SandboxError as error:
                self.message_user(request, f"{record}: {_error_message(error)}", messages.ERROR)


@admin.register(KiboReturn)
class KiboReturnAdmin(SandboxAdmin):
    list_display = ["id", "state", "order_id", "shipment_id", "created_at"]
    list_filter = ["state"]
    search_fields = ["id", "order_id"]
    actions = ["advance"]

    @admin.action(description="Move to the next status now (processing, closed)")
    def advance(self, request, queryset):
        _advance_each(self, request, queryset, kibo.advance)


@admin.register(OutgoingWebhook)
class OutgoingWebhookAdmin(admin.ModelAdmin):
    list_display = ["event", "provider", "object_id", "status", "attempts", "response_status"]
    list_display += ["created_at", "sent_at"]
    list_filter = ["provider", "status", "event"]
    search_fields = ["object_id", "event_id", "event"]
    readonly_fields = [field.name for field in OutgoingWebhook._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again")
    def send_again(self, request, queryset):
        with transaction.atomic():
            for webhook in queryset:
                pushes.resend(webhook)
        self.message_user(request, f"{queryset.count()} webhooks queued.")


if not settings.PROVIDERS_SANDBOX:
    for model in (
        ShopRunBackRecord,
        ShopRunBackShipback,
        ShippingboOrder,
        ShippingboReturnOrder,
        ShipBobReturn,
        KiboReturn,
        OutgoingWebhook,
    ):
        admin.site.unregister(model)
