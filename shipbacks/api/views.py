"""Integrator API: shipbacks, their returned items and customer (ShopRunBack API v1).

https://github.com/ShopRunBack/api-doc — "Return" and "Your own return process" (seed 003).
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from orders.api import CustomerSerializer, customer_data
from returns_portal.actors import Actor
from returns_portal.api import examples as ex
from returns_portal.api.schema import (
    INVALID,
    PAGE_PARAMETERS,
    id_parameter,
    paginated,
    refused,
    wrapped,
)
from returns_portal.api.views import IntegratorAPIView, find_by_id_or_key

from .. import services
from ..models import ReturnedItem, Shipback
from ..services import editing
from . import serializers as s

SHIPBACK_ID = id_parameter(description="UUID or RMA")
REGISTERED = refused(ex.SHIPBACK_REGISTERED)


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

    def shipback(self) -> Shipback:
        """The shipback of the URL, without its related rows (for writes)."""
        return find_by_id_or_key(
            Shipback.objects.select_related("order"), self.kwargs["id"], self.natural_key
        )


def update_arguments(validated: dict) -> dict:
    arguments = dict(validated)
    if "overrides" in arguments:
        arguments["overrides"] = dict(arguments["overrides"])
    return arguments


def returned_item_data(choice: dict, order_item) -> services.ReturnedItemData:
    return services.ReturnedItemData(
        order_item=order_item,
        reason=choice["reason_code"],
        quantity=choice["quantity"],
        comment=choice["comment"],
    )


class ShipbackList(ShipbackView):
    @extend_schema(
        summary="List the shipbacks",
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.ShipbackSerializer, "shipbacks"),
    )
    def get(self, request):
        return self.list_response(self.get_queryset().order_by("-created_at", "rma"))

    @extend_schema(
        summary="Create a shipback for items of an order",
        description=(
            "`order_id` may be the order number and `item_id` the item's reference (create the "
            "order and its shipback in two calls). Without `customer`, the order's customer is "
            "copied."
        ),
        request=s.ShipbackCreateSerializer,
        responses={201: s.ShipbackSerializer},
        examples=[ex.SHIPBACK_CREATE],
    )
    def post(self, request):
        data = self.validated(s.ShipbackCreateSerializer)
        order = data.pop("order_id")
        items = [returned_item_data(choice, choice["order_item"]) for choice in data.pop("items")]
        customer = data.pop("customer", None)
        shipback = editing.shipback_open(
            order=order,
            items=items,
            customer=customer_data(customer) if customer else None,
            actor=self.actor,
            **update_arguments(data),
        )
        return self.object_response(self.fresh(shipback), status.HTTP_201_CREATED)


UPDATE_DESCRIPTION = (
    "Only the keys given change. Choosing a mode checks it against the computed quotes (422 "
    "UNAVAILABLE_MODE when that mode's quote is not available): dropoff needs a `dropoff_code` "
    "of the quote's points, pickup a `pickup_datetime` and `pickup_duration` of its slots. "
    "Refused (400 SHIPBACK_REGISTERED) once registered, except metadata. ShopRunBack's "
    "examples POST on this URL: POST does the same as PUT."
)


@extend_schema(parameters=[SHIPBACK_ID])
class ShipbackDetail(ShipbackView):
    @extend_schema(summary="Get a shipback")
    def get(self, request, id):
        return self.object_response(self.get_object())

    @extend_schema(
        summary="Update a shipback: mode, overrides, metadata",
        description=UPDATE_DESCRIPTION,
        request=s.ShipbackWriteSerializer,
        responses={200: s.ShipbackSerializer, 400: REGISTERED},
        examples=[
            ex.MODE_DROPOFF,
            ex.MODE_PICKUP,
            ex.OVERRIDE_RELOCATION,
            ex.OVERRIDE_PRICES,
            ex.TRY_AT_HOME,
        ],
    )
    def put(self, request, id):
        shipback = self.shipback()
        arguments = update_arguments(self.validated(s.ShipbackWriteSerializer, partial=True))
        editing.shipback_update(shipback_id=shipback.pk, actor=self.actor, **arguments)
        return self.object_response(self.fresh(shipback))

    @extend_schema(
        summary="Update a shipback (as PUT)",
        description=UPDATE_DESCRIPTION,
        request=s.ShipbackWriteSerializer,
        responses={200: s.ShipbackSerializer, 400: REGISTERED},
        examples=[ex.OVERRIDE_RELOCATION, ex.OVERRIDE_PRICES, ex.TRY_AT_HOME],
    )
    def post(self, request, id):
        return self.put(request, id)

    @extend_schema(
        summary="Delete a shipback",
        description="Only before it is registered (400 SHIPBACK_REGISTERED after).",
        responses={200: s.ShipbackSerializer, 400: REGISTERED},
    )
    def delete(self, request, id):
        shipback = self.get_object()
        data = self.get_serializer(shipback).data
        services.shipback_delete(shipback_id=shipback.pk, actor=self.actor)
        return Response(data)


@extend_schema(parameters=[SHIPBACK_ID])
class ShipbackFree(ShipbackView):
    @extend_schema(
        summary="Register the shipback without payment",
        description=(
            "Validates the chosen mode against its available quote (422 otherwise), registers "
            "the shipback and starts the label's generation: poll the shipback for `label_url`."
        ),
        request=None,
        responses={200: s.ShipbackSerializer, 400: REGISTERED},
    )
    def post(self, request, id):
        shipback = editing.shipback_free(shipback_id=self.shipback().pk, actor=self.actor)
        return self.object_response(self.fresh(shipback))


ReturnedItems = wrapped(s.ReturnedItemSerializer, "returned_items", "ReturnedItems")


@extend_schema(parameters=[SHIPBACK_ID])
class ShipbackItemList(ShipbackView):
    serializer_class = s.ReturnedItemSerializer

    def items(self, shipback):
        return shipback.returned_items.select_related("order_item__product", "reason").order_by(
            "created_at"
        )

    @extend_schema(summary="List a shipback's returned items", responses=ReturnedItems)
    def get(self, request, id):
        items = self.get_serializer(self.items(self.shipback()), many=True).data
        return Response({"returned_items": items})

    @extend_schema(
        summary="Add a returned item (before registration)",
        request=s.ItemChoiceSerializer,
        responses={201: s.ReturnedItemSerializer, 400: REGISTERED},
    )
    def post(self, request, id):
        shipback = self.shipback()
        choice = self.validated(s.ItemChoiceSerializer)
        order_item = s.find_order_item(shipback.order, choice["item_id"], "item_id")
        item = editing.returned_item_add(
            shipback_id=shipback.pk, data=returned_item_data(choice, order_item), actor=self.actor
        )
        return self.object_response(item, status.HTTP_201_CREATED)


@extend_schema(parameters=[SHIPBACK_ID, id_parameter("item_id", "The returned item's UUID")])
class ShipbackItemDetail(ShipbackItemList):
    http_method_names = ["get", "put", "delete", "options"]

    def get_item(self):
        return find_by_id_or_key(self.items(self.shipback()), self.kwargs["item_id"], None)

    @extend_schema(summary="Get a returned item", responses=s.ReturnedItemSerializer)
    def get(self, request, id, item_id):
        return self.object_response(self.get_item())

    @extend_schema(
        summary="Change a returned item's reason, quantity or comment (before registration)",
        request=s.ReturnedItemUpdateSerializer,
        responses={200: s.ReturnedItemSerializer, 400: REGISTERED},
    )
    def put(self, request, id, item_id):
        item = self.get_item()
        fields = self.validated(s.ReturnedItemUpdateSerializer, partial=True)
        item = editing.returned_item_update(item=item, actor=self.actor, **fields)
        return self.object_response(item)

    @extend_schema(
        summary="Remove a returned item (before registration; a shipback keeps one)",
        responses={200: s.ReturnedItemSerializer, 400: REGISTERED, 422: INVALID},
    )
    def delete(self, request, id, item_id):
        item = self.get_item()
        data = self.get_serializer(item).data
        editing.returned_item_remove(item=item, actor=self.actor)
        return Response(data)


@extend_schema(parameters=[SHIPBACK_ID])
class ShipbackCustomer(ShipbackView):
    serializer_class = CustomerSerializer

    @extend_schema(summary="Get a shipback's customer")
    def get(self, request, id):
        shipback = find_by_id_or_key(
            Shipback.objects.select_related("customer__address"), id, self.natural_key
        )
        return self.object_response(shipback.customer)

    @extend_schema(
        summary="Update a shipback's customer (only the keys given; before registration)",
        description="The shipback has its own copy: the order's customer does not change.",
        responses={200: CustomerSerializer, 400: REGISTERED},
    )
    def put(self, request, id):
        shipback = find_by_id_or_key(
            Shipback.objects.select_related("customer__address"), id, self.natural_key
        )
        fields = self.validated(CustomerSerializer, shipback.customer, partial=True)
        address = fields.pop("address", None)
        editing.shipback_customer_update(
            shipback_id=shipback.pk, actor=self.actor, address=address, **fields
        )
        shipback = Shipback.objects.select_related("customer__address").get(pk=shipback.pk)
        return self.object_response(shipback.customer)
