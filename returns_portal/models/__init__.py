from .base import (
    InvalidTransition,
    StateMachine,
    TimeStampedModel,
    lock_and_become,
    state_check,
    tracked_history,
)
from .imports import ImportJob
from .integrators import ApiToken, IdempotencyKey, Integrator
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "IdempotencyKey",
    "ImportJob",
    "Integrator",
    "InvalidTransition",
    "StateMachine",
    "TimeStampedModel",
    "WebhookDelivery",
    "WebhookEndpoint",
    "lock_and_become",
    "state_check",
    "tracked_history",
]
