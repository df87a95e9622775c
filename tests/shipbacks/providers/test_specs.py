"""The spec checks used by the client tests catch real mistakes, and the patches stay small."""

import pytest
import requests
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    MissingRequiredParameter,
    SecurityValidationError,
)

from .specs import (
    SHIPBOB_PATHS,
    assert_valid_request,
    patched_shipbob_spec,
    shipbob_openapi,
    shipbob_spec_dict,
    shippingbo_openapi,
)

SHIPBOB_BODY = {
    "fulfillment_center": {"id": 8},
    "inventory": [{"id": 20150, "quantity": 1, "requested_action": "Restock"}],
    "reference_id": "ROK7Q2M9XA",
}
SHIPBOB_HEADERS = {"Authorization": "Bearer pat", "shipbob_channel_id": "100102"}
SHIPPINGBO_HEADERS = {"Authorization": "Bearer t", "X-API-VERSION": "1", "X-API-APP-ID": "2"}


def prepared(method, url, **kwargs):
    return requests.Request(method, url, **kwargs).prepare()


def test_spec_patches_leave_the_return_schemas_alone():
    original = shipbob_spec_dict()
    patched, changed_required = patched_shipbob_spec()

    assert changed_required
    assert not [where for where in changed_required if "Returns." in where]
    assert set(patched["paths"]) == set(SHIPBOB_PATHS)
    for path in SHIPBOB_PATHS:
        assert set(patched["paths"][path]) == set(original["paths"][path])
    assert patched["components"]["schemas"]["Returns.CreateReturnRequest"]["required"] == [
        "fulfillment_center",
        "inventory",
        "reference_id",
    ]


def test_a_correct_shipbob_request_passes():
    assert_valid_request(
        shipbob_openapi(),
        prepared(
            "POST",
            "https://api.shipbob.com/2025-07/return",
            json=SHIPBOB_BODY,
            headers=SHIPBOB_HEADERS,
        ),
    )


def test_shipbob_requests_without_the_channel_header_fail():
    headers = {"Authorization": "Bearer pat", "shipbob-channel-id": "100102"}

    with pytest.raises(MissingRequiredParameter, match="shipbob_channel_id"):
        assert_valid_request(
            shipbob_openapi(),
            prepared(
                "POST", "https://api.shipbob.com/2025-07/return", json=SHIPBOB_BODY, headers=headers
            ),
        )


@pytest.mark.parametrize(
    "body",
    [
        {**SHIPBOB_BODY, "inventory": [{"id": 1, "quantity": 1, "requested_action": "restock"}]},
        {**SHIPBOB_BODY, "reference_id": ""},
        {**SHIPBOB_BODY, "inventory": []},
        {key: value for key, value in SHIPBOB_BODY.items() if key != "reference_id"},
        {**SHIPBOB_BODY, "warehouse": 8},
    ],
)
def test_shipbob_bodies_breaking_the_schema_fail(body):
    with pytest.raises(InvalidRequestBody):
        assert_valid_request(
            shipbob_openapi(),
            prepared(
                "POST", "https://api.shipbob.com/2025-07/return", json=body, headers=SHIPBOB_HEADERS
            ),
        )


def test_shippingbo_requests_without_the_app_id_fail():
    headers = {"Authorization": "Bearer t", "X-API-VERSION": "1"}

    with pytest.raises(SecurityValidationError):
        assert_valid_request(
            shippingbo_openapi(),
            prepared("GET", "https://app.shippingbo.com/return_orders/1", headers=headers),
        )


def test_shippingbo_requests_without_the_bearer_token_fail():
    headers = {"X-API-VERSION": "1", "X-API-APP-ID": "2"}

    with pytest.raises(SecurityValidationError):
        assert_valid_request(
            shippingbo_openapi(),
            prepared("GET", "https://app.shippingbo.com/return_orders/1", headers=headers),
        )


def test_shippingbo_bodies_breaking_the_schema_fail():
    body = {
        "order_id": "123",
        "return_order_expected_items_attributes": [{"quantity": 2, "user_ref": "x"}],
    }

    with pytest.raises(InvalidRequestBody):
        assert_valid_request(
            shippingbo_openapi(),
            prepared(
                "POST",
                "https://app.shippingbo.com/return_orders",
                json=body,
                headers=SHIPPINGBO_HEADERS,
            ),
        )
