"""Step 6: the return's own page (reached by its secret link), its live status, the label, the
return slip, and the photos and product pictures the pages show."""

import mimetypes

from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from catalog.models import Product
from shipbacks.models import ReturnedItem, Shipback
from shipbacks.services.portal import (
    label_pending,
    shipback_destinations,
    shipback_dropoff_point,
    shipback_timeline,
)

from ..pdf import return_slip_pdf
from .common import not_found, portal_render, shipback_for_token, use_customer_language


def _returned_items(shipback):
    return list(
        shipback.returned_items.select_related("order_item__product", "reason").order_by(
            "created_at", "pk"
        )
    )


def _status_context(shipback) -> dict:
    items = _returned_items(shipback)
    return_orders = list(shipback.return_orders.all())
    direct = shipback.mode == Shipback.Mode.DIRECT
    return {
        "shipback": shipback,
        "order": shipback.order,
        "items": items,
        "timeline": shipback_timeline(shipback=shipback, return_orders=return_orders),
        "label_pending": label_pending(shipback),
        "has_label": bool(shipback.label_file or shipback.label_url),
        "direct": direct,
        "destinations": shipback_destinations(shipback=shipback, items=items) if direct else [],
        "dropoff_point": shipback_dropoff_point(shipback),
        "currency": items[0].order_item.currency if items else "EUR",
        "closed": shipback.state in (Shipback.State.CANCELLED, Shipback.State.FAILED),
    }


def _version(context) -> str:
    """Changes whenever what the status fragment shows changes."""
    shipback = context["shipback"]
    done = "".join("1" if step.done else "0" for step in context["timeline"])
    return f"{shipback.state}:{int(context['has_label'])}:{done}"


@never_cache
@require_GET
def track(request, token):
    shipback = shipback_for_token(token)
    if shipback is None:
        return not_found(request)
    use_customer_language(request, shipback.customer.locale)
    if shipback.is_modifiable:
        return redirect("portal:shipping", token=token)
    context = _status_context(shipback)
    context["version"] = _version(context)
    return portal_render(request, "portal/track.html", context)


@never_cache
@require_GET
def status(request, token):
    """For the page's live updates while the label is being generated."""
    shipback = shipback_for_token(token)
    if shipback is None:
        return JsonResponse({"error": "not_found"}, status=404)
    use_customer_language(request, shipback.customer.locale)
    context = _status_context(shipback)
    html = render_to_string("portal/_status.html", context, request=request)
    return JsonResponse(
        {
            "state": shipback.state,
            "pending": context["label_pending"],
            "version": _version(context),
            "html": html,
        }
    )


@never_cache
@require_GET
def label(request, token):
    shipback = shipback_for_token(token)
    if shipback is None or shipback.registered_at is None:
        return not_found(request)
    if shipback.label_file:
        return FileResponse(
            shipback.label_file.open("rb"),
            as_attachment=True,
            filename=f"return-label-{shipback.rma}.pdf",
            content_type="application/pdf",
        )
    if shipback.label_url.startswith(("https://", "http://")):
        return HttpResponseRedirect(shipback.label_url)
    return not_found(request)


@never_cache
@require_GET
def slip(request, token):
    """The printable return slip of a direct return: RMA barcode and QR code, where to send it,
    and what is inside."""
    shipback = shipback_for_token(token)
    if (
        shipback is None
        or shipback.mode != Shipback.Mode.DIRECT
        or shipback.registered_at is None
        or shipback.state in (Shipback.State.CANCELLED, Shipback.State.FAILED)
    ):
        return not_found(request)
    use_customer_language(request, shipback.customer.locale)
    response = HttpResponse(return_slip_pdf(shipback), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="return-slip-{shipback.rma}.pdf"'
    return response


@never_cache
@require_GET
def photo(request, token, item_id):
    """A photo the customer sent, only through the link of the return it belongs to."""
    shipback = shipback_for_token(token)
    if shipback is None:
        return not_found(request)
    item = ReturnedItem.objects.filter(pk=item_id, shipback=shipback).only("photo").first()
    if item is None or not item.photo:
        return not_found(request)
    content_type = mimetypes.guess_type(item.photo.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        return not_found(request)
    return FileResponse(item.photo.open("rb"), content_type=content_type)


@cache_control(public=True, max_age=86400)
@require_GET
def picture(request, product_id):
    """A product's catalog picture, for the item lists (catalog pictures are not personal)."""
    product = Product.objects.filter(pk=product_id).only("picture").first()
    if product is None or not product.picture:
        return HttpResponse(status=404)
    content_type = mimetypes.guess_type(product.picture.name)[0] or ""
    if not content_type.startswith("image/") or content_type == "image/svg+xml":
        return HttpResponse(status=404)
    return FileResponse(product.picture.open("rb"), content_type=content_type)
