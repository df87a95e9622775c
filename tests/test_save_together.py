"""Saving fields of many rows at once (``save_together``): the values they share in one UPDATE,
the others in one UPDATE with a CASE per field; what is saved is what each row holds."""

import datetime

import pytest
from django.utils import timezone

from returns_portal.models import save_together
from shipbacks.models import ProviderCall, ReturnOrder
from tests.factories import ProviderCallFactory, return_order_in_state

pytestmark = pytest.mark.django_db


def test_rows_are_saved_with_their_own_values_and_the_shared_ones(django_assert_num_queries):
    calls = [ProviderCallFactory(target=f"R{n}", last_error="old") for n in range(3)]
    ProviderCallFactory(target="untouched", last_error="old")
    when = timezone.now() + datetime.timedelta(minutes=5)
    for n, call in enumerate(calls):
        call.result = {"provider_id": f"P{n}", "lines": [n, {"sku": "A"}]}
        call.last_error = ""  # shared
        call.last_status = [None, 503, 429][n]
        call.next_attempt_at = [when, None, when][n]

    with django_assert_num_queries(2):
        save_together(
            ProviderCall, calls, ["result", "last_error", "last_status", "next_attempt_at"]
        )

    saved = {call.target: call for call in ProviderCall.objects.all()}
    for n, call in enumerate(calls):
        row = saved[call.target]
        assert row.result == {"provider_id": f"P{n}", "lines": [n, {"sku": "A"}]}
        assert (row.last_error, row.last_status) == ("", [None, 503, 429][n])
        assert row.next_attempt_at == [when, None, when][n]
    assert saved["untouched"].last_error == "old"


def test_rows_with_a_uuid_key_and_text_values_are_saved(django_assert_num_queries):
    return_orders = [return_order_in_state(ReturnOrder.State.NEW) for _ in range(2)]
    for n, return_order in enumerate(return_orders):
        return_order.provider_id = f"70000{n}"
        return_order.tracking_number = "1Z"

    with django_assert_num_queries(2):
        save_together(ReturnOrder, return_orders, ["provider_id", "tracking_number"])

    assert sorted(ReturnOrder.objects.values_list("provider_id", "tracking_number")) == [
        ("700000", "1Z"),
        ("700001", "1Z"),
    ]


def test_nothing_is_written_for_no_rows(django_assert_num_queries):
    with django_assert_num_queries(0):
        save_together(ProviderCall, [], ["result"])
