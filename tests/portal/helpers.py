"""Building orders and walking returns through the portal's steps, for the portal's tests."""

import datetime
import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from returns_portal.actors import Actor
from shipbacks.models import Quote, ReturnReason, Shipback
from shipbacks.services import quote_record_result, shipback_record_label
from shipbacks.services.portal import ReturnLine, portal_mode_choose, portal_return_confirm
from shipbacks.services.portal import portal_return_start as start
from tests.factories import (
    AddressFactory,
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ShipmentFactory,
)

PROVIDER = Actor.provider("shoprunback")
DROPOFF_POINTS = [
    {
        "code": "FR1234",
        "name": "Relais Colis – Tabac de la Gare",
        "address": "3 rue de la Gare, 75011 Paris",
        "opening_hours": {"monday": "08:00-19:00", "saturday": "09:00-12:00"},
    },
    {
        "code": "FR5678",
        "name": "Proxi Super",
        "address": "40 boulevard Voltaire, 75011 Paris",
        "opening_hours": "Mon–Sat 09:00–19:00",
    },
]


def pickup_slots():
    day = timezone.localdate() + datetime.timedelta(days=2)
    return [
        {"pickup_datetime": f"{day.isoformat()} 09:00:00", "pickup_duration": 240},
        {"pickup_datetime": f"{day.isoformat()} 14:00:00", "pickup_duration": 240},
    ]


def make_order(
    *,
    items: int = 1,
    quantity: int = 1,
    email: str = "alex@example.com",
    zipcode: str = "75011",
    locale: str = "en",
    delivered_days_ago: int | None = 5,
    ordered_days_ago: int = 8,
    number: str | None = None,
    **item_fields,
):
    """A delivered order of ``items`` returnable lines."""
    customer = CustomerFactory(
        email=email, locale=locale, address=AddressFactory(zipcode=zipcode, city="Paris")
    )
    fields = {"customer": customer}
    if number:
        fields["order_number"] = number
    order = OrderFactory(
        ordered_at=timezone.localdate() - datetime.timedelta(days=ordered_days_ago), **fields
    )
    for _ in range(items):
        OrderItemFactory(order=order, quantity=quantity, **item_fields)
    if delivered_days_ago is not None:
        ShipmentFactory(
            order=order,
            shipped_at=timezone.now() - datetime.timedelta(days=ordered_days_ago - 1),
            delivered_at=timezone.now() - datetime.timedelta(days=delivered_days_ago),
        )
    return order


def add_item(order, **fields):
    product_fields = {k: fields.pop(k) for k in ("returnable", "return_window_days") if k in fields}
    return OrderItemFactory(order=order, product=ProductFactory(**product_fields), **fields)


def photo_upload(
    name="photo.jpg", image_format="JPEG", size=(40, 30), noise=False
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    if noise:  # does not compress: the file is as large as its pixels
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 40, 40))
    image.save(buffer, format=image_format)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def start_return(order, *, reason_code="doesnt_fit", quantity=1, items=None) -> Shipback:
    reason = ReturnReason.objects.get(code=reason_code)
    order_items = items or list(order.items.all())
    return start(
        order=order,
        lines=[ReturnLine(str(item.pk), quantity, reason) for item in order_items],
    )


def record_quotes(shipback, *, prices=None, unavailable=(), failed=()) -> None:
    """The provider computed the quotes (what the sync does with ShopRunBack's answers)."""
    prices = prices or {"dropoff": 0, "pickup": 450, "postal": 650}
    for quote in shipback.quotes.filter(state=Quote.State.COMPUTING):
        if quote.mode in unavailable:
            quote_record_result(quote_id=quote.pk, state=Quote.State.UNAVAILABLE, actor=PROVIDER)
            continue
        if quote.mode in failed:
            quote_record_result(quote_id=quote.pk, state=Quote.State.FAILED, actor=PROVIDER)
            continue
        quote_record_result(
            quote_id=quote.pk,
            state=Quote.State.AVAILABLE,
            price_cents=prices[quote.mode] + 200,
            customer_price_cents=prices[quote.mode],
            dropoff_points=DROPOFF_POINTS if quote.mode == "dropoff" else None,
            pickup_slots=pickup_slots() if quote.mode == "pickup" else None,
            actor=PROVIDER,
        )


def confirmed_return(order, *, mode="dropoff", **start_kwargs) -> Shipback:
    shipback = start_return(order, **start_kwargs)
    record_quotes(shipback)
    choice = {"dropoff": {"dropoff_code": "FR1234"}}.get(mode, {})
    if mode == "pickup":
        choice = {"pickup_slot": f"{pickup_slots()[0]['pickup_datetime']}|240"}
    portal_mode_choose(shipback_id=shipback.pk, mode=mode, **choice)
    return portal_return_confirm(shipback_id=shipback.pk)


def label_recorded(shipback) -> Shipback:
    return shipback_record_label(
        shipback_id=shipback.pk,
        actor=PROVIDER,
        carrier="Mondial Relay",
        tracking_number="MR123456",
        label_pdf=b"%PDF-1.4 a label",
    )
