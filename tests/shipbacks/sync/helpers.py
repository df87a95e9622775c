"""Provider URLs the tests answer with ``responses``, and a stand-in for the worker."""

from django.utils import timezone

from shipbacks.models import ProviderCall
from shipbacks.services.sync.outbox import call_send

SRB = "https://srb.test/api/v1"
SHIPPINGBO = "https://shippingbo.test"
SHIPBOB = "https://shipbob.test"
KIBO = "https://kibo.test/api/v2"


def run_calls(*, rounds: int = 30, provider: str = "") -> None:
    """Send every pending call that may go (of ``provider`` only, if given), as a worker would,
    waits skipped: what was due later is made due now. Polls stop after ``rounds``."""
    for _ in range(rounds):
        pending = ProviderCall.objects.ready().filter(state=ProviderCall.State.PENDING)
        if provider:
            pending = pending.filter(provider=provider)
        pending = list(pending.order_by("pk"))
        if not pending:
            return
        for call in pending:
            ProviderCall.objects.filter(pk=call.pk).update(next_attempt_at=timezone.now())
            call_send(call_id=call.pk)
