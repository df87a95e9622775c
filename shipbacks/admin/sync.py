"""Admin for provider sync: the outbox of provider calls and the webhooks the providers sent.

Both are records of what happened: read here, never edited. Staff filter them by status,
provider and operation, read the provider's error, and retry in bulk once the data is fixed.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from ..models import InboundEvent, ProviderCall
from ..services.sync.inbound import inbound_event_retry
from ..services.sync.recovery import call_cancel, call_retry
from .base import run_each


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Written by the services only; ``change`` permission runs the actions."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(ProviderCall)
class ProviderCallAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "id",
        "provider",
        "operation",
        "record",
        "state",
        "attempts",
        "short_error",
        "next_attempt_at",
        "updated_at",
    ]
    list_display_links = ["id", "operation"]
    list_select_related = ["shipback", "return_order"]
    list_filter = ["state", "provider", "operation", "created_at", "completed_at"]
    search_fields = ["target", "idempotency_key", "last_error"]
    ordering = ["-id"]
    date_hierarchy = "created_at"
    actions = ["retry_calls", "cancel_calls"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "provider",
                    "operation",
                    "target",
                    "shipback",
                    "return_order",
                    "state",
                    "idempotency_key",
                ]
            },
        ),
        (
            "Attempts",
            {
                "fields": [
                    "attempts",
                    "failures",
                    "last_status",
                    "last_error",
                    "error_details",
                    "next_attempt_at",
                    "enqueued_for",
                    "claimed_until",
                    "deadline",
                ]
            },
        ),
        ("Data", {"fields": ["payload", "result"]}),
        ("History", {"fields": ["created_at", "updated_at", "completed_at"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        # How many calls are in each status: the first thing to check when something is stuck.
        counts = dict(ProviderCall.objects.values_list("state").annotate(n=Count("pk")).order_by())
        extra_context = {
            **(extra_context or {}),
            "subtitle": ", ".join(
                f"{counts.get(state, 0)} {label.lower()}"
                for state, label in ProviderCall.State.choices
            ),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="record", ordering="target")
    def record(self, call):
        obj = call.shipback or call.return_order
        if obj is None:
            return call.target
        url = reverse(
            f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )
        return format_html('<a href="{}">{}</a>', url, call.target)

    @admin.display(description="last error", ordering="last_error")
    def short_error(self, call):
        return Truncator(call.last_error).chars(120) or "-"

    @admin.action(description="Retry selected failed calls", permissions=["change"])
    def retry_calls(self, request, queryset):
        # In the order they were written: a create goes before the calls that need it.
        run_each(
            self,
            request,
            queryset.order_by("pk"),
            lambda call: call_retry(call_id=call.pk),
            "sent again",
        )

    @admin.action(description="Cancel selected calls (send nothing more)", permissions=["change"])
    def cancel_calls(self, request, queryset):
        note = f"Cancelled by {request.user.get_username()}."
        run_each(
            self,
            request,
            queryset.order_by("pk"),
            lambda call: call_cancel(call_id=call.pk, note=note),
            "cancelled",
        )


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "received_at",
        "provider",
        "event_type",
        "target",
        "state",
        "short_error",
        "processed_at",
    ]
    list_filter = ["state", "provider", "event_type", "received_at"]
    search_fields = ["event_id", "target", "error"]
    ordering = ["-received_at", "-id"]
    date_hierarchy = "received_at"
    actions = ["apply_again"]

    @admin.display(description="error", ordering="error")
    def short_error(self, event):
        return Truncator(event.error).chars(120) or "-"

    @admin.action(
        description="Apply selected failed or ignored events again", permissions=["change"]
    )
    def apply_again(self, request, queryset):
        run_each(
            self,
            request,
            queryset.order_by("received_at", "pk"),
            lambda event: inbound_event_retry(event_id=event.pk),
            "queued to be applied again",
        )
