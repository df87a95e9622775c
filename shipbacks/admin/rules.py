"""Admin for warehouses, return reasons, the return policy and the relocation/sponsoring rules."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from returns_portal.history import HistoryReadingAdmin

from ..models import RelocationRule, ReturnPolicy, ReturnReason, SponsoringRule, Warehouse
from ..services.rules import (
    SPONSORING_RULE_FIELDS,
    sponsoring_rule_create,
    sponsoring_rule_update,
)


@admin.register(Warehouse)
class WarehouseAdmin(HistoryReadingAdmin):
    list_display = [
        "name",
        "reference",
        "provider",
        "city",
        "accepts_direct_returns",
        "active",
        "created_at",
    ]
    list_select_related = ["address"]
    list_filter = ["provider", "active", "accepts_direct_returns"]
    search_fields = ["name", "reference", "address__city"]
    ordering = ["name"]
    autocomplete_fields = ["address"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "reference", "address", "accepts_direct_returns", "active"]}),
        (
            "Provider",
            {
                "fields": [
                    "provider",
                    "shippingbo_supplier_id",
                    "shipbob_fulfillment_center_id",
                    "kibo_location_id",
                ],
                "description": "A Shippingbo, ShipBob or Kibo warehouse needs its id there.",
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(ordering="address__city")
    def city(self, warehouse):
        return warehouse.address.city


@admin.register(ReturnReason)
class ReturnReasonAdmin(HistoryReadingAdmin):
    list_display = ["code", "label_en", "label_fr", "requires_photo", "active", "position"]
    list_filter = ["active", "requires_photo"]
    search_fields = ["code", "label_en", "label_fr"]
    ordering = ["position", "code"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(HistoryReadingAdmin):
    """One row (pk 1): the list leads straight to it; it is never added twice nor deleted."""

    list_display = ["__str__", "window_days", "window_starts_at", "updated_at"]
    readonly_fields = ["updated_at"]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        policy = ReturnPolicy.current()
        return HttpResponseRedirect(
            reverse(
                "admin:shipbacks_returnpolicy_change",
                args=[policy.pk],
                current_app=self.admin_site.name,
            )
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReturnPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class RuleAdmin(HistoryReadingAdmin):
    list_select_related = ["reason"]
    list_filter = ["reason", "country_code"]
    search_fields = ["country_code", "reason__code", "reason__label_en"]
    ordering = ["reason__position", "reason__code", "country_code"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(ordering="reason__position", empty_value="any reason")
    def for_reason(self, rule):
        return rule.reason

    @admin.display(ordering="country_code")
    def for_country(self, rule):
        return rule.country_code or "any country"


@admin.register(RelocationRule)
class RelocationRuleAdmin(RuleAdmin):
    list_display = ["for_reason", "for_country", "warehouse", "updated_at"]
    list_select_related = ["reason", "warehouse"]
    list_filter = ["warehouse", "reason", "country_code"]
    search_fields = [*RuleAdmin.search_fields, "warehouse__name", "warehouse__reference"]
    autocomplete_fields = ["warehouse"]
    fields = ["reason", "country_code", "warehouse", "created_at", "updated_at"]


@admin.register(SponsoringRule)
class SponsoringRuleAdmin(RuleAdmin):
    list_display = [
        "for_reason",
        "for_country",
        "percentage",
        "merchant_fee_min_cents",
        "merchant_fee_max_cents",
        "customer_fee_min_cents",
        "customer_fee_max_cents",
    ]

    def save_model(self, request, obj, form, change):
        """Through the services, so a new rule is announced to integrators."""
        fields = {name: getattr(obj, name) for name in SPONSORING_RULE_FIELDS}
        if change:
            sponsoring_rule_update(rule=obj, **fields)
            return
        rule = sponsoring_rule_create(**fields)
        # The admin goes on with ``obj`` (its log entry, its page): make it the created row.
        for field in ("id", "created_at", "updated_at"):
            setattr(obj, field, getattr(rule, field))
        obj._state.adding = False
