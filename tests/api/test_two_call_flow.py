import pytest

from shipbacks.models import Shipback
from tests.factories import ProductFactory, ReturnReasonFactory

pytestmark = pytest.mark.django_db

ORDER_BODY = """{
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
      "city": "Paris"
    }
  },
  "items": [
    {
      "label": "Chemise bleu",
      "reference": "item 001",
      "product_id": "reference1"
    },
    {
      "label": "Casquette rouge",
      "reference": "item 2",
      "product_id": "reference2"
    }
  ]
}"""

SHIPBACK_BODY = """{
  "mode": "pickup",
  "order_id": "1234567",
  "items": [
    {
      "item_id": "item 2",
      "reason_code": "doesnt_fit"
    }
  ]
}"""


def test_an_order_then_its_shipback_with_your_own_references(api):
    # given: the catalog and the reason the seed's example names
    ProductFactory(reference="reference1")
    ProductFactory(reference="reference2")
    ReturnReasonFactory(code="doesnt_fit")

    # when: the two calls of seed 003, bodies as printed
    order = api.post("/api/v1/orders", ORDER_BODY, content_type="application/json")
    shipback = api.post("/api/v1/shipbacks", SHIPBACK_BODY, content_type="application/json")

    # then
    assert order.status_code == 201, order.json()
    assert order.json()["ordered_at"] == "2017-06-12"
    assert shipback.status_code == 201, shipback.json()
    body = shipback.json()
    assert body["state"] == "created"
    assert body["mode"] == "pickup"
    assert [i["item"]["reference"] for i in body["returned_items"]] == ["item 2"]
    created = Shipback.objects.get(pk=body["id"])
    assert created.customer.email == "john@doe.com"
    assert created.customer_id != created.order.customer_id


def test_the_order_example_with_trailing_commas_is_accepted(api):
    product = ProductFactory()
    body = (
        '{"ordered_at": "2017-02-03", "order_number": "4548-9854", "customer": {"first_name": '
        '"Steve", "last_name": "Jobs", "email": "steve@apple.com"}, "items": [{"product_id": "'
        + str(product.pk)
        + '",},], "metadata": {"foo": "bar", "bar": "foo"}}'
    )

    response = api.post("/api/v1/orders", body, content_type="application/json")

    assert response.status_code == 201, response.json()
    assert response.json()["metadata"] == {"foo": "bar", "bar": "foo"}


def test_deleting_an_order_with_a_shipback_answers_dependent_shipback(api):
    ProductFactory(reference="reference1")
    ProductFactory(reference="reference2")
    ReturnReasonFactory(code="doesnt_fit")
    api.post("/api/v1/orders", ORDER_BODY, content_type="application/json")
    api.post("/api/v1/shipbacks", SHIPBACK_BODY, content_type="application/json")

    response = api.delete("/api/v1/orders/1234567", "[]", content_type="application/json")

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == "DEPENDENT_SHIPBACK"
    assert error["message"].startswith("dependent shipback found (")
