"""Admin for integrators: their API tokens, webhook endpoints, deliveries and idempotency keys.

Tokens are issued here (the raw token is shown once, on the page that follows) and revoked with
an action; deliveries are read-only, with their attempts and last response, and can be resent.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.db import models
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html

from .models import ApiToken, IdempotencyKey, Integrator, WebhookDelivery, WebhookEndpoint
from .services import api_token_create, api_token_revoke
from .webhooks import webhook_resend

# Endpoint URLs are typed in full; Django 6 will assume https for a bare host.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system: whoever may view them reads them, nobody edits them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    fields = ["prefix", "label", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # issued from the API token page, where the raw token is shown once


class WebhookEndpointInline(admin.TabularInline):
    model = WebhookEndpoint
    fields = ["url", "events", "active"]
    extra = 0
    show_change_link = True
    formfield_overrides = URL_FIELDS


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_name", "contact_email", "active", "token_count", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "contact_name", "contact_email"]
    fields = ["name", "contact_name", "contact_email", "active"]
    inlines = [ApiTokenInline, WebhookEndpointInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.annotate(active_tokens=Count("tokens", filter=Q(tokens__revoked_at=None)))

    @admin.display(description="active tokens", ordering="active_tokens")
    def token_count(self, integrator):
        return integrator.active_tokens


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "integrator", "label", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["integrator", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["integrator"]
    search_fields = ["prefix", "label", "integrator__name"]
    actions = ["revoke"]
    issued_template = "admin/returns_portal/apitoken/issued.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["integrator", "label"]
        return ["integrator", "label", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["integrator", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = api_token_create(integrator=obj.integrator, label=obj.label)
        # The admin goes on with ``obj`` (its log entry, its page): make it the issued row.
        for field in ("id", "prefix", "key_hash", "created_at"):
            setattr(obj, field, getattr(token, field))
        obj._state.adding = False
        obj._raw_token = raw

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that shows the raw token; it is stored hashed and never shown again."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "API token issued",
            "token": obj,
            "raw_token": obj._raw_token,
        }
        response = TemplateResponse(request, self.issued_template, context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at=None):
            api_token_revoke(token=token)
            count += 1
        self.message_user(
            request, f"{count} {model_ngettext(self.opts, count)} revoked.", messages.SUCCESS
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "integrator", "event_list", "active", "delivery_count", "created_at"]
    list_filter = ["active", "integrator"]
    list_select_related = ["integrator"]
    search_fields = ["url", "integrator__name"]
    fields = ["url", "integrator", "events", "active", "secret"]
    formfield_overrides = URL_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(deliveries_count=Count("deliveries"))

    @admin.display(description="events")
    def event_list(self, endpoint):
        return ", ".join(endpoint.events) or "every event"

    @admin.display(description="deliveries", ordering="deliveries_count")
    def delivery_count(self, endpoint):
        return endpoint.deliveries_count


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "event",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["state", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["event", "event_id", "endpoint__url"]
    date_hierarchy = "created_at"
    fields = [
        "event",
        "event_id",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "pretty_body",
    ]
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description="body")
    def pretty_body(self, delivery):
        try:
            text = json.dumps(json.loads(delivery.body), indent=2, ensure_ascii=False)
        except ValueError:
            text = delivery.body
        return format_html("<pre>{}</pre>", text)

    def has_resend_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Resend the selected deliveries", permissions=["resend"])
    def resend(self, request, queryset):
        count = 0
        for delivery in queryset.select_related("endpoint"):
            webhook_resend(delivery=delivery)
            count += 1
        self.message_user(
            request,
            f"{count} {model_ngettext(self.opts, count)} queued to be sent again.",
            messages.SUCCESS,
        )


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["key", "integrator", "state", "response_status", "created_at"]
    list_filter = ["state", "integrator"]
    list_select_related = ["integrator"]
    search_fields = ["key"]
    fields = [
        "key",
        "integrator",
        "state",
        "fingerprint",
        "response_status",
        "response_content_type",
        "created_at",
    ]
    readonly_fields = fields
