"""The portal, mounted at /returns/. No sequential id anywhere: orders by UUID (and only for a
session that found them), returns by their secret token."""

from django.urls import path, register_converter
from django.views.i18n import set_language

from . import views


class TokenConverter:
    """A shipback's public token: URL-safe base64, as ``secrets.token_urlsafe`` makes them."""

    regex = r"[A-Za-z0-9_-]{16,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

app_name = "portal"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("language/", set_language, name="language"),
    path("orders/<uuid:order_id>/", views.items, name="items"),
    path("orders/<uuid:order_id>/reasons/", views.reasons, name="reasons"),
    path("pictures/<uuid:product_id>/", views.picture, name="picture"),
    path("track/<token:token>/", views.track, name="track"),
    path("track/<token:token>/status/", views.status, name="status"),
    path("track/<token:token>/label/", views.label, name="label"),
    path("track/<token:token>/slip/", views.slip, name="slip"),
    path("track/<token:token>/photos/<uuid:item_id>/", views.photo, name="photo"),
    path("track/<token:token>/details/", views.details, name="details"),
    path("track/<token:token>/shipping/", views.shipping, name="shipping"),
    path("track/<token:token>/shipping/status/", views.shipping_status, name="shipping_status"),
    path("track/<token:token>/shipping/retry/", views.quotes_retry, name="quotes_retry"),
    path("track/<token:token>/review/", views.review, name="review"),
    path("track/<token:token>/cancel/", views.cancel, name="cancel"),
]
