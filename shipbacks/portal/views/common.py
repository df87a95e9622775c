"""What every portal view shares: the verified orders of the session, the shipback of a token,
the customer's language, and rendering with the merchant's name and logo."""

import time

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation

from orders.models import Order
from shipbacks.models import Shipback

# Orders whose lookup succeeded in this browser session: {order id: expiry timestamp}.
SESSION_KEY = "portal_verified_orders"
MAX_VERIFIED_ORDERS = 10


def verify_order(request, order: Order) -> None:
    """Remember that this session proved it knows the order (number + e-mail or postcode)."""
    now = time.time()
    lifetime = settings.RETURNS_PORTAL_LOOKUP_LIFETIME.total_seconds()
    verified = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v > now}
    verified[str(order.pk)] = now + lifetime
    newest = sorted(verified.items(), key=lambda kv: kv[1])[-MAX_VERIFIED_ORDERS:]
    had_session = bool(request.session.session_key)
    request.session[SESSION_KEY] = dict(newest)
    if had_session:
        # A new session id once the customer proved who they are (as a login would); a session
        # made now gets a new id anyway.
        request.session.cycle_key()


def is_verified(request, order_id) -> bool:
    expiry = request.session.get(SESSION_KEY, {}).get(str(order_id))
    return expiry is not None and expiry > time.time()


def verified_order(request, order_id) -> Order | None:
    if not is_verified(request, order_id):
        return None
    return Order.objects.select_related("customer__address").filter(pk=order_id).first()


def shipback_for_token(token: str) -> Shipback | None:
    """The shipback whose secret token this is; its link is the only way to it."""
    return (
        Shipback.objects.select_related("order", "customer__address")
        .filter(public_token=token)
        .first()
    )


def use_customer_language(request, locale: str) -> None:
    """Speak the order's language, unless the customer chose one with the switcher."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    if locale in dict(settings.LANGUAGES):
        translation.activate(locale)
        request.LANGUAGE_CODE = locale


def merchant_logo_url() -> str:
    logo = settings.RETURNS_MERCHANT_LOGO_URL
    if not logo or logo.startswith(("https://", "http://", "/")):
        return logo
    return static(logo)


def portal_render(request, template: str, context: dict | None = None, *, status: int = 200):
    context = {
        "merchant_name": settings.RETURNS_MERCHANT_NAME,
        "merchant_logo": merchant_logo_url(),
        "current_path": request.get_full_path(),
        **(context or {}),
    }
    return render(request, template, context, status=status)


def not_found(request):
    return portal_render(request, "portal/not_found.html", status=404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the portal's own page for its forms, Django's everywhere else."""
    from django.urls import NoReverseMatch, reverse
    from django.views.csrf import csrf_failure as django_csrf_failure

    try:
        portal_root = reverse("portal:lookup")
    except NoReverseMatch:
        portal_root = None
    if portal_root and request.path_info.startswith(portal_root):
        return portal_render(request, "portal/csrf_failure.html", status=403)
    return django_csrf_failure(request, reason=reason)
