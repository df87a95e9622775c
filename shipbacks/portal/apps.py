from django.apps import AppConfig


class PortalConfig(AppConfig):
    """An app of its own so Celery's autodiscovery finds ``shipbacks.portal.tasks`` and Django
    finds its template tags. It has no models."""

    name = "shipbacks.portal"
    label = "portal"
    verbose_name = "Customer return portal"
