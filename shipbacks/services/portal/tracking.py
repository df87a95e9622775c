"""Step 6: the return's own page. Its timeline as the customer sees it (registered, label
ready, in transit, received, completed) and whether a label is on its way."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy

from ...models import ReturnOrder, Shipback

# Step 6: the return's own page.


@dataclass(frozen=True)
class TimelineStep:
    key: str
    label: str
    at: datetime | None
    done: bool
    current: bool = False


STEP_LABELS = {
    "registered": gettext_lazy("Registered"),
    "labelled": gettext_lazy("Label ready"),
    "in_transit": gettext_lazy("In transit"),
    "received": gettext_lazy("Received"),
    "completed": gettext_lazy("Completed"),
}


def received_at(shipback: Shipback, return_orders: list[ReturnOrder]) -> datetime | None:
    """When the parcel was first reported received: by the carrier or by a warehouse."""
    moments = [shipback.delivered_at, *(ro.arrived_at for ro in return_orders)]
    moments = [moment for moment in moments if moment]
    return min(moments) if moments else None


def completed_at(shipback: Shipback, return_orders: list[ReturnOrder]) -> datetime | None:
    if shipback.relocated_at:
        return shipback.relocated_at
    live = [ro for ro in return_orders if ro.state != ReturnOrder.State.CANCELLED]
    if live and all(ro.state == ReturnOrder.State.COMPLETED for ro in live):
        return max(ro.completed_at for ro in live if ro.completed_at)
    return None


def shipback_timeline(*, shipback: Shipback, return_orders: list[ReturnOrder]):
    """Registered, label ready (not for direct returns), in transit, received, completed."""
    received = received_at(shipback, return_orders)
    completed = completed_at(shipback, return_orders)
    moments = {
        "registered": shipback.registered_at,
        "labelled": shipback.labelled_at,
        "in_transit": shipback.delivering_at,
        "received": received,
        "completed": completed,
    }
    keys = list(moments)
    if shipback.mode == Shipback.Mode.DIRECT:
        keys.remove("labelled")
    # A later step reached means the earlier ones are behind, dated or not.
    reached = max((i for i, key in enumerate(keys) if moments[key]), default=-1)
    return [
        TimelineStep(
            key=key,
            label=str(STEP_LABELS[key]),
            at=moments[key],
            done=index <= reached,
            current=index == reached,
        )
        for index, key in enumerate(keys)
    ]


def label_pending(shipback: Shipback) -> bool:
    """The customer waits for a carrier label that is being generated."""
    return (
        shipback.mode != Shipback.Mode.DIRECT
        and shipback.state in (Shipback.State.REGISTERING, Shipback.State.REGISTERED)
        and not (shipback.label_file or shipback.label_url)
    )
