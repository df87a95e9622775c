"""Integrator API: warehouses (relocation targets) and return reasons."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status

from orders.api import AddressSerializer
from orders.services import AddressData
from returns_portal.api.schema import PAGE_PARAMETERS, id_parameter, paginated
from returns_portal.api.serializers import ApiModelSerializer
from returns_portal.api.views import IntegratorAPIView

from .. import services
from ..models import ReturnReason, Warehouse


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


class ReasonSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = ReturnReason
        fields = ["code", "label", "label_en", "label_fr", "requires_photo", "position"]

    def get_label(self, reason) -> str:
        """In the ``locale`` asked for."""
        return reason.label(self.context.get("locale"))


class ReasonQuerySerializer(serializers.Serializer):
    locale = serializers.ChoiceField(choices=["en", "fr"], default="en")


class WarehouseList(IntegratorAPIView):
    serializer_class = WarehouseSerializer
    collection_name = "warehouses"

    def get_queryset(self):
        return Warehouse.objects.select_related("address").order_by("name", "reference")

    @extend_schema(
        summary="List the warehouses",
        parameters=PAGE_PARAMETERS,
        responses=paginated(WarehouseSerializer, "warehouses"),
    )
    def get(self, request):
        return self.list_response(self.get_queryset())

    @extend_schema(summary="Add a warehouse", responses={201: WarehouseSerializer})
    def post(self, request):
        data = self.validated(WarehouseSerializer)
        warehouse = services.warehouse_create(address=AddressData(**data.pop("address")), **data)
        return self.object_response(warehouse, status.HTTP_201_CREATED)


@extend_schema(parameters=[id_parameter(description="UUID or reference")])
class WarehouseDetail(WarehouseList):
    http_method_names = ["get", "options"]
    natural_key = "reference"

    @extend_schema(summary="Get a warehouse", responses=WarehouseSerializer)
    def get(self, request, id):
        return self.object_response(self.get_object())


class ReasonList(IntegratorAPIView):
    serializer_class = ReasonSerializer
    collection_name = "reasons"

    @extend_schema(
        summary="List the return reasons offered (reason_code values)",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("locale", str, enum=["en", "fr"], description="Of `label`."),
        ],
        responses=paginated(ReasonSerializer, "reasons"),
    )
    def get(self, request):
        query = ReasonQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        reasons = ReturnReason.objects.filter(active=True).order_by("position", "code")
        page = self.paginate_queryset(reasons)
        context = {**self.get_serializer_context(), "locale": query.validated_data["locale"]}
        return self.get_paginated_response(ReasonSerializer(page, many=True, context=context).data)
