"""An import's life: upload, check (preview), confirm, import; each step a function.

Checking and importing run in Celery tasks (``returns_portal.csvio.tasks``) that take the job's
id. Checking writes its progress as it goes, outside any transaction, so the job's page can show
it. The import checks the file again (the database may have changed since the preview), then
writes everything in one transaction with the job's "done": all of it or nothing, and a task
delivered twice finds the job done. A refusal or a failure rolls everything back and the job
says why.
"""

import logging
import uuid
from contextlib import contextmanager
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from simple_history.models import HistoricalRecords

from ..errors import DomainError
from ..models import ImportJob, lock_and_become
from .files import CsvFileError, read_csv
from .formats import Checked, csv_format

logger = logging.getLogger(__name__)

State = ImportJob.State


class UploadRefused(DomainError):
    code = "INVALID_FILE"


def import_job_create(*, kind: str, name: str, content: bytes, user) -> ImportJob:
    """Keep an uploaded file and have it checked. Raises :class:`UploadRefused` when the file
    is too large, not UTF-8 CSV, or its header does not match the format."""
    if len(content) > settings.CSV_IMPORT_MAX_BYTES:
        raise UploadRefused(
            f"The file is larger than {settings.CSV_IMPORT_MAX_BYTES // (1024 * 1024)} MB.",
            field="file",
        )
    try:
        table = read_csv(content)
    except CsvFileError as exc:
        raise UploadRefused(str(exc), field="file") from exc
    problems = csv_format(kind).header_errors(table.header)
    if problems:
        raise UploadRefused(" ".join(problems), field="file")
    with transaction.atomic():
        job = ImportJob(kind=kind, file_name=name[:255], created_by=user)
        # Stored under its own name: the uploaded one is only shown.
        job.file.save(f"{uuid.uuid4().hex}.csv", ContentFile(content), save=False)
        job.save()
        transaction.on_commit(lambda: _enqueue("check_import", job.pk))
    return job


def _enqueue(task_name: str, job_id) -> None:
    from . import tasks

    getattr(tasks, task_name).delay(str(job_id))


def _progress(job_id):
    """Report how many rows are done, each report committed at once (call outside any
    transaction, so the job's page sees it)."""

    def report(rows: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_processed=rows)

    return report


def _read(job: ImportJob):
    with job.file.open("rb") as handle:
        return read_csv(handle.read())


@transaction.atomic
def _finish(job_id, state: str, **fields) -> ImportJob:
    job, _ = lock_and_become(ImportJob, job_id, state)
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=[*fields, "updated_at"])
    return job


def _errors_of(checked: Checked) -> dict:
    return {"errors": checked.errors.sorted(), "error_count": checked.errors.count}


def _file_error(exc: CsvFileError) -> dict:
    return {"errors": [{"row": 0, "column": "", "message": str(exc)}], "error_count": 1}


def import_job_check(*, job_id) -> ImportJob | None:
    """Check every row of an uploaded file; the job ends ``validated`` with its preview, or
    ``invalid`` with its errors. Does nothing for a job already checked."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in (State.UPLOADED, State.VALIDATING):
            return None
        if job.state == State.UPLOADED:
            job.become(State.VALIDATING)
        # Checking again after a lost worker starts over.
        job.rows_processed = 0
        job.save(update_fields=["state", "rows_processed", "updated_at"])
    try:
        table = _read(job)
        total = table.count()
        ImportJob.objects.filter(pk=job.pk).update(rows_total=total)
        checked = csv_format(job.kind).check(table, progress=_progress(job.pk))
    except CsvFileError as exc:
        return _finish(job.pk, State.INVALID, **_file_error(exc))
    if checked.errors:
        return _finish(
            job.pk,
            State.INVALID,
            rows_processed=total,
            sample=checked.sample,
            **_errors_of(checked),
        )
    return _finish(
        job.pk,
        State.VALIDATED,
        rows_processed=total,
        to_create=checked.to_create,
        to_update=checked.to_update,
        sample=checked.sample,
        errors=[],
        error_count=0,
    )


def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    """Start importing a checked file (without errors). Raises InvalidTransition otherwise."""
    with transaction.atomic():
        job = _finish(job.pk, State.IMPORTING, confirmed_by=user, rows_processed=0)
        transaction.on_commit(lambda: _enqueue("run_import", job.pk))
    return job


@contextmanager
def _history_user(user):
    """Changes saved meanwhile are recorded in their history as ``user``'s (as the admin's
    middleware does for a request)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user) if user is not None else None
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def import_job_run(*, job_id) -> ImportJob | None:
    """Import a confirmed file: check it again, then write it all in one transaction, which
    also marks the job done. Any refusal rolls everything back and fails the job with why.
    Does nothing for a job not (or no longer) importing."""
    job = ImportJob.objects.filter(pk=job_id, state=State.IMPORTING).first()
    if job is None:
        return None
    fmt = csv_format(job.kind)
    streaming = fmt.writes_while_checking()
    try:
        table = _read(job)
        if not streaming:
            checked = fmt.check(table, progress=_progress(job.pk), preview=False)
            if checked.errors:
                raise NoLongerValid(checked)
            ImportJob.objects.filter(pk=job.pk).update(rows_processed=job.rows_total or 0)
        with transaction.atomic():
            # The job's row is locked for the whole write: a second delivery of the task waits,
            # then finds the job done.
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.state != State.IMPORTING:
                return None
            with _history_user(job.confirmed_by):
                if streaming:
                    checked, written = fmt.check_and_write(table, job=job)
                    if checked.errors:
                        raise NoLongerValid(checked)  # rolls back what was written
                else:
                    written = fmt.write(checked, job=job)
            return _finish(
                job.pk,
                State.DONE,
                created_count=written.created,
                updated_count=written.updated,
                unchanged_count=written.unchanged,
                rows_processed=job.rows_total or 0,
            )
    except CsvFileError as exc:
        return _finish(job.pk, State.FAILED, failure=str(exc), **_file_error(exc))
    except NoLongerValid as exc:
        return _finish(
            job.pk,
            State.FAILED,
            failure="The file no longer passes its checks: nothing was imported.",
            **_errors_of(exc.checked),
        )
    except DomainError as exc:
        reason = exc.message
    except ValidationError as exc:
        reason = "; ".join(exc.messages)
    except DatabaseError as exc:
        logger.warning("CSV import %s refused by the database: %s", job.pk, exc)
        reason = f"The database refused the import: {str(exc).strip().splitlines()[0]}"
    return import_job_fail(job_id=job.pk, reason=reason)


class NoLongerValid(Exception):
    """A confirmed file whose rows no longer pass their checks (the database changed since
    the preview): nothing of it is written."""

    def __init__(self, checked: Checked):
        super().__init__(checked.errors.count)
        self.checked = checked


def import_job_fail(*, job_id, reason: str) -> ImportJob | None:
    """Mark a running job failed (nothing of it was written): the job's page says ``reason``."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.can_become(State.FAILED):
            return job
        return _finish(job.pk, State.FAILED, failure=reason[:2000])


def import_job_delete(*, job: ImportJob) -> None:
    """Delete a finished job and its file."""
    if job.is_running:
        raise DomainError("This import is still running.", code="RUNNING")
    if job.file:
        job.file.delete(save=False)
    job.delete()
