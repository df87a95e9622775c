"""Schemathesis against our own schema: whatever it sends, the API never answers 5xx.

Requests go in-process through Django's WSGI application, inside the test's transaction. Half
of the generated ids are swapped for ids of existing records, so bodies reach the services.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from returns_portal.api.throttling import IntegratorRateThrottle
from shipbacks.models import Quote
from tests.factories import (
    RelocationRuleFactory,
    ReturnOrderFactory,
    ReturnReasonFactory,
    SparePartFactory,
    shipback_in_state,
)

from .helpers import shipback_with_quotes


@pytest.fixture
def seeded(db):
    """One record of each kind, named by the first segment of its URL."""
    RelocationRuleFactory()
    ReturnReasonFactory(code="doesnt_fit")
    open_shipback = shipback_with_quotes(
        postal=Quote.State.AVAILABLE, dropoff=Quote.State.AVAILABLE, pickup=Quote.State.AVAILABLE
    )
    shipback_in_state("registered", items=1)
    part = SparePartFactory()
    return_order = ReturnOrderFactory(items=2)
    return {
        "brands": part.product.brand.reference,
        "products": part.product.reference,
        "orders": open_shipback.order.order_number,
        "shipbacks": open_shipback.rma,
        "return_orders": return_order.reference,
        "warehouses": return_order.warehouse.reference,
        "item_id": open_shipback.returned_items.get().pk,
        "part_id": part.reference,
    }


@pytest.fixture
def app(monkeypatch):
    """Django's WSGI application, keeping the test's connection (and transaction) open as
    Django's test client does, and not throttling."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(IntegratorRateThrottle, "THROTTLE_RATES", {"integrator": "100000/min"})
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def served_schema() -> dict:
    """The schema /api/schema/ serves, generated without a request (at collection time)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(served_schema())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case, app, token, seeded):
    parameters = case.path_parameters or {}
    if parameters and hash(str(sorted(parameters.items()))) % 2:
        resource = case.operation.path.split("/")[3]
        parameters["id"] = seeded[resource]
        for name in ("item_id", "part_id"):
            if name in parameters:
                parameters[name] = seeded[name]
    response = case.call(app=app, headers={"Authorization": f"Token token={token}"})
    case.validate_response(response, checks=[not_a_server_error])
