"""Integrator API: orders with their customer and items (ShopRunBack API v1)."""

from django.db.models import Prefetch
from rest_framework import serializers, status
from rest_framework.response import Response

from catalog.models import Product
from returns_portal.api.serializers import ApiModelSerializer, LookupField
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


class OrderItemSerializer(ApiModelSerializer):
    product_id = LookupField(
        queryset=Product.objects.all(), natural_key="reference", source="product"
    )
    product = serializers.SerializerMethodField()
    reference = serializers.CharField(
        required=False, allow_blank=True, max_length=200, trim_whitespace=False
    )

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
        validators = []  # the reference's uniqueness within its order is checked by the service

    def get_product(self, item) -> dict:
        product = item.product
        request = self.context.get("request")
        picture = None
        if product.picture:
            picture = request.build_absolute_uri(product.picture.url) if request else None
        return {
            "id": str(product.pk),
            "label": product.label,
            "reference": product.reference,
            "ean": product.ean,
            "brand_id": str(product.brand_id),
            "brand_name": product.brand.name,
            "picture_url": picture,
        }


class OrderSerializer(ApiModelSerializer):
    customer = CustomerSerializer()
    items = OrderItemSerializer(many=True, allow_empty=False)
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

    def get_shipback(self, order) -> dict | None:
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


class OrderUpdateSerializer(OrderSerializer):
    customer = CustomerSerializer(required=False)
    items = None

    class Meta(OrderSerializer.Meta):
        fields = [f for f in OrderSerializer.Meta.fields if f != "items"]


def order_data(validated: dict) -> services.OrderData:
    customer = dict(validated["customer"])
    address = customer.pop("address", None)
    return services.OrderData(
        order_number=validated["order_number"],
        ordered_at=validated["ordered_at"],
        customer=services.CustomerData(
            **customer, address=services.AddressData(**address) if address else None
        ),
        items=[services.OrderItemData(**item) for item in validated["items"]],
        metadata=validated.get("metadata", {}),
        tags=validated.get("tags", []),
        source=validated.get("source", ""),
        source_ref=validated.get("source_ref", ""),
    )


def orders_queryset():
    # Shipbacks come newest first (their default ordering): the summary shows the latest.
    return Order.objects.select_related("customer__address").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("product__brand")),
        "shipbacks",
    )


class OrderList(IntegratorAPIView):
    serializer_class = OrderSerializer
    collection_name = "orders"

    def get_queryset(self):
        return orders_queryset().order_by("-created_at", "order_number")

    def get(self, request):
        return self.list_response(self.get_queryset())

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_create(data=order_data(serializer.validated_data))
        return self.object_response(self.get_queryset().get(pk=order.pk), status.HTTP_201_CREATED)


class OrderDetail(IntegratorAPIView):
    serializer_class = OrderSerializer
    natural_key = "order_number"

    def get_queryset(self):
        return orders_queryset()

    def get(self, request, id):
        return self.object_response(self.get_object())

    def put(self, request, id):
        order = self.get_object()
        serializer = OrderUpdateSerializer(order, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        customer = fields.pop("customer", None) or {}
        address = customer.pop("address", None)
        services.order_update(order=order, customer=customer, address=address, **fields)
        return self.object_response(self.get_object())

    def delete(self, request, id):
        order = self.get_object()
        data = self.get_serializer(order).data
        services.order_delete(order=order)
        return Response(data)


class OrderItems(IntegratorAPIView):
    serializer_class = OrderItemSerializer
    natural_key = "order_number"
    collection_name = "items"

    def get_queryset(self):
        return Order.objects.all()

    def items(self, order):
        return order.items.select_related("product__brand").order_by("created_at", "reference")

    def get(self, request, id):
        return Response(
            {"items": self.get_serializer(self.items(self.get_object()), many=True).data}
        )

    def post(self, request, id):
        order = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.order_item_add(
            order=order, data=services.OrderItemData(**serializer.validated_data)
        )
        return self.object_response(item, status.HTTP_201_CREATED)


class OrderItemDetail(OrderItems):
    def get_item(self):
        return find_by_id_or_key(self.items(self.get_object()), self.kwargs["item_id"], "reference")

    def get(self, request, id, item_id):
        return self.object_response(self.get_item())

    def put(self, request, id, item_id):
        item = self.get_item()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.object_response(
            services.order_item_update(item=item, **serializer.validated_data)
        )

    def delete(self, request, id, item_id):
        item = self.get_item()
        data = self.get_serializer(item).data
        services.order_item_delete(item=item)
        return Response(data)
