"""Admin for addresses, customers, orders, their items and shipments."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalog.admin import ProductRowsInline
from returns_portal.csvio.admin import CsvImportExportMixin
from returns_portal.errors import DomainError
from returns_portal.history import HistoryReadingAdmin

from .models import Address, Customer, Order, OrderItem, Shipment
from .services import order_delete


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["line1", "zipcode", "city", "country_code", "created_at"]
    list_filter = ["country_code"]
    search_fields = ["line1", "zipcode", "city"]
    ordering = ["country_code", "city", "line1"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "phone", "locale", "city", "created_at"]
    list_select_related = ["address"]
    list_filter = ["locale", "created_at"]
    search_fields = ["email", "last_name", "first_name"]
    ordering = ["last_name", "first_name"]
    autocomplete_fields = ["address"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(ordering="address__city")
    def city(self, customer):
        return customer.address.city if customer.address else ""


class OrderItemInline(ProductRowsInline):
    model = OrderItem
    fields = ["product", "reference", "label", "barcode", "price_cents", "currency", "quantity"]
    extra = 0
    min_num = 1  # an order has at least one item

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("validate_min", True)
        return super().get_formset(request, obj, **kwargs)


class ShipmentInline(admin.TabularInline):
    model = Shipment
    fields = [
        "carrier",
        "tracking_number",
        "shipped_at",
        "delivered_at",
        "shipbob_shipment_id",
        "kibo_shipment_id",
    ]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")  # each row's name shows it


class HasShipbackFilter(admin.SimpleListFilter):
    title = "shipback"
    parameter_name = "has_shipback"

    def lookups(self, request, model_admin):
        return [("yes", "With a shipback"), ("no", "Without a shipback")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_shipback=True)
        if self.value() == "no":
            return queryset.filter(has_shipback=False)
        return queryset


@admin.register(Order)
class OrderAdmin(CsvImportExportMixin, HistoryReadingAdmin):
    csv_kind = "orders"
    list_display = [
        "order_number",
        "ordered_at",
        "customer_name",
        "item_count",
        "has_shipback",
        "created_at",
    ]
    list_select_related = ["customer"]
    list_filter = [HasShipbackFilter, "ordered_at", "created_at"]
    search_fields = [
        "order_number",
        "customer__email",
        "customer__last_name",
        "customer__first_name",
    ]
    ordering = ["-ordered_at", "-created_at"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["returns", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["order_number", "ordered_at", "customer", "returns"]}),
        (
            "Source and integrations",
            {
                "fields": [
                    "source",
                    "source_ref",
                    "tags",
                    "metadata",
                    "shippingbo_order_id",
                    "kibo_order_id",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [OrderItemInline, ShipmentInline]

    def get_queryset(self, request):
        items = (
            OrderItem.objects.filter(order=OuterRef("pk"))
            .order_by()
            .values("order")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # Through the reverse relation: orders does not import the shipbacks app.
        with_shipback = Order.objects.filter(pk=OuterRef("pk"), shipbacks__isnull=False)
        return (
            super()
            .get_queryset(request)
            .annotate(item_count=Coalesce(Subquery(items), 0), has_shipback=Exists(with_shipback))
        )

    @admin.display(description="customer", ordering="customer__last_name")
    def customer_name(self, order):
        return order.customer.full_name

    @admin.display(description="items", ordering="item_count")
    def item_count(self, order):
        return order.item_count

    @admin.display(description="shipback", boolean=True, ordering="has_shipback")
    def has_shipback(self, order):
        return order.has_shipback

    @admin.display(description="shipbacks and return orders")
    def returns(self, order):
        if order._state.adding:
            return "-"
        links = [
            (reverse("admin:shipbacks_shipback_change", args=[s.pk]), s.rma, s.get_state_display())
            for s in order.shipbacks.all()
        ] + [
            (reverse("admin:shipbacks_returnorder_change", args=[r.pk]), r, r.get_state_display())
            for r in order.return_orders.all()
        ]
        if not links:
            return "-"
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> ({})</li>', links)
        )

    def delete_model(self, request, obj):
        order_delete(order=obj)

    def delete_queryset(self, request, queryset):
        for order in queryset:
            try:
                order_delete(order=order)
            except DomainError as exc:
                self.message_user(request, f"{order}: {exc.message}", messages.ERROR)


@admin.register(OrderItem)
class OrderItemAdmin(admin.ModelAdmin):
    list_display = ["reference", "order", "product", "label", "quantity", "price_cents", "currency"]
    list_select_related = ["order", "product"]
    list_filter = ["created_at"]
    search_fields = ["reference", "label", "barcode", "order__order_number", "product__reference"]
    ordering = ["-created_at"]
    autocomplete_fields = ["order", "product"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["order", "carrier", "tracking_number", "shipped_at", "delivered_at"]
    list_select_related = ["order"]
    list_filter = ["carrier", "shipped_at", "delivered_at"]
    search_fields = ["tracking_number", "order__order_number"]
    ordering = ["-shipped_at"]
    autocomplete_fields = ["order"]
    readonly_fields = ["created_at", "updated_at"]
