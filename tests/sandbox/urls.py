"""The URLs the sandbox tests serve: the sandbox, the admin, and a receiver standing in for the
portal's webhook endpoints, so what the sandbox sends can be checked byte for byte."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

# (provider, headers, raw body, query string) of every webhook received; answers pop from
# RESPONSES (status codes), 200 once it is empty.
RECEIVED: list[tuple[str, dict, bytes, str]] = []
RESPONSES: list[int] = []


@csrf_exempt
def receive_webhook(request, provider):
    RECEIVED.append((provider, dict(request.headers), request.body, request.META["QUERY_STRING"]))
    return HttpResponse(status=RESPONSES.pop(0) if RESPONSES else 200)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("sandbox/", include("shipbacks.providers.sandbox.urls")),
    path("webhooks/<str:provider>/", receive_webhook),
]
