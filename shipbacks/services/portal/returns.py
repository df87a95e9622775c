"""Steps 3 and 5: the customer's return is created with a reason per item (changed until it is
confirmed), confirmed, or abandoned to start over."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import Order
from returns_portal.errors import DomainError

from ...models import ReturnedItem, ReturnReason, Shipback
from ..editing import returned_item_update, shipback_free
from ..quotes import quotes_request
from ..shipbacks import ReturnedItemData, shipback_cancel, shipback_create
from .eligibility import Selection, order_return_options, selection_check
from .errors import CUSTOMER, PortalError, customer_message

# Step 3: a reason per item, and the return is created.


@dataclass
class ReturnLine:
    order_item_id: str
    quantity: int
    reason: ReturnReason | None
    comment: str = ""
    photo: object = None  # a checked image file (a django File with a safe name)


def active_reasons() -> list[ReturnReason]:
    return list(ReturnReason.objects.filter(active=True))


def _check_reason(line_index: int, reason: ReturnReason | None, has_photo: bool) -> None:
    if reason is None or not reason.active:
        raise PortalError(_("Choose a reason."), field=f"lines.{line_index}.reason")
    if reason.requires_photo and not has_photo:
        raise PortalError(
            _("Add a photo: this reason needs one."), field=f"lines.{line_index}.photo"
        )


@transaction.atomic
def portal_return_start(*, order: Order, lines: list[ReturnLine], today=None) -> Shipback:
    """Create the customer's return (not confirmed yet) and ask for its quotes."""
    options = order_return_options(order=order, today=today)
    picked = selection_check(
        options=options,
        selection=Selection({line.order_item_id: line.quantity for line in lines}),
    )
    for index, line in enumerate(lines):
        _check_reason(index, line.reason, bool(line.photo))
    by_id = {str(item.order_item.pk): item.order_item for item in picked}
    try:
        shipback = shipback_create(
            order=order,
            items=[
                ReturnedItemData(
                    order_item=by_id[line.order_item_id],
                    reason=line.reason,
                    quantity=line.quantity,
                    comment=line.comment,
                    photo=line.photo,
                )
                for line in lines
            ],
            actor=CUSTOMER,
        )
    except DomainError as error:
        raise PortalError(customer_message(error), field="items") from error
    quotes_request(shipback_id=shipback.pk)
    return shipback


@dataclass
class ItemChange:
    returned_item: ReturnedItem
    reason: ReturnReason | None
    comment: str = ""
    photo: object = None  # a new photo, or None to keep the one there is


@transaction.atomic
def portal_returned_items_update(*, shipback: Shipback, changes: list[ItemChange]) -> None:
    """Change the reasons, comments and photos of a return not confirmed yet; each change
    clears the quotes, which are asked for again."""
    for index, change in enumerate(changes):
        item = change.returned_item
        _check_reason(index, change.reason, bool(change.photo or item.photo))
    for change in changes:
        item = change.returned_item
        fields = {}
        if change.reason.pk != item.reason_id:
            fields["reason"] = change.reason
        if change.comment != item.comment:
            fields["comment"] = change.comment
        if change.photo:
            fields["photo"] = change.photo
        if fields:
            try:
                returned_item_update(item=item, actor=CUSTOMER, **fields)
            except DomainError as error:
                raise PortalError(customer_message(error), field="items") from error
    quotes_request(shipback_id=shipback.pk)


@transaction.atomic
def portal_return_abandon(*, shipback_id) -> Shipback:
    """The customer starts over: the return not confirmed yet lets its items go."""
    try:
        return shipback_cancel(
            shipback_id=shipback_id, actor=CUSTOMER, note="Started over by the customer."
        )
    except DomainError as error:
        raise PortalError(customer_message(error)) from error


# Step 5: confirming.


def portal_return_confirm(*, shipback_id) -> Shipback:
    """Register the return without payment; the label is asked for by the provider sync.
    Confirming twice (a double click, the back button) changes nothing."""
    shipback = Shipback.objects.get(pk=shipback_id)
    if shipback.registered_at is not None:
        return shipback
    if not shipback.is_modifiable:
        raise PortalError(_("This return was cancelled. Please start a new one."))
    try:
        return shipback_free(shipback_id=shipback_id, actor=CUSTOMER)
    except DomainError as error:
        raise PortalError(customer_message(error), field=error.field or "mode") from error
