"""The sandbox in the admin: every record listed, and actions that move records on now."""

import json

import pytest
from django.urls import reverse

from shipbacks.providers.sandbox import shipbob, shippingbo, shoprunback, tasks
from shipbacks.providers.sandbox.models import (
    KiboReturn,
    OutgoingWebhook,
    ShipBobReturn,
    ShippingboOrder,
    ShippingboReturnOrder,
    ShopRunBackRecord,
    ShopRunBackShipback,
)

MODELS = [
    ShopRunBackRecord,
    ShopRunBackShipback,
    ShippingboOrder,
    ShippingboReturnOrder,
    ShipBobReturn,
    KiboReturn,
    OutgoingWebhook,
]


def changelist(model) -> str:
    return reverse(f"admin:sandbox_{model._meta.model_name}_changelist")


def run_action(admin_client, model, action: str, *records):
    return admin_client.post(
        changelist(model),
        {"action": action, "_selected_action": [str(record.pk) for record in records]},
        follow=True,
    )


@pytest.fixture
def labelled_shipback(settings):
    settings.SHOPRUNBACK_WEBHOOK_SECRET = "secret"
    shoprunback.create_product({"label": "Tee", "reference": "TEE", "weight_grams": 200})
    order = shoprunback.create_order(
        {
            "ordered_at": "2025-06-12",
            "order_number": "1001",
            "customer": {
                "first_name": "John",
                "last_name": "Doe",
                "email": "john@doe.com",
                "address": {
                    "line1": "1 rue",
                    "zipcode": "75010",
                    "city": "Paris",
                    "country_code": "FR",
                },
            },
            "items": [{"product_id": "TEE", "reference": "1001-1"}],
        }
    )
    shipback = shoprunback.create_shipback(
        {"order_id": order.reference, "items": [{"item_id": "1001-1", "reason_code": "damaged"}]},
        base_url="http://testserver/sandbox/shoprunback/",
    )
    shoprunback.update_shipback(shipback, {"mode": "postal"})
    shoprunback.request_quotes(shipback)
    shoprunback.register_free(shipback)
    return shoprunback.get_shipback(str(shipback.pk))


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.model_name)
def test_every_sandbox_record_is_listed_in_the_admin(admin_client, model, labelled_shipback):
    response = admin_client.get(changelist(model))

    assert response.status_code == 200


def test_a_shipback_is_moved_on_to_delivering_and_the_portal_is_told(
    admin_client, labelled_shipback
):
    response = run_action(admin_client, ShopRunBackShipback, "advance", labelled_shipback)

    labelled_shipback.refresh_from_db()
    assert labelled_shipback.state == "delivering"
    assert "1 moved to their next state." in response.content.decode()
    webhook = OutgoingWebhook.objects.get(event="shipback.delivering")
    assert json.loads(webhook.body)["data"] == {
        "id": str(labelled_shipback.pk),
        "rma": labelled_shipback.rma,
    }


def test_a_relocated_shipback_stays_where_it_is(admin_client, labelled_shipback):
    ShopRunBackShipback.objects.filter(pk=labelled_shipback.pk).update(state="relocated")

    response = run_action(admin_client, ShopRunBackShipback, "advance", labelled_shipback)

    labelled_shipback.refresh_from_db()
    assert labelled_shipback.state == "relocated"
    assert "1 unchanged: no next state" in response.content.decode()


def test_a_return_waiting_for_its_timer_is_moved_on_at_once(admin_client, settings):
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    record = shipbob.create_return(
        {
            "fulfillment_center": {"id": 8},
            "inventory": [{"id": 1, "quantity": 1, "requested_action": "Dispose"}],
            "reference_id": "R1",
        },
        channel_id=1,
    )

    run_action(admin_client, ShipBobReturn, "advance", record)

    record.refresh_from_db()
    assert record.state == ShipBobReturn.State.ARRIVED


def test_cancelling_a_return_order_that_was_returned_is_reported_not_done(admin_client):
    record = shippingbo.create_return_order({"order_id": 1, "reason_ref": "R1"})
    shippingbo.current(record.pk)  # no delay in these tests: returned

    response = run_action(admin_client, ShippingboReturnOrder, "cancel", record)

    record.refresh_from_db()
    assert record.state == "returned"
    assert "it cannot become canceled" in response.content.decode()


def test_a_webhook_is_sent_again_from_the_admin(admin_client, labelled_shipback, enqueued):
    webhook = OutgoingWebhook.objects.filter(event="shipback.labelled").get()
    OutgoingWebhook.objects.filter(pk=webhook.pk).update(status="failed", attempts=3)
    enqueued.clear()

    run_action(admin_client, OutgoingWebhook, "send_again", webhook)

    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts) == ("pending", 0)
    assert enqueued.of(tasks.send_sandbox_webhook) == [(webhook.pk,)]
