"""The sandbox's background work: timed steps and webhooks. Tasks take ids and call one function;
they are enqueued by ``pushes.enqueue``, after commit."""

from celery import shared_task
from django.db import transaction

from . import kibo, pushes, shipbob, shippingbo, shoprunback, steps
from .models import KiboReturn, ShipBobReturn, ShippingboReturnOrder, ShopRunBackShipback

MOVES = {
    ShopRunBackShipback._meta.model_name: (ShopRunBackShipback, shoprunback.move),
    ShippingboReturnOrder._meta.model_name: (ShippingboReturnOrder, shippingbo.move),
    ShipBobReturn._meta.model_name: (ShipBobReturn, shipbob.move),
    KiboReturn._meta.model_name: (KiboReturn, kibo.move),
}


@shared_task(acks_late=True)
def advance_sandbox_record(model_name: str, pk: str) -> None:
    """Take the record's due timed steps, then wait for the next one. Safe to run twice: steps
    are taken under the row lock, each once."""
    model, move = MOVES[model_name]
    with transaction.atomic():
        record = model.objects.select_for_update().filter(pk=pk).first()
        if record is None:
            return
        steps.catch_up(record, move)
        pushes.schedule_next_step(record)


@shared_task(acks_late=True)
def send_sandbox_webhook(webhook_id: int) -> None:
    pushes.send(webhook_id)
