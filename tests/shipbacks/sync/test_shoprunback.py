"""The customer leg at ShopRunBack, call by call, against the bodies of seeds 002 and 003."""

import datetime
import json

import pytest
from django.utils import timezone
from responses import matchers

from shipbacks.models import ProviderCall, Quote, Shipback
from shipbacks.services import ReturnedItemData, quotes_request, shipback_create, shipback_delete
from shipbacks.services.editing import returned_item_add, shipback_free, shipback_update
from shipbacks.services.sync.outbox import call_send
from tests.factories import (
    BrandFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    QuoteFactory,
    RelocationRuleFactory,
    ReturnReasonFactory,
)

from .helpers import SRB, run_calls

pytestmark = pytest.mark.django_db

Operation = ProviderCall.Operation
State = ProviderCall.State
AUTH = matchers.header_matcher({"Authorization": "Token token=t"})
REMOTE_ID = "fc8520bf-3ae0-46b1-8991-cacb6b03c698"
PDF = b"%PDF-1.4 label"


def body(call) -> dict:
    return json.loads(call.request.body)


def calls(operation) -> list[ProviderCall]:
    return list(ProviderCall.objects.filter(operation=operation).order_by("pk"))


def a_shipback(actor, *, quantity=1, returned=1, **kwargs) -> Shipback:
    brand = BrandFactory(reference="acme", name="Acme")
    product = ProductFactory(reference="SKU-1", label="Blue shirt", brand=brand, weight_grams=300)
    order = OrderFactory(order_number="ORD-1", customer__email="jo@example.com")
    item = OrderItemFactory(order=order, product=product, reference="line 1", quantity=quantity)
    reason = ReturnReasonFactory(code="doesnt_fit")
    return shipback_create(
        order=order,
        items=[ReturnedItemData(order_item=item, reason=reason, quantity=returned)],
        actor=actor,
        **kwargs,
    )


def pushed(actor, **kwargs) -> Shipback:
    """A shipback already at ShopRunBack (its create call done)."""
    shipback = a_shipback(actor, **kwargs)
    Shipback.objects.filter(pk=shipback.pk).update(shoprunback_id=REMOTE_ID)
    run_calls()
    assert calls(Operation.SHIPBACK_CREATE)[0].state == State.SUCCEEDED
    shipback.refresh_from_db()
    return shipback


def test_a_new_shipback_is_pushed_with_its_brand_product_and_order_first(http, actor):
    # given
    shipback = a_shipback(actor, quantity=2)
    http.get(f"{SRB}/brands/acme", status=404)
    http.get(f"{SRB}/brands", json=[])
    http.post(f"{SRB}/brands", json={"id": "brand-1"}, match=[AUTH])
    http.get(f"{SRB}/products/SKU-1", status=404)
    http.post(f"{SRB}/products", json={"id": "product-1"})
    http.get(f"{SRB}/orders/ORD-1", status=404)
    http.post(f"{SRB}/orders", json={"id": "order-1"})
    http.post(f"{SRB}/shipbacks", json={"id": REMOTE_ID, "state": "created"})

    # when
    run_calls()

    # then
    shipback.refresh_from_db()
    assert shipback.shoprunback_id == REMOTE_ID
    posts = {
        c.request.url.removeprefix(SRB): body(c) for c in http.calls if c.request.method == "POST"
    }
    assert posts["/brands"] == {"name": "Acme", "reference": "acme"}
    assert posts["/products"] == {
        "label": "Blue shirt",
        "reference": "SKU-1",
        "weight_grams": 300,
        "ean": shipback.order.items.get().product.ean,
        "brand_id": "brand-1",
    }
    order = posts["/orders"]
    assert order["order_number"] == "ORD-1"
    assert order["customer"]["email"] == "jo@example.com"
    assert order["customer"]["address"]["country_code"] == "FR"
    # one ShopRunBack item per unit, named by our own reference
    assert order["items"] == [
        {"label": "Blue shirt", "reference": "line 1#1", "product_id": "SKU-1"},
        {"label": "Blue shirt", "reference": "line 1#2", "product_id": "SKU-1"},
    ]
    assert posts["/shipbacks"] == {
        "order_id": "ORD-1",
        "items": [{"item_id": "line 1#1", "reason_code": "doesnt_fit"}],
        "metadata": {"rma": shipback.rma},
    }
    call = calls(Operation.SHIPBACK_CREATE)[0]
    assert call.state == State.SUCCEEDED
    assert call.result["shoprunback_id"] == REMOTE_ID


def test_brands_products_and_orders_already_there_are_found_not_created_again(http, actor):
    first = a_shipback(actor, quantity=2)
    http.get(f"{SRB}/brands/acme", json={"id": "brand-1", "reference": "acme"})
    http.get(f"{SRB}/products/SKU-1", json={"id": "product-1", "reference": "SKU-1"})
    http.get(f"{SRB}/orders/ORD-1", json={"id": "order-1", "order_number": "ORD-1"})
    http.post(f"{SRB}/shipbacks", json={"id": "sb-1"})
    run_calls()
    second = shipback_create(
        order=first.order,
        items=[
            ReturnedItemData(
                order_item=first.order.items.get(), reason=ReturnReasonFactory(code="doesnt_fit")
            )
        ],
        actor=actor,
    )
    http.replace("POST", f"{SRB}/shipbacks", json={"id": "sb-2"})

    run_calls()

    posted = [c.request.url.removeprefix(SRB) for c in http.calls if c.request.method == "POST"]
    assert posted == ["/shipbacks", "/shipbacks"]
    # the second return names the second unit of the line
    assert body(http.calls[-1])["items"] == [{"item_id": "line 1#2", "reason_code": "doesnt_fit"}]
    second.refresh_from_db()
    assert second.shoprunback_id == "sb-2"


def test_a_direct_return_is_not_sent_to_shoprunback(actor):
    a_shipback(actor, mode=Shipback.Mode.DIRECT)

    assert not ProviderCall.objects.exists()


def test_quotes_are_polled_until_each_mode_is_available_or_unavailable(http, actor, settings):
    # given
    shipback = pushed(actor)
    computing = [{"id": f"q-{m}", "mode": m, "state": "computing"} for m in Quote.Mode.values]
    settled = [
        {"id": "q-postal", "mode": "postal", "state": "available", "price_cents": 650,
         "customer_price_cents": 450},
        {"id": "q-pickup", "mode": "pickup", "state": "unavailable"},
        {"id": "q-dropoff", "mode": "dropoff", "state": "available", "price_cents": "590",
         "customer_price_cents": "0",
         "dropoff_points": [{"code": "O4001", "name": "Tabac de la Gare"}]},
    ]  # fmt: skip
    quotes_url = f"{SRB}/shipbacks/{REMOTE_ID}/quotes"
    http.get(quotes_url, json=computing)
    http.get(quotes_url, json=settled)

    # when
    quotes_request(shipback_id=shipback.pk)
    poll = calls(Operation.QUOTES_POLL)[0]
    asked_at = timezone.now()
    first = call_send(call_id=poll.pk)
    run_calls()

    # then
    assert first.state == State.PENDING  # asked again after the poll interval
    wait = (first.next_attempt_at - asked_at).total_seconds()
    assert 19 <= wait <= 21
    quotes = {q.mode: q for q in shipback.quotes.all()}
    assert quotes["postal"].state == Quote.State.AVAILABLE
    assert (quotes["postal"].price_cents, quotes["postal"].customer_price_cents) == (650, 450)
    assert quotes["pickup"].state == Quote.State.UNAVAILABLE
    assert quotes["dropoff"].dropoff_points[0]["code"] == "O4001"
    assert quotes["dropoff"].provider_reference == "q-dropoff"
    assert ProviderCall.objects.get(pk=poll.pk).state == State.SUCCEEDED
    assert len(http.calls) == 2


def test_quotes_still_computing_at_the_deadline_fail(http, actor):
    shipback = pushed(actor)
    computing = [{"id": f"q-{m}", "mode": m, "state": "computing"} for m in Quote.Mode.values]
    http.get(f"{SRB}/shipbacks/{REMOTE_ID}/quotes", json=computing)
    quotes_request(shipback_id=shipback.pk)
    poll = calls(Operation.QUOTES_POLL)[0]
    ProviderCall.objects.filter(pk=poll.pk).update(deadline=timezone.now())

    result = call_send(call_id=poll.pk)

    assert result.state == State.FAILED
    assert "Deadline passed" in result.last_error
    assert {q.state for q in shipback.quotes.all()} == {Quote.State.FAILED}


def test_a_change_to_the_shipback_clears_its_quotes_at_shoprunback(http, actor):
    shipback = pushed(actor)
    quotes_request(shipback_id=shipback.pk)
    first_poll = calls(Operation.QUOTES_POLL)[0]
    other = OrderItemFactory(order=shipback.order)
    http.post(f"{SRB}/shipbacks/{REMOTE_ID}/quotes/clear", status=204)

    returned_item_add(
        shipback_id=shipback.pk,
        data=ReturnedItemData(order_item=other, reason=ReturnReasonFactory(code="doesnt_fit")),
        actor=actor,
    )
    run_calls()
    quotes_request(shipback_id=shipback.pk)

    assert ProviderCall.objects.get(pk=first_poll.pk).state == State.CANCELLED
    assert calls(Operation.QUOTES_CLEAR)[0].state == State.SUCCEEDED
    assert [c.request.method for c in http.calls] == ["POST"]
    assert [c.state for c in calls(Operation.QUOTES_POLL)] == [State.CANCELLED, State.PENDING]


def _available(shipback, mode, **fields):
    return QuoteFactory(shipback=shipback, mode=mode, state=Quote.State.AVAILABLE, **fields)


def test_the_chosen_drop_off_point_and_the_overrides_are_sent(http, actor):
    shipback = pushed(actor)
    _available(shipback, "dropoff", dropoff_points=[{"code": "O4001"}], price_cents=590)
    http.post(f"{SRB}/shipbacks/{REMOTE_ID}", json={"id": REMOTE_ID, "state": "created"})

    shipback_update(
        shipback_id=shipback.pk,
        actor=actor,
        mode="dropoff",
        dropoff_code="O4001",
        overrides={"postal_customer_price_cents": 450, "try_at_home": True},
    )
    run_calls()

    assert [body(c) for c in http.calls] == [
        {"mode": "dropoff", "dropoff_code": "O4001"},
        {"overrides": {"postal_customer_price_cents": 450, "try_at_home": True}},
    ]


def test_a_pickup_slot_is_sent_back_as_the_quote_gave_it(http, actor):
    shipback = pushed(actor)
    _available(
        shipback,
        "pickup",
        pickup_slots=[{"pickup_datetime": "2030-01-18 14:00:00", "pickup_duration": 120}],
    )
    http.post(f"{SRB}/shipbacks/{REMOTE_ID}", json={"id": REMOTE_ID})

    shipback_update(
        shipback_id=shipback.pk,
        actor=actor,
        mode="pickup",
        pickup_datetime=timezone.make_aware(datetime.datetime(2030, 1, 18, 14, 0)),
        pickup_duration=120,
    )
    run_calls()

    assert body(http.calls[0]) == {
        "mode": "pickup",
        "pickup_datetime": "2030-01-18 14:00:00",
        "pickup_duration": "120",
    }


def test_free_sends_the_mode_then_the_label_is_polled_downloaded_and_stored(http, actor):
    # given
    RelocationRuleFactory()
    shipback = pushed(actor)
    _available(shipback, "postal", price_cents=650, customer_price_cents=0)
    shipback_update(shipback_id=shipback.pk, actor=actor, mode="postal")
    url = f"{SRB}/shipbacks/{REMOTE_ID}"
    http.post(url, json={"id": REMOTE_ID})
    http.post(f"{url}/free", json={"id": REMOTE_ID, "state": "registered"})
    http.get(url, json={"id": REMOTE_ID, "state": "registered", "label_url": None})
    http.get(
        url,
        json={
            "id": REMOTE_ID,
            "state": "labelled",
            "label_url": "https://cdn.test/labels/1234.pdf",
            "tracking_number": "6A123",
            "carrier": "Colissimo",
        },
    )
    http.get("https://cdn.test/labels/1234.pdf", body=PDF, content_type="application/pdf")

    # when
    shipback_free(shipback_id=shipback.pk, actor=actor)
    run_calls()

    # then
    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.LABELLED
    assert shipback.tracking_number == "6A123"
    assert shipback.carrier == "Colissimo"
    assert shipback.label_url == "https://cdn.test/labels/1234.pdf"
    assert shipback.label_file.read() == PDF
    sent = [(c.request.method, c.request.url.removeprefix(SRB)) for c in http.calls]
    assert sent[:3] == [
        ("POST", f"/shipbacks/{REMOTE_ID}"),
        ("POST", f"/shipbacks/{REMOTE_ID}/free"),
        ("GET", f"/shipbacks/{REMOTE_ID}"),
    ]
    assert body(http.calls[0]) == {"mode": "postal"}
    assert {c.operation: c.state for c in ProviderCall.objects.all()} == {
        Operation.SHIPBACK_CREATE: State.SUCCEEDED,
        Operation.SHIPBACK_UPDATE: State.SUCCEEDED,
        Operation.SHIPBACK_FREE: State.SUCCEEDED,
        Operation.LABEL_POLL: State.SUCCEEDED,
    }


def test_free_repeated_after_a_lost_answer_is_done_when_shoprunback_registered_it(http, actor):
    RelocationRuleFactory()
    shipback = pushed(actor)
    _available(shipback, "postal")
    shipback_update(shipback_id=shipback.pk, actor=actor, mode="postal")
    ProviderCall.objects.filter(operation=Operation.SHIPBACK_UPDATE).update(state=State.SUCCEEDED)
    url = f"{SRB}/shipbacks/{REMOTE_ID}"
    refusal = {"errors": [{"code": "SHIPBACK_REGISTERED", "message": "already processing"}]}
    http.post(url, status=400, json=refusal)
    http.get(url, json={"id": REMOTE_ID, "state": "registered"})

    shipback_free(shipback_id=shipback.pk, actor=actor)
    free = calls(Operation.SHIPBACK_FREE)[0]
    result = call_send(call_id=free.pk)

    assert result.state == State.SUCCEEDED
    assert result.result == {"registered": "registered", "already": True}


def test_a_shipback_deleted_before_registration_is_deleted_at_shoprunback(http, actor):
    shipback = pushed(actor)
    http.delete(f"{SRB}/shipbacks/{REMOTE_ID}", status=204)

    shipback_delete(shipback_id=shipback.pk, actor=actor)
    run_calls()

    delete = calls(Operation.SHIPBACK_DELETE)[0]
    assert delete.state == State.SUCCEEDED
    assert delete.result == {"deleted": True, "shoprunback_id": REMOTE_ID}
    assert delete.shipback is None  # the shipback is gone; the call keeps its RMA
    assert len(http.calls) == 1


def test_a_shipback_deleted_before_it_was_sent_is_never_sent(http, actor):
    shipback = a_shipback(actor)

    shipback_delete(shipback_id=shipback.pk, actor=actor)
    run_calls()

    assert [c.state for c in ProviderCall.objects.all()] == [State.CANCELLED]
    assert len(http.calls) == 0


def test_a_delete_refused_once_registered_at_shoprunback_fails_with_its_message(http, actor):
    shipback = pushed(actor)
    http.delete(
        f"{SRB}/shipbacks/{REMOTE_ID}",
        status=400,
        json={"errors": [{"code": "SHIPBACK_REGISTERED", "message": "already processing"}]},
    )

    shipback_delete(shipback_id=shipback.pk, actor=actor)
    run_calls()

    delete = calls(Operation.SHIPBACK_DELETE)[0]
    assert delete.state == State.FAILED
    assert delete.last_error == "already processing"
    assert delete.error_details["code"] == "SHIPBACK_REGISTERED"
