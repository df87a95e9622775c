"""The check and import tasks: registered, with their own time limits, and a job they cannot
finish says why."""

from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from catalog.models import Product
from returns_portal.celery import app
from returns_portal.csvio.services import import_job_confirm
from returns_portal.csvio.tasks import check_import, run_import
from returns_portal.models import ImportJob

from .helpers import product_row, products_csv, upload

pytestmark = pytest.mark.django_db


def test_the_tasks_are_registered_with_late_acks_and_the_imports_time_limits(settings):
    app.loader.import_default_modules()

    for task in (check_import, run_import):
        assert task.name in app.tasks
        assert task.acks_late is True
        assert task.soft_time_limit == settings.CSV_IMPORT_SOFT_TIME_LIMIT
        assert task.time_limit == settings.CSV_IMPORT_TIME_LIMIT
        assert task.soft_time_limit < task.time_limit


def test_uploading_enqueues_the_check_after_the_commit(django_capture_on_commit_callbacks):
    from returns_portal.csvio.services import import_job_create

    with (
        mock.patch("returns_portal.csvio.tasks.check_import.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = import_job_create(
            kind="products", name="p.csv", content=products_csv(product_row("A")), user=None
        )

    delay.assert_called_once_with(str(job.pk))


def test_an_import_past_its_time_limit_fails_and_keeps_nothing():
    job = upload("products", products_csv(product_row("A")))
    import_job_confirm(job=job, user=None)

    with mock.patch("catalog.imports._announce", side_effect=SoftTimeLimitExceeded()):
        run_import.run(str(job.pk))

    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert job.failure.startswith("The file took longer than the time allowed")
    assert not Product.objects.filter(reference="A").exists()


def test_an_unexpected_error_fails_the_job_and_is_raised_to_be_logged():
    job = upload("products", products_csv(product_row("A")))
    import_job_confirm(job=job, user=None)

    with (
        mock.patch("catalog.imports._announce", side_effect=ZeroDivisionError()),
        pytest.raises(ZeroDivisionError),
    ):
        run_import.run(str(job.pk))

    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert "unexpected error" in job.failure


def test_checking_a_job_already_checked_does_nothing():
    job = upload("products", products_csv(product_row("A")))

    check_import.run(str(job.pk))

    job.refresh_from_db()
    assert job.state == ImportJob.State.VALIDATED
