"""ShopRunBack's pagination: ``?page=N&per_page=M`` and a ``pagination`` object."""

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response


class ShopRunBackPagination(BasePagination):
    """Pages from 1; ``per_page`` defaults to 10 and is capped at 100. A page past the last one
    is empty (a client walking ``next_page`` never asks for it, one counting may)."""

    page_size = 10
    max_page_size = 100

    def get_page_size(self, request) -> int:
        try:
            size = int(request.query_params.get("per_page", self.page_size))
        except ValueError:
            raise ValidationError({"per_page": ["Give a number of rows from 1."]}) from None
        if size < 1:
            raise ValidationError({"per_page": ["Give a number of rows from 1."]})
        return min(size, self.max_page_size)

    def get_page_number(self, request) -> int:
        try:
            number = int(request.query_params.get("page", 1))
        except ValueError:
            raise ValidationError({"page": ["Give a page number from 1."]}) from None
        if number < 1:
            raise ValidationError({"page": ["Give a page number from 1."]})
        return number

    def paginate_queryset(self, queryset, request, view=None):
        self.collection_name = view.collection_name
        self.paginator = Paginator(queryset, self.get_page_size(request))
        self.number = self.get_page_number(request)
        if self.number > self.paginator.num_pages:
            return []
        return list(self.paginator.page(self.number).object_list)

    def get_paginated_response(self, data):
        paginator, number = self.paginator, self.number
        last = paginator.num_pages
        return Response(
            {
                "pagination": {
                    "current_page": number,
                    "first_page": 1,
                    "previous_page": min(number - 1, last) if number > 1 else None,
                    "next_page": number + 1 if number < last else None,
                    "last_page": last,
                    "count": paginator.count,
                    "per_page": paginator.per_page,
                },
                self.collection_name: data,
            }
        )
