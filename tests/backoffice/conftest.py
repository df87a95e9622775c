"""The back office in Debian's Chromium: the browser, as the portal's browser tests start it."""

import pytest
from playwright.sync_api import sync_playwright

from tests.portal.browser import CHROMIUM, CHROMIUM_ARGS


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium with Playwright against a live server"
    )


@pytest.fixture(scope="module")
def chromium():
    # Playwright's sync API keeps an event loop in this thread: Django's ORM must be told that
    # the test itself is synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
