"""Outbound webhooks: the endpoints integrators subscribe, and every delivery attempt."""

import secrets
import uuid

from django.db import models

from .base import TimeStampedModel, state_check
from .integrators import Integrator


def new_webhook_secret() -> str:
    return secrets.token_hex(20)


class WebhookEndpoint(TimeStampedModel):
    integrator = models.ForeignKey(
        Integrator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=200,
        default=new_webhook_secret,
        help_text="Signs every delivery (Shoprunback-Signature and webhook-signature headers).",
    )
    events = models.JSONField(
        default=list,
        blank=True,
        help_text='Event names to send, e.g. ["shipback.registered"]. Empty: every event.',
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body sent, and how its attempts went."""

    State = DeliveryState

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=100, db_index=True)
    body = models.TextField(help_text="The JSON body, byte for byte as signed and sent.")
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            state_check("state", DeliveryState, "returns_portal_webhookdelivery_state_valid"),
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="returns_portal_delivery_once_per_endpoint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.state})"
