"""Serializers of the shipbacks API: shipbacks, their returned items, quotes and overrides."""

from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.api import CustomerSerializer
from orders.models import Order
from returns_portal.api.serializers import (
    ApiModelSerializer,
    CodeField,
    ExactCharField,
    LookupField,
    MetadataField,
    StrictIntegerField,
)
from returns_portal.api.views import find_by_id_or_key

from ..models import Quote, ReturnedItem, ReturnReason, Shipback, Warehouse


class OrderItemSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    label = serializers.CharField()
    barcode = serializers.CharField()
    product_id = serializers.UUIDField()


class ReturnedItemSerializer(ApiModelSerializer):
    item_id = serializers.UUIDField(source="order_item_id", read_only=True)
    item = serializers.SerializerMethodField()
    reason_code = serializers.CharField(source="reason.code", read_only=True)

    class Meta:
        model = ReturnedItem
        fields = ["id", "item_id", "item", "reason_code", "quantity", "comment", "state"]

    @extend_schema_field(OrderItemSummarySerializer)
    def get_item(self, returned):
        item = returned.order_item
        return {
            "id": str(item.pk),
            "reference": item.reference,
            "label": item.display_label,
            "barcode": item.barcode,
            "product_id": str(item.product_id),
        }


class ItemChoiceSerializer(serializers.Serializer):
    """An item of the order to return, and why."""

    item_id = serializers.CharField(help_text="The order item's UUID or its reference.")
    reason_code = CodeField(
        slug_field="code", queryset=ReturnReason.objects.all(), help_text="See /reasons."
    )
    quantity = StrictIntegerField(min_value=1, default=1)
    comment = ExactCharField(required=False, allow_blank=True, default="")


class ReturnedItemUpdateSerializer(serializers.Serializer):
    reason_code = CodeField(
        slug_field="code", queryset=ReturnReason.objects.all(), source="reason", required=False
    )
    quantity = StrictIntegerField(min_value=1, required=False)
    comment = ExactCharField(required=False, allow_blank=True)


class DropoffPointSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Give it as dropoff_code when choosing this point.")
    name = serializers.CharField()
    address = serializers.CharField()
    opening_hours = serializers.JSONField(allow_null=True)


class PickupSlotSerializer(serializers.Serializer):
    pickup_datetime = serializers.CharField(help_text="As given: send it back as is.")
    pickup_duration = serializers.IntegerField(help_text="Minutes.")


class QuoteSerializer(ApiModelSerializer):
    dropoff_points = DropoffPointSerializer(
        many=True, required=False, help_text="Dropoff quotes only: the points offered."
    )
    pickup_slots = PickupSlotSerializer(
        many=True, required=False, help_text="Pickup quotes only: the slots offered."
    )

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

    def to_representation(self, quote):
        data = {
            "id": str(quote.pk),
            "state": quote.state,
            "mode": quote.mode,
            "price_cents": quote.price_cents,
            "customer_price_cents": quote.customer_price_cents,
        }
        if quote.mode == Quote.Mode.DROPOFF:
            data["dropoff_points"] = [
                {
                    "code": str(point.get("code", "")),
                    "name": point.get("name", ""),
                    "address": point.get("address", ""),
                    "opening_hours": point.get("opening_hours"),
                }
                for point in quote.dropoff_points or []
            ]
        if quote.mode == Quote.Mode.PICKUP:
            data["pickup_slots"] = [
                {
                    "pickup_datetime": str(slot.get("pickup_datetime", "")),
                    "pickup_duration": slot.get("pickup_duration"),
                }
                for slot in quote.pickup_slots or []
            ]
        datetime = serializers.DateTimeField()
        data["computed_at"] = (
            datetime.to_representation(quote.computed_at) if quote.computed_at else None
        )
        data["expires_at"] = (
            datetime.to_representation(quote.expires_at) if quote.expires_at else None
        )
        return data


MAX_CENTS = 2_147_483_647


class OverridesSerializer(serializers.Serializer):
    relocation_warehouse_id = LookupField(
        queryset=Warehouse.objects.all(),
        natural_key="reference",
        source="relocation_warehouse",
        required=False,
        allow_null=True,
        help_text="Send the whole return to this warehouse (UUID or reference).",
    )
    dropoff_customer_price_cents = StrictIntegerField(
        min_value=0, max_value=MAX_CENTS, required=False, allow_null=True
    )
    postal_customer_price_cents = StrictIntegerField(
        min_value=0, max_value=MAX_CENTS, required=False, allow_null=True
    )
    pickup_customer_price_cents = StrictIntegerField(
        min_value=0, max_value=MAX_CENTS, required=False, allow_null=True
    )
    try_at_home = serializers.BooleanField(required=False)

    def to_representation(self, shipback):
        return {
            "relocation_warehouse_id": (
                str(shipback.relocation_warehouse_id) if shipback.relocation_warehouse_id else None
            ),
            "dropoff_customer_price_cents": shipback.dropoff_customer_price_cents,
            "postal_customer_price_cents": shipback.postal_customer_price_cents,
            "pickup_customer_price_cents": shipback.pickup_customer_price_cents,
            "try_at_home": shipback.try_at_home,
        }


class ShipbackSerializer(ApiModelSerializer):
    order_id = serializers.UUIDField(read_only=True)
    order_number = serializers.CharField(source="order.order_number", read_only=True)
    customer = CustomerSerializer(read_only=True)
    returned_items = ReturnedItemSerializer(many=True, read_only=True)
    quotes = QuoteSerializer(many=True, read_only=True)
    weight_in_grams = serializers.SerializerMethodField()
    computed_weight_in_grams = serializers.SerializerMethodField()
    label_url = serializers.SerializerMethodField()
    tracking_number = serializers.SerializerMethodField()
    public_url = serializers.CharField(read_only=True)
    overrides = OverridesSerializer(source="*", read_only=True)

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
            "carrier",
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
        """The products' weights times the quantities returned (prefetched)."""
        return sum(
            (item.order_item.product.weight_grams or 0) * item.quantity
            for item in shipback.returned_items.all()
        )

    def get_weight_in_grams(self, shipback) -> int:
        return shipback.weight_grams or self.get_computed_weight_in_grams(shipback)

    def get_label_url(self, shipback) -> str | None:
        """Once labelled: the label to print."""
        if shipback.label_file:
            request = self.context.get("request")
            url = shipback.label_file.url
            return request.build_absolute_uri(url) if request else url
        return shipback.label_url or None

    def get_tracking_number(self, shipback) -> str | None:
        """Once labelled: the carrier's tracking number."""
        return shipback.tracking_number or None


class ShipbackWriteSerializer(serializers.Serializer):
    """What a create or an update may set. Unknown and read-only keys are ignored."""

    mode = serializers.ChoiceField(
        choices=Shipback.Mode.choices,
        required=False,
        allow_blank=True,
        help_text="One of the available quotes' modes (or direct when the warehouse allows).",
    )
    dropoff_code = ExactCharField(
        required=False, allow_blank=True, max_length=50, help_text="With mode dropoff."
    )
    pickup_datetime = serializers.DateTimeField(
        required=False, allow_null=True, help_text="With mode pickup: a slot of the quote."
    )
    pickup_duration = StrictIntegerField(
        required=False, min_value=1, max_value=32767, allow_null=True, help_text="Minutes."
    )
    weight_in_grams = StrictIntegerField(
        required=False, min_value=1, max_value=2_000_000_000, source="weight_grams"
    )
    metadata = MetadataField(required=False)
    overrides = OverridesSerializer(required=False)


class ShipbackCreateSerializer(ShipbackWriteSerializer):
    order_id = LookupField(
        queryset=Order.objects.all(),
        natural_key="order_number",
        help_text="The order's UUID or its order number.",
    )
    items = ItemChoiceSerializer(many=True, required=False, help_text="Or returned_items.")
    returned_items = ItemChoiceSerializer(many=True, required=False)
    customer = CustomerSerializer(
        required=False, help_text="Without it, the order's customer is copied."
    )

    def validate(self, attrs):
        key = "items" if attrs.get("items") else "returned_items"
        choices = attrs.pop("items", None) or attrs.pop("returned_items", None) or []
        attrs.pop("returned_items", None)
        if not choices:
            raise serializers.ValidationError({"items": ["List the items returned."]})
        order = attrs["order_id"]
        attrs["items"] = [
            {**choice, "order_item": find_order_item(order, choice["item_id"], f"{key}[{i}]")}
            for i, choice in enumerate(choices)
        ]
        return attrs


def find_order_item(order, item_id: str, field: str):
    """An item of ``order`` by its id or its reference (ShopRunBack's two-call flow)."""
    try:
        return find_by_id_or_key(order.items.select_related("product"), item_id, "reference")
    except Http404 as exc:
        raise serializers.ValidationError(
            {field: {"item_id": [f"Order {order} has no item {item_id!r}."]}}, code="not_found"
        ) from exc
