"""End to end: real Celery worker processes, the sandbox over HTTP on the live server, its
webhooks back to /webhooks/. Selected with ``-m e2e``; they need a database the worker can open
(PostgreSQL, or SQLite with TEST_DATABASE_NAME) and skip on in-memory SQLite."""

import pytest
from django.db.models import Count

from catalog.models import Brand
from shipbacks.models import InboundEvent, ProviderCall, Quote, ReturnOrder, Shipback, Warehouse
from shipbacks.providers.sandbox.models import ShipBobReturn, ShopRunBackShipback
from shipbacks.services import (
    ExpectedItemData,
    ReturnedItemData,
    quotes_request,
    return_order_create,
    shipback_create,
)
from shipbacks.services.editing import shipback_free, shipback_update
from tests.factories import (
    BrandFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    RelocationRuleFactory,
    ReturnReasonFactory,
    WarehouseFactory,
)

from .e2e import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

Operation = ProviderCall.Operation
State = ProviderCall.State


@pytest.fixture(autouse=True)
def _default_brand():
    """Flushed by the transactional test before this one: its products need it back."""
    if not Brand.objects.filter(is_default=True).exists():
        BrandFactory(name="Default", reference="default", is_default=True)


def _state(model, pk) -> str:
    return model.objects.filter(pk=pk).values_list("state", flat=True).first()


def test_a_return_goes_from_creation_to_a_completed_return_order_through_the_sandbox(e2e, actor):
    # given: a ShipBob warehouse receives the returns; a worker runs
    warehouse = WarehouseFactory(
        provider=Warehouse.Provider.SHIPBOB, shipbob_fulfillment_center_id=8
    )
    RelocationRuleFactory(warehouse=warehouse)
    product = ProductFactory(shipbob_inventory_id=20150, weight_grams=400)
    item = OrderItemFactory(order=OrderFactory(), product=product)
    worker = e2e.start()

    # when: the customer's return, as the portal and the API make it
    shipback = shipback_create(
        order=item.order,
        items=[ReturnedItemData(order_item=item, reason=ReturnReasonFactory(code="doesnt_fit"))],
        actor=actor,
    )
    quotes_request(shipback_id=shipback.pk)
    eventually(
        lambda: not shipback.quotes.filter(state=Quote.State.COMPUTING).exists(),
        timeout=60,
        what="quotes computed",
        worker=worker,
    )
    postal = shipback.quotes.get(mode=Quote.Mode.POSTAL)
    shipback_update(shipback_id=shipback.pk, actor=actor, mode=Shipback.Mode.POSTAL)
    shipback_free(shipback_id=shipback.pk, actor=actor)
    labelled = eventually(
        lambda: Shipback.objects.filter(pk=shipback.pk).exclude(label_file="").first(),
        timeout=60,
        what="label stored",
        worker=worker,
    )
    return_order = ReturnOrder.objects.get(shipback=shipback)
    eventually(
        lambda: _state(ReturnOrder, return_order.pk) == ReturnOrder.State.COMPLETED,
        timeout=90,
        what="return order completed",
        worker=worker,
    )

    # then
    assert postal.state == Quote.State.AVAILABLE
    remote = ShopRunBackShipback.objects.get(pk=labelled.shoprunback_id)
    assert remote.rma == shipback.rma
    assert remote.mode == "postal"
    assert labelled.label_file.read().startswith(b"%PDF-")
    assert labelled.tracking_number
    return_order.refresh_from_db()
    assert ShipBobReturn.objects.get(pk=return_order.provider_id).reference_id == (
        return_order.reference
    )
    line = return_order.expected_items.get()
    assert line.quantity_received == 1
    assert line.actions.get().action == "restock"
    eventually(
        lambda: _state(Shipback, shipback.pk) == Shipback.State.RELOCATED,
        timeout=30,
        what="shipback relocated",
        worker=worker,
    )
    failed = ProviderCall.objects.filter(state=State.FAILED)
    assert not failed.exists(), list(failed.values("operation", "last_error"))
    # the sandbox's webhooks came back over HTTP, verified and applied (by their own tasks,
    # which may still be queued behind the polls that got there first)
    eventually(
        lambda: (
            {("shoprunback", "processed"), ("shipbob", "processed")}
            <= set(InboundEvent.objects.values_list("provider", "state").distinct())
        ),
        timeout=30,
        what="webhooks of both providers applied",
        worker=worker,
    )
    assert not InboundEvent.objects.filter(state=InboundEvent.State.FAILED).exists()


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
    e2e, actor, settings
):
    # given: return orders waiting to be pushed to ShipBob (parcels never arrive in this test)
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 3600
    warehouse = WarehouseFactory(
        provider=Warehouse.Provider.SHIPBOB, shipbob_fulfillment_center_id=8
    )
    product = ProductFactory(shipbob_inventory_id=20150)
    batch = 40
    references = [
        return_order_create(
            warehouse=warehouse,
            actor=actor,
            order=OrderFactory(),
            skip_expected_items_creation=True,
            expected_items=[ExpectedItemData(product=product)],
        ).reference
        for _ in range(batch)
    ]
    creates = ProviderCall.objects.filter(operation=Operation.RETURN_ORDER_CREATE)

    # when: the worker dies (SIGKILL, with its pool) while pushing, and comes back
    first = e2e.start(concurrency=4)
    eventually(
        lambda: (
            creates.filter(state=State.SUCCEEDED).count() >= 3
            and creates.filter(state=State.RUNNING).exists()
        ),
        timeout=60,
        every=0.02,
        what="a few pushes done, others under way",
        worker=first,
    )
    first.kill()
    e2e.broker.discard_truncated()
    done_before_kill = creates.filter(state=State.SUCCEEDED).count()
    # Calls its worker was sending when it died: taken again once their lease ran out.
    cut_off = list(creates.filter(state=State.RUNNING).values_list("pk", flat=True))
    second = e2e.start(concurrency=4)
    eventually(
        lambda: creates.filter(state=State.SUCCEEDED).count() == batch,
        timeout=120,
        what="every push done after the restart",
        worker=second,
    )

    # then: each return order exists exactly once at the provider, and is linked to it
    assert done_before_kill < batch
    for call in creates.filter(pk__in=cut_off):
        assert call.result["abandoned_attempts"] >= 1
    at_provider = dict(
        ShipBobReturn.objects.filter(reference_id__in=references)
        .values_list("reference_id")
        .annotate(n=Count("pk"))
    )
    assert at_provider == dict.fromkeys(references, 1)
    linked = dict(ReturnOrder.objects.values_list("reference", "provider_id"))
    remote = dict(ShipBobReturn.objects.values_list("reference_id", "pk"))
    assert {ref: linked[ref] for ref in references} == {ref: str(remote[ref]) for ref in references}
