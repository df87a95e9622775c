"""The Celery app. Tasks live in each app's ``tasks.py``; the beat schedule is here, in code."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returns_portal.settings")

app = Celery("returns_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes the database connections before and after every task, unless
# told to keep them for this many tasks. A new connection costs more than most of our tasks do
# (PostgreSQL forks a backend, whose caches start cold): tasks keep them as Django's requests
# do, CONN_MAX_AGE and CONN_HEALTH_CHECKS checked around each task (below).
app.conf.update(CELERY_DB_REUSE_MAX=1000)
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(task=None, **kwargs) -> None:
    """Around each task, as around each request: connections past CONN_MAX_AGE or broken are
    closed (the next query opens a fresh one), the others are checked before their next use.
    A task run eagerly runs inside its caller's request or transaction: left alone."""
    if task is not None and task.request.is_eager:
        return
    close_old_connections()


def every(seconds: float, task: str) -> dict:
    """A beat entry for ``task`` every ``seconds``. Its message expires when the next one is
    sent: a worker busy or down for a while then runs the sweep once, not once per message that
    piled up meanwhile (each run does the whole job)."""
    return {"task": task, "schedule": seconds, "options": {"expires": seconds}}


app.conf.beat_schedule = {
    "cancel-abandoned-shipbacks": every(15 * 60, "shipbacks.tasks.cancel_abandoned_shipbacks"),
    "sweep-webhooks": every(60, "returns_portal.tasks.sweep_webhooks"),
    "sweep-provider-calls": every(
        settings.SYNC_SWEEP_INTERVAL, "shipbacks.tasks.sweep_provider_calls"
    ),
    "purge-idempotency-keys": every(60 * 60, "returns_portal.tasks.purge_expired_idempotency_keys"),
}
