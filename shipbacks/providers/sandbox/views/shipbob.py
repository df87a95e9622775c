"""ShipBob API 2025-07 returns endpoints (seed 001, spec), under /sandbox/shipbob/ like
https://api.shipbob.com/.

The ``shipbob_channel_id`` header cannot be checked here: its name has underscores, and Django's
development server (``runserver``, the test live server) and gunicorn drop such headers before
the view sees them, so the sandbox neither requires nor reads it. The client tests check that it
is sent; a test double that must see it cannot be a Django view.
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from .. import shipbob
from ..http import SandboxError, bearer_token, endpoint, integer, json_response, read_json


def authenticate(request: HttpRequest) -> None:
    """Seed 001: ``Authorization: Bearer <Personal Access Token>``; any token is accepted."""
    if not bearer_token(request):
        raise SandboxError(
            401,
            {
                "type": "https://tools.ietf.org/html/rfc9110#section-15.5.2",
                "title": "Unauthorized",
                "status": 401,
                "detail": "Authorization missing or invalid",
            },
            headers={"WWW-Authenticate": "Bearer"},
        )


def channel_id() -> int:
    """The channel the return belongs to: the configured one (the header is not seen, above)."""
    return integer(settings.SHIPBOB_CHANNEL_ID) or 1


def body(request: HttpRequest) -> dict:
    data = read_json(request, lambda message: shipbob.problem(400, "Bad Request", message))
    if not isinstance(data, dict):
        raise shipbob.problem(400, "Bad Request", "The request body must be a JSON object.")
    return data


@endpoint("GET")
def index(request):
    return json_response({"provider": "ShipBob", "sandbox": True, "documents": "seed 001"})


@endpoint("GET", "POST", authenticate=authenticate)
def returns(request):
    if request.method == "POST":
        with transaction.atomic():
            created = shipbob.create_return(body(request), channel_id=channel_id())
            return json_response(shipbob.created_json(created), status=201)
    found, total, page, limit = shipbob.search(request.GET)
    link = request.build_absolute_uri(request.path)
    return json_response(
        {
            "first": f"{link}?Cursor=1&Limit={limit}",
            "items": [shipbob.return_json(record) for record in found],
            "last": f"{link}?Cursor={max(1, -(-total // limit))}&Limit={limit}",
            "next": f"{link}?Cursor={page + 1}&Limit={limit}" if page * limit < total else None,
            "prev": f"{link}?Cursor={page - 1}&Limit={limit}" if page > 1 else None,
        },
        headers={
            "Page-Number": str(page),
            "Page-Size": str(limit),
            "Total-Count": str(total),
            "Total-Pages": str(max(1, -(-total // limit))),
        },
    )


@endpoint("GET", authenticate=authenticate)
def return_detail(request, return_id):
    return json_response(shipbob.return_json(shipbob.current(return_id)))


@endpoint("POST", authenticate=authenticate)
def cancel(request, return_id):
    shipbob.cancel(return_id)
    return HttpResponse(status=200)
