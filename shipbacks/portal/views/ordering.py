"""Steps 1 to 3: finding the order, choosing the items, giving a reason for each."""

import math

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shipbacks.services.portal import (
    PortalError,
    ReturnLine,
    Selection,
    active_reasons,
    order_find_for_return,
    order_return_options,
    portal_return_start,
    selection_check,
)

from .. import ratelimit
from ..forms import ItemsForm, LookupForm, ReasonForm
from .common import portal_render, use_customer_language, verified_order, verify_order

NEUTRAL_MESSAGE = gettext_lazy(
    "We could not find an order to return with these details. Check the order number and the "
    "e-mail address or postcode. Orders past their return period cannot be returned online."
)


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request):
    """Step 1: order number and e-mail or postcode; one answer whatever was wrong."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        scopes = {
            "ip": ratelimit.client_address(request),
            "order": ratelimit.order_number_key(form.cleaned_data["order_number"]),
        }
        verdict = ratelimit.lookup_check(scopes)
        if not verdict.allowed:
            minutes = max(1, math.ceil(verdict.retry_after / 60))
            form.add_error(
                None,
                _("Too many attempts. Please try again in %(minutes)s minutes.")
                % {"minutes": minutes},
            )
            response = portal_render(
                request, "portal/lookup.html", {"form": form, "step": 1}, status=429
            )
            response["Retry-After"] = str(verdict.retry_after)
            return response
        order = order_find_for_return(
            order_number=form.cleaned_data["order_number"],
            contact=form.cleaned_data["contact"],
        )
        if order is None:
            ratelimit.lookup_failed(scopes)
            form.add_error(None, NEUTRAL_MESSAGE)
        else:
            verify_order(request, order)
            return redirect("portal:items", order_id=order.pk)
    return portal_render(request, "portal/lookup.html", {"form": form, "step": 1})


def _session_expired(request):
    messages.info(request, _("For your security, please find your order again."))
    return redirect("portal:lookup")


@never_cache
@require_http_methods(["GET", "POST"])
def items(request, order_id):
    """Step 2: every item of the order; those that cannot be returned say why."""
    order = verified_order(request, order_id)
    if order is None:
        return _session_expired(request)
    use_customer_language(request, order.customer.locale)
    options = order_return_options(order=order)
    form = ItemsForm(request.POST if request.method == "POST" else None, options=options)
    if request.method == "POST" and form.is_valid():
        selection = form.cleaned_data["selection"]
        try:
            selection_check(options=options, selection=selection)
        except PortalError as error:
            form.add_error(None, error.message)
        else:
            url = reverse("portal:reasons", kwargs={"order_id": order.pk})
            return redirect(f"{url}?sel={selection.encode()}")
    rows = [
        {
            "entry": entry,
            "checked": form.checked(entry.order_item.pk),
            "quantity": form.quantity(entry.order_item.pk, 1),
        }
        for entry in options.items
    ]
    return portal_render(
        request,
        "portal/items.html",
        {"order": order, "options": options, "form": form, "rows": rows, "step": 2},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def reasons(request, order_id):
    """Step 3: a reason for each item, a comment, and a photo when the reason asks for one."""
    order = verified_order(request, order_id)
    if order is None:
        return _session_expired(request)
    use_customer_language(request, order.customer.locale)
    options = order_return_options(order=order)
    selection = Selection.decode(request.POST.get("sel") or request.GET.get("sel", ""))
    try:
        picked = selection_check(options=options, selection=selection)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("portal:items", order_id=order.pk)
    reason_list = active_reasons()
    language = get_language()
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    lines = [
        (
            item,
            selection.quantities[str(item.order_item.pk)],
            ReasonForm(data, files, prefix=f"line-{index}", reasons=reason_list, language=language),
        )
        for index, item in enumerate(picked)
    ]
    errors = []
    if request.method == "POST" and all(form.is_valid() for _item, _qty, form in lines):
        try:
            shipback = portal_return_start(
                order=order,
                lines=[
                    ReturnLine(
                        order_item_id=str(item.order_item.pk),
                        quantity=quantity,
                        reason=form.cleaned_data["reason_object"],
                        comment=form.cleaned_data["comment"],
                        photo=form.cleaned_data["photo"],
                    )
                    for item, quantity, form in lines
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
            "order": order,
            "lines": lines,
            "selection": selection.encode(),
            "errors": errors,
            "has_errors": bool(errors) or any(form.errors for _item, _qty, form in lines),
            "photo_codes": [r.code for r in reason_list if r.requires_photo],
            "step": 3,
            "back_url": reverse("portal:items", kwargs={"order_id": order.pk}),
        },
    )


def _attach_error(error: PortalError, forms: list, errors: list) -> None:
    """Put a service's refusal on the field it names (``lines.<n>.<field>``), else on top."""
    parts = (error.field or "").split(".")
    if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
        index = int(parts[1])
        if index < len(forms) and parts[2] in forms[index].fields:
            forms[index].add_error(parts[2], error.message)
            return
    errors.append(error.message)
