"""Integrator API views: shipbacks, their items, customer, quotes; warehouses and reasons."""

from django.db.models import Prefetch
from rest_framework import status
from rest_framework.response import Response

from orders.services import AddressData, CustomerData
from returns_portal.actors import Actor
from returns_portal.api.views import IntegratorAPIView, find_by_id_or_key

from .. import services
from ..models import ReturnedItem, ReturnReason, Shipback, Warehouse
from ..services import editing
from . import serializers as s


def shipbacks_queryset():
    return Shipback.objects.select_related(
        "order", "customer__address", "relocation_warehouse"
    ).prefetch_related(
        Prefetch(
            "returned_items",
            queryset=ReturnedItem.objects.select_related("order_item__product", "reason").order_by(
                "created_at"
            ),
        ),
        "quotes",
    )


class ShipbackView(IntegratorAPIView):
    serializer_class = s.ShipbackSerializer
    collection_name = "shipbacks"
    natural_key = "rma"

    def get_queryset(self):
        return shipbacks_queryset()

    @property
    def actor(self) -> Actor:
        return Actor.integrator(self.integrator.name)

    def fresh(self, shipback):
        return self.get_queryset().get(pk=shipback.pk)


def _update_arguments(validated: dict) -> dict:
    arguments = dict(validated)
    if "overrides" in arguments:
        arguments["overrides"] = dict(arguments["overrides"])
    return arguments


class ShipbackList(ShipbackView):
    def get(self, request):
        return self.list_response(self.get_queryset().order_by("-created_at", "rma"))

    def post(self, request):
        payload = s.ShipbackCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        order = data.pop("order_id")
        items = [
            services.ReturnedItemData(
                order_item=choice["order_item"],
                reason=choice["reason_code"],
                quantity=choice["quantity"],
                comment=choice["comment"],
            )
            for choice in data.pop("items")
        ]
        customer = data.pop("customer", None)
        shipback = editing.shipback_open(
            order=order,
            items=items,
            customer=_customer_data(customer) if customer else None,
            actor=self.actor,
            **_update_arguments(data),
        )
        return self.object_response(self.fresh(shipback), status.HTTP_201_CREATED)


def _customer_data(validated: dict) -> CustomerData:
    fields = dict(validated)
    address = fields.pop("address", None)
    return CustomerData(**fields, address=AddressData(**address) if address else None)


class ShipbackDetail(ShipbackView):
    def get(self, request, id):
        return self.object_response(self.get_object())

    def put(self, request, id):
        shipback = self.get_object()
        payload = s.ShipbackWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        editing.shipback_update(
            shipback_id=shipback.pk, actor=self.actor, **_update_arguments(payload.validated_data)
        )
        return self.object_response(self.fresh(shipback))

    # ShopRunBack's examples update a shipback with POST on its URL.
    post = put

    def delete(self, request, id):
        shipback = self.get_object()
        data = self.get_serializer(shipback).data
        services.shipback_delete(shipback_id=shipback.pk, actor=self.actor)
        return Response(data)


class ShipbackFree(ShipbackView):
    def post(self, request, id):
        shipback = editing.shipback_free(shipback_id=self.get_object().pk, actor=self.actor)
        return self.object_response(self.fresh(shipback))


class ShipbackItems(ShipbackView):
    serializer_class = s.ReturnedItemSerializer

    def get(self, request, id):
        shipback = self.get_object()
        items = self.get_serializer(shipback.returned_items.all(), many=True).data
        return Response({"returned_items": items})

    def post(self, request, id):
        shipback = self.get_object()
        payload = s.ItemChoiceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        choice = payload.validated_data
        item = editing.returned_item_add(
            shipback_id=shipback.pk,
            data=services.ReturnedItemData(
                order_item=s.find_order_item(shipback.order, choice["item_id"], "item_id"),
                reason=choice["reason_code"],
                quantity=choice["quantity"],
                comment=choice["comment"],
            ),
            actor=self.actor,
        )
        return self.object_response(item, status.HTTP_201_CREATED)


class ShipbackItem(ShipbackItems):
    serializer_class = s.ReturnedItemUpdateSerializer

    def get_item(self):
        items = self.get_object().returned_items.select_related("order_item__product", "reason")
        return find_by_id_or_key(items, self.kwargs["item_id"], None)

    def get(self, request, id, item_id):
        return self.object_response(self.get_item())

    def put(self, request, id, item_id):
        item = self.get_item()
        payload = self.get_serializer(item, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        item = editing.returned_item_update(item=item, actor=self.actor, **payload.validated_data)
        return self.object_response(item)

    def delete(self, request, id, item_id):
        item = self.get_item()
        data = self.get_serializer(item).data
        editing.returned_item_remove(item=item, actor=self.actor)
        return Response(data)


class ShipbackCustomer(ShipbackView):
    serializer_class = s.CustomerSerializer

    def get(self, request, id):
        return self.object_response(self.get_object().customer)

    def put(self, request, id):
        shipback = self.get_object()
        payload = self.get_serializer(shipback.customer, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        address = fields.pop("address", None)
        editing.shipback_customer_update(
            shipback_id=shipback.pk, actor=self.actor, address=address, **fields
        )
        return self.object_response(self.fresh(shipback).customer)


class WarehouseList(IntegratorAPIView):
    serializer_class = s.WarehouseSerializer
    collection_name = "warehouses"

    def get_queryset(self):
        return Warehouse.objects.select_related("address").order_by("name", "reference")

    def get(self, request):
        return self.list_response(self.get_queryset())

    def post(self, request):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        warehouse = services.warehouse_create(address=AddressData(**data.pop("address")), **data)

        return self.object_response(warehouse, status.HTTP_201_CREATED)


class WarehouseDetail(WarehouseList):
    natural_key = "reference"

    def get(self, request, id):
        return self.object_response(self.get_object())


class ReasonList(IntegratorAPIView):
    serializer_class = s.ReasonSerializer

    def get(self, request):
        locale = request.query_params.get("locale", "en")
        reasons = ReturnReason.objects.filter(active=True).order_by("position", "code")
        data = s.ReasonSerializer(reasons, many=True, context={"locale": locale}).data
        return Response({"reasons": data})
