from .base import (
    InvalidTransition,
    StateMachine,
    TimeStampedModel,
    lock_and_become,
    state_check,
    tracked_history,
)
from .integrators import ApiToken, IdempotencyKey, Integrator
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "IdempotencyKey",
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
