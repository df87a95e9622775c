"""The prices the customer sees in the portal are the sponsored ones: free when the merchant pays
it all, reduced when it pays a share, the same on the review step as on the shipping step, and
the price the return is registered with."""

import pytest
from django.urls import reverse

from orders.models import Order
from shipbacks.demo import seed_demo
from shipbacks.models import Shipback
from tests.factories import SponsoringRuleFactory

from .helpers import make_order, pickup_slots, record_quotes, start_return

pytestmark = pytest.mark.django_db

# What the provider quotes (price_cents) and says the customer pays: the whole price.
PROVIDER_PRICES = {"dropoff": 490, "pickup": 1190, "postal": 690}


def quoted(shipback: Shipback) -> None:
    """The provider computed the quotes; record_quotes adds 200 to the customer's figure to make
    the price, so the provider's customer price is the price less 200."""
    record_quotes(shipback, prices={mode: price - 200 for mode, price in PROVIDER_PRICES.items()})


def text(response) -> str:
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def mode_html(page: str, mode: str) -> str:
    start = page.index(f'id="mode-{mode}"')
    end = page.find('<div class="mode ', start + 1)
    return page[start : end if end != -1 else len(page)]


def choose_postal(client, shipback: Shipback) -> str:
    """Choose the post office on the shipping step; the review page's HTML."""
    token = shipback.public_token
    response = client.post(reverse("portal:shipping", args=[token]), {"mode": "postal"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return text(client.get(reverse("portal:review", args=[token])))


def test_a_fully_sponsored_return_shows_every_mode_free(client, portal):
    SponsoringRuleFactory(reason=portal["reasons"]["doesnt_fit"], percentage=100)
    shipback = start_return(make_order())
    quoted(shipback)

    page = text(client.get(reverse("portal:shipping", args=[shipback.public_token])))

    for mode in PROVIDER_PRICES:
        assert '<strong class="free">Free</strong>' in mode_html(page, mode), mode
    assert "€" not in page


def test_a_partly_sponsored_return_shows_the_customers_share_not_the_providers_price(
    client, portal
):
    # The merchant pays half, the customer 4.50 at most.
    SponsoringRuleFactory(country_code="FR", percentage=50, customer_fee_max_cents=450)
    shipback = start_return(make_order())
    quoted(shipback)

    page = text(client.get(reverse("portal:shipping", args=[shipback.public_token])))

    assert "<strong>€2.45</strong>" in mode_html(page, "dropoff")
    assert "<strong>€4.50</strong>" in mode_html(page, "pickup")
    assert "<strong>€3.45</strong>" in mode_html(page, "postal")
    for provider_figure in ("€4.90", "€6.90", "€11.90", "€9.90", "€2.90"):
        assert provider_figure not in page
    assert "Free" not in page


def test_the_live_update_of_the_modes_shows_the_sponsored_prices(client, portal):
    SponsoringRuleFactory(reason=portal["reasons"]["doesnt_fit"], percentage=100)
    SponsoringRuleFactory(reason=None, percentage=50)
    shipback = start_return(make_order())
    quoted(shipback)

    modes = client.get(reverse("portal:shipping_status", args=[shipback.public_token])).json()

    assert "Free" in modes["modes"]["postal"]["html"]
    assert "€" not in modes["modes"]["pickup"]["html"]


def test_a_mode_the_provider_gave_no_price_for_shows_its_price_unavailable_not_free(client, portal):
    shipback = start_return(make_order())
    quoted(shipback)
    # The provider's answer for the post office came without any price.
    shipback.quotes.filter(mode="postal").update(price_cents=None, customer_price_cents=None)

    page = text(client.get(reverse("portal:shipping", args=[shipback.public_token])))
    modes = client.get(reverse("portal:shipping_status", args=[shipback.public_token])).json()
    chosen = client.post(
        reverse("portal:shipping", args=[shipback.public_token]), {"mode": "postal"}
    )

    postal = mode_html(page, "postal")
    assert "Price unavailable" in postal
    assert "Free" not in postal
    radio = postal[postal.index("<input") : postal.index(">", postal.index("<input"))]
    assert "disabled" in radio
    assert "Free" not in modes["modes"]["postal"]["html"]
    assert "Try again to get the prices" in page
    assert chosen.status_code == 200  # the form again, with the error
    shipback.refresh_from_db()
    assert shipback.mode != "postal"


def test_the_review_shows_the_price_of_the_shipping_step_and_the_return_keeps_it(client, portal):
    SponsoringRuleFactory(country_code="FR", percentage=50)
    shipback = start_return(make_order())
    quoted(shipback)

    review = choose_postal(client, shipback)
    confirm = client.post(reverse("portal:review", args=[shipback.public_token]))

    assert '<p class="price">€3.45</p>' in review
    assert confirm.status_code == 302
    shipback.refresh_from_db()
    assert shipback.state == Shipback.State.REGISTERED
    assert (shipback.price_cents, shipback.customer_price_cents) == (690, 345)


def test_a_free_return_is_free_on_the_review_and_registered_free(client, portal):
    SponsoringRuleFactory(reason=portal["reasons"]["doesnt_fit"], percentage=100)
    shipback = start_return(make_order())
    quoted(shipback)

    review = choose_postal(client, shipback)
    client.post(reverse("portal:review", args=[shipback.public_token]))

    assert '<p class="price">Free</p>' in review
    shipback.refresh_from_db()
    assert (shipback.price_cents, shipback.customer_price_cents) == (690, 0)


def test_a_return_with_one_sponsored_item_among_others_is_free(client, portal):
    reasons = portal["reasons"]
    SponsoringRuleFactory(reason=reasons["damaged"], percentage=100)
    order = make_order(items=2)
    shipback = start_return(order)
    fit, other = shipback.returned_items.order_by("pk")
    # The second item arrived damaged (a reason the merchant sponsors), with its photo.
    other.reason = reasons["damaged"]
    other.save(update_fields=["reason"])
    quoted(shipback)

    page = text(client.get(reverse("portal:shipping", args=[shipback.public_token])))

    assert fit.reason.code == "doesnt_fit"
    assert '<strong class="free">Free</strong>' in mode_html(page, "postal")


def test_french_customers_read_gratuit_and_french_prices(client, portal):
    reasons = portal["reasons"]
    SponsoringRuleFactory(reason=reasons["doesnt_fit"], percentage=100)
    SponsoringRuleFactory(country_code="FR", percentage=50)
    free = start_return(make_order(locale="fr"))
    quoted(free)
    reduced = start_return(make_order(locale="fr", email="camille@example.fr"))
    reduced.returned_items.update(reason=reasons["damaged"])  # only the French rule applies
    quoted(reduced)

    free_page = text(client.get(reverse("portal:shipping", args=[free.public_token])))
    free_review = choose_postal(client, free)
    reduced_page = text(client.get(reverse("portal:shipping", args=[reduced.public_token])))

    assert '<html lang="fr">' in free_page
    assert '<strong class="free">Gratuit</strong>' in mode_html(free_page, "postal")
    assert '<p class="price">Gratuit</p>' in free_review
    assert "<strong>3,45\N{NO-BREAK SPACE}€</strong>" in mode_html(reduced_page, "postal")


def test_a_pickup_chosen_on_a_sponsored_return_is_registered_at_the_shown_price(client, portal):
    SponsoringRuleFactory(percentage=100, merchant_fee_max_cents=1000)
    shipback = start_return(make_order())
    quoted(shipback)
    token = shipback.public_token
    slot = f"{pickup_slots()[0]['pickup_datetime']}|240"

    page = text(client.get(reverse("portal:shipping", args=[token])))
    client.post(reverse("portal:shipping", args=[token]), {"mode": "pickup", "pickup_slot": slot})
    review = text(client.get(reverse("portal:review", args=[token])))
    client.post(reverse("portal:review", args=[token]))

    # The merchant pays 10.00 of 11.90 at most: the customer 1.90.
    assert "<strong>€1.90</strong>" in mode_html(page, "pickup")
    assert '<p class="price">€1.90</p>' in review
    assert Shipback.objects.get(pk=shipback.pk).customer_price_cents == 190


# The demo: DEMO-1001 (demo@example.com, Paris) returned for a reason the merchant sponsors.


def demo_return(client, reason_code: str) -> Shipback:
    """Find DEMO-1001 in the portal and return its first item for ``reason_code``."""
    order = Order.objects.get(order_number="DEMO-1001")
    lookup = client.post(
        reverse("portal:lookup"), {"order_number": "DEMO-1001", "contact": "demo@example.com"}
    )
    assert lookup.status_code == 302, lookup.content.decode()[:2000]
    item = order.items.order_by("pk").first()
    picked = client.post(
        reverse("portal:items", kwargs={"order_id": order.pk}),
        {"item": [str(item.pk)], f"qty-{item.pk}": "1"},
    )
    assert picked.status_code == 302, picked.content.decode()[:2000]
    reasons_url = picked["Location"]
    given = client.post(
        reasons_url.split("?")[0],
        {"sel": reasons_url.split("sel=")[1], "line-0-reason": reason_code, "line-0-comment": ""},
    )
    assert given.status_code == 302, given.content.decode()[:2000]
    return Shipback.objects.get(order=order, state=Shipback.State.CREATED)


@pytest.fixture
def demo(db):
    seed_demo(orders=2)


def test_the_demo_order_returned_as_the_wrong_item_is_free(client, demo):
    shipback = demo_return(client, "wrong")
    quoted(shipback)

    page = text(client.get(reverse("portal:shipping", args=[shipback.public_token])))

    for mode in PROVIDER_PRICES:
        assert '<strong class="free">Free</strong>' in mode_html(page, mode), mode


def test_the_demo_order_returned_because_it_does_not_fit_costs_half_up_to_4_50(client, demo):
    shipback = demo_return(client, "doesnt_fit")
    quoted(shipback)

    page = text(client.get(reverse("portal:shipping", args=[shipback.public_token])))

    assert "<strong>€2.45</strong>" in mode_html(page, "dropoff")
    assert "<strong>€4.50</strong>" in mode_html(page, "pickup")
    assert "<strong>€3.45</strong>" in mode_html(page, "postal")
