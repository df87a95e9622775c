"""Kibo OMS endpoints (seed 004), under /sandbox/kibo/ like
https://integration.shopatron.com/api/v2/, with the OAuth token endpoint the client calls when
KIBO_AUTH_URL is empty (``<base>/oauth/token``)."""

from django.db import transaction
from django.http import HttpRequest

from .. import kibo
from ..http import SandboxError, bearer_token, endpoint, json_response, read_json


def authenticate(request: HttpRequest) -> None:
    """A bearer token from the sandbox's own token endpoint, not expired."""
    if not kibo.token_is_valid(bearer_token(request)):
        raise SandboxError(
            401,
            {"message": "Unauthorized: get a bearer token from oauth/token."},
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


def body(request: HttpRequest) -> dict:
    data = read_json(request, lambda message: kibo.error(400, message))
    if not isinstance(data, dict):
        raise kibo.error(400, "The request body must be a JSON object.")
    return data


@endpoint("GET")
def index(request):
    return json_response({"provider": "Kibo OMS", "sandbox": True, "documents": "seed 004"})


@endpoint("POST")
def token(request):
    if request.content_type == "application/x-www-form-urlencoded":
        data = request.POST.dict()
    else:
        data = read_json(request, lambda message: SandboxError(400, {"error": "invalid_request"}))
    return json_response(kibo.issue_token(data if isinstance(data, dict) else {}))


@endpoint("POST", authenticate=authenticate)
def create_return(request, order_id, shipment_id):
    with transaction.atomic():
        created = kibo.create_return(order_id, shipment_id, body(request))
        return json_response(kibo.return_json(created), status=201)


@endpoint("GET", authenticate=authenticate)
def return_detail(request, return_id):
    return json_response(kibo.return_json(kibo.current(return_id)))
