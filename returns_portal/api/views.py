"""Base classes for the integrator API's views."""

import uuid

from django.http import Http404
from rest_framework import generics, status
from rest_framework.response import Response

from .authentication import IntegratorTokenAuthentication, IsIntegrator
from .idempotency import IdempotentPostMixin
from .pagination import ShopRunBackPagination
from .throttling import IntegratorRateThrottle


def find_by_id_or_key(queryset, value: str, natural_key: str | None):
    """The object whose UUID is ``value``, else whose natural key is ``value``; 404 otherwise."""
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
    pagination_class = ShopRunBackPagination
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

    def list_response(self, queryset):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def object_response(self, obj, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(obj).data, status=status_code)
