"""The two tasks of a CSV import: check a file, import it. Each takes the job's id and calls one
service; both are safe to run twice (the job's state says what is left to do).

They have time limits of their own (``CSV_IMPORT_SOFT_TIME_LIMIT``): a large file takes longer
than other tasks. Past the soft limit the job fails with that reason, and nothing of it is
written; an unexpected error fails it too, and is raised again to be logged.
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from .services import import_job_check, import_job_fail, import_job_run

LIMITS = {
    "acks_late": True,
    "soft_time_limit": settings.CSV_IMPORT_SOFT_TIME_LIMIT,
    "time_limit": settings.CSV_IMPORT_TIME_LIMIT,
}
TOO_LONG = "The file took longer than the time allowed ({} s): nothing was imported."
UNEXPECTED = (
    "An unexpected error stopped the work on this file (it is logged): nothing was imported."
)


def _guarded(job_id: str, work) -> None:
    try:
        work(job_id=job_id)
    except SoftTimeLimitExceeded:
        import_job_fail(job_id=job_id, reason=TOO_LONG.format(settings.CSV_IMPORT_SOFT_TIME_LIMIT))
    except Exception:
        import_job_fail(job_id=job_id, reason=UNEXPECTED)
        raise


@shared_task(**LIMITS)
def check_import(job_id: str) -> None:
    _guarded(job_id, import_job_check)


@shared_task(**LIMITS)
def run_import(job_id: str) -> None:
    _guarded(job_id, import_job_run)
