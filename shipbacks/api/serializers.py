"""Serializers of the shipbacks API: shipbacks, returned items, quotes, warehouses, reasons."""

from django.http import Http404
from rest_framework import serializers

from orders.api import AddressSerializer, CustomerSerializer
from orders.models import Order
from returns_portal.api.serializers import ApiModelSerializer, ExactCharField, LookupField
from returns_portal.api.views import find_by_id_or_key

from ..models import Quote, ReturnedItem, ReturnReason, Shipback, Warehouse


class ReasonSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = ReturnReason
        fields = ["code", "label", "label_en", "label_fr", "requires_photo", "position"]

    def get_label(self, reason) -> str:
        return reason.label(self.context.get("locale"))


class ReturnedItemSerializer(ApiModelSerializer):
    reason_code = serializers.SlugRelatedField(
        slug_field="code", queryset=ReturnReason.objects.all(), source="reason"
    )
    item_id = serializers.CharField(write_only=True)
    item = serializers.SerializerMethodField()

    class Meta:
        model = ReturnedItem
        fields = ["id", "item_id", "item", "reason_code", "quantity", "comment", "state"]
        read_only_fields = ["state"]
        validators = []

    def get_item(self, returned) -> dict:
        item = returned.order_item
        return {
            "id": str(item.pk),
            "reference": item.reference,
            "label": item.display_label,
            "barcode": item.barcode,
            "product_id": str(item.product_id),
        }


class ReturnedItemUpdateSerializer(ReturnedItemSerializer):
    item_id = None

    class Meta(ReturnedItemSerializer.Meta):
        fields = ["id", "item", "reason_code", "quantity", "comment", "state"]


class QuoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quote
        fields = [
            "id",
            "state",
            "mode",
            "price_cents",
            "customer_price_cents",
            "dropoff_points",
            "pickup_slots",
            "computed_at",
            "expires_at",
        ]


class OverridesSerializer(serializers.Serializer):
    relocation_warehouse_id = LookupField(
        queryset=Warehouse.objects.all(),
        natural_key="reference",
        source="relocation_warehouse",
        required=False,
        allow_null=True,
    )
    dropoff_customer_price_cents = serializers.IntegerField(min_value=0, required=False)
    postal_customer_price_cents = serializers.IntegerField(min_value=0, required=False)
    pickup_customer_price_cents = serializers.IntegerField(min_value=0, required=False)
    try_at_home = serializers.BooleanField(required=False)


class ShipbackSerializer(ApiModelSerializer):
    order_id = serializers.UUIDField(source="order.pk", read_only=True)
    order_number = serializers.CharField(source="order.order_number", read_only=True)
    customer = CustomerSerializer(read_only=True)
    returned_items = ReturnedItemSerializer(many=True, read_only=True)
    quotes = QuoteSerializer(many=True, read_only=True)
    weight_in_grams = serializers.SerializerMethodField()
    computed_weight_in_grams = serializers.SerializerMethodField()
    label_url = serializers.SerializerMethodField()
    tracking_number = serializers.SerializerMethodField()
    public_url = serializers.CharField(read_only=True)
    overrides = serializers.SerializerMethodField()

    class Meta:
        model = Shipback
        fields = [
            "id",
            "rma",
            "state",
            "mode",
            "order_id",
            "order_number",
            "customer",
            "returned_items",
            "quotes",
            "dropoff_code",
            "pickup_datetime",
            "pickup_duration",
            "weight_in_grams",
            "computed_weight_in_grams",
            "price_cents",
            "customer_price_cents",
            "public_url",
            "label_url",
            "tracking_number",
            "overrides",
            "metadata",
            "registered_at",
            "labelled_at",
            "delivered_at",
            "relocated_at",
            "created_at",
            "updated_at",
        ]

    def get_computed_weight_in_grams(self, shipback) -> int:
        return sum(
            (item.order_item.product.weight_grams or 0) * item.quantity
            for item in shipback.returned_items.all()
        )

    def get_weight_in_grams(self, shipback) -> int:
        return shipback.weight_grams or self.get_computed_weight_in_grams(shipback)

    def get_label_url(self, shipback) -> str | None:
        if not shipback.label_file and not shipback.label_url:
            return None
        if shipback.label_file:
            request = self.context.get("request")
            url = shipback.label_file.url
            return request.build_absolute_uri(url) if request else url
        return shipback.label_url

    def get_tracking_number(self, shipback) -> str | None:
        return shipback.tracking_number or None

    def get_overrides(self, shipback) -> dict:
        warehouse = shipback.relocation_warehouse
        return {
            "relocation_warehouse_id": str(warehouse.pk) if warehouse else None,
            "dropoff_customer_price_cents": shipback.dropoff_customer_price_cents,
            "postal_customer_price_cents": shipback.postal_customer_price_cents,
            "pickup_customer_price_cents": shipback.pickup_customer_price_cents,
            "try_at_home": shipback.try_at_home,
        }


class ItemChoiceSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    reason_code = serializers.SlugRelatedField(
        slug_field="code", queryset=ReturnReason.objects.all()
    )
    quantity = serializers.IntegerField(min_value=1, default=1)
    comment = ExactCharField(required=False, allow_blank=True, default="")


class ShipbackWriteSerializer(serializers.Serializer):
    """What a create or an update may set. Unknown and read-only keys are ignored."""

    mode = serializers.ChoiceField(choices=Shipback.Mode.choices, required=False, allow_blank=True)
    dropoff_code = ExactCharField(required=False, allow_blank=True, max_length=50)
    pickup_datetime = serializers.DateTimeField(required=False, allow_null=True)
    pickup_duration = serializers.IntegerField(required=False, min_value=1, allow_null=True)
    weight_in_grams = serializers.IntegerField(required=False, min_value=1, source="weight_grams")
    metadata = serializers.JSONField(required=False)
    overrides = OverridesSerializer(required=False)

    def validate_metadata(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("metadata is an object of keys and values.")
        return value


class ShipbackCreateSerializer(ShipbackWriteSerializer):
    order_id = LookupField(queryset=Order.objects.all(), natural_key="order_number")
    items = ItemChoiceSerializer(many=True, required=False)
    returned_items = ItemChoiceSerializer(many=True, required=False)
    customer = CustomerSerializer(required=False)

    def validate(self, attrs):
        items = attrs.pop("items", None) or attrs.pop("returned_items", None) or []
        attrs.pop("returned_items", None)
        if not items:
            raise serializers.ValidationError({"items": "List the items returned."})
        order = attrs["order_id"]
        attrs["items"] = [
            {**choice, "order_item": find_order_item(order, choice["item_id"], f"items[{i}]")}
            for i, choice in enumerate(items)
        ]
        return attrs


def find_order_item(order, item_id: str, field: str):
    """An item of ``order`` by its id or its reference (ShopRunBack's two-call flow)."""
    try:
        return find_by_id_or_key(order.items.select_related("product"), item_id, "reference")
    except Http404 as exc:
        raise serializers.ValidationError(
            {field: {"item_id": f"Order {order} has no item {item_id!r}."}}
        ) from exc


class WarehouseSerializer(ApiModelSerializer):
    address = AddressSerializer()

    class Meta:
        model = Warehouse
        fields = [
            "id",
            "name",
            "reference",
            "address",
            "provider",
            "shippingbo_supplier_id",
            "shipbob_fulfillment_center_id",
            "kibo_location_id",
            "accepts_direct_returns",
            "active",
            "created_at",
        ]
