"""Integrator API: return orders, as Shippingbo's ``/return_orders`` (seed 000), and receiving.

https://developer.shippingbo.com — "Create a return order": from an order (``order_id``) or a
third party's ``source`` + ``source_ref`` (404 when no order matches), with
``return_order_expected_items_attributes`` and ``skip_expected_items_creation``, sent to a
warehouse (``warehouse_id``, or Shippingbo's ``supplier_id``). A warehouse system reports what
arrived with ``POST return_orders/{id}/receive`` and closes it with ``…/complete``.
"""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status

from catalog.models import Product
from orders.models import Order
from returns_portal.actors import Actor
from returns_portal.api import examples as ex
from returns_portal.api.schema import PAGE_PARAMETERS, id_parameter, paginated
from returns_portal.api.serializers import ExactCharField, LookupField, StrictIntegerField
from returns_portal.api.views import IntegratorAPIView, find_by_id_or_key

from .. import services
from ..models import ExpectedItem, ItemAction, RelocationRule, ReturnOrder, Warehouse


class ItemActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ItemAction.Action.choices)
    quantity = StrictIntegerField(min_value=1, default=1)
    reason = ExactCharField(required=False, allow_blank=True, default="", max_length=255)
    performed_at = serializers.DateTimeField(read_only=True)


class ExpectedItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    product_id = serializers.UUIDField()
    user_ref = serializers.CharField(source="product.reference", help_text="Product reference.")
    quantity = serializers.IntegerField(source="quantity_expected", help_text="Expected.")
    quantity_received = serializers.IntegerField()
    requested_action = serializers.CharField()
    unexpected = serializers.BooleanField()
    note = serializers.CharField()
    returned_item_id = serializers.UUIDField(allow_null=True)
    actions = ItemActionSerializer(many=True)


class WarehouseSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    name = serializers.CharField()


class ReturnOrderSerializer(serializers.ModelSerializer):
    return_order_type = serializers.CharField(source="type")
    order_id = serializers.UUIDField(allow_null=True)
    shipback_id = serializers.UUIDField(allow_null=True)
    warehouse_id = serializers.UUIDField()
    order_number = serializers.CharField(source="order.order_number", allow_null=True)
    warehouse = WarehouseSummarySerializer()
    supplier_id = serializers.IntegerField(
        source="warehouse.shippingbo_supplier_id", allow_null=True
    )
    return_order_expected_items = ExpectedItemSerializer(many=True, source="expected_items")

    class Meta:
        model = ReturnOrder
        fields = [
            "id",
            "reference",
            "state",
            "return_order_type",
            "reason",
            "reason_ref",
            "order_id",
            "order_number",
            "source",
            "source_ref",
            "shipback_id",
            "warehouse_id",
            "warehouse",
            "supplier_id",
            "tracking_number",
            "return_order_expected_items",
            "arrived_at",
            "completed_at",
            "cancelled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ExpectedItemAttributeSerializer(serializers.Serializer):
    quantity = StrictIntegerField(min_value=1, max_value=100_000, default=1)
    user_ref = LookupField(
        queryset=Product.objects.all(),
        natural_key="reference",
        help_text="The product's reference (or UUID).",
    )
    requested_action = serializers.ChoiceField(
        choices=ExpectedItem.RequestedAction.choices, default=ExpectedItem.RequestedAction.DEFAULT
    )


def find_order(value) -> Order | None:
    """An order by UUID, order number or Shippingbo order id."""
    value = str(value)
    try:
        return find_by_id_or_key(Order.objects.all(), value, "order_number")
    except Http404:
        pass
    if value.isdigit() and len(value) < 19:
        return Order.objects.filter(shippingbo_order_id=int(value)).first()
    return None


def default_warehouse(order: Order | None) -> Warehouse | None:
    """The warehouse the relocation rules give for any reason and the customer's country."""
    customer = order.customer if order else None
    country = customer.address.country_code if customer and customer.address_id else ""
    rule = (
        RelocationRule.objects.matching(reason_id=None, country_code=country)
        .filter(warehouse__active=True)
        .select_related("warehouse")
        .first()
    )
    return rule.warehouse if rule else None


class ReturnOrderCreateSerializer(serializers.Serializer):
    order_id = serializers.CharField(
        required=False, help_text="The order's UUID, order number or Shippingbo order id."
    )
    source = ExactCharField(required=False, allow_blank=True, max_length=100)
    source_ref = ExactCharField(required=False, allow_blank=True, max_length=100)
    reason = ExactCharField(required=False, allow_blank=True, max_length=255)
    reason_ref = ExactCharField(required=False, allow_blank=True, max_length=100)
    return_order_type = serializers.ChoiceField(
        choices=ReturnOrder.Type.choices, default=ReturnOrder.Type.CUSTOMER
    )
    warehouse_id = LookupField(
        queryset=Warehouse.objects.all(),
        natural_key="reference",
        required=False,
        help_text="UUID or reference. Default: the relocation rules' warehouse for any reason.",
    )
    supplier_id = StrictIntegerField(
        required=False,
        min_value=-(2**63),
        max_value=2**63 - 1,
        help_text="Shippingbo's: the warehouse's Shippingbo supplier id.",
    )
    tracking_number = ExactCharField(required=False, allow_blank=True, max_length=100)
    skip_expected_items_creation = serializers.BooleanField(
        default=False, help_text="When false, every item of the order is expected."
    )
    return_order_expected_items_attributes = ExpectedItemAttributeSerializer(
        many=True, required=False
    )

    def validate(self, attrs):
        order = None
        if attrs.get("order_id"):
            order = find_order(attrs["order_id"])
            if order is None:
                raise exceptions.NotFound(f"No order {attrs['order_id']!r}.")
        elif attrs.get("source") and attrs.get("source_ref"):
            order = Order.objects.filter(source=attrs["source"], source_ref=attrs["source_ref"])
            order = order.first()
            if order is None:
                raise exceptions.NotFound("No order with this source and source_ref.")
        else:
            raise serializers.ValidationError(
                {"order_id": ["Give order_id, or source and source_ref."]}, code="required"
            )
        attrs["order"] = order
        warehouse = attrs.pop("warehouse_id", None)
        if warehouse is None and attrs.get("supplier_id") is not None:
            warehouse = Warehouse.objects.filter(
                shippingbo_supplier_id=attrs["supplier_id"]
            ).first()
            if warehouse is None:
                raise serializers.ValidationError(
                    {"supplier_id": ["No warehouse has this Shippingbo supplier id."]},
                    code="not_found",
                )
        attrs["warehouse"] = warehouse or default_warehouse(order)
        if attrs["warehouse"] is None:
            raise serializers.ValidationError(
                {"warehouse_id": ["Name the warehouse: no relocation rule gives one."]},
                code="required",
            )
        return attrs


class ReceivedItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(required=False, help_text="The expected item's id…")
    user_ref = ExactCharField(
        required=False, max_length=200, help_text="…or its product's reference."
    )
    quantity_received = StrictIntegerField(
        min_value=0, max_value=100_000, help_text="Total received so far for this line."
    )
    unexpected = serializers.BooleanField(
        default=False, help_text="A product that was not expected (named by user_ref)."
    )
    note = ExactCharField(required=False, allow_blank=True, allow_null=True, default=None)
    actions = ItemActionSerializer(many=True, required=False, default=list)


class ReceiveSerializer(serializers.Serializer):
    items = ReceivedItemSerializer(many=True, allow_empty=False)


def return_orders_queryset():
    return ReturnOrder.objects.select_related("order", "warehouse").prefetch_related(
        Prefetch(
            "expected_items",
            queryset=ExpectedItem.objects.select_related("product").prefetch_related("actions"),
        )
    )


RETURN_ORDER_ID = id_parameter(description="UUID or reference")


class ReturnOrderView(IntegratorAPIView):
    serializer_class = ReturnOrderSerializer
    collection_name = "return_orders"
    natural_key = "reference"

    def get_queryset(self):
        return return_orders_queryset()

    @property
    def actor(self) -> Actor:
        return Actor.integrator(self.integrator.name)

    def fresh(self, return_order):
        return self.get_queryset().get(pk=return_order.pk)


class ReturnOrderList(ReturnOrderView):
    @extend_schema(
        summary="List the return orders",
        parameters=PAGE_PARAMETERS,
        responses=paginated(ReturnOrderSerializer, "return_orders"),
    )
    def get(self, request):
        return self.list_response(self.get_queryset().order_by("-created_at", "reference"))

    @extend_schema(
        summary="Create a return order (Shippingbo's body)",
        request=ReturnOrderCreateSerializer,
        responses={201: ReturnOrderSerializer},
        examples=[ex.RETURN_ORDER_FROM_ORDER, ex.RETURN_ORDER_FROM_SOURCE],
    )
    def post(self, request):
        data = self.validated(ReturnOrderCreateSerializer)
        lines = [
            services.ExpectedItemData(
                product=line["user_ref"],
                quantity=line["quantity"],
                requested_action=line["requested_action"],
            )
            for line in data.get("return_order_expected_items_attributes", [])
        ]
        return_order = services.return_order_create(
            warehouse=data["warehouse"],
            actor=self.actor,
            order=data["order"],
            source=data.get("source", ""),
            source_ref=data.get("source_ref", ""),
            reason=data.get("reason", ""),
            reason_ref=data.get("reason_ref", ""),
            type=data["return_order_type"],
            tracking_number=data.get("tracking_number", ""),
            skip_expected_items_creation=data["skip_expected_items_creation"],
            expected_items=lines,
        )
        return self.object_response(self.fresh(return_order), status.HTTP_201_CREATED)


@extend_schema(parameters=[RETURN_ORDER_ID])
class ReturnOrderDetail(ReturnOrderView):
    @extend_schema(summary="Get a return order")
    def get(self, request, id):
        return self.object_response(self.get_object())


@extend_schema(parameters=[RETURN_ORDER_ID])
class ReturnOrderCancel(ReturnOrderView):
    @extend_schema(
        summary="Cancel a return order (only before its parcel arrived)",
        request=None,
        responses={200: ReturnOrderSerializer},
    )
    def post(self, request, id):
        return_order = self.get_object()
        services.return_order_cancel(return_order_id=return_order.pk, actor=self.actor)
        return self.object_response(self.fresh(return_order))


@extend_schema(parameters=[RETURN_ORDER_ID])
class ReturnOrderReceive(ReturnOrderView):
    @extend_schema(
        summary="Report what arrived, and the actions taken per item",
        description=(
            "For a warehouse system. Per expected item (by `id`, or its product's `user_ref`): "
            "the total `quantity_received` so far (never above what is expected: report extra "
            "units as an `unexpected` line with a `note`), and the actions taken on received "
            "units (restock, quarantine, dispose), added to those already recorded and never "
            "more than received. The return order moves to `arrived`, and to `processing` once "
            "actions are recorded. All or nothing."
        ),
        request=ReceiveSerializer,
        responses={200: ReturnOrderSerializer},
    )
    def post(self, request, id):
        return_order = self.get_object()
        data = self.validated(ReceiveSerializer)
        lines = [
            services.ReceivedLineData(
                quantity_received=line["quantity_received"],
                expected_item_id=line.get("id"),
                product_reference=line.get("user_ref", ""),
                unexpected=line["unexpected"],
                note=line["note"],
                actions=[services.ActionData(**action) for action in line["actions"]],
            )
            for line in data["items"]
        ]
        services.return_order_receive(
            return_order_id=return_order.pk, lines=lines, actor=self.actor
        )
        return self.object_response(self.fresh(return_order))


@extend_schema(parameters=[RETURN_ORDER_ID])
class ReturnOrderComplete(ReturnOrderView):
    @extend_schema(
        summary="Complete a return order",
        description=(
            "Every unit received must have an action (422 ACTION_MISSING otherwise). The "
            "customer's returned items become relocated (fully received), missing (nothing "
            "arrived) or error (part of it), and their shipback relocated once all is settled."
        ),
        request=None,
        responses={200: ReturnOrderSerializer},
    )
    def post(self, request, id):
        return_order = self.get_object()
        services.return_order_complete(return_order_id=return_order.pk, actor=self.actor)
        return self.object_response(self.fresh(return_order))
