"""Steps 3 (changing), 4 and 5 of a return not confirmed yet, reached by its token: reasons,
how the parcel is sent back (live quotes), review and confirmation."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shipbacks.services.editing import as_datetime
from shipbacks.services.portal import (
    ItemChange,
    PortalError,
    active_reasons,
    chosen_dropoff_point,
    chosen_offer,
    portal_mode_choose,
    portal_quotes_ensure,
    portal_quotes_retry,
    portal_return_abandon,
    portal_return_confirm,
    portal_returned_items_update,
    shipping_options,
    slot_value,
)

from ..forms import ReasonForm, ShippingForm
from .common import (
    is_verified,
    not_found,
    portal_render,
    shipback_for_token,
    use_customer_language,
)
from .ordering import _attach_error


def _returned_items(shipback):
    return list(
        shipback.returned_items.select_related("order_item__product", "reason").order_by(
            "created_at", "pk"
        )
    )


def in_progress(view):
    """The view of a return not confirmed yet: 404 for an unknown token, the return's page once
    it is confirmed (or cancelled)."""

    def wrapper(request, token, *args, **kwargs):
        shipback = shipback_for_token(token)
        if shipback is None:
            return not_found(request)
        use_customer_language(request, shipback.customer.locale)
        if not shipback.is_modifiable:
            if request.headers.get("accept", "").startswith("application/json"):
                return JsonResponse({"computing": False, "reload": True})
            return redirect("portal:track", token=token)
        return view(request, shipback, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _currency(items) -> str:
    return items[0].order_item.currency if items else "EUR"


@never_cache
@require_http_methods(["GET", "POST"])
@in_progress
def details(request, shipback):
    """Step 3 again: change the reasons, comments and photos of the items of this return."""
    items = _returned_items(shipback)
    reason_list = active_reasons()
    language = get_language()
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    lines = [
        (
            item,
            item.quantity,
            ReasonForm(
                data,
                files,
                prefix=f"line-{index}",
                reasons=reason_list,
                language=language,
                has_photo=bool(item.photo),
                initial={"reason": item.reason.code, "comment": item.comment},
            ),
        )
        for index, item in enumerate(items)
    ]
    errors = []
    if request.method == "POST" and all(form.is_valid() for _item, _qty, form in lines):
        try:
            portal_returned_items_update(
                shipback=shipback,
                changes=[
                    ItemChange(
                        returned_item=item,
                        reason=form.cleaned_data["reason_object"],
                        comment=form.cleaned_data["comment"],
                        photo=form.cleaned_data["photo"],
                    )
                    for item, _qty, form in lines
                ],
            )
        except PortalError as error:
            _attach_error(error, [form for _item, _qty, form in lines], errors)
        else:
            return redirect("portal:shipping", token=shipback.public_token)
    return portal_render(
        request,
        "portal/reasons.html",
        {
            "shipback": shipback,
            "order": shipback.order,
            "lines": lines,
            "errors": errors,
            "has_errors": bool(errors) or any(form.errors for _item, _qty, form in lines),
            "photo_codes": [r.code for r in reason_list if r.requires_photo],
            "step": 3,
            "editing": True,
            "back_url": reverse("portal:shipping", kwargs={"token": shipback.public_token}),
        },
    )


def _shipping_context(shipback, form=None):
    """What the shipping step shows; the choices made so far come from the form when it was
    sent, else from the return."""
    bound = form is not None and form.is_bound
    items = _returned_items(shipback)
    options = shipping_options(shipback=shipback, items=items)
    return {
        "shipback": shipback,
        "order": shipback.order,
        "items": items,
        "options": options,
        "currency": _currency(items),
        "form": form,
        "chosen_mode": form.data.get("mode") if bound else "",
        "chosen_dropoff": form.data.get("dropoff_code")
        if form is not None and form.is_bound
        else shipback.dropoff_code,
        "chosen_slot": form.data.get("pickup_slot") if form is not None and form.is_bound else "",
        "step": 4,
    }


@never_cache
@require_http_methods(["GET", "POST"])
@in_progress
def shipping(request, shipback):
    """Step 4: the quotes of each mode as the provider computes them; pick one."""
    form = ShippingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_mode_choose(
                shipback_id=shipback.pk,
                mode=form.cleaned_data["mode"],
                dropoff_code=form.cleaned_data["dropoff_code"],
                pickup_slot=form.cleaned_data["pickup_slot"],
            )
        except PortalError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            return redirect("portal:review", token=shipback.public_token)
    elif request.method == "GET":
        portal_quotes_ensure(shipback=shipback)
    context = _shipping_context(shipback, form)
    if not context["chosen_mode"] and shipback.mode:
        context["chosen_mode"] = shipback.mode
        context["chosen_slot"] = _saved_slot(shipback, context["options"])
    return portal_render(request, "portal/shipping.html", context)


def _saved_slot(shipback, options) -> str:
    offer = options.offer(shipback.Mode.PICKUP)
    if not offer or not shipback.pickup_datetime:
        return ""
    for slot in offer.pickup_slots:
        if as_datetime(slot.get("pickup_datetime")) == shipback.pickup_datetime:
            return slot_value(slot)
    return ""


@never_cache
@require_GET
@in_progress
def shipping_status(request, shipback):
    """The modes as they are now, for the page's live updates: each mode's state and its HTML."""
    context = _shipping_context(shipback)
    context["chosen_mode"] = request.GET.get("mode", "")
    modes = {
        offer.mode: {
            "state": offer.state,
            "html": render_to_string(
                "portal/_mode.html", {**context, "offer": offer}, request=request
            ),
        }
        for offer in context["options"].offers
    }
    return JsonResponse({"computing": context["options"].computing, "modes": modes})


@never_cache
@require_POST
@in_progress
def quotes_retry(request, shipback):
    try:
        portal_quotes_retry(shipback_id=shipback.pk)
    except PortalError as error:
        messages.error(request, error.message)
    return redirect("portal:shipping", token=shipback.public_token)


@never_cache
@require_http_methods(["GET", "POST"])
@in_progress
def review(request, shipback):
    """Step 5: what is returned, why, how and for how much; then confirm."""
    items = _returned_items(shipback)
    options = shipping_options(shipback=shipback, items=items)
    offer = chosen_offer(options)
    if offer is None:
        messages.error(request, _("Choose how to send the parcel."))
        return redirect("portal:shipping", token=shipback.public_token)
    error = None
    if request.method == "POST":
        try:
            portal_return_confirm(shipback_id=shipback.pk)
        except PortalError as refused:
            error = refused.message
        else:
            return redirect("portal:track", token=shipback.public_token)
    return portal_render(
        request,
        "portal/review.html",
        {
            "shipback": shipback,
            "order": shipback.order,
            "items": items,
            "options": options,
            "offer": offer,
            "dropoff_point": chosen_dropoff_point(shipback, offer),
            "currency": _currency(items),
            "error": error,
            "step": 5,
        },
        status=400 if error else 200,
    )


@never_cache
@require_POST
@in_progress
def cancel(request, shipback):
    """Start over: the return not confirmed yet is cancelled and its items are free again."""
    try:
        portal_return_abandon(shipback_id=shipback.pk)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("portal:track", token=shipback.public_token)
    messages.info(request, _("Your return was cancelled. You can choose other items."))
    if is_verified(request, shipback.order_id):
        return redirect("portal:items", order_id=shipback.order_id)
    return redirect("portal:lookup")
