"""The customer's e-mails about a return, in the customer's language: registered (with the
link to the return's page), label ready (with the label), parcel received, return completed.

They are enqueued after commit by ``shipbacks.services.notifications`` and sent by
``shipbacks.portal.tasks.send_customer_email``. A message is only sent while it is news: when
the shipback has moved on by the time the task runs (label ready before the "registered" e-mail
went out, completed right after being received), the later e-mail says it all and the earlier
one is skipped. "Received" is sent once, for the first receipt (carrier or warehouse).
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from shipbacks.models import Shipback
from shipbacks.services.portal import received_at, shipback_dropoff_point

logger = logging.getLogger(__name__)

REGISTERED, LABEL_READY, RECEIVED, COMPLETED = "registered", "label_ready", "received", "completed"
KINDS = (REGISTERED, LABEL_READY, RECEIVED, COMPLETED)
# The shipback states each e-mail is news in.
DUE_STATES = {
    REGISTERED: {Shipback.State.REGISTERED},
    LABEL_READY: {Shipback.State.LABELLED},
    RECEIVED: {
        Shipback.State.REGISTERED,
        Shipback.State.LABELLED,
        Shipback.State.DELIVERING,
        Shipback.State.DELIVERED,
        Shipback.State.IDENTIFIED,
        Shipback.State.RELOCATING,
    },
    COMPLETED: {Shipback.State.RELOCATED},
}


def customer_email_due(shipback: Shipback, kind: str, at: datetime | None = None) -> bool:
    if shipback.state not in DUE_STATES.get(kind, ()):
        return False
    if kind == RECEIVED:
        first = received_at(shipback, list(shipback.return_orders.all()))
        return first is not None and (at is None or at == first)
    if kind == REGISTERED:
        return not (shipback.label_file or shipback.label_url)
    return True


def _subject(kind: str, rma: str) -> str:
    subjects = {
        REGISTERED: _("Your return %(rma)s is registered"),
        LABEL_READY: _("Your return label for %(rma)s is ready"),
        RECEIVED: _("We received your return %(rma)s"),
        COMPLETED: _("Your return %(rma)s is complete"),
    }
    return f"{settings.RETURNS_MERCHANT_NAME} – {subjects[kind] % {'rma': rma}}"


def customer_email_message(shipback: Shipback, kind: str) -> EmailMultiAlternatives:
    """The e-mail, in the language of the return's customer."""
    customer = shipback.customer
    with translation.override(customer.locale or settings.LANGUAGE_CODE):
        items = list(
            shipback.returned_items.select_related("order_item", "reason").order_by("created_at")
        )
        context = {
            "kind": kind,
            "shipback": shipback,
            "customer": customer,
            "order": shipback.order,
            "items": [(item, item.reason.label()) for item in items],
            "link": shipback.public_url,
            "merchant_name": settings.RETURNS_MERCHANT_NAME,
            "dropoff_point": shipback_dropoff_point(shipback),
            "direct": shipback.mode == Shipback.Mode.DIRECT,
            "currency": items[0].order_item.currency if items else "EUR",
        }
        subject = _subject(kind, shipback.rma)
        context["subject"] = subject
        text = render_to_string(f"emails/portal/{kind}.txt", context)
        html = render_to_string(f"emails/portal/{kind}.html", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[customer.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(html, "text/html")
        if kind == LABEL_READY and shipback.label_file:
            with shipback.label_file.open("rb") as label:
                data = label.read(settings.PROVIDER_LABEL_MAX_BYTES + 1)
            if len(data) <= settings.PROVIDER_LABEL_MAX_BYTES:
                message.attach(f"return-label-{shipback.rma}.pdf", data, "application/pdf")
        if kind == REGISTERED and context["direct"]:
            from .pdf import return_slip_pdf

            message.attach(
                f"return-slip-{shipback.rma}.pdf", return_slip_pdf(shipback), "application/pdf"
            )
    return message


def customer_email_send(*, shipback_id, kind: str, at: datetime | None = None) -> bool:
    """Send the e-mail if it is still news; True when sent."""
    if kind not in KINDS:
        raise ValueError(f"Unknown customer e-mail {kind!r}")
    shipback = Shipback.objects.select_related("customer", "order").filter(pk=shipback_id).first()
    if shipback is None or not shipback.customer.email:
        return False
    if not customer_email_due(shipback, kind, at):
        logger.info("customer e-mail %s for %s skipped: no longer news", kind, shipback.rma)
        return False
    customer_email_message(shipback, kind).send()
    logger.info("customer e-mail %s for %s sent", kind, shipback.rma)
    return True
