"""The ShopRunBack client and adapter against the sandbox (seeds 002, 003), over real HTTP."""

import datetime

import pytest
import requests

from shipbacks.providers.errors import ProviderRejected
from shipbacks.providers.sandbox import tasks
from shipbacks.providers.shoprunback import adapter
from shipbacks.providers.types import BrandPayload, ProductPayload

from .conftest import sandbox_url
from .helpers import a_shipback, an_order

LABEL_MAX_BYTES = 5 * 1024 * 1024


@pytest.fixture
def catalog(srb):
    brand_id = adapter.ensure_brand(srb, BrandPayload(reference="acme", name="Acme"))
    for reference, label in (("TSHIRT-M", "T-shirt M"), ("CAP", "Cap")):
        product = ProductPayload(reference=reference, label=label, weight_grams=250)
        adapter.ensure_product(srb, product, brand_id=brand_id)
    return brand_id


@pytest.fixture
def shipback(srb, catalog):
    """A created shipback of order 1001 (France), returning its first item."""
    adapter.ensure_order(srb, an_order())
    return adapter.create_shipback(srb, a_shipback())


def available_quotes(srb, shipback_id):
    return {quote.mode: quote for quote in adapter.get_quotes(srb, shipback_id)}


# Catalog and orders ---------------------------------------------------------------------------


def test_brands_products_and_orders_are_created_once_and_found_by_reference(srb, catalog):
    order_id = adapter.ensure_order(srb, an_order())

    assert adapter.ensure_brand(srb, BrandPayload(reference="acme", name="Acme")) == catalog
    again = adapter.ensure_order(srb, an_order())
    assert again == order_id
    product = srb.get_product("TSHIRT-M")
    assert product["brand"] == {"id": catalog, "name": "Acme", "reference": "acme"}
    assert [brand["reference"] for brand in srb.list_brands()] == ["default", "acme"]
    assert srb.get_order(order_id)["order_number"] == "1001"


def test_a_product_without_a_brand_goes_to_the_default_brand(srb):
    product_id = adapter.ensure_product(
        srb, ProductPayload(reference="IPHONE 14S B", label="Iphone", weight_grams=200)
    )

    found = srb.get_product("IPHONE 14S B")
    assert found["id"] == product_id
    assert found["brand"]["reference"] == "default"


def test_an_order_of_a_product_missing_from_the_catalog_is_refused_with_its_field(srb):
    with pytest.raises(ProviderRejected) as refused:
        adapter.ensure_order(srb, an_order())

    assert refused.value.status == 422
    assert "items[0].product_id" in refused.value.field_errors


def test_an_order_with_a_shipback_cannot_be_deleted(srb, shipback):
    with pytest.raises(ProviderRejected) as refused:
        srb.delete_order("1001")

    assert refused.value.status == 400
    assert refused.value.code == adapter.DEPENDENT_SHIPBACK
    assert shipback.provider_id in refused.value.message


# Shipbacks -------------------------------------------------------------------------------------


def test_a_shipback_names_its_order_by_number_and_its_items_by_reference(srb, shipback):
    data = srb.get_shipback(shipback.provider_id)

    assert shipback.state == "created"
    assert shipback.rma == "RMA1001"
    assert data["order_number"] == "1001"
    assert [item["item"]["reference"] for item in data["items"]] == ["1001-1"]
    assert data["items"][0]["reason_code"] == "doesnt_fit"
    assert data["label_url"] is None


def test_a_shipback_of_an_item_not_in_the_order_is_refused(srb, catalog):
    adapter.ensure_order(srb, an_order())

    with pytest.raises(ProviderRejected) as refused:
        adapter.create_shipback(srb, a_shipback(items=["9999-1"]))

    assert refused.value.status == 422
    assert "items[0].item_id" in refused.value.field_errors


def test_a_shipback_not_yet_registered_can_be_deleted(srb, shipback):
    assert adapter.delete_shipback(srb, shipback.provider_id) is True

    assert adapter.get_shipback(srb, shipback.provider_id) is None
    assert adapter.delete_shipback(srb, shipback.provider_id) is False


# Quotes ----------------------------------------------------------------------------------------


def test_quotes_compute_for_a_while_then_become_available(srb, shipback, settings):
    settings.SANDBOX_QUOTE_SECONDS = 3600
    computing = adapter.get_quotes(srb, shipback.provider_id)

    settings.SANDBOX_QUOTE_SECONDS = 0
    quotes = available_quotes(srb, shipback.provider_id)

    assert sorted(quote.mode for quote in computing) == ["dropoff", "pickup", "postal"]
    assert {quote.state for quote in computing} == {"computing"}
    assert {quote.price_cents for quote in computing} == {None}
    assert {quote.state for quote in quotes.values()} == {"available"}
    assert {quote.provider_id for quote in quotes.values()} == {q.provider_id for q in computing}
    assert quotes["postal"].price_cents == 650
    assert quotes["dropoff"].dropoff_points
    assert all(point.code and point.address for point in quotes["dropoff"].dropoff_points)
    slot = quotes["pickup"].pickup_slots[0]
    assert datetime.datetime.strptime(slot.pickup_datetime, "%Y-%m-%d %H:%M:%S")
    assert slot.pickup_duration > 0


def test_pickup_is_unavailable_outside_the_pickup_countries(srb, catalog):
    adapter.ensure_order(srb, an_order(number="2002", country="US"))
    created = adapter.create_shipback(srb, a_shipback(number="2002", items=["2002-1"]))

    quotes = available_quotes(srb, created.provider_id)

    assert quotes["pickup"].state == "unavailable"
    assert quotes["pickup"].price_cents is None
    assert quotes["postal"].state == "available"


def test_one_mode_s_quote_can_be_followed_alone(srb, shipback):
    quote = adapter.get_quote(srb, shipback.provider_id, "postal")

    assert quote.mode == "postal"
    assert quote.state == "available"
    assert adapter.get_quote(srb, shipback.provider_id, "teleport") is None


def test_cleared_quotes_are_computed_again_under_new_ids(srb, shipback, settings):
    first = available_quotes(srb, shipback.provider_id)

    settings.SANDBOX_QUOTE_SECONDS = 3600
    adapter.clear_quotes(srb, shipback.provider_id)
    again = available_quotes(srb, shipback.provider_id)

    assert {quote.state for quote in again.values()} == {"computing"}
    assert again["postal"].provider_id != first["postal"].provider_id


def test_customer_price_overrides_change_what_the_quote_charges_the_customer(srb, shipback):
    adapter.set_overrides(srb, shipback.provider_id, postal_customer_price_cents=99)

    quotes = available_quotes(srb, shipback.provider_id)

    assert quotes["postal"].price_cents == 650
    assert quotes["postal"].customer_price_cents == 99
    assert quotes["dropoff"].customer_price_cents == quotes["dropoff"].price_cents


# Choosing, registering, the label -------------------------------------------------------------


def test_a_return_goes_from_its_quotes_to_a_downloadable_label(srb, shipback, settings):
    # given
    settings.SANDBOX_LABEL_SECONDS = 3600
    dropoff = available_quotes(srb, shipback.provider_id)["dropoff"]
    code = dropoff.dropoff_points[1].code

    # when
    chosen = adapter.choose_mode(srb, shipback.provider_id, "dropoff", dropoff_code=code)
    adapter.register_free(srb, shipback.provider_id)
    registered = adapter.get_shipback(srb, shipback.provider_id)
    settings.SANDBOX_LABEL_SECONDS = 0
    labelled = adapter.get_shipback(srb, shipback.provider_id)
    label = adapter.download_label(srb, labelled.label_url, max_bytes=LABEL_MAX_BYTES)

    # then
    assert chosen.mode == "dropoff"
    assert srb.get_shipback(shipback.provider_id)["dropoff_code"] == code
    assert registered.state == "registered"
    assert registered.price_cents == dropoff.price_cents
    assert registered.label_url == ""
    assert labelled.state == "labelled"
    assert labelled.tracking_number
    assert labelled.label_url.startswith(srb.base_url)
    assert label.startswith(b"%PDF-")
    assert labelled.tracking_number.encode() in label


def test_a_registered_shipback_cannot_be_deleted(srb, shipback):
    adapter.choose_mode(srb, shipback.provider_id, "postal")
    available_quotes(srb, shipback.provider_id)
    adapter.register_free(srb, shipback.provider_id)

    with pytest.raises(ProviderRejected) as refused:
        adapter.delete_shipback(srb, shipback.provider_id)

    assert refused.value.status == 400
    assert refused.value.code == adapter.SHIPBACK_REGISTERED
    assert refused.value.message == "This shipback is already processing. You can't delete it."
    assert adapter.get_shipback(srb, shipback.provider_id).state == "labelled"


def test_pickup_takes_one_of_the_quote_s_slots(srb, shipback):
    slot = available_quotes(srb, shipback.provider_id)["pickup"].pickup_slots[2]

    adapter.choose_mode(
        srb,
        shipback.provider_id,
        "pickup",
        pickup_datetime=slot.pickup_datetime,
        pickup_duration=slot.pickup_duration,
    )
    adapter.register_free(srb, shipback.provider_id)

    data = srb.get_shipback(shipback.provider_id)
    assert (data["pickup_datetime"], data["pickup_duration"]) == (
        slot.pickup_datetime,
        slot.pickup_duration,
    )
    assert data["state"] == "labelled"


def test_a_drop_off_point_the_quote_did_not_offer_is_refused(srb, shipback):
    available_quotes(srb, shipback.provider_id)

    with pytest.raises(ProviderRejected) as refused:
        adapter.choose_mode(srb, shipback.provider_id, "dropoff", dropoff_code="NOWHERE")

    assert refused.value.status == 422
    assert "dropoff_code" in refused.value.field_errors


def test_registering_before_the_quotes_are_available_is_refused(srb, shipback, settings):
    adapter.choose_mode(srb, shipback.provider_id, "postal")
    settings.SANDBOX_QUOTE_SECONDS = 3600
    adapter.get_quotes(srb, shipback.provider_id)

    with pytest.raises(ProviderRejected) as refused:
        adapter.register_free(srb, shipback.provider_id)

    assert refused.value.status == 422
    assert refused.value.code == "QUOTE_NOT_AVAILABLE"
    assert adapter.get_shipback(srb, shipback.provider_id).state == "created"


def test_registering_an_unavailable_mode_is_refused(srb, catalog):
    adapter.ensure_order(srb, an_order(number="3003", country="US"))
    created = adapter.create_shipback(srb, a_shipback(number="3003", items=["3003-1"]))
    available_quotes(srb, created.provider_id)

    with pytest.raises(ProviderRejected) as refused:
        srb.update_shipback(created.provider_id, {"mode": "pickup"})

    assert refused.value.status == 422
    assert "mode" in refused.value.field_errors


def test_free_is_safe_to_repeat(srb, shipback, enqueued, settings):
    settings.SHOPRUNBACK_WEBHOOK_SECRET = "secret"
    settings.SANDBOX_LABEL_SECONDS = 3600
    adapter.choose_mode(srb, shipback.provider_id, "postal")
    available_quotes(srb, shipback.provider_id)

    adapter.register_free(srb, shipback.provider_id)
    adapter.register_free(srb, shipback.provider_id)

    assert adapter.get_shipback(srb, shipback.provider_id).state == "registered"
    assert len(enqueued.of(tasks.send_sandbox_webhook)) == 1  # shipback.registered, once


# Authentication --------------------------------------------------------------------------------


def test_a_request_without_a_token_is_refused_like_shoprunback_does(live_server):
    response = requests.get(f"{sandbox_url(live_server, 'shoprunback')}/brands", timeout=5)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Token realm="Application"'


@pytest.mark.parametrize("header", ["Token token=abc", "Token abc", 'Token token="abc"'])
def test_both_token_forms_are_accepted(live_server, header):
    response = requests.get(
        f"{sandbox_url(live_server, 'shoprunback')}/brands",
        headers={"Authorization": header},
        timeout=5,
    )

    assert response.status_code == 200
    assert response.json()[0]["default"] is True


def test_an_empty_token_is_refused(live_server):
    response = requests.get(
        f"{sandbox_url(live_server, 'shoprunback')}/brands",
        headers={"Authorization": "Token token="},
        timeout=5,
    )

    assert response.status_code == 401


def test_an_order_number_sent_as_a_number_names_the_order(srb, catalog):
    adapter.ensure_order(srb, an_order())

    created = srb.create_shipback(
        {"order_id": 1001, "items": [{"item_id": "1001-2", "reason_code": "damaged"}]}
    )

    assert created["order_number"] == "1001"
    assert created["items"][0]["item"]["reference"] == "1001-2"


def test_an_order_is_updated_until_one_of_its_returns_is_registered(srb, shipback):
    body = adapter.order_body(an_order())
    body["metadata"] = {"channel": "web"}

    updated = srb.put("orders/1001", json=body)
    still_named = srb.get_shipback(shipback.provider_id)["items"][0]["item"]["reference"]
    adapter.choose_mode(srb, shipback.provider_id, "postal")
    available_quotes(srb, shipback.provider_id)
    adapter.register_free(srb, shipback.provider_id)
    with pytest.raises(ProviderRejected) as refused:
        srb.put("orders/1001", json=body)

    assert updated["metadata"] == {"channel": "web"}
    assert still_named == "1001-1"  # the order's items kept their ids
    assert refused.value.status == 400
    assert refused.value.code == adapter.SHIPBACK_REGISTERED
