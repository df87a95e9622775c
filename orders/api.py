"""Integrator API: orders with their customer and items (ShopRunBack API v1).

https://github.com/ShopRunBack/api-doc — "Order" and "Return" (seeds 002 and 003).
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from catalog.models import Product
from returns_portal.api import examples as ex
from returns_portal.api.schema import PAGE_PARAMETERS, id_parameter, paginated, refused, wrapped
from returns_portal.api.serializers import (
    ApiModelSerializer,
    JSONListField,
    LookupField,
    MetadataField,
    OrderDateField,
)
from returns_portal.api.views import IntegratorAPIView, find_by_id_or_key

from . import services
from .models import Address, Customer, Order, OrderItem


class AddressSerializer(ApiModelSerializer):
    class Meta:
        model = Address
        fields = ["id", "line1", "line2", "zipcode", "country_code", "city", "state"]


class CustomerSerializer(ApiModelSerializer):
    address = AddressSerializer(required=False, allow_null=True)

    class Meta:
        model = Customer
        fields = ["id", "first_name", "last_name", "email", "phone", "locale", "address"]


def customer_data(validated: dict) -> services.CustomerData:
    fields = dict(validated)
    address = fields.pop("address", None)
    return services.CustomerData(
        **fields, address=services.AddressData(**address) if address else None
    )


class ItemProductSerializer(serializers.Serializer):
    """The product of an order item, as ShopRunBack shows it."""

    id = serializers.UUIDField()
    label = serializers.CharField()
    reference = serializers.CharField()
    ean = serializers.CharField()
    brand_id = serializers.UUIDField()
    brand_name = serializers.CharField()
    picture_url = serializers.CharField(allow_null=True)

    def to_representation(self, product):
        request = self.context.get("request")
        picture = product.picture
        return {
            "id": str(product.pk),
            "label": product.label,
            "reference": product.reference,
            "ean": product.ean,
            "brand_id": str(product.brand_id),
            "brand_name": product.brand.name,
            "picture_url": (request.build_absolute_uri(picture.url) if request else picture.url)
            if picture
            else None,
        }


class OrderItemSerializer(ApiModelSerializer):
    product_id = serializers.UUIDField(read_only=True)
    product = ItemProductSerializer(read_only=True)

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "label",
            "reference",
            "barcode",
            "price_cents",
            "currency",
            "quantity",
            "product_id",
            "product",
        ]


class OrderItemWriteSerializer(ApiModelSerializer):
    product_id = LookupField(
        queryset=Product.objects.select_related("brand"),
        natural_key="reference",
        source="product",
        help_text="The product's UUID or reference.",
    )
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        trim_whitespace=False,
        help_text="Your reference for this line, unique within the order (default: its position).",
    )

    class Meta:
        model = OrderItem
        fields = [
            "label",
            "reference",
            "barcode",
            "price_cents",
            "currency",
            "quantity",
            "product_id",
        ]
        validators = []  # the reference's uniqueness within its order is checked by the service


class ShipbackSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    state = serializers.CharField()
    mode = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    public_url = serializers.CharField()


class OrderSerializer(ApiModelSerializer):
    ordered_at = OrderDateField()
    customer = CustomerSerializer()
    items = OrderItemSerializer(many=True)
    shipback = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "order_number",
            "ordered_at",
            "customer",
            "items",
            "metadata",
            "tags",
            "source",
            "source_ref",
            "shipback",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ShipbackSummarySerializer(allow_null=True))
    def get_shipback(self, order):
        """The order's latest return, summarised (shipbacks are prefetched, newest first)."""
        shipbacks = list(order.shipbacks.all())
        if not shipbacks:
            return None
        shipback = shipbacks[0]
        return {
            "id": str(shipback.pk),
            "state": shipback.state,
            "mode": shipback.mode or None,
            "created_at": serializers.DateTimeField().to_representation(shipback.created_at),
            "public_url": shipback.public_url,
        }


class OrderWriteSerializer(ApiModelSerializer):
    ordered_at = OrderDateField(help_text="YYYY-MM-DD (a time may follow; the date is kept).")
    customer = CustomerSerializer()
    items = OrderItemWriteSerializer(many=True, allow_empty=False)
    metadata = MetadataField(
        required=False, help_text="Anything you want: always returned, never modified."
    )
    tags = JSONListField(required=False)

    class Meta:
        model = Order
        fields = [
            "order_number",
            "ordered_at",
            "customer",
            "items",
            "metadata",
            "tags",
            "source",
            "source_ref",
        ]
        validators = []  # source + source_ref uniqueness is checked when the order is saved


class OrderUpdateSerializer(OrderWriteSerializer):
    """Only the keys given change; ``items`` is ignored here (see /orders/{id}/items)."""

    customer = CustomerSerializer(required=False)

    class Meta(OrderWriteSerializer.Meta):
        fields = [f for f in OrderWriteSerializer.Meta.fields if f != "items"]


def order_data(validated: dict) -> services.OrderData:
    return services.OrderData(
        order_number=validated["order_number"],
        ordered_at=validated["ordered_at"],
        customer=customer_data(validated["customer"]),
        items=[services.OrderItemData(**item) for item in validated["items"]],
        metadata=validated.get("metadata", {}),
        tags=validated.get("tags", []),
        source=validated.get("source", ""),
        source_ref=validated.get("source_ref", ""),
    )


def orders_queryset():
    # Shipbacks come newest first (their default ordering): the summary shows the latest.
    return Order.objects.select_related("customer__address").prefetch_related(
        Prefetch(
            "items",
            queryset=OrderItem.objects.select_related("product__brand").order_by(
                "created_at", "reference"
            ),
        ),
        "shipbacks",
    )


ORDER_ID = id_parameter(description="UUID or order number")
DEPENDENT_SHIPBACK = refused(
    ex.DEPENDENT_SHIPBACK, ("DEPENDENT_RETURN_ORDER", "dependent return order found (…)")
)
RETURN_REGISTERED = refused(
    ("SHIPBACK_REGISTERED", "This order has a registered return and can no longer be changed.")
)


class OrderList(IntegratorAPIView):
    serializer_class = OrderSerializer
    collection_name = "orders"

    def get_queryset(self):
        return orders_queryset().order_by("-created_at", "order_number")

    @extend_schema(
        summary="List all orders",
        parameters=PAGE_PARAMETERS,
        responses=paginated(OrderSerializer, "orders"),
    )
    def get(self, request):
        return self.list_response(self.get_queryset())

    @extend_schema(
        summary="Create an order with its customer and items",
        request=OrderWriteSerializer,
        responses={201: OrderSerializer},
        examples=[ex.ORDER_CREATE, ex.ORDER_WITH_REFERENCES, ex.ORDER_CREATED],
    )
    def post(self, request):
        order = services.order_create(data=order_data(self.validated(OrderWriteSerializer)))
        return self.object_response(orders_queryset().get(pk=order.pk), status.HTTP_201_CREATED)


@extend_schema(parameters=[ORDER_ID])
class OrderDetail(IntegratorAPIView):
    serializer_class = OrderSerializer
    natural_key = "order_number"

    def get_queryset(self):
        return orders_queryset()

    @extend_schema(summary="Get an order, with a summary of its latest shipback")
    def get(self, request, id):
        return self.object_response(self.get_object())

    @extend_schema(
        summary="Update an order (only the keys given)",
        description="Refused (400 SHIPBACK_REGISTERED) once one of its returns is registered.",
        request=OrderUpdateSerializer,
        responses={200: OrderSerializer, 400: RETURN_REGISTERED},
        examples=[ex.ORDER_UPDATE],
    )
    def put(self, request, id):
        order = self.get_object()
        fields = self.validated(OrderUpdateSerializer, order, partial=True)
        customer = dict(fields.pop("customer", None) or {})
        address = customer.pop("address", None)
        services.order_update(order=order, customer=customer, address=address, **fields)
        return self.object_response(self.get_object())

    @extend_schema(
        summary="Delete an order",
        description="Refused (400 DEPENDENT_SHIPBACK) while a shipback is attached: delete it "
        "first.",
        responses={200: OrderSerializer, 400: DEPENDENT_SHIPBACK},
    )
    def delete(self, request, id):
        order = self.get_object()
        data = self.get_serializer(order).data
        services.order_delete(order=order)
        return Response(data)


OrderItems = wrapped(OrderItemSerializer, "items", "OrderItems")


@extend_schema(parameters=[ORDER_ID])
class OrderItemList(IntegratorAPIView):
    serializer_class = OrderItemSerializer
    natural_key = "order_number"

    def get_queryset(self):
        return Order.objects.all()

    def items(self, order):
        return order.items.select_related("product__brand").order_by("created_at", "reference")

    @extend_schema(summary="List an order's items", responses=OrderItems)
    def get(self, request, id):
        items = self.get_serializer(self.items(self.get_object()), many=True)
        return Response({"items": items.data})

    @extend_schema(
        summary="Add an item to an order",
        request=OrderItemWriteSerializer,
        responses={201: OrderItemSerializer, 400: RETURN_REGISTERED},
    )
    def post(self, request, id):
        order = self.get_object()
        data = services.OrderItemData(**self.validated(OrderItemWriteSerializer))
        item = services.order_item_add(order=order, data=data)
        return self.object_response(item, status.HTTP_201_CREATED)


@extend_schema(parameters=[ORDER_ID, id_parameter("item_id", "UUID or the item's reference")])
class OrderItemDetail(OrderItemList):
    http_method_names = ["get", "put", "delete", "options"]

    def get_item(self):
        return find_by_id_or_key(self.items(self.get_object()), self.kwargs["item_id"], "reference")

    @extend_schema(summary="Get an order item", responses=OrderItemSerializer)
    def get(self, request, id, item_id):
        return self.object_response(self.get_item())

    @extend_schema(
        summary="Update an order item (only the keys given)",
        request=OrderItemWriteSerializer,
        responses={200: OrderItemSerializer, 400: RETURN_REGISTERED},
    )
    def put(self, request, id, item_id):
        item = self.get_item()
        fields = self.validated(OrderItemWriteSerializer, item, partial=True)
        return self.object_response(services.order_item_update(item=item, **fields))

    @extend_schema(
        summary="Remove an item from an order",
        responses={200: OrderItemSerializer, 400: RETURN_REGISTERED},
    )
    def delete(self, request, id, item_id):
        item = self.get_item()
        data = self.get_serializer(item).data
        services.order_item_delete(item=item)
        return Response(data)
