"""The admin of provider sync: calls and inbound events listed, filtered, shown, retried."""

import pytest
from django.urls import reverse

from shipbacks.models import InboundEvent, ProviderCall
from tests.admin_pages import count_queries, log_in
from tests.factories import (
    InboundEventFactory,
    ManagerUserFactory,
    ProviderCallFactory,
    ReturnOrderFactory,
    ShipbackFactory,
    WarehouseUserFactory,
)

pytestmark = pytest.mark.django_db

CALLS = reverse("admin:shipbacks_providercall_changelist")
EVENTS = reverse("admin:shipbacks_inboundevent_changelist")
State = ProviderCall.State


def listed(response) -> set:
    return {obj.pk for obj in response.context["cl"].result_list}


def test_calls_are_listed_with_their_record_status_and_error(admin_client):
    shipback = ShipbackFactory()
    failed = ProviderCallFactory(
        provider="shoprunback",
        operation=ProviderCall.Operation.SHIPBACK_CREATE,
        target=shipback.rma,
        shipback=shipback,
        state=State.FAILED,
        last_error="Invalid product reference",
    )

    response = admin_client.get(CALLS)

    content = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == {failed.pk}
    assert shipback.rma in content
    assert reverse("admin:shipbacks_shipback_change", args=[shipback.pk]) in content
    assert "Invalid product reference" in content
    assert "1 failed" in content  # the counts by status


def test_calls_are_filtered_by_status_provider_and_operation(admin_client):
    failed = ProviderCallFactory(state=State.FAILED)
    ProviderCallFactory(state=State.SUCCEEDED)
    poll = ProviderCallFactory(
        provider="shipbob", operation=ProviderCall.Operation.RETURN_ORDER_POLL
    )

    assert listed(admin_client.get(CALLS, {"state__exact": "failed"})) == {failed.pk}
    assert listed(admin_client.get(CALLS, {"provider__exact": "shipbob"})) == {poll.pk}
    by_operation = admin_client.get(CALLS, {"operation__exact": "return_order.poll"})
    assert listed(by_operation) == {poll.pk}


def test_calls_are_found_by_their_record_reference(admin_client):
    wanted = ProviderCallFactory(target="ROFINDME")
    ProviderCallFactory()

    assert listed(admin_client.get(CALLS, {"q": "FINDME"})) == {wanted.pk}


def test_a_call_page_shows_everything_and_changes_nothing(admin_client):
    call = ProviderCallFactory(
        state=State.FAILED,
        last_error="Unknown order",
        error_details={"field_errors": {"order_id": ["Unknown order."]}},
        return_order=ReturnOrderFactory(),
    )
    url = reverse("admin:shipbacks_providercall_change", args=[call.pk])

    page = admin_client.get(url)
    admin_client.post(url, {"last_error": "edited", "state": "succeeded"})

    assert page.status_code == 200
    assert "Unknown order." in page.content.decode()
    call.refresh_from_db()
    assert (call.state, call.last_error) == (State.FAILED, "Unknown order")


def test_failed_calls_are_retried_in_bulk_and_the_others_are_said_not_to_be(admin_client, messages):
    failed = [ProviderCallFactory(state=State.FAILED, failures=3) for _ in range(2)]
    done = ProviderCallFactory(state=State.SUCCEEDED)

    response = admin_client.post(
        CALLS,
        {"action": "retry_calls", "_selected_action": [c.pk for c in [*failed, done]]},
        follow=True,
    )

    content = response.content.decode()
    assert "2 provider calls sent again" in content
    assert "1 provider call not sent again" in content
    assert "only failed calls are retried" in content
    states = dict(ProviderCall.objects.values_list("pk", "state"))
    assert [states[c.pk] for c in failed] == [State.PENDING, State.PENDING]
    assert states[done.pk] == State.SUCCEEDED
    assert ProviderCall.objects.get(pk=failed[0].pk).failures == 0


def test_pending_calls_are_cancelled_in_bulk(admin_client):
    pending = ProviderCallFactory()

    admin_client.post(CALLS, {"action": "cancel_calls", "_selected_action": [pending.pk]})

    pending.refresh_from_db()
    assert pending.state == State.CANCELLED
    assert pending.last_error.startswith("Cancelled by")


def test_the_call_list_takes_the_same_queries_for_one_row_or_many(admin_client):
    ProviderCallFactory(shipback=ShipbackFactory())
    one = count_queries(admin_client, CALLS)
    for _ in range(5):
        ProviderCallFactory(shipback=ShipbackFactory(), return_order=ReturnOrderFactory())

    assert count_queries(admin_client, CALLS) == one


def test_inbound_events_are_listed_filtered_and_applied_again(admin_client, messages):
    failed = InboundEventFactory(state=InboundEvent.State.FAILED, error="No shipback here")
    processed = InboundEventFactory(state=InboundEvent.State.PROCESSED)

    page = admin_client.get(EVENTS, {"state__exact": "failed"})
    admin_client.post(
        EVENTS, {"action": "apply_again", "_selected_action": [failed.pk, processed.pk]}
    )

    assert listed(page) == {failed.pk}
    assert "No shipback here" in page.content.decode()
    failed.refresh_from_db()
    processed.refresh_from_db()
    assert failed.state == InboundEvent.State.PENDING
    assert processed.state == InboundEvent.State.PROCESSED


@pytest.mark.parametrize("user_factory", [WarehouseUserFactory, ManagerUserFactory])
def test_staff_of_both_roles_see_and_retry_failed_calls(client, user_factory):
    log_in(client, user_factory)
    failed = ProviderCallFactory(state=State.FAILED)

    page = client.get(CALLS)
    client.post(CALLS, {"action": "retry_calls", "_selected_action": [failed.pk]})

    assert page.status_code == 200
    assert ProviderCall.objects.get(pk=failed.pk).state == State.PENDING


@pytest.mark.parametrize(
    ("user_factory", "status"), [(WarehouseUserFactory, 403), (ManagerUserFactory, 200)]
)
def test_inbound_provider_events_are_for_managers(client, user_factory, status):
    log_in(client, user_factory)

    assert client.get(EVENTS).status_code == status
