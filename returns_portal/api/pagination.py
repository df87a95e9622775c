"""ShopRunBack's pagination: ``?page=N&per_page=M`` and a ``pagination`` object."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class ShopRunBackPagination(PageNumberPagination):
    page_size = 10
    page_size_query_param = "per_page"
    max_page_size = 100

    def get_paginated_response(self, data):
        page = self.page
        paginator = page.paginator
        return Response(
            {
                "pagination": {
                    "current_page": page.number,
                    "first_page": 1,
                    "previous_page": page.previous_page_number() if page.has_previous() else None,
                    "next_page": page.next_page_number() if page.has_next() else None,
                    "last_page": paginator.num_pages,
                    "count": paginator.count,
                    "per_page": paginator.per_page,
                },
                self.collection_name: data,
            }
        )

    def paginate_queryset(self, queryset, request, view=None):
        self.collection_name = view.collection_name
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response_schema(self, schema):
        page_number = {"type": "integer", "nullable": True}
        return {
            "type": "object",
            "required": ["pagination"],
            "properties": {
                "pagination": {
                    "type": "object",
                    "properties": {
                        "current_page": {"type": "integer"},
                        "first_page": {"type": "integer"},
                        "previous_page": page_number,
                        "next_page": page_number,
                        "last_page": {"type": "integer"},
                        "count": {"type": "integer"},
                        "per_page": {"type": "integer"},
                    },
                },
                "items": schema,
            },
        }
