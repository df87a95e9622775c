"""Base classes for the integrator API's views."""

import uuid

from django.http import Http404, JsonResponse
from rest_framework import generics, status
from rest_framework.response import Response

from .authentication import IntegratorTokenAuthentication, IsIntegrator
from .idempotency import IdempotentPostMixin
from .pagination import ShopRunBackPagination
from .parsers import LenientFormParser, LenientJSONParser
from .schema import IntegratorSchema
from .throttling import IntegratorRateThrottle


def find_by_id_or_key(queryset, value: str, natural_key: str | None):
    """The object whose UUID is ``value``, else whose natural key is ``value``; 404 otherwise."""
    if "\x00" in value or len(value) > 255:
        raise Http404
    try:
        return queryset.get(pk=uuid.UUID(str(value)))
    except (ValueError, queryset.model.DoesNotExist):
        pass
    if natural_key:
        found = queryset.filter(**{natural_key: value}).first()
        if found is not None:
            return found
    raise Http404


class IntegratorAPIView(IdempotentPostMixin, generics.GenericAPIView):
    authentication_classes = [IntegratorTokenAuthentication]
    permission_classes = [IsIntegrator]
    throttle_classes = [IntegratorRateThrottle]
    parser_classes = [LenientJSONParser, LenientFormParser]
    pagination_class = ShopRunBackPagination
    schema = IntegratorSchema()
    metadata_class = None  # OPTIONS answers 405: the schema documents the API
    #: The field that also identifies an object in URLs (brands: reference, orders: order_number).
    natural_key: str | None = None
    #: The key the list is under in a paginated answer ("brands", "orders", …).
    collection_name = "results"
    lookup_url_kwarg = "id"

    @property
    def integrator(self):
        return self.request.user.integrator

    def get_object(self):
        obj = find_by_id_or_key(
            self.get_queryset(), self.kwargs[self.lookup_url_kwarg], self.natural_key
        )
        self.check_object_permissions(self.request, obj)
        return obj

    def list_response(self, queryset, serializer_class=None):
        page = self.paginate_queryset(queryset)
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def object_response(self, obj, status_code=status.HTTP_200_OK, serializer_class=None):
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(obj, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def validated(self, serializer_class, instance=None, *, partial=False) -> dict:
        """The request body validated by ``serializer_class`` (a 422 otherwise)."""
        serializer = serializer_class(
            instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer in the API's error format, not Django's HTML page."""
    return JsonResponse(
        {"errors": [{"code": "NOT_FOUND", "message": f"No endpoint {request.path}."}]},
        status=status.HTTP_404_NOT_FOUND,
    )
