from unittest import mock

import pytest

from shipbacks.models import Quote, Shipback
from shipbacks.services import quotes_request
from tests.factories import ShipbackFactory, shipback_in_state

from .helpers import shipback_with_quotes

pytestmark = pytest.mark.django_db


def test_the_first_get_starts_the_computation_and_answers_a_bare_array(api):
    shipback = ShipbackFactory(items=1)

    with mock.patch("shipbacks.api.quotes.quotes_request", wraps=quotes_request) as request:
        first = api.generic(
            "GET", f"/api/v1/shipbacks/{shipback.pk}/quotes", "[]", "application/json"
        )
        again = api.get(f"/api/v1/shipbacks/{shipback.pk}/quotes")

    assert first.status_code == 200
    body = first.json()
    assert isinstance(body, list)
    assert sorted(quote["mode"] for quote in body) == ["dropoff", "pickup", "postal"]
    for quote in body:
        assert quote["state"] == "computing"
        assert quote["price_cents"] is None
        assert quote["customer_price_cents"] is None
    assert request.call_count == 1  # the second poll finds them all
    assert again.json() == body


def test_available_quotes_list_their_points_and_slots(api):
    shipback = shipback_with_quotes(
        postal=Quote.State.AVAILABLE, dropoff=Quote.State.AVAILABLE, pickup=Quote.State.AVAILABLE
    )

    quotes = {q["mode"]: q for q in api.get(f"/api/v1/shipbacks/{shipback.pk}/quotes").json()}

    assert quotes["postal"]["price_cents"] == 600
    assert quotes["postal"]["customer_price_cents"] == 500
    assert "dropoff_points" not in quotes["postal"]
    assert quotes["dropoff"]["dropoff_points"] == [
        {
            "code": "O4001",
            "name": "Relais Rivoli",
            "address": "12 rue de Rivoli, 75004 Paris",
            "opening_hours": {"mon": "09:00-19:00"},
        }
    ]
    assert quotes["pickup"]["pickup_slots"] == [
        {"pickup_datetime": "2018-01-18 14:00:00", "pickup_duration": 120}
    ]


def test_one_mode_is_followed_alone(api):
    shipback = shipback_with_quotes(
        postal=Quote.State.AVAILABLE, dropoff=Quote.State.COMPUTING, pickup=Quote.State.FAILED
    )

    postal = api.get(f"/api/v1/shipbacks/{shipback.pk}/quotes/postal")
    unknown = api.get(f"/api/v1/shipbacks/{shipback.pk}/quotes/teleport")

    assert postal.status_code == 200
    assert postal.json()["mode"] == "postal"
    assert postal.json()["state"] == "available"
    assert unknown.status_code == 404


def test_clearing_the_quotes_lets_the_next_get_compute_them_again(api):
    shipback = shipback_with_quotes(postal=Quote.State.AVAILABLE, dropoff=Quote.State.UNAVAILABLE)

    cleared = api.post(f"/api/v1/shipbacks/{shipback.pk}/quotes/clear")
    after = api.get(f"/api/v1/shipbacks/{shipback.pk}/quotes")

    assert cleared.status_code == 200
    assert cleared.json() == []
    assert {q["state"] for q in after.json()} == {"computing"}


def test_the_quotes_of_a_registered_shipback_stay(api):
    shipback = shipback_in_state(Shipback.State.REGISTERED, items=1)

    listed = api.get(f"/api/v1/shipbacks/{shipback.pk}/quotes")
    cleared = api.post(f"/api/v1/shipbacks/{shipback.pk}/quotes/clear")

    assert listed.json() == []
    assert cleared.status_code == 400
    assert cleared.json()["errors"][0]["code"] == "SHIPBACK_REGISTERED"


def test_the_quotes_of_an_unknown_shipback_are_404(api):
    assert api.get("/api/v1/shipbacks/nope/quotes").status_code == 404
