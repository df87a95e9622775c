"""What the portal tells customers when a request is refused: in their language, and never
saying which part of a lookup was wrong."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from returns_portal.actors import Actor
from returns_portal.errors import DomainError

CUSTOMER = Actor.customer()


class PortalError(DomainError):
    """A customer's request the portal refuses; the message is translated, ``field`` names the
    form field (``items``, ``lines.<n>.reason``, ``mode``...)."""


# Error codes of the shared services, as a customer should read them.
SERVICE_MESSAGES = {
    "INVALID_QUANTITY": gettext_lazy("Some of these items are no longer available to return."),
    "INVALID_ITEM": gettext_lazy("Some of these items are no longer available to return."),
    "DUPLICATE": gettext_lazy("Some of these items are no longer available to return."),
    "INVALID_REASON": gettext_lazy("This reason is no longer offered: choose another one."),
    "UNAVAILABLE_MODE": gettext_lazy(
        "This way of sending the parcel is no longer available: choose another one."
    ),
    "INVALID_MODE": gettext_lazy(
        "This way of sending the parcel is not available for this return."
    ),
    "INVALID_DROPOFF_CODE": gettext_lazy("Choose one of the drop-off points offered."),
    "INVALID_PICKUP_SLOT": gettext_lazy("Choose one of the pickup slots offered."),
    "SHIPBACK_REGISTERED": gettext_lazy("This return is already confirmed."),
    "NO_WAREHOUSE": gettext_lazy(
        "We cannot take this return online. Please contact customer service."
    ),
}


def customer_message(error: DomainError) -> str:
    """What to tell the customer about an error raised by any service."""
    if isinstance(error, PortalError):
        return error.message
    message = SERVICE_MESSAGES.get(error.code)
    if message is None and error.field == "dropoff_code":
        message = SERVICE_MESSAGES["INVALID_DROPOFF_CODE"]
    if message is None and error.field == "pickup_datetime":
        message = SERVICE_MESSAGES["INVALID_PICKUP_SLOT"]
    return str(message or _("This return cannot be changed this way. Please try again."))
