from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Returns Portal"
admin.site.site_title = "Returns Portal"
admin.site.index_title = "Returns back office"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
