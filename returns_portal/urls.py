from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = f"{settings.RETURNS_MERCHANT_NAME} back office"
admin.site.site_title = settings.RETURNS_MERCHANT_NAME
admin.site.index_title = "Returns back office"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("returns_portal.api.urls")),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
