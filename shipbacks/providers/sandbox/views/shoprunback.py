"""ShopRunBack API v1 endpoints (seeds 002, 003), under /sandbox/shoprunback/ like
https://dashboard.shoprunback.com/api/v1/."""

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import escape
from django.urls import reverse

from .. import shoprunback as srb
from ..http import SandboxError, endpoint, json_response, read_json
from ..models import ShopRunBackRecord, ShopRunBackShipback
from ..pdf import label_pdf

Kind = ShopRunBackRecord.Kind
PER_PAGE = 10


def authenticate(request: HttpRequest) -> None:
    """002 "Authentication": ``Authorization: Token token=<token>`` (``Token <token>`` too).
    Any token is accepted; none gets the 401 of Rails' token authentication."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    token = credentials.strip()
    if token.startswith("token="):
        token = token.removeprefix("token=").strip().strip('"')
    if scheme.lower() != "token" or not token:
        raise SandboxError(
            401,
            "HTTP Token: Access denied.\n",
            headers={"WWW-Authenticate": 'Token realm="Application"'},
        )


def body(request: HttpRequest) -> dict:
    data = read_json(request, lambda message: srb.error(400, "PARSE_ERROR", message))
    if not isinstance(data, dict):
        raise srb.error(400, "PARSE_ERROR", "The request body must be a JSON object.")
    return data


def paginated(request: HttpRequest, items: list, key: str) -> HttpResponse:
    """002 "List your products": ``?page=N`` and a ``pagination`` object."""
    try:
        page = max(1, int(request.GET.get("page", 1)))
        per_page = min(100, max(1, int(request.GET.get("per_page", PER_PAGE))))
    except ValueError:
        raise srb.invalid("page and per_page are numbers", "page") from None
    count = len(items)
    last = max(1, -(-count // per_page))
    return json_response(
        {
            "pagination": {
                "current_page": page,
                "first_page": 1,
                "previous_page": page - 1 if page > 1 else None,
                "next_page": page + 1 if page < last else None,
                "last_page": last,
                "count": count,
                "per_page": per_page,
            },
            key: items[(page - 1) * per_page : page * per_page],
        }
    )


@endpoint("GET")
def index(request):
    about = {"provider": "ShopRunBack", "sandbox": True, "documents": "seeds 002, 003"}
    return json_response(about)


@endpoint("GET", "POST", authenticate=authenticate)
def brands(request):
    if request.method == "POST":
        with transaction.atomic():
            return json_response(srb.brand_json(srb.create_brand(body(request))), status=201)
    return json_response(srb.brands())


@endpoint("GET", authenticate=authenticate)
def brand(request, key):
    found = srb.find(Kind.BRAND, key)
    if found is None:
        raise srb.not_found("brand", key)
    return json_response(srb.brand_json(found))


@endpoint("GET", "POST", authenticate=authenticate)
def products(request):
    if request.method == "POST":
        with transaction.atomic():
            return json_response(srb.product_json(srb.create_product(body(request))), status=201)
    records = ShopRunBackRecord.objects.filter(kind=Kind.PRODUCT).order_by("created_at")
    return paginated(request, [srb.product_json(p) for p in records], "products")


@endpoint("GET", authenticate=authenticate)
def product(request, key):
    found = srb.find(Kind.PRODUCT, key)
    if found is None:
        raise srb.not_found("product", key)
    return json_response(srb.product_json(found))


@endpoint("GET", "POST", authenticate=authenticate)
def orders(request):
    if request.method == "POST":
        with transaction.atomic():
            return json_response(srb.order_json(srb.create_order(body(request))), status=201)
    records = ShopRunBackRecord.objects.filter(kind=Kind.ORDER).order_by("created_at")
    return paginated(request, [srb.order_json(o) for o in records], "orders")


@endpoint("GET", "PUT", "DELETE", authenticate=authenticate)
def order(request, key):
    with transaction.atomic():
        found = srb.find(Kind.ORDER, key)
        if found is None:
            raise srb.not_found("order", key)
        if request.method == "DELETE":
            srb.delete_order(found)
            return HttpResponse(status=200)
        if request.method == "PUT":
            srb.update_order(found, body(request))
        return json_response(srb.order_json(found))


@endpoint("GET", "POST", authenticate=authenticate)
def shipbacks(request):
    if request.method == "POST":
        base_url = request.build_absolute_uri(reverse("sandbox:shoprunback-index"))
        with transaction.atomic():
            created = srb.create_shipback(body(request), base_url=base_url)
            return json_response(srb.shipback_json(created), status=201)
    records = ShopRunBackShipback.objects.select_related("order").order_by("created_at")
    return paginated(request, [srb.shipback_json(s) for s in records], "shipbacks")


@endpoint("GET", "POST", "PUT", "DELETE", authenticate=authenticate)
def shipback(request, shipback_id):
    if request.method == "GET":
        return json_response(srb.shipback_json(srb.get_shipback(shipback_id)))
    with transaction.atomic():
        found = srb.locked_shipback(shipback_id)
        if request.method == "DELETE":
            srb.delete_shipback(found)
            return HttpResponse(status=200)
        srb.update_shipback(found, body(request))
        return json_response(srb.shipback_json(found))


@endpoint("GET", authenticate=authenticate)
def quotes(request, shipback_id):
    with transaction.atomic():
        found = srb.locked_shipback(shipback_id)
        srb.request_quotes(found)
    return json_response([srb.quote_json(found, mode) for mode in srb.MODES])


@endpoint("GET", authenticate=authenticate)
def quote(request, shipback_id, mode):
    if mode not in srb.MODES:
        raise srb.not_found("quote mode", mode)
    with transaction.atomic():
        found = srb.locked_shipback(shipback_id)
        srb.request_quotes(found)
    return json_response(srb.quote_json(found, mode))


@endpoint("POST", authenticate=authenticate)
def clear_quotes(request, shipback_id):
    with transaction.atomic():
        srb.clear_quotes(srb.locked_shipback(shipback_id))
    return HttpResponse(status=200)


@endpoint("POST", authenticate=authenticate)
def free(request, shipback_id):
    with transaction.atomic():
        found = srb.locked_shipback(shipback_id)
        srb.register_free(found)
        return json_response(srb.shipback_json(found))


@endpoint("GET")
def label(request, shipback_id):
    """The label behind ``label_url``: public like a CDN link, unguessable like one."""
    found = srb.get_shipback(str(shipback_id))
    if not found.body.get("tracking_number"):
        raise Http404("No label yet.")
    document = label_pdf(srb.shipback_json(found), srb.order_json(found.order))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="label-{found.rma}.pdf"'
    return response


@endpoint("GET")
def public_page(request, shipback_id):
    """The shipback's ``public_url``: what the customer would follow."""
    found = get_object_or_404(ShopRunBackShipback, pk=shipback_id)
    data = srb.shipback_json(srb.get_shipback(str(found.pk)))
    link = f'<p><a href="{escape(data["label_url"])}">Label</a></p>' if data["label_url"] else ""
    return HttpResponse(
        f"<!doctype html><title>Return {escape(data['rma'])}</title>"
        f"<h1>Return {escape(data['rma'])}</h1><p>State: {escape(data['state'])}</p>{link}"
    )
