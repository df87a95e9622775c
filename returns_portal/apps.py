from django.apps import AppConfig


class ReturnsPortalConfig(AppConfig):
    """The project's own app: integrators and their API tokens, webhooks, CSV imports."""

    name = "returns_portal"
    verbose_name = "Integrations and data"
