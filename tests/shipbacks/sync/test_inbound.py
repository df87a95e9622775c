"""Webhooks the providers send: verified, stored once, applied by a task; replays and events
out of order change nothing they should not."""

import json
import time

import pytest
from django.utils import timezone

from shipbacks.models import InboundEvent, ProviderCall, ReturnedItem, ReturnOrder, Shipback
from shipbacks.providers.shipbob.webhooks import sign as shipbob_sign
from shipbacks.providers.shoprunback.webhooks import sign as srb_sign
from shipbacks.services.sync.inbound import inbound_event_process
from shipbacks.services.sync.triggers import shipback_registered
from tests.factories import (
    ExpectedItemFactory,
    ProductFactory,
    ProviderCallFactory,
    RelocationRuleFactory,
    ReturnOrderFactory,
    WarehouseFactory,
    return_order_in_state,
    shipback_in_state,
)
from tests.shipbacks.providers.helpers import load_payload

from .helpers import SRB

pytestmark = pytest.mark.django_db

S = Shipback.State
PROCESS = "shipbacks.tasks.process_inbound_event"
SHIPBOB_SECRET = "whsec_c2hpcGJvYi10ZXN0LXNlY3JldA=="


def post_srb(client, payload: dict, *, signed_with="srb-secret", signature=None):
    body = json.dumps(payload).encode()
    signature = signature if signature is not None else srb_sign(body, signed_with)
    return client.post(
        "/webhooks/shoprunback/",
        body,
        content_type="application/json",
        headers={"Shoprunback-Signature": signature},
    )


def srb_event(event: str, data: dict, event_id: str = "") -> dict:
    return {
        "id": event_id or f"evt-{event}-{time.monotonic_ns()}",
        "event": event,
        "created_at": "2018-02-20 16:54:22 +0100",
        "data": data,
    }


def process_all() -> list[InboundEvent]:
    for event in InboundEvent.objects.filter(state=InboundEvent.State.PENDING).order_by("pk"):
        inbound_event_process(event_id=event.pk)
    return list(InboundEvent.objects.order_by("pk"))


# ShopRunBack ---------------------------------------------------------------------------------


def test_a_signed_shoprunback_webhook_is_stored_once_and_processed_by_a_task(
    client, messages, django_capture_on_commit_callbacks
):
    payload = load_payload("shoprunback/webhook_shipback_labelled.json")

    with django_capture_on_commit_callbacks(execute=True):
        first = post_srb(client, payload)
        again = post_srb(client, payload)

    event = InboundEvent.objects.get()
    assert first.status_code == 200
    assert first.json() == {"id": event.pk, "duplicate": False}
    assert again.status_code == 200
    assert again.json() == {"id": event.pk, "duplicate": True}
    assert (event.provider, event.event_id, event.event_type) == (
        "shoprunback",
        "00082f23-9b8c-4515-b1cd-527d56a1bef3",
        "shipback.labelled",
    )
    assert json.loads(event.body) == payload
    assert messages == [(PROCESS, (event.pk,), None)]


@pytest.mark.parametrize(
    "signature",
    ["", "0" * 64, srb_sign(b"another body", "srb-secret")],
    ids=["missing", "forged", "for-another-body"],
)
def test_a_shoprunback_webhook_not_signed_with_our_secret_is_refused(client, signature):
    response = post_srb(client, srb_event("shipback.labelled", {"id": "x"}), signature=signature)

    assert response.status_code == 401
    assert not InboundEvent.objects.exists()


def test_a_webhook_signed_with_another_secret_is_refused(client):
    response = post_srb(client, srb_event("shipback.labelled", {"id": "x"}), signed_with="guess")

    assert response.status_code == 401


def test_webhooks_need_a_post(client):
    assert client.get("/webhooks/shoprunback/").status_code == 405


def test_events_out_of_order_walk_the_shipback_forward_and_never_back(client):
    # given: registered here and at ShopRunBack
    shipback = shipback_in_state(S.REGISTERED, mode=Shipback.Mode.POSTAL, shoprunback_id="sb-1")
    data = {"id": "sb-1", "rma": "123"}

    # when: relocated arrives first, then the steps before it, one twice
    for name in ("relocated", "delivering", "labelled", "delivering"):
        post_srb(client, srb_event(f"shipback.{name}", data))
    events = process_all()

    # then
    shipback.refresh_from_db()
    assert shipback.state == S.RELOCATED
    timeline = list(shipback.events.values_list("to_state", flat=True))
    assert timeline[-3:] == [S.LABELLED, S.DELIVERED, S.RELOCATED]  # each step, not a jump
    assert timeline.count(S.RELOCATED) == 1
    assert {e.state for e in events} == {InboundEvent.State.PROCESSED}
    assert {e.target for e in events} == {shipback.rma}


def test_an_event_names_its_shipback_by_id_or_by_our_rma_in_its_metadata(client):
    shipback = shipback_in_state(S.REGISTERED, mode=Shipback.Mode.DIRECT)
    data = {"id": "sb-9", "rma": "999", "metadata": {"rma": shipback.rma}}

    post_srb(client, srb_event("shipback.delivering", data))
    process_all()

    shipback.refresh_from_db()
    assert shipback.state == S.DELIVERING
    assert shipback.shoprunback_id == "sb-9"


def test_the_labelled_event_fetches_the_label_now_instead_of_at_the_next_poll(
    client, messages, django_capture_on_commit_callbacks
):
    RelocationRuleFactory()
    shipback = shipback_in_state(S.REGISTERED, mode=Shipback.Mode.POSTAL, shoprunback_id="sb-1")
    shipback_registered(shipback)  # free and the label poll are written
    poll = ProviderCall.objects.get(operation=ProviderCall.Operation.LABEL_POLL)
    ProviderCall.objects.filter(pk=poll.pk).update(
        next_attempt_at=timezone.now() + timezone.timedelta(minutes=5)
    )
    post_srb(client, srb_event("shipback.labelled", {"id": "sb-1"}))

    with django_capture_on_commit_callbacks(execute=True):
        process_all()

    poll.refresh_from_db()
    assert poll.next_attempt_at <= timezone.now()
    assert ("shipbacks.tasks.send_provider_call", (poll.pk,), 0.0) in messages
    # the label is not there yet: labelled comes with it, from the poll
    assert Shipback.objects.get(pk=shipback.pk).state == S.REGISTERED


def test_the_labelled_event_has_the_label_fetched_by_the_task_that_applies_it(
    client, http, messages
):
    # A burst of labels queues tasks: the poll's own message would wait behind them all.
    shipback = shipback_in_state(S.REGISTERED, mode=Shipback.Mode.POSTAL, shoprunback_id="sb-1")
    shipback_registered(shipback)
    ProviderCall.objects.exclude(operation=ProviderCall.Operation.LABEL_POLL).update(
        state=ProviderCall.State.SUCCEEDED  # the create and the free went through
    )
    poll = ProviderCall.objects.get(operation=ProviderCall.Operation.LABEL_POLL)
    ProviderCall.objects.filter(pk=poll.pk).update(
        next_attempt_at=timezone.now() + timezone.timedelta(minutes=5)
    )
    label = {
        "id": "sb-1",
        "state": "labelled",
        "label_url": "https://cdn.test/labels/sb-1.pdf",
        "tracking_number": "6A123",
    }
    http.get(f"{SRB}/shipbacks/sb-1", json=label)
    http.get(label["label_url"], body=b"%PDF-1.4 label", content_type="application/pdf")
    post_srb(client, srb_event("shipback.labelled", {"id": "sb-1"}))
    backlog = ProviderCallFactory()  # due now too: left to its own message

    (event,) = process_all()  # no other task runs

    shipback.refresh_from_db()
    assert event.state == InboundEvent.State.PROCESSED
    assert (shipback.state, shipback.tracking_number) == (S.LABELLED, "6A123")
    assert shipback.label_file.read() == b"%PDF-1.4 label"
    poll.refresh_from_db()
    assert (poll.state, poll.attempts) == (ProviderCall.State.SUCCEEDED, 1)
    backlog.refresh_from_db()
    assert (backlog.state, backlog.attempts) == (ProviderCall.State.PENDING, 0)


def test_a_shipback_registered_on_shoprunback_is_registered_here_with_its_return_orders(client):
    RelocationRuleFactory()
    shipback = shipback_in_state(S.CREATED, items=1, shoprunback_id="sb-1")

    post_srb(client, srb_event("shipback.registered", {"id": "sb-1", "mode": "postal"}))
    process_all()

    shipback.refresh_from_db()
    assert shipback.state == S.REGISTERED
    assert shipback.mode == "postal"
    assert shipback.return_orders.count() == 1


def test_an_event_about_a_shipback_we_do_not_have_is_ignored_with_its_reason(client):
    post_srb(client, srb_event("shipback.labelled", {"id": "unknown", "rma": "nope"}))

    (event,) = process_all()

    assert event.state == InboundEvent.State.IGNORED
    assert "No shipback here" in event.error


def test_a_returned_item_event_moves_the_item_forward_only(client):
    shipback = shipback_in_state(S.DELIVERED, items=1, shoprunback_id="sb-1")
    item = shipback.returned_items.get()
    data = {
        "id": "ri-1",
        "reason_code": "damaged",
        "item": {"reference": item.order_item.reference},
    }

    post_srb(client, srb_event("returneditem.relocated", data))
    post_srb(client, srb_event("returneditem.transiting", data))
    events = process_all()

    assert ReturnedItem.objects.get(pk=item.pk).state == ReturnedItem.State.RELOCATED
    assert [e.state for e in events] == ["processed", "processed"]


# ShipBob (Standard Webhooks) -------------------------------------------------------------------


def post_shipbob(client, payload: dict, *, msg_id="msg_1", timestamp=None, secret=SHIPBOB_SECRET):
    body = json.dumps(payload).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    return client.post(
        "/webhooks/shipbob/",
        body,
        content_type="application/json",
        headers={
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": shipbob_sign(
                body, msg_id=msg_id, timestamp=timestamp, secret=secret
            ),
        },
    )


@pytest.fixture
def shipbob_return_order():
    warehouse = WarehouseFactory(provider="shipbob", shipbob_fulfillment_center_id=8)
    return_order = return_order_in_state(
        ReturnOrder.State.AWAITING_ARRIVAL, warehouse=warehouse, provider_id="512345"
    )
    ExpectedItemFactory(
        return_order=return_order,
        product=ProductFactory(shipbob_inventory_id=20150),
        quantity_expected=2,
    )
    return return_order


def shipbob_return(return_order, status: str) -> dict:
    payload = load_payload("shipbob/return_completed.json")
    if status != "Completed":
        payload["inventory"][0]["action_taken"] = []
        payload["transactions"] = []
    return {"topic": "return.updated", "data": payload | {"status": status}}


def test_a_signed_shipbob_webhook_is_stored_once_and_applied(client, shipbob_return_order):
    payload = shipbob_return(shipbob_return_order, "Arrived")

    accepted = post_shipbob(client, payload, msg_id="msg_a")
    replayed = post_shipbob(client, payload, msg_id="msg_a")
    (event,) = process_all()

    assert accepted.status_code == 200
    assert replayed.json()["duplicate"] is True
    assert (event.event_id, event.event_type, event.state) == (
        "msg_a",
        "return.updated",
        "processed",
    )
    shipbob_return_order.refresh_from_db()
    assert shipbob_return_order.state == ReturnOrder.State.ARRIVED


def test_a_stale_shipbob_webhook_is_refused(client, shipbob_return_order, settings):
    settings.PROVIDER_WEBHOOK_TOLERANCE = 300
    payload = shipbob_return(shipbob_return_order, "Arrived")

    stale = post_shipbob(client, payload, timestamp=int(time.time()) - 301)
    forged = post_shipbob(client, payload, secret="whsec_" + "QUJD" * 8)

    assert stale.status_code == 401
    assert forged.status_code == 401
    assert not InboundEvent.objects.exists()


def test_shipbob_events_out_of_order_end_completed(client, shipbob_return_order):
    post_shipbob(client, shipbob_return(shipbob_return_order, "Completed"), msg_id="msg_2")
    post_shipbob(client, shipbob_return(shipbob_return_order, "Arrived"), msg_id="msg_1")
    post_shipbob(client, shipbob_return(shipbob_return_order, "Processing"), msg_id="msg_3")

    events = process_all()

    shipbob_return_order.refresh_from_db()
    assert shipbob_return_order.state == ReturnOrder.State.COMPLETED
    assert shipbob_return_order.expected_items.get().actions.count() == 2
    assert [e.state for e in events] == ["processed"] * 3


# Shippingbo (token in the hook URL) ------------------------------------------------------------


def post_shippingbo(client, payload: dict, hook_query="token=sbo-token"):
    return client.post(
        f"/webhooks/shippingbo/?{hook_query}",
        json.dumps(payload),
        content_type="application/json",
    )


def test_a_shippingbo_hook_with_our_token_is_stored_once_and_completes_the_return_order(client):
    warehouse = WarehouseFactory(provider="shippingbo", shippingbo_supplier_id=1)
    return_order = ReturnOrderFactory(warehouse=warehouse, provider_id="4521")
    ExpectedItemFactory(
        return_order=return_order, product=ProductFactory(reference="my_sku"), quantity_expected=2
    )
    ExpectedItemFactory(return_order=return_order, product=ProductFactory(reference="other_sku"))
    payload = load_payload("shippingbo/return_order_returned.json")

    first = post_shippingbo(client, payload)
    again = post_shippingbo(client, payload)
    refused = post_shippingbo(client, payload, hook_query="token=wrong")
    (event,) = process_all()

    assert (first.status_code, again.json()["duplicate"], refused.status_code) == (200, True, 401)
    assert event.event_id.startswith("sha256:")
    assert event.event_type == "return_order.returned"
    assert event.state == "processed", event.error
    return_order.refresh_from_db()
    assert return_order.state == ReturnOrder.State.COMPLETED
