from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "shipbacks.providers.sandbox"
    label = "sandbox"
    verbose_name = "Provider sandbox"
