"""The project's routes with the sandbox mounted, whatever PROVIDERS_SANDBOX said at start."""

from django.urls import include, path

from returns_portal.urls import urlpatterns as project

urlpatterns = list(project)
if not any(str(pattern.pattern) == "sandbox/" for pattern in project):
    urlpatterns.append(path("sandbox/", include("shipbacks.providers.sandbox.urls")))
