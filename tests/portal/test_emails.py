"""The customer's e-mails: which are sent when, in which language, with what attached."""

from unittest import mock

import pytest
from django.core import mail

from returns_portal.actors import Actor
from returns_portal.celery import app
from shipbacks.models import Shipback
from shipbacks.portal.emails import customer_email_send
from shipbacks.portal.tasks import send_customer_email
from shipbacks.services import return_order_transition, shipback_transition

from .helpers import confirmed_return, label_recorded, make_order

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


def test_the_e_mail_task_is_found_by_the_worker():
    app.loader.import_default_modules()

    assert "shipbacks.portal.tasks.send_customer_email" in app.tasks


def test_registering_enqueues_the_registered_e_mail_after_commit(
    portal, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(send_customer_email, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        shipback = confirmed_return(make_order())

    delay.assert_called_once_with(
        str(shipback.pk), "registered", shipback.registered_at.isoformat()
    )


def test_no_e_mail_is_enqueued_when_they_are_turned_off(
    portal, settings, django_capture_on_commit_callbacks
):
    settings.RETURNS_CUSTOMER_EMAILS = False

    with (
        mock.patch.object(send_customer_email, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        confirmed_return(make_order())

    delay.assert_not_called()


def test_a_warehouse_receiving_the_parcel_tells_the_customer(
    portal, django_capture_on_commit_callbacks
):
    shipback = label_recorded(confirmed_return(make_order()))
    return_order = shipback.return_orders.get()

    with (
        mock.patch.object(send_customer_email, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        return_order_transition(return_order_id=return_order.pk, to="arrived", actor=SYSTEM)

    assert delay.call_args.args[:2] == (str(shipback.pk), "received")


def test_the_registered_e_mail_has_the_link_in_the_customers_language(portal):
    shipback = confirmed_return(make_order(locale="fr"))

    assert customer_email_send(shipback_id=shipback.pk, kind="registered")

    [message] = mail.outbox
    assert message.to == [shipback.customer.email]
    assert f"Votre retour {shipback.rma} est enregistré" in message.subject
    assert shipback.public_url in message.body
    assert "Bonjour" in message.body
    html = message.alternatives[0][0]
    assert shipback.public_url in html
    assert '<html lang="fr">' in html


def test_the_label_ready_e_mail_attaches_the_label(portal):
    shipback = label_recorded(confirmed_return(make_order()))

    assert customer_email_send(shipback_id=shipback.pk, kind="label_ready")

    [message] = mail.outbox
    [(name, content, mimetype)] = message.attachments
    assert name == f"return-label-{shipback.rma}.pdf"
    assert content == b"%PDF-1.4 a label"
    assert mimetype == "application/pdf"
    assert "Relais Colis – Tabac de la Gare" in message.body  # where to drop it off


def test_a_direct_return_is_registered_with_its_return_slip(portal):
    shipback = confirmed_return(make_order(), mode="direct")

    customer_email_send(shipback_id=shipback.pk, kind="registered")

    [message] = mail.outbox
    [(name, content, _mimetype)] = message.attachments
    assert name == f"return-slip-{shipback.rma}.pdf"
    assert content.startswith(b"%PDF")


def test_an_e_mail_that_is_no_longer_news_is_skipped(portal):
    shipback = label_recorded(confirmed_return(make_order()))

    assert not customer_email_send(shipback_id=shipback.pk, kind="registered")
    assert mail.outbox == []


def _received(shipback):
    for step in ("delivering", "delivered"):
        shipback = shipback_transition(shipback_id=shipback.pk, to=step, actor=SYSTEM)
    return shipback


def test_parcel_received_is_sent_once_for_the_first_receipt(portal):
    shipback = _received(label_recorded(confirmed_return(make_order())))
    return_order = return_order_transition(
        return_order_id=shipback.return_orders.get().pk, to="arrived", actor=SYSTEM
    )

    by_carrier = customer_email_send(
        shipback_id=shipback.pk, kind="received", at=shipback.delivered_at
    )
    by_warehouse = customer_email_send(
        shipback_id=shipback.pk, kind="received", at=return_order.arrived_at
    )

    assert (by_carrier, by_warehouse) == (True, False)
    assert "We received your return" in mail.outbox[0].subject


def test_return_completed(portal):
    shipback = _received(label_recorded(confirmed_return(make_order())))
    shipback = shipback_transition(shipback_id=shipback.pk, to="relocated", actor=SYSTEM)

    assert customer_email_send(shipback_id=shipback.pk, kind="completed")
    assert not customer_email_send(shipback_id=shipback.pk, kind="received")
    assert f"Your return {shipback.rma} is complete" in mail.outbox[0].subject


def test_the_task_sends_through_the_service(portal):
    shipback = confirmed_return(make_order())

    assert send_customer_email.run(str(shipback.pk), "registered", None) is True
    assert len(mail.outbox) == 1
    assert Shipback.objects.get(pk=shipback.pk).state == "registered"


def test_history_loaded_with_the_sync_paused_e_mails_nobody(settings):
    from shipbacks.services.notifications import notify_customer
    from shipbacks.services.sync.outbox import sync_paused

    settings.SYNC_ENABLED = True
    with mock.patch.object(send_customer_email, "delay_on_commit") as enqueue:
        with sync_paused():
            notify_customer(shipback_id="x", kind="registered")
        notify_customer(shipback_id="x", kind="registered")

    enqueue.assert_called_once_with("x", "registered", None)
