from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = f"{settings.RETURNS_MERCHANT_NAME} back office"
admin.site.site_title = settings.RETURNS_MERCHANT_NAME
admin.site.index_title = "Returns back office"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("returns_portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("returns/", include("shipbacks.portal.urls")),  # the customer return portal
    path("webhooks/", include("shipbacks.webhooks")),  # what the providers send us
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]

if settings.PROVIDERS_SANDBOX:
    # The provider sandbox (shipbacks/providers/sandbox): every provider's API, simulated.
    urlpatterns.append(path("sandbox/", include("shipbacks.providers.sandbox.urls")))
