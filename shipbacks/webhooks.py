"""Webhooks the providers send us, at ``/webhooks/<provider>/``.

Each view checks who sent the body, stores the event once under its id and answers at once;
a task applies it (``shipbacks/services/sync/inbound.py``). A forged or stale request gets a 401
and is not stored; a duplicate gets a 200 and changes nothing.

- ShopRunBack (seed 003 "Signature"): ``Shoprunback-Signature``, the hex HMAC-SHA256 of the raw
  body with ``SHOPRUNBACK_WEBHOOK_SECRET``, compared in constant time; the event's ``id``.
- Shippingbo (seed 000 "Make your system up-to-date") signs nothing: the hook URL registered on
  its dashboard carries ``?token=<SHIPPINGBO_WEBHOOK_TOKEN>``; the event is the body's hash.
- ShipBob (Standard Webhooks): ``webhook-id``, ``webhook-timestamp`` (refused beyond
  ``PROVIDER_WEBHOOK_TOLERANCE`` seconds) and ``webhook-signature`` with
  ``SHIPBOB_WEBHOOK_SECRET``; the event is the ``webhook-id``.
"""

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import InboundEvent
from .providers.shipbob import webhooks as shipbob
from .providers.shippingbo import adapter as shippingbo
from .providers.shoprunback import webhooks as shoprunback
from .services.sync.inbound import body_digest, inbound_event_store

Provider = InboundEvent.Provider


def _refused(message: str, status: int = 401) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"code": "INVALID_WEBHOOK", "message": message}]}, status=status
    )


def _stored(provider: str, event_id: str, event_type: str, body: bytes) -> JsonResponse:
    event, created = inbound_event_store(
        provider=provider, event_id=event_id, event_type=event_type, body=body
    )
    return JsonResponse({"id": event.pk, "duplicate": not created})


@csrf_exempt
@require_POST
def shoprunback_webhook(request: HttpRequest) -> JsonResponse:
    body = request.body
    signature = request.headers.get(shoprunback.SIGNATURE_HEADER)
    if not shoprunback.verify_signature(body, signature, settings.SHOPRUNBACK_WEBHOOK_SECRET):
        return _refused("The Shoprunback-Signature does not match the body.")
    try:
        event = shoprunback.parse_event(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return _refused(f"Not a ShopRunBack webhook: {exc}", status=400)
    return _stored(Provider.SHOPRUNBACK, event.id, event.event, body)


@csrf_exempt
@require_POST
def shippingbo_webhook(request: HttpRequest) -> JsonResponse:
    body = request.body
    token = request.GET.get("token") or request.headers.get("X-Webhook-Token")
    if not shippingbo.verify_update_hook_token(token, settings.SHIPPINGBO_WEBHOOK_TOKEN):
        return _refused("Unknown webhook token.")
    try:
        payload = json.loads(body)
        remote = shippingbo.parse_update_hook(payload)
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        return _refused(f"Not a Shippingbo ReturnOrder hook: {exc}", status=400)
    return _stored(
        Provider.SHIPPINGBO, body_digest(body), f"return_order.{remote.raw_status}", body
    )


@csrf_exempt
@require_POST
def shipbob_webhook(request: HttpRequest) -> JsonResponse:
    body = request.body
    if not shipbob.verify_webhook(
        body,
        request.headers,
        settings.SHIPBOB_WEBHOOK_SECRET,
        tolerance=settings.PROVIDER_WEBHOOK_TOLERANCE,
    ):
        return _refused("The webhook signature does not match, or it is too old.")
    try:
        event = shipbob.parse_event(body, request.headers)
    except (ValueError, UnicodeDecodeError) as exc:
        return _refused(f"Not a ShipBob webhook: {exc}", status=400)
    topic = event.event or request.headers.get("x-webhook-topic", "")
    return _stored(Provider.SHIPBOB, event.id, topic, body)


app_name = "provider_webhooks"
urlpatterns = [
    path("shoprunback/", shoprunback_webhook, name="shoprunback"),
    path("shippingbo/", shippingbo_webhook, name="shippingbo"),
    path("shipbob/", shipbob_webhook, name="shipbob"),
]
