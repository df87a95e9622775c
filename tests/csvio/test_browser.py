"""CSV imports and exports in Debian's Chromium, under the Content Security Policy: upload, the
page following the check by itself, the preview, confirm, the result; an export downloaded.

The tasks run in a real Celery worker when the test database can be shared (PostgreSQL, SQLite
in a file), as the portal's browser tests run them (``tests.portal.browser``); with SQLite in
memory, a thread of this process runs them when they are enqueued. Screenshots go to
var/screenshots/.
"""

import threading
from pathlib import Path

import pytest
from celery.app.task import Task
from django.db import connections
from playwright.sync_api import expect

from catalog.models import Brand, Product
from returns_portal.csvio.tasks import check_import, run_import
from tests.factories import ProductFactory, SuperuserFactory
from tests.portal.browser import CHROMIUM, CSP_PROBE, PortalSite, csp_violations, screenshot
from tests.portal.test_browser import chromium  # noqa: F401 (the browser, once per module)

from .helpers import PRODUCT_HEADER, csv_bytes, product_row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; CI installs it)",
    ),
]

CSV_TASKS = {check_import.name: check_import, run_import.name: run_import}
# How long a step may take a worker (milliseconds): a worker process starts first.
WAIT = 60_000


class ImportTasks(threading.Thread):
    """With SQLite in memory: runs the import tasks enqueued, on the shared connection, while
    holding the site's lock (the live server waits meanwhile)."""

    def __init__(self, site: PortalSite):
        super().__init__(daemon=True)
        self.site = site
        self.queue: list = []
        self.errors: list[str] = []
        self.stopping = threading.Event()

    def run(self):
        for alias, conn in self.site.shared.items():
            connections[alias] = conn
        while not self.stopping.wait(0.2):
            while self.queue:
                name, args = self.queue.pop(0)
                with self.site.lock:
                    try:
                        CSV_TASKS[name].run(*args)
                    except Exception as error:
                        self.errors.append(repr(error))


@pytest.fixture
def site(chromium, monkeypatch, settings, tmp_path):  # noqa: F811
    site = PortalSite(monkeypatch, settings, tmp_path)
    tasks = None
    if site.thread is not None:
        tasks = ImportTasks(site)
        recorded = Task.apply_async

        def enqueue(task, args=None, kwargs=None, **options):
            if task.name in CSV_TASKS:
                tasks.queue.append((task.name, tuple(args or ())))
                return None
            return recorded(task, args, kwargs, **options)

        monkeypatch.setattr(Task, "apply_async", enqueue)
        tasks.start()
    with site.lock:
        Brand.objects.get_or_create(
            is_default=True, defaults={"name": "default", "reference": "default"}
        )
        SuperuserFactory(username="boss", password="boss-password")
    yield site
    if tasks is not None:
        tasks.stopping.set()
        tasks.join(timeout=30)
        assert tasks.errors == []
    site.stop()
    assert site.errors == []


@pytest.fixture
def page(chromium, site):  # noqa: F811
    context = chromium.new_context(
        viewport={"width": 1200, "height": 900}, locale="en-GB", accept_downloads=True
    )
    context.add_init_script(CSP_PROBE)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{site.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-password")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    yield page
    assert csp_violations(page) == []
    context.close()


def test_a_manager_imports_products_from_upload_to_result(page, site, tmp_path):
    with site.lock:
        ProductFactory(reference="KNOWN", label="Before")
    upload = tmp_path / "products.csv"
    upload.write_bytes(
        csv_bytes(
            [
                PRODUCT_HEADER,
                product_row("NEW-1", label="Linen shirt"),
                product_row("KNOWN", label="After"),
            ],
            delimiter=";",
            bom=True,
        )
    )

    page.goto(f"{site.url}/admin/catalog/product/")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.locator("#csv-columns")).to_be_visible()
    screenshot(page, "csv-import-1-upload")
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()

    # The job's page follows the check by itself, then shows the preview.
    expect(page.get_by_role("heading", name="Ready to import")).to_be_visible(timeout=WAIT)
    expect(page.locator("#csv-import-preview")).to_contain_text("1 products to create")
    expect(page.locator("#csv-import-sample")).to_contain_text("Linen shirt")
    screenshot(page, "csv-import-2-preview")
    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=WAIT)
    expect(page.locator("#csv-import-result")).to_contain_text("1 created")
    screenshot(page, "csv-import-3-done")
    with site.lock:
        assert Product.objects.get(reference="NEW-1").label == "Linen shirt"
        assert Product.objects.get(reference="KNOWN").label == "After"


def test_a_file_with_errors_lists_them_on_its_page(page, site, tmp_path):
    upload = tmp_path / "products.csv"
    upload.write_bytes(csv_bytes([PRODUCT_HEADER, product_row("A", weight_grams="heavy")]))

    page.goto(f"{site.url}/admin/catalog/product/import-csv/")
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", name="The file has errors")).to_be_visible(timeout=WAIT)
    expect(page.locator("#csv-import-errors")).to_contain_text("A whole number is expected")
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    screenshot(page, "csv-import-errors")


def test_a_manager_exports_the_products_listed(page, site):
    with site.lock:
        ProductFactory(reference="SHIRT-1", label="=1+2")
        ProductFactory(reference="MUG-1", label="Mug")

    page.goto(f"{site.url}/admin/catalog/product/?q=SHIRT")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()

    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ",".join(PRODUCT_HEADER)
    assert lines[1].startswith("SHIRT-1,'=1+2,")
    assert len(lines) == 2
