"""Integrator API: a shipback's quotes, one per mode (ShopRunBack's "your own return process").

https://github.com/ShopRunBack/api-doc — "2. Request the quotes", "Clear the quotes" (seed 003).
Quotes are computed on demand by the provider (30–90 s): the first GET starts the computation
and answers them ``computing``; clients poll.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from returns_portal.api import examples as ex
from returns_portal.errors import DomainError

from ..models import Quote
from ..services import editing, quotes_request
from . import serializers as s
from .views import REGISTERED, SHIPBACK_ID, ShipbackView

# A bare array, as ShopRunBack answers (declared as a schema so its example is not re-wrapped).
QUOTES = OpenApiResponse({"type": "array", "items": {"$ref": "#/components/schemas/Quote"}})


class QuoteView(ShipbackView):
    serializer_class = s.QuoteSerializer

    def quotes(self) -> list[Quote]:
        """The shipback's quotes; their computation starts when one is missing and the shipback
        can still change."""
        shipback = self.shipback()
        quotes = list(shipback.quotes.order_by("mode"))
        if shipback.is_modifiable and len(quotes) < len(Quote.Mode.values):
            quotes = quotes_request(shipback_id=shipback.pk)
        return quotes


@extend_schema(parameters=[SHIPBACK_ID])
class QuoteList(QuoteView):
    @extend_schema(
        summary="Request the quotes (and poll them)",
        description=(
            "A bare array, one quote per mode (postal, pickup, dropoff). The first call starts "
            "their computation: they answer `computing`, then `available` (with a price, the "
            "drop-off points or the pickup slots offered), `unavailable` or `failed`. Poll every "
            "20 seconds."
        ),
        responses=QUOTES,
        examples=[ex.QUOTES_COMPUTING],
    )
    def get(self, request, id):
        return Response(self.get_serializer(self.quotes(), many=True).data)


@extend_schema(
    parameters=[
        SHIPBACK_ID,
        OpenApiParameter("mode", str, OpenApiParameter.PATH, enum=Quote.Mode.values),
    ]
)
class QuoteDetail(QuoteView):
    @extend_schema(summary="Follow the quote of one mode", responses=s.QuoteSerializer)
    def get(self, request, id, mode):
        quote = next((q for q in self.quotes() if q.mode == mode), None)
        if quote is None:
            raise Http404
        return self.object_response(quote)


@extend_schema(parameters=[SHIPBACK_ID])
class QuoteClear(QuoteView):
    @extend_schema(
        summary="Clear the quotes",
        description=(
            "After changing the shipback, or to compute the quotes again: the next GET on the "
            "quotes starts a new computation. Answers the (empty) list of quotes."
        ),
        request=None,
        responses={200: QUOTES, 400: REGISTERED},
    )
    def post(self, request, id):
        shipback = self.shipback()
        # editing.quotes_clear does not check this itself (yet): registered prices are final.
        if not shipback.is_modifiable:
            raise DomainError(
                "This shipback is registered: its quotes no longer change.",
                code="SHIPBACK_REGISTERED",
            )
        editing.quotes_clear(shipback=shipback)
        return Response([])
