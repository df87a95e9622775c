"""The warehouse's screens on the return order admin: the return orders to receive (a search box
a barcode scanner types into), the receiving screen of one return order, its receiving slip
(PDF) and the photos of the actions taken.

What is written goes through ``return_order_receive`` and ``return_order_complete``, all or
nothing; what a user sees is limited by ``return_orders_for`` (warehouse staff: their
warehouses' return orders, the others 404).
"""

import mimetypes
import re

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from catalog.models import Product
from returns_portal.actors import Actor
from returns_portal.errors import DomainError

from ..models import ExpectedItem, ItemAction, ReturnOrder
from ..portal.forms import PHOTO_ACCEPT, checked_photo
from ..receiving_slip import receiving_slip_pdf
from ..selectors import (
    expected_items_received,
    return_order_scanned,
    return_orders_for,
    return_orders_searched,
    warehouse_scope,
    with_units_expected,
)
from ..services import ActionData, ReceivedLineData, return_order_complete, return_order_receive

State = ReturnOrder.State
ACTIONS = list(ItemAction.Action)  # restock, quarantine, dispose: the screen's action lines
PER_PAGE = 50
IN_PROGRESS = (State.ARRIVED, State.PROCESSING)


# Forms ----------------------------------------------------------------------------------------


class PhotoField(forms.FileField):
    """An optional photo, checked and re-encoded as the portal does with customers' photos."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": PHOTO_ACCEPT}))
        super().__init__(required=False, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return checked_photo(upload) if upload else None


def default_action(item: ExpectedItem) -> str:
    """The action the screen proposes: the one requested, or restock when the warehouse's
    default applies."""
    if item.requested_action in ItemAction.Action.values:
        return item.requested_action
    return ItemAction.Action.RESTOCK


class ReceivedItemForm(forms.Form):
    """One expected item: how many units were received in all, and the actions taken on those
    not acted on yet, each with a quantity, a reason and a photo."""

    received = forms.IntegerField(min_value=0, label="Received")

    def __init__(self, *args, item: ExpectedItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.default_action = default_action(item)
        self.line_actions: list[str] = []
        name = item.product.reference
        self.fields["received"].widget.attrs.update(
            {
                "aria-label": f"{name}: units received in all",
                "class": "rcv-received",
                "inputmode": "numeric",
            }
        )
        for action in ACTIONS:
            self.fields[action.value] = forms.IntegerField(
                min_value=0,
                required=False,
                label=action.label,
                widget=forms.NumberInput(
                    attrs={
                        "aria-label": f"{name}: units to {action.label.lower()}",
                        "class": "rcv-action",
                        "data-action": action.value,
                        "inputmode": "numeric",
                    }
                ),
            )
            self.fields[f"{action.value}_reason"] = forms.CharField(
                max_length=255,
                required=False,
                label=f"{action.label} reason",
                widget=forms.TextInput(attrs={"aria-label": f"{name}: why {action.label.lower()}"}),
            )
            self.fields[f"{action.value}_photo"] = PhotoField(
                label=f"{action.label} photo",
                widget=forms.FileInput(
                    attrs={"accept": PHOTO_ACCEPT, "aria-label": f"{name}: photo"}
                ),
            )

    @classmethod
    def initial_for(cls, item: ExpectedItem, received: int, typed=None) -> dict:
        """What the screen shows: ``received`` units, the units not acted on yet proposed for
        the default action (less what ``typed`` already gives the other actions)."""
        typed = typed or {}
        initial = {"received": received}
        others = 0
        for action in ACTIONS:
            if action.value != default_action(item):
                initial[action.value] = _number(typed.get(action.value))
                others += initial[action.value] or 0
            initial[f"{action.value}_reason"] = typed.get(f"{action.value}_reason", "")
        pending = received - item.acted - others
        initial[default_action(item)] = pending if pending > 0 else None
        return initial

    def action_rows(self):
        """For the template: each action's quantity, reason and photo fields."""
        for action in ACTIONS:
            yield {
                "action": action,
                "quantity": self[action.value],
                "reason": self[f"{action.value}_reason"],
                "photo": self[f"{action.value}_photo"],
                "is_default": action.value == self.default_action,
            }

    def line(self) -> ReceivedLineData:
        data = self.cleaned_data
        actions = [
            ActionData(
                action=action.value,
                quantity=data[action.value],
                reason=data[f"{action.value}_reason"],
                photo=data[f"{action.value}_photo"],
            )
            for action in ACTIONS
            if data.get(action.value)
        ]
        self.line_actions = [action.action for action in actions]
        return ReceivedLineData(
            quantity_received=data["received"], expected_item_id=self.item.pk, actions=actions
        )


class UnexpectedItemForm(forms.Form):
    """A product that arrived without being expected: by reference or EAN (scanned), how many,
    optionally the action taken on all of them, and a note."""

    product = forms.CharField(
        max_length=200,
        required=False,
        label="Product reference or EAN",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    quantity = forms.IntegerField(min_value=1, required=False, initial=1, label="Quantity")
    action = forms.ChoiceField(
        choices=[("", "Decide later"), *ItemAction.Action.choices],
        required=False,
        label="Action taken",
    )
    note = forms.CharField(
        max_length=1000,
        required=False,
        label="Note",
        widget=forms.TextInput(attrs={"placeholder": "What arrived, in what condition"}),
    )

    def clean(self):
        cleaned = super().clean()
        code = (cleaned.get("product") or "").strip()
        cleaned["product_object"] = None
        if not code:
            if cleaned.get("note") or cleaned.get("action"):
                self.add_error("product", "Scan or type the product's reference or EAN.")
            return cleaned
        matches = list(
            Product.objects.filter(Q(reference=code) | Q(ean=code)).only("pk", "reference")[:2]
        )
        exact = [product for product in matches if product.reference == code]
        if exact or len(matches) == 1:
            cleaned["product_object"] = (exact or matches)[0]
        elif matches:
            self.add_error("product", f"Several products have the EAN {code}: type the reference.")
        else:
            self.add_error("product", f"No product has the reference or EAN {code}.")
        if cleaned.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", "How many arrived?")
        return cleaned

    def line(self) -> ReceivedLineData | None:
        product = self.cleaned_data.get("product_object")
        if product is None:
            return None
        quantity = self.cleaned_data["quantity"]
        action = self.cleaned_data.get("action")
        return ReceivedLineData(
            quantity_received=quantity,
            product_reference=product.reference,
            unexpected=True,
            note=self.cleaned_data.get("note", ""),
            actions=[ActionData(action=action, quantity=quantity)] if action else [],
        )


def _number(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


# Service errors onto the forms ------------------------------------------------------------------

LINE_ERROR = re.compile(
    r"^(?:items|expected_items)\[(?P<line>\d+)\]"
    r"(?:\.(?P<field>\w+)(?:\[(?P<action>\d+)\](?:\.\w+)?)?)?$"
)
UNEXPECTED_FIELDS = {"quantity_received": "quantity", "user_ref": "product", "note": "note"}


def place_error(error: DomainError, rows: list[ReceivedItemForm], unexpected) -> str | None:
    """Show a service's refusal next to what it is about: a line's field, a line, or (returned)
    the page. Lines are numbered as sent: the expected items in order, then the unexpected."""
    match = LINE_ERROR.match(error.field or "")
    if not match:
        return error.message
    index = int(match["line"])
    field = match["field"]
    if index < len(rows):
        form = rows[index]
        target = None
        if field == "quantity_received":
            target = "received"
        elif field == "actions" and match["action"] is not None:
            position = int(match["action"])
            if position < len(form.line_actions):
                target = form.line_actions[position]
        form.add_error(target, error.message)
        return None
    if index == len(rows) and unexpected is not None:
        unexpected.add_error(UNEXPECTED_FIELDS.get(field), error.message)
        return None
    return error.message


# Views ------------------------------------------------------------------------------------------


class ReceivingAdminMixin:
    """The receiving screens, on the return order admin (see the module's docstring)."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "to-receive/",
                view(self.to_receive_view),
                name="{}_{}_to_receive".format(*info),
            ),
            path(
                "<path:object_id>/receive/",
                view(self.receive_view),
                name="{}_{}_receive".format(*info),
            ),
            path(
                "<path:object_id>/slip.pdf",
                view(self.receiving_slip_view),
                name="{}_{}_slip".format(*info),
            ),
            path(
                "<path:object_id>/photos/<int:action_id>/",
                view(self.action_photo_view),
                name="{}_{}_action_photo".format(*info),
            ),
            *super().get_urls(),
        ]

    def _url(self, name: str, *args) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=args,
            current_app=self.admin_site.name,
        )

    def _return_order(self, request, object_id, queryset=None) -> ReturnOrder:
        """The return order, if this user may see it (404 otherwise, whoever's it is)."""
        queryset = return_orders_for(request.user, queryset)
        return_order = queryset.filter(pk=_pk(object_id)).first()
        if return_order is None:
            raise Http404("No such return order.")
        if not self.has_view_permission(request, return_order):
            raise PermissionDenied
        return return_order

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            context["receiving_links"] = {
                "receive": self._url("receive", obj.pk),
                "slip": self._url("slip", obj.pk),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The return orders to receive.

    def to_receive_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()
        mine = return_orders_for(request.user)
        if query:
            found = return_order_scanned(mine, query)
            if found is not None:
                return HttpResponseRedirect(self._url("receive", found))
        listed = with_units_expected(return_orders_searched(mine, query))
        awaiting = Paginator(listed.awaiting_arrival().order_by("created_at", "pk"), PER_PAGE)
        in_progress = Paginator(
            listed.filter(state__in=IN_PROGRESS).order_by("arrived_at", "created_at", "pk"),
            PER_PAGE,
        )
        scope = warehouse_scope(request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Return orders to receive",
            "query": query,
            "awaiting": _page(request, awaiting, "awaiting_page"),
            "in_progress": _page(request, in_progress, "progress_page"),
            "warehouses": list(scope.values_list("name", flat=True)) if scope is not None else None,
            "changelist_url": self._url("changelist"),
        }
        return TemplateResponse(request, "admin/shipbacks/returnorder/to_receive.html", context)

    # One return order.

    def receive_view(self, request, object_id):
        return_order = self._return_order(
            request,
            object_id,
            ReturnOrder.objects.select_related(
                "warehouse", "order__customer", "shipback__customer"
            ),
        )
        can_receive = not return_order.is_final and self.has_change_permission(
            request, return_order
        )
        items = expected_items_received(return_order)
        for item in items:
            for action in item.actions.all():
                if action.photo:
                    action.photo_url = self._url("action_photo", return_order.pk, action.pk)
        page_errors: list[str] = []
        if request.method == "POST":
            if not can_receive:
                raise PermissionDenied
            if "receive_all" in request.POST:
                rows = self._rows_all_received(request, items)
                unexpected = UnexpectedItemForm(
                    prefix="unexpected", initial=_typed(request.POST, "unexpected")
                )
            else:
                rows = [
                    ReceivedItemForm(request.POST, request.FILES, item=item, prefix=f"item-{index}")
                    for index, item in enumerate(items)
                ]
                unexpected = UnexpectedItemForm(request.POST, prefix="unexpected")
                checked = [form.is_valid() for form in [*rows, unexpected]]  # every error shown
                if all(checked):
                    try:
                        return_order = self._receive(request, return_order, rows, unexpected)
                    except DomainError as error:
                        if message := place_error(error, rows, unexpected):
                            page_errors.append(message)
                    else:
                        return self._received(request, return_order)
        else:
            rows = [
                ReceivedItemForm(
                    item=item,
                    prefix=f"item-{index}",
                    initial=ReceivedItemForm.initial_for(item, item.quantity_received),
                )
                for index, item in enumerate(items)
            ]
            unexpected = UnexpectedItemForm(prefix="unexpected")
        if can_receive:  # the first thing to type: the first quantity, or an unexpected item
            first = rows[0].fields["received"] if rows else unexpected.fields["product"]
            first.widget.attrs["autofocus"] = True
        shipback, order = return_order.shipback, return_order.order
        customer = (shipback.customer if shipback else None) or (order.customer if order else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Receive {return_order}",
            "return_order": return_order,
            "customer": customer,
            "tracking_number": return_order.tracking_number
            or (shipback.tracking_number if shipback else ""),
            "rows": rows,
            "unexpected": unexpected,
            "page_errors": page_errors,
            "can_receive": can_receive,
            "has_errors": bool(page_errors)
            or any(form.is_bound and form.errors for form in [*rows, unexpected]),
            "units_missing": sum(item.missing for item in items),
            "to_receive_url": self._url("to_receive"),
            "change_url": self._url("change", return_order.pk),
            "slip_url": self._url("slip", return_order.pk),
        }
        return TemplateResponse(request, "admin/shipbacks/returnorder/receive.html", context)

    def _received(self, request, return_order: ReturnOrder):
        """After a save: back to the screen; after completing, on to the next parcel."""
        if return_order.state == State.COMPLETED:
            self.message_user(request, f"{return_order} completed.", messages.SUCCESS)
            return HttpResponseRedirect(self._url("to_receive"))
        self.message_user(
            request,
            f"{return_order} saved: {return_order.get_state_display().lower()}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._url("receive", return_order.pk))

    def _rows_all_received(self, request, items) -> list[ReceivedItemForm]:
        """ "Receive all" without the script: every expected unit received, the units not acted
        on yet proposed for the default action; what was typed in the other fields is kept."""
        rows = []
        for index, item in enumerate(items):
            prefix = f"item-{index}"
            typed = _typed(request.POST, prefix)
            if item.unexpected:  # nothing to fill in: as many as typed
                received = _number(typed.get("received")) or item.quantity_received
            else:
                received = item.quantity_expected
            rows.append(
                ReceivedItemForm(
                    item=item,
                    prefix=prefix,
                    initial=ReceivedItemForm.initial_for(item, received, typed),
                )
            )
        return rows

    def _receive(self, request, return_order, rows, unexpected) -> ReturnOrder:
        """Record the lines, and complete when asked: all of it, or nothing."""
        actor = Actor.staff(request.user)
        lines = [form.line() for form in rows]
        if extra := unexpected.line():
            lines.append(extra)
        with transaction.atomic():
            return_order = return_order_receive(
                return_order_id=return_order.pk, lines=lines, actor=actor
            )
            if "_complete" in request.POST:
                return_order = return_order_complete(return_order_id=return_order.pk, actor=actor)
        return return_order

    def receiving_slip_view(self, request, object_id):
        return_order = self._return_order(
            request,
            object_id,
            ReturnOrder.objects.select_related(
                "warehouse__address", "order__customer", "shipback__customer"
            ),
        )
        response = HttpResponse(receiving_slip_pdf(return_order), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="receiving-slip-{return_order.reference}.pdf"'
        )
        return response

    def action_photo_view(self, request, object_id, action_id):
        """The photo of an action taken, only through a return order its user may see."""
        return_order = self._return_order(request, object_id)
        action = (
            ItemAction.objects.filter(pk=action_id, expected_item__return_order=return_order)
            .only("photo")
            .first()
        )
        if action is None or not action.photo:
            raise Http404("No such photo.")
        content_type = mimetypes.guess_type(action.photo.name)[0] or ""
        if not content_type.startswith("image/") or content_type == "image/svg+xml":
            raise Http404("No such photo.")
        return FileResponse(action.photo.open("rb"), content_type=content_type)


def _pk(object_id):
    """A return order's id from the URL; anything that is not one names nothing."""
    try:
        return ReturnOrder._meta.pk.to_python(unquote(object_id))
    except ValidationError:
        raise Http404("No such return order.") from None


def _page(request, paginator: Paginator, param: str):
    """One page of a list, with the query strings of the pages around it (the other list's page
    and the search are kept)."""
    page = paginator.get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = number
        return "?" + query.urlencode()

    page.previous_link = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_link = link(page.next_page_number()) if page.has_next() else ""
    return page


def _typed(data, prefix: str) -> dict:
    """The values posted for one form prefix, without the prefix."""
    start = f"{prefix}-"
    return {key[len(start) :]: value for key, value in data.items() if key.startswith(start)}
