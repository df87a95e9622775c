"""Admin for brands, products and spare parts.

Also the product picker that inlines of other apps use for their product column (order items,
expected items): it renders each row's current product from the row itself, so a page with many
rows does not run one query per row.
"""

from contextlib import suppress

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from returns_portal.csvio.admin import CsvImportExportMixin
from returns_portal.errors import DomainError
from returns_portal.history import HistoryReadingAdmin

from .models import Brand, Product, SparePart
from .services import brand_delete, brand_make_default


class ProductAutocomplete(AutocompleteSelect):
    """The autocomplete product picker; shows ``known_product`` without querying for it."""

    known_product = None

    def optgroups(self, name, value, attr=None):
        known = self.known_product
        if known is None or [str(v) for v in value if v] != [str(known.pk)]:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        options.append(self.create_option(name, known.pk, str(known), True, len(options)))
        return [(None, options, 0)]


class ProductRowForm(forms.ModelForm):
    """A row with a ``product``: hands the row's product (select_related) to its picker."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.product_id and "product" in self.fields:
            widget = self.fields["product"].widget
            getattr(widget, "widget", widget).known_product = self.instance.product


class ProductRowsInline(admin.TabularInline):
    """Base for inlines whose rows pick a product among a catalog of any size."""

    form = ProductRowForm
    autocomplete_fields = ["product"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "product":
            kwargs["widget"] = ProductAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "reference", "is_default", "product_count", "created_at"]
    list_filter = ["is_default"]
    search_fields = ["name", "reference"]
    ordering = ["name"]
    # The default brand changes only through "Make default", which unsets the previous one.
    readonly_fields = ["is_default", "created_at", "updated_at"]
    actions = ["make_default"]

    def get_queryset(self, request):
        products = (
            Product.objects.filter(brand=OuterRef("pk"))
            .order_by()
            .values("brand")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(product_count=Coalesce(Subquery(products), 0))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, brand):
        return brand.product_count

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        brand_delete(brand=obj)

    def delete_queryset(self, request, queryset):
        for brand in queryset:
            try:
                brand_delete(brand=brand)
            except DomainError as exc:
                self.message_user(request, f"{brand}: {exc.message}", messages.ERROR)

    @admin.action(description="Make default", permissions=["change"])
    def make_default(self, request, queryset):
        brands = list(queryset[:2])
        if len(brands) != 1:
            self.message_user(request, "Select exactly one brand to make default.", messages.ERROR)
            return
        brand_make_default(brand=brands[0])
        self.message_user(request, f"{brands[0]} is now the default brand.", messages.SUCCESS)


class SparePartInline(admin.TabularInline):
    model = SparePart
    fields = ["reference", "name", "description", "picture"]
    extra = 0


@admin.register(Product)
class ProductAdmin(CsvImportExportMixin, HistoryReadingAdmin):
    csv_kind = "products"
    list_display = ["label", "reference", "brand", "returnable", "weight_grams", "created_at"]
    list_select_related = ["brand"]
    list_filter = ["returnable", "brand"]
    search_fields = ["label", "reference", "ean"]
    ordering = ["label"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["label", "reference", "ean", "brand", "picture", "color"]}),
        ("Returns", {"fields": ["returnable", "return_window_days"]}),
        ("Shipping", {"fields": ["weight_grams", "width_mm", "length_mm", "height_mm"]}),
        (
            "Integrations",
            {"fields": ["shipbob_inventory_id", "metadata", "created_at", "updated_at"]},
        ),
    ]
    inlines = [SparePartInline]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "brand" not in initial:
            # Without a default brand yet, the manager picks one.
            with suppress(Brand.DoesNotExist):
                initial["brand"] = Brand.objects.default().pk
        return initial


@admin.register(SparePart)
class SparePartAdmin(admin.ModelAdmin):
    list_display = ["name", "reference", "product", "created_at"]
    list_select_related = ["product"]
    list_filter = ["created_at"]
    search_fields = ["name", "reference", "product__reference"]
    ordering = ["product__label", "name"]
    autocomplete_fields = ["product"]
    readonly_fields = ["created_at", "updated_at"]
