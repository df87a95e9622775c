import pytest

from returns_portal.csvio import tasks


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium with Playwright against a live server"
    )


@pytest.fixture
def inline_tasks(monkeypatch):
    """The import tasks run here when enqueued (after the commit that enqueues them). Their own
    code only: Celery's task signals would close the test's database connection."""
    for task in (tasks.check_import, tasks.run_import):
        monkeypatch.setattr(task, "delay", task.run)
