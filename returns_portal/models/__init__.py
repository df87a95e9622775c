from .base import (
    InvalidTransition,
    StateMachine,
    TimeStampedModel,
    become_together,
    lock_and_become,
    save_together,
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
    "become_together",
    "lock_and_become",
    "save_together",
    "state_check",
    "tracked_history",
]
