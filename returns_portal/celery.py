"""The Celery app. Tasks live in each app's ``tasks.py``; the beat schedule is here, in code."""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returns_portal.settings")

app = Celery("returns_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "cancel-abandoned-shipbacks": {
        "task": "shipbacks.tasks.cancel_abandoned_shipbacks",
        "schedule": 15 * 60,
    },
    "sweep-webhooks": {"task": "returns_portal.tasks.sweep_webhooks", "schedule": 60},
    "sweep-provider-calls": {
        "task": "shipbacks.tasks.sweep_provider_calls",
        "schedule": settings.SYNC_SWEEP_INTERVAL,
    },
    "purge-idempotency-keys": {
        "task": "returns_portal.tasks.purge_expired_idempotency_keys",
        "schedule": 60 * 60,
    },
}
