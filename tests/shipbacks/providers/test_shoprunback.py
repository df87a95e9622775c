"""ShopRunBack client and adapter against the recorded bodies of seeds 002 and 003.

``shipback_labelled.json`` is the seed's ``shipback.labelled`` webhook data with its ``state``;
``quotes_available.json`` follows the seed's quote list, with the drop-off points and pickup
slots the seed says the quotes carry (field names as our Quote model documents them).
"""

import datetime

import pytest
from responses import matchers

from shipbacks.providers.errors import ProviderRejected
from shipbacks.providers.shoprunback import adapter
from shipbacks.providers.shoprunback.client import ShopRunBackClient
from shipbacks.providers.types import (
    AddressPayload,
    BrandPayload,
    CustomerPayload,
    DropoffPoint,
    OrderItemPayload,
    OrderPayload,
    PickupSlot,
    ProductPayload,
    ReturnedItemPayload,
    ShipbackPayload,
)

from .helpers import load_payload, sent_json

API = "https://dashboard.shoprunback.com/api/v1"
SHIPBACK_ID = "00082f23-9b8c-4515-b1cd-527d56a1bef3"
AUTH = matchers.header_matcher({"Authorization": "Token token=srb-token"})


@pytest.fixture
def client():
    return ShopRunBackClient(base_url=API, token="srb-token")


def an_order():
    return OrderPayload(
        order_number="1234567",
        ordered_at=datetime.date(2017, 6, 12),
        customer=CustomerPayload(
            first_name="John",
            last_name="Doe",
            email="john@doe.com",
            phone="1230145365",
            address=AddressPayload(
                line1="651 rue de dunkerque", zipcode="78010", country_code="FR", city="Paris"
            ),
        ),
        items=[
            OrderItemPayload(
                reference="item 001", product_reference="reference1", label="Chemise bleu"
            ),
            OrderItemPayload(
                reference="item 2", product_reference="reference2", label="Casquette rouge"
            ),
        ],
    )


# Catalog ------------------------------------------------------------------------------------


def test_a_known_brand_is_found_by_reference_and_not_created_again(http, client):
    http.get(f"{API}/brands/apple", json=load_payload("shoprunback/brand.json"), match=[AUTH])

    brand_id = adapter.ensure_brand(client, BrandPayload(reference="apple", name="Apple"))

    assert brand_id == "1f27f9d9-3b5c-4152-98b7-760f56967dea"
    assert len(http.calls) == 1


def test_a_brand_missing_from_the_reference_route_is_found_in_the_list(http, client):
    http.get(f"{API}/brands/samsung", status=404)
    http.get(f"{API}/brands", json=load_payload("shoprunback/brands.json"), match=[AUTH])

    brand_id = adapter.ensure_brand(client, BrandPayload(reference="samsung", name="Samsung"))

    assert brand_id == "1f27f9d9-3b5c-4152-98b7-760f56967dec"
    assert [call.request.method for call in http.calls] == ["GET", "GET"]


def test_an_unknown_brand_is_created_with_name_and_reference(http, client):
    http.get(f"{API}/brands/apple", status=404, json={"errors": [{"message": "Not found"}]})
    http.get(f"{API}/brands", json=[])
    http.post(f"{API}/brands", json=load_payload("shoprunback/brand.json"), match=[AUTH])

    brand_id = adapter.ensure_brand(client, BrandPayload(reference="apple", name="Apple"))

    assert brand_id == "1f27f9d9-3b5c-4152-98b7-760f56967dea"
    assert sent_json(http.calls[2]) == {"name": "Apple", "reference": "apple"}


def test_a_brand_created_meanwhile_by_another_run_is_used(http, client):
    http.get(f"{API}/brands/apple", status=404)
    http.get(f"{API}/brands", json=[])
    http.post(f"{API}/brands", status=422, json={"errors": {"reference": ["already taken"]}})
    http.get(f"{API}/brands/apple", json=load_payload("shoprunback/brand.json"))

    brand_id = adapter.ensure_brand(client, BrandPayload(reference="apple", name="Apple"))

    assert brand_id == "1f27f9d9-3b5c-4152-98b7-760f56967dea"


def test_brands_are_listed(http, client):
    http.get(f"{API}/brands", json=load_payload("shoprunback/brands.json"))

    assert [brand["reference"] for brand in client.list_brands()] == ["default", "apple", "samsung"]


def test_a_product_is_created_under_its_brand_with_its_picture(http, client):
    http.get(f"{API}/products/IPHONE%2014S%20B", status=404)
    http.post(f"{API}/products", json=load_payload("shoprunback/product.json"), match=[AUTH])
    product = ProductPayload(
        reference="IPHONE 14S B",
        label="Iphone 14S Blue",
        weight_grams=200,
        ean="1258987561456",
        picture_url="http://www.apple.com/images/iphone-14s.jpg",
    )

    product_id = adapter.ensure_product(
        client, product, brand_id="1f27f9d9-3b5c-4152-98b7-760f56967dea"
    )

    assert product_id == "1f27f9d9-3b5c-4152-98b7-760f56967dea"
    assert sent_json(http.calls[1]) == {
        "label": "Iphone 14S Blue",
        "reference": "IPHONE 14S B",
        "ean": "1258987561456",
        "weight_grams": 200,
        "brand_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",
        "picture_file_url": "http://www.apple.com/images/iphone-14s.jpg",
    }


# Orders -------------------------------------------------------------------------------------


def test_an_order_is_created_with_customer_address_and_our_item_references(http, client):
    http.get(f"{API}/orders/1234567", status=404)
    http.post(f"{API}/orders", json={**load_payload("shoprunback/order.json"), "id": "ord-1"})

    order_id = adapter.ensure_order(client, an_order())

    assert order_id == "ord-1"
    assert sent_json(http.calls[1]) == {
        "ordered_at": "2017-06-12",
        "order_number": "1234567",
        "customer": {
            "first_name": "John",
            "last_name": "Doe",
            "email": "john@doe.com",
            "phone": "1230145365",
            "address": {
                "line1": "651 rue de dunkerque",
                "zipcode": "78010",
                "country_code": "FR",
                "city": "Paris",
            },
        },
        "items": [
            {"label": "Chemise bleu", "reference": "item 001", "product_id": "reference1"},
            {"label": "Casquette rouge", "reference": "item 2", "product_id": "reference2"},
        ],
    }


def test_an_order_already_pushed_is_found_by_its_number(http, client):
    http.get(f"{API}/orders/1234567", json=load_payload("shoprunback/order.json"))

    assert adapter.ensure_order(client, an_order()) == "1f27f9d9-3b5c-4152-98b7-760f56967dea"
    assert len(http.calls) == 1


def test_deleting_an_order_with_a_shipback_is_rejected_with_its_code(http, client):
    body = load_payload("shoprunback/error_dependent_shipback.json")
    http.delete(f"{API}/orders/ord-1", status=400, json=body)

    with pytest.raises(ProviderRejected) as caught:
        client.delete_order("ord-1")

    assert caught.value.code == adapter.DEPENDENT_SHIPBACK
    assert "dependent shipback found" in caught.value.message


# Shipbacks ----------------------------------------------------------------------------------


def test_a_shipback_is_created_on_the_order_number_with_item_references_and_reasons(http, client):
    http.post(
        f"{API}/shipbacks",
        json={"id": SHIPBACK_ID, "state": "created", "mode": "pickup"},
        match=[AUTH],
    )
    shipback = ShipbackPayload(
        order_number="1234567",
        rma="RABCD2345",
        items=[ReturnedItemPayload(item_reference="item 2", reason_code="doesnt_fit")],
        mode="pickup",
    )

    remote = adapter.create_shipback(client, shipback)

    assert sent_json(http.calls[0]) == {
        "mode": "pickup",
        "order_id": "1234567",
        "items": [{"item_id": "item 2", "reason_code": "doesnt_fit"}],
        "metadata": {"rma": "RABCD2345"},
    }
    assert (remote.provider_id, remote.state) == (SHIPBACK_ID, "created")


def test_a_labelled_shipback_maps_to_our_state_label_tracking_and_prices(http, client):
    data = load_payload("shoprunback/shipback_labelled.json")
    http.get(f"{API}/shipbacks/{data['id']}", json=data, match=[AUTH])

    remote = adapter.get_shipback(client, data["id"])

    assert remote.state == "labelled"
    assert remote.rma == "123"
    assert remote.mode == "postal"
    assert remote.label_url == "http://cdn.com/label/1234.pdf"
    assert remote.tracking_number == "123456-tracking"
    assert (remote.price_cents, remote.customer_price_cents) == (10000, 10000)
    assert remote.public_url == "https://web.shoprunback.com/apple/1234"


def test_an_unknown_shipback_is_none(http, client):
    http.get(f"{API}/shipbacks/nope", status=404)

    assert adapter.get_shipback(client, "nope") is None


def test_an_unknown_shipback_state_is_kept_raw_not_guessed():
    remote = adapter.parse_shipback({"id": "x", "state": "teleported"})

    assert (remote.state, remote.raw_state) == (None, "teleported")


def test_deleting_a_shipback_before_registration_succeeds(http, client):
    http.delete(f"{API}/shipbacks/{SHIPBACK_ID}", status=200, json={})

    assert adapter.delete_shipback(client, SHIPBACK_ID) is True


def test_deleting_a_shipback_already_gone_is_not_an_error(http, client):
    http.delete(f"{API}/shipbacks/{SHIPBACK_ID}", status=404)

    assert adapter.delete_shipback(client, SHIPBACK_ID) is False


def test_deleting_a_registered_shipback_is_refused_with_shipback_registered(http, client):
    body = load_payload("shoprunback/error_shipback_registered.json")
    http.delete(f"{API}/shipbacks/{SHIPBACK_ID}", status=400, json=body)

    with pytest.raises(ProviderRejected) as caught:
        adapter.delete_shipback(client, SHIPBACK_ID)

    assert caught.value.status == 400
    assert caught.value.code == adapter.SHIPBACK_REGISTERED
    assert caught.value.message == "This shipback is already processing. You can't delete it."


# Own return process: quotes, mode, free, label ------------------------------------------------


def test_quotes_being_computed_have_no_price_yet(http, client):
    http.get(
        f"{API}/shipbacks/{SHIPBACK_ID}/quotes",
        json=load_payload("shoprunback/quotes_computing.json"),
        match=[AUTH],
    )

    quotes = adapter.get_quotes(client, SHIPBACK_ID)

    assert [(q.mode, q.state, q.price_cents) for q in quotes] == [
        ("postal", "computing", None),
        ("pickup", "computing", None),
        ("dropoff", "computing", None),
    ]


def test_computed_quotes_carry_prices_pickup_slots_and_dropoff_points(http, client):
    http.get(
        f"{API}/shipbacks/{SHIPBACK_ID}/quotes",
        json=load_payload("shoprunback/quotes_available.json"),
    )

    postal, pickup, dropoff = adapter.get_quotes(client, SHIPBACK_ID)

    assert (postal.state, postal.price_cents, postal.customer_price_cents) == (
        "available",
        650,
        450,
    )
    assert (pickup.price_cents, pickup.customer_price_cents) == (1500, 1200)
    assert pickup.pickup_slots == [
        PickupSlot(pickup_datetime="2018-01-18 14:00:00", pickup_duration=120),
        PickupSlot(pickup_datetime="2018-01-19 09:00:00", pickup_duration=240),
    ]
    assert dropoff.state == "unavailable"
    assert dropoff.dropoff_points == [
        DropoffPoint(
            code="O4001",
            name="Tabac de la Gare",
            address="1 place de la Gare, 75010, Paris, FR",
            opening_hours={"monday": "08:00-19:00"},
        )
    ]


def test_one_modes_quote_is_followed_on_its_own(http, client):
    quote = load_payload("shoprunback/quotes_computing.json")[0]
    http.get(f"{API}/shipbacks/{SHIPBACK_ID}/quotes/postal", json=quote)

    assert adapter.get_quote(client, SHIPBACK_ID, "postal").provider_id == quote["id"]


def test_quotes_are_cleared_to_be_computed_again(http, client):
    http.post(f"{API}/shipbacks/{SHIPBACK_ID}/quotes/clear", json={}, match=[AUTH])

    adapter.clear_quotes(client, SHIPBACK_ID)

    assert len(http.calls) == 1


def test_choosing_dropoff_sends_the_points_code(http, client):
    http.post(f"{API}/shipbacks/{SHIPBACK_ID}", json={"id": SHIPBACK_ID, "mode": "dropoff"})

    remote = adapter.choose_mode(client, SHIPBACK_ID, "dropoff", dropoff_code="O4001")

    assert sent_json(http.calls[0]) == {"dropoff_code": "O4001", "mode": "dropoff"}
    assert remote.mode == "dropoff"


def test_choosing_pickup_sends_the_slot_as_the_quote_gave_it(http, client):
    http.post(f"{API}/shipbacks/{SHIPBACK_ID}", json={})

    adapter.choose_mode(
        client, SHIPBACK_ID, "pickup", pickup_datetime="2018-01-18 14:00:00", pickup_duration=120
    )

    assert sent_json(http.calls[0]) == {
        "pickup_datetime": "2018-01-18 14:00:00",
        "pickup_duration": "120",
        "mode": "pickup",
    }


@pytest.mark.parametrize(
    ("mode", "field"), [("dropoff", "dropoff_code"), ("pickup", "pickup_datetime")]
)
def test_choosing_a_mode_without_its_detail_is_refused_before_sending(client, mode, field):
    with pytest.raises(ProviderRejected) as caught:
        adapter.choose_mode(client, SHIPBACK_ID, mode)

    assert caught.value.status is None
    assert field in caught.value.field_errors


def test_overrides_send_only_what_is_given(http, client):
    http.post(f"{API}/shipbacks/{SHIPBACK_ID}", json={})
    http.post(f"{API}/shipbacks/{SHIPBACK_ID}", json={})

    adapter.set_overrides(client, SHIPBACK_ID, relocation_warehouse_id="E002")
    adapter.set_overrides(
        client,
        SHIPBACK_ID,
        dropoff_customer_price_cents=300,
        postal_customer_price_cents=450,
        pickup_customer_price_cents=1200,
        try_at_home=True,
    )

    assert sent_json(http.calls[0]) == {"overrides": {"relocation_warehouse_id": "E002"}}
    assert sent_json(http.calls[1]) == {
        "overrides": {
            "dropoff_customer_price_cents": 300,
            "postal_customer_price_cents": 450,
            "pickup_customer_price_cents": 1200,
            "try_at_home": True,
        }
    }


def test_a_free_return_skips_payment(http, client):
    http.post(f"{API}/shipbacks/{SHIPBACK_ID}/free", json={}, match=[AUTH])

    adapter.register_free(client, SHIPBACK_ID)

    assert len(http.calls) == 1


def test_the_label_pdf_is_downloaded(http, client):
    http.get("http://cdn.com/label/1234.pdf", body=b"%PDF-1.7\n...", content_type="application/pdf")

    label = adapter.download_label(client, "http://cdn.com/label/1234.pdf", max_bytes=10_000)

    assert label.startswith(b"%PDF-")


def test_a_label_that_is_not_a_pdf_is_refused(http, client):
    http.get("http://cdn.com/label/1234.pdf", body=b"<html>expired</html>")

    with pytest.raises(ProviderRejected, match="not a PDF"):
        adapter.download_label(client, "http://cdn.com/label/1234.pdf", max_bytes=10_000)
