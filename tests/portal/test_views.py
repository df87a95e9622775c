"""The portal's pages, step by step, with their errors and limits."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shipbacks.models import Shipback

from .helpers import (
    confirmed_return,
    label_recorded,
    make_order,
    photo_upload,
    pickup_slots,
    record_quotes,
    start_return,
)

pytestmark = pytest.mark.django_db

LOOKUP = "/returns/"
NEUTRAL = "We could not find an order to return with these details."


def find(client, order, contact="alex@example.com", **extra):
    return client.post(
        LOOKUP,
        {"order_number": order.order_number if order else "NOPE-1", "contact": contact},
        **extra,
    )


def found(client, order, contact="alex@example.com"):
    response = find(client, order, contact)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def text(response) -> str:
    return response.content.decode()


def test_the_lookup_page_asks_for_the_order_number_and_e_mail_or_postcode(client):
    response = client.get(LOOKUP)

    body = text(response)
    assert response.status_code == 200
    assert 'name="order_number"' in body
    assert 'name="contact"' in body
    assert "csrfmiddlewaretoken" in body
    assert settings.RETURNS_MERCHANT_NAME in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_finding_the_order_opens_its_items(client, portal):
    order = make_order()

    response = found(client, order)

    assert response["Location"] == reverse("portal:items", kwargs={"order_id": order.pk})
    assert client.get(response["Location"]).status_code == 200


def test_finding_it_by_postcode_works_too(client, portal):
    found(client, make_order(zipcode="75011"), contact="75 011")


def _neutral_page(response) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))
    return re.sub(r'value="[^"]*"', "", body)


def test_wrong_e_mail_unknown_order_and_closed_window_get_the_same_answer(client, portal):
    order = make_order(number="DEMO-7001")
    late = make_order(number="DEMO-7002", delivered_days_ago=60, ordered_days_ago=65)

    wrong_email = find(client, order, "someone@example.com")
    unknown = find(client, None)
    too_late = find(client, late)

    assert {r.status_code for r in (wrong_email, unknown, too_late)} == {200}
    assert NEUTRAL in text(wrong_email)
    assert _neutral_page(wrong_email) == _neutral_page(unknown) == _neutral_page(too_late)


def test_empty_fields_are_asked_for(client):
    response = client.post(LOOKUP, {"order_number": "", "contact": ""})

    assert text(response).count("This field is required.") >= 2
    assert 'aria-invalid="true"' in text(response)


def test_failed_lookups_are_limited_per_address(client, portal, settings):
    settings.RETURNS_PORTAL_LOOKUP_ATTEMPTS = 3
    order = make_order(number="DEMO-7001")

    for attempt in range(3):
        assert find(client, None, f"x{attempt}@example.com").status_code == 200
    limited = find(client, order)  # even the right pair, from this address, for a while

    assert limited.status_code == 429
    assert "Too many attempts" in text(limited)
    assert int(limited["Retry-After"]) > 0
    other_address = find(client, order, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 302


def test_failed_lookups_are_limited_per_order_number(client, portal, settings):
    settings.RETURNS_PORTAL_LOOKUP_ATTEMPTS = 3
    order = make_order(number="DEMO-7001")

    for attempt in range(3):
        find(client, order, "wrong@example.com", REMOTE_ADDR=f"10.0.0.{attempt}")
    limited = find(client, order, REMOTE_ADDR="10.0.1.1")

    assert limited.status_code == 429
    cache.clear()  # the window ends
    assert find(client, order, REMOTE_ADDR="10.0.1.1").status_code == 302


def test_successful_lookups_are_not_counted(client, portal, settings):
    settings.RETURNS_PORTAL_LOOKUP_ATTEMPTS = 2
    order = make_order()

    for _ in range(4):
        found(client, order)


def test_the_items_of_an_order_not_found_in_this_browser_are_not_shown(client, portal):
    order = make_order()

    response = client.get(reverse("portal:items", kwargs={"order_id": order.pk}))

    assert response.status_code == 302
    assert response["Location"] == LOOKUP


def test_every_item_is_shown_and_those_not_returnable_say_why(client, portal):
    from .helpers import add_item

    order = make_order(items=1, quantity=3)
    add_item(order, returnable=False, label="Gift card")
    found(client, order)

    body = text(client.get(reverse("portal:items", kwargs={"order_id": order.pk})))

    assert "Gift card" in body
    assert "This product cannot be returned." in body
    assert body.count('type="checkbox"') == 2
    assert body.count(" disabled") >= 1
    assert '<option value="3">3</option>' in body  # a quantity for the multi-unit line


def test_at_least_one_item_is_required(client, portal):
    order = make_order()
    found(client, order)

    response = client.post(reverse("portal:items", kwargs={"order_id": order.pk}), {})

    assert "Choose at least one item to return." in text(response)


def _pick(client, order, quantities=None):
    items = list(order.items.all())
    data = {"item": [str(i.pk) for i in items]}
    for item in items:
        data[f"qty-{item.pk}"] = str((quantities or {}).get(item.pk, 1))
    response = client.post(reverse("portal:items", kwargs={"order_id": order.pk}), data)
    assert response.status_code == 302, text(response)[:3000]
    return response["Location"]


def test_picking_items_leads_to_their_reasons(client, portal):
    order = make_order(items=2)
    found(client, order)

    reasons_url = _pick(client, order)
    page = client.get(reasons_url)

    assert page.status_code == 200
    assert text(page).count('name="line-') >= 6  # reason, comment, photo for each item
    assert "Arrived damaged" in text(page)
    assert "Old" not in text(page)  # a reason no longer offered


def test_too_many_units_are_refused(client, portal):
    order = make_order(quantity=2)
    found(client, order)
    item = order.items.get()

    response = client.post(
        reverse("portal:items", kwargs={"order_id": order.pk}),
        {"item": [str(item.pk)], f"qty-{item.pk}": "5"},
    )

    assert "Choose a quantity between 1 and 2" in text(response)


def _reasons(client, order, reason="doesnt_fit", **line0):
    reasons_url = _pick(client, order)
    data = {"sel": reasons_url.split("sel=")[1]}
    for index in range(order.items.count()):
        data[f"line-{index}-reason"] = reason
        data[f"line-{index}-comment"] = ""
    data.update({f"line-0-{k}": v for k, v in line0.items()})
    return client.post(reasons_url.split("?")[0], data)


def test_giving_reasons_creates_the_return_and_opens_the_shipping_step(client, portal):
    order = make_order(items=2)
    found(client, order)

    response = _reasons(client, order, comment="Too small")

    shipback = Shipback.objects.get(order=order)
    assert response["Location"] == reverse("portal:shipping", args=[shipback.public_token])
    assert shipback.state == Shipback.State.CREATED
    assert shipback.returned_items.filter(comment="Too small").count() == 1


def test_a_reason_that_needs_a_photo_asks_for_it(client, portal):
    order = make_order()
    found(client, order)

    response = _reasons(client, order, reason="damaged")

    assert response.status_code == 200
    assert "Add a photo: this reason needs one." in text(response)
    assert not Shipback.objects.exists()


def test_a_photo_is_stored_and_shown_only_through_its_return(client, portal):
    order = make_order()
    found(client, order)

    _reasons(client, order, reason="damaged", photo=photo_upload())

    shipback = Shipback.objects.get(order=order)
    item = shipback.returned_items.get()
    assert item.photo.name.startswith("returned_items/")
    assert item.photo.name.endswith(".jpg")
    photo_url = reverse("portal:photo", args=[shipback.public_token, item.pk])
    assert client.get(photo_url)["Content-Type"] == "image/jpeg"
    other = start_return(make_order(email="other@example.com"))
    foreign_url = reverse("portal:photo", args=[other.public_token, item.pk])
    assert client.get(foreign_url).status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ("text", "This file is not a photo we can read"),
        ("gif", "This file is not a photo we can read"),
        ("large", "The photo is too large"),
    ],
)
def test_a_photo_must_be_a_picture_of_allowed_type_and_size(
    client, portal, settings, upload, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.RETURNS_PORTAL_PHOTO_MAX_BYTES = 2000
    files = {
        "text": SimpleUploadedFile("photo.jpg", b"not an image at all", "image/jpeg"),
        "gif": photo_upload("photo.gif", "PNG").__class__(
            "photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"
        ),
        "large": photo_upload("big.png", "PNG", size=(100, 100), noise=True),
    }
    order = make_order()
    found(client, order)

    response = _reasons(client, order, reason="damaged", photo=files[upload])

    assert message in text(response)
    assert not Shipback.objects.exists()


# Shipping, live quotes, review and confirmation.


def test_the_shipping_step_shows_the_quotes_being_computed_then_their_prices(client, portal):
    shipback = start_return(make_order())
    url = reverse("portal:shipping", args=[shipback.public_token])

    computing = text(client.get(url))
    record_quotes(shipback)
    computed = text(client.get(url))

    assert "Getting the price" in computing
    assert "Refresh to see the prices" in computing
    assert 'data-computing="true"' in computing
    assert "Free" in computed  # the drop-off is sponsored
    assert "€4.50" in computed
    assert "€6.50" in computed
    assert "Relais Colis – Tabac de la Gare" in computed
    assert "Monday" in computed  # opening hours
    assert 'name="pickup_slot"' in computed
    assert "Ship it yourself" in computed
    assert 'data-computing="false"' in computed


def test_the_quotes_status_answers_each_mode_as_it_is(client, portal):
    shipback = start_return(make_order())
    url = reverse("portal:shipping_status", args=[shipback.public_token])

    before = client.get(url).json()
    record_quotes(shipback, unavailable=("pickup",))
    after = client.get(url).json()

    assert before["computing"] is True
    assert before["modes"]["postal"]["state"] == "computing"
    assert after["computing"] is False
    assert after["modes"]["pickup"]["state"] == "unavailable"
    assert 'id="mode-postal"' in after["modes"]["postal"]["html"]
    assert "€6.50" in after["modes"]["postal"]["html"]


def test_choosing_a_drop_off_mode_needs_a_point(client, portal):
    shipback = start_return(make_order())
    record_quotes(shipback)
    url = reverse("portal:shipping", args=[shipback.public_token])

    missing = client.post(url, {"mode": "dropoff"})
    chosen = client.post(url, {"mode": "dropoff", "dropoff_code": "FR1234"})

    assert "Choose a drop-off point." in text(missing)
    assert chosen["Location"] == reverse("portal:review", args=[shipback.public_token])


def test_a_mode_not_offered_is_refused(client, portal):
    shipback = start_return(make_order())
    record_quotes(shipback, unavailable=("postal",))

    response = client.post(
        reverse("portal:shipping", args=[shipback.public_token]), {"mode": "postal"}
    )

    assert "no longer available" in text(response)


def test_failed_quotes_can_be_asked_for_again(client, portal):
    shipback = start_return(make_order())
    record_quotes(shipback, failed=("postal",))
    url = reverse("portal:shipping", args=[shipback.public_token])
    assert "Try again to get the prices" in text(client.get(url))

    client.post(reverse("portal:quotes_retry", args=[shipback.public_token]))

    assert shipback.quotes.get(mode="postal").state == "computing"


def test_the_review_sums_up_and_confirming_registers_the_return(client, portal):
    shipback = start_return(make_order())
    record_quotes(shipback)
    token = shipback.public_token
    slot = f"{pickup_slots()[0]['pickup_datetime']}|240"
    client.post(reverse("portal:shipping", args=[token]), {"mode": "pickup", "pickup_slot": slot})

    review = client.get(reverse("portal:review", args=[token]))
    confirm = client.post(reverse("portal:review", args=[token]))

    assert "Pickup at your address" in text(review)
    assert "€4.50" in text(review)
    assert "Doesn&#x27;t fit" in text(review)
    assert confirm["Location"] == reverse("portal:track", args=[token])
    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.REGISTERED


def test_the_review_without_a_mode_goes_back_to_shipping(client, portal):
    shipback = start_return(make_order())

    response = client.get(reverse("portal:review", args=[shipback.public_token]))

    assert response["Location"] == reverse("portal:shipping", args=[shipback.public_token])


def test_a_confirmed_return_leaves_the_steps_for_its_page(client, portal):
    shipback = confirmed_return(make_order())

    for name in ("shipping", "review", "details"):
        response = client.get(reverse(f"portal:{name}", args=[shipback.public_token]))
        assert response["Location"] == reverse("portal:track", args=[shipback.public_token])


def test_starting_over_cancels_the_return_and_frees_its_items(client, portal):
    order = make_order()
    found(client, order)
    shipback = start_return(order)

    response = client.post(reverse("portal:cancel", args=[shipback.public_token]))

    assert response["Location"] == reverse("portal:items", kwargs={"order_id": order.pk})
    assert Shipback.objects.get(pk=shipback.pk).state == Shipback.State.CANCELLED


def test_the_reasons_can_be_changed_before_confirming(client, portal):
    shipback = start_return(make_order())
    record_quotes(shipback)
    url = reverse("portal:details", args=[shipback.public_token])

    page = client.get(url)
    response = client.post(url, {"line-0-reason": "damaged", "line-0-photo": photo_upload()})

    assert "Doesn&#x27;t fit" in text(page)
    assert response["Location"] == reverse("portal:shipping", args=[shipback.public_token])
    assert shipback.returned_items.get().reason.code == "damaged"


# The return's page.


def test_the_return_page_shows_the_label_being_prepared_then_ready(client, portal):
    shipback = confirmed_return(make_order())
    page_url = reverse("portal:track", args=[shipback.public_token])
    status_url = reverse("portal:status", args=[shipback.public_token])

    waiting = text(client.get(page_url))
    pending = client.get(status_url).json()
    label_recorded(shipback)
    ready = client.get(status_url).json()
    download = client.get(reverse("portal:label", args=[shipback.public_token]))

    assert shipback.rma in waiting
    assert "Your label is being prepared" in waiting
    assert "Refresh this page" in waiting
    assert pending["pending"] is True
    assert ready["pending"] is False
    assert ready["version"] != pending["version"]
    assert "Download the label (PDF)" in ready["html"]
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_direct_return_gets_a_return_slip(client, portal):
    shipback = confirmed_return(make_order(), mode="direct")

    page = text(client.get(reverse("portal:track", args=[shipback.public_token])))
    slip = client.get(reverse("portal:slip", args=[shipback.public_token]))

    assert "Download the return slip (PDF)" in page
    assert "Paris Nord" in page
    assert slip["Content-Type"] == "application/pdf"
    assert slip.content.startswith(b"%PDF")
    assert client.get(reverse("portal:label", args=[shipback.public_token])).status_code == 404


def test_a_return_with_a_label_has_no_slip(client, portal):
    shipback = confirmed_return(make_order())

    assert client.get(reverse("portal:slip", args=[shipback.public_token])).status_code == 404


@pytest.mark.parametrize(
    "name", ["track", "status", "label", "slip", "shipping", "review", "details", "shipping_status"]
)
def test_an_unknown_token_finds_nothing(client, portal, name):
    confirmed_return(make_order())

    response = client.get(reverse(f"portal:{name}", args=["x" * 32]))

    assert response.status_code == 404


def test_another_customers_token_shows_only_that_return(client, portal):
    mine = confirmed_return(make_order(email="me@example.com"))
    theirs = confirmed_return(make_order(email="them@example.com"))

    page = text(client.get(reverse("portal:track", args=[theirs.public_token])))

    assert theirs.rma in page
    assert mine.rma not in page


# Security and languages.


def test_every_form_needs_its_csrf_token(portal):
    client = Client(enforce_csrf_checks=True)
    shipback = start_return(make_order())

    for url in (LOOKUP, reverse("portal:shipping", args=[shipback.public_token])):
        response = client.post(url, {})
        assert response.status_code == 403
        assert "Please try again" in text(response)


def test_the_portal_sends_a_strict_content_security_policy(client):
    policy = client.get(LOOKUP)["Content-Security-Policy"]

    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_api_docs_page_gets_its_inline_script_allowed_there_only(client):
    policy = client.get("/api/docs/")["Content-Security-Policy"]

    assert "script-src 'self' 'unsafe-inline'" in policy


def test_the_order_is_shown_in_its_customers_language(client, portal):
    order = make_order(locale="fr")
    found(client, order)

    body = text(client.get(reverse("portal:items", kwargs={"order_id": order.pk})))

    assert '<html lang="fr">' in body
    assert "Quels articles souhaitez-vous retourner" in body


def test_the_lookup_page_follows_the_browser_language(client):
    body = text(client.get(LOOKUP, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"))

    assert '<html lang="fr">' in body
    assert "Retourner un article" in body


def test_the_customer_can_switch_language(client, portal):
    order = make_order(locale="fr")
    found(client, order)
    items_url = reverse("portal:items", kwargs={"order_id": order.pk})

    switch = client.post(reverse("portal:language"), {"language": "en", "next": items_url})
    body = text(client.get(items_url))

    assert switch["Location"] == items_url
    assert '<html lang="en">' in body
    assert "Which items do you want to return?" in body


def test_french_errors_and_reasons(client, portal):
    order = make_order(locale="fr", number="DEMO-7101")
    fr = {"HTTP_ACCEPT_LANGUAGE": "fr"}

    wrong = client.post(LOOKUP, {"order_number": "DEMO-7101", "contact": "x@example.com"}, **fr)
    found(client, order)
    reasons_page = text(client.get(_pick(client, order)))

    assert "Nous n’avons pas trouvé de commande à retourner" in text(wrong)
    assert "Arrivé endommagé" in reasons_page
    assert "Ne me va pas" in reasons_page
