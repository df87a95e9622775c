"""The sandbox's routes: each provider under its own prefix, with the paths of its API root.

Mounted at /sandbox/ by returns_portal/urls.py when PROVIDERS_SANDBOX is on.
"""

import time
from functools import wraps

from django.conf import settings
from django.urls import path

from .views import kibo, shipbob, shippingbo, shoprunback

app_name = "sandbox"

urlpatterns = [
    # ShopRunBack (https://dashboard.shoprunback.com/api/v1)
    path("shoprunback/", shoprunback.index, name="shoprunback-index"),
    path("shoprunback/brands", shoprunback.brands),
    path("shoprunback/brands/<path:key>", shoprunback.brand),
    path("shoprunback/products", shoprunback.products),
    path("shoprunback/products/<path:key>", shoprunback.product),
    path("shoprunback/orders", shoprunback.orders),
    path("shoprunback/orders/<path:key>", shoprunback.order),
    path("shoprunback/shipbacks", shoprunback.shipbacks),
    path("shoprunback/shipbacks/<str:shipback_id>", shoprunback.shipback),
    path("shoprunback/shipbacks/<str:shipback_id>/quotes", shoprunback.quotes),
    path("shoprunback/shipbacks/<str:shipback_id>/quotes/clear", shoprunback.clear_quotes),
    path("shoprunback/shipbacks/<str:shipback_id>/quotes/<str:mode>", shoprunback.quote),
    path("shoprunback/shipbacks/<str:shipback_id>/free", shoprunback.free),
    path("shoprunback/labels/<uuid:shipback_id>.pdf", shoprunback.label, name="shoprunback-label"),
    path("shoprunback/web/<uuid:shipback_id>", shoprunback.public_page),
    # Shippingbo (https://app.shippingbo.com)
    path("shippingbo/", shippingbo.index, name="shippingbo-index"),
    path(
        "shippingbo/suppliers/available_for_return_order",
        shippingbo.suppliers_available_for_return_order,
    ),
    path("shippingbo/return_orders", shippingbo.return_orders),
    path("shippingbo/return_orders/<int:return_order_id>", shippingbo.return_order),
    # ShipBob (https://api.shipbob.com), API 2025-07
    path("shipbob/", shipbob.index, name="shipbob-index"),
    path("shipbob/2025-07/return", shipbob.returns),
    path("shipbob/2025-07/return/<int:return_id>", shipbob.return_detail),
    path("shipbob/2025-07/return/<int:return_id>:cancel", shipbob.cancel),
    # Kibo OMS (https://integration.shopatron.com/api/v2)
    path("kibo/", kibo.index, name="kibo-index"),
    path("kibo/oauth/token", kibo.token, name="kibo-token"),
    path("kibo/return/<int:order_id>/<int:shipment_id>", kibo.create_return),
    path("kibo/return/<int:return_id>", kibo.return_detail),
]


def _answered_after_response_time(view):
    """The view, answering SANDBOX_RESPONSE_MS after it is done, as a provider across the
    internet would (0: at once). Only the simulated provider waits, in the web server's thread."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if settings.SANDBOX_RESPONSE_MS:
            time.sleep(settings.SANDBOX_RESPONSE_MS / 1000)
        return response

    return answer


for _pattern in urlpatterns:
    _pattern.callback = _answered_after_response_time(_pattern.callback)
