"""Integrators of the REST API: their hashed tokens and the idempotency keys of their POSTs."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from .base import TimeStampedModel


class Integrator(TimeStampedModel):
    """A company or system using the API (ShopRunBack's "company")."""

    name = models.CharField(max_length=200, unique=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def hash_token(raw: str) -> str:
    # Tokens are 256-bit random strings: a plain SHA-256 is enough to make a stolen table useless
    # and keeps the per-request lookup to one indexed query.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, integrator__active=True)


class ApiToken(models.Model):
    """An API token, stored hashed: the raw token is shown once, when it is issued."""

    PREFIX_LENGTH = 8

    integrator = models.ForeignKey(Integrator, on_delete=models.CASCADE, related_name="tokens")
    label = models.CharField(max_length=200, blank=True)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.integrator})"

    @classmethod
    def issue(cls, *, integrator: Integrator, label: str = "") -> tuple["ApiToken", str]:
        """Create a token; returns it with the raw value, which is not stored anywhere."""
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            integrator=integrator,
            label=label,
            prefix=raw[: cls.PREFIX_LENGTH],
            key_hash=hash_token(raw),
        )
        return token, raw

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an ``Idempotency-Key``, replayed for repeats."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        COMPLETED = "completed", "Completed"

    integrator = models.ForeignKey(
        Integrator, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path and body of the first request."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integrator", "key"], name="returns_portal_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
