"""The returns dashboard in Debian's Chromium, against a live server: the admin logs in through
the form and the charts are drawn by the vendored Chart.js, under the Content Security Policy.

The screenshot is saved as var/screenshots/backoffice-dashboard.png.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from shipbacks.models import Shipback
from tests.factories import ProductFactory, ReturnReasonFactory, WarehouseFactory, default_brand
from tests.portal.browser import CHROMIUM, CSP_PROBE, csp_violations, screenshot
from tests.shipbacks.test_dashboard import make_return

pytestmark = [
    pytest.mark.browser,
    # A live server needs committed data (flushed after each test).
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; CI installs it)",
    ),
]

CHARTS = ["per-day", "by-state", "by-mode", "by-reason", "by-warehouse", "top-products", "actions"]

# For each chart canvas: the Chart.js chart attached to it, and whether anything was painted.
DRAWN = """() => [...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
  const chart = Chart.getChart(canvas);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted += 1; } }
  return {
    key: canvas.dataset.chart,
    type: chart ? chart.config.type : null,
    values: chart ? chart.data.datasets[0].data : null,
    painted,
  };
})"""


@pytest.fixture
def returns():
    """A few returns of the last days in two warehouses, processed or not."""
    default_brand()
    paris, lyon = WarehouseFactory(name="Paris Nord"), WarehouseFactory(name="Lyon Est")
    fit = ReturnReasonFactory(code="doesnt_fit", label_en="Doesn't fit")
    damaged = ReturnReasonFactory(code="damaged", label_en="Arrived damaged")
    parka, pull = ProductFactory(label="Parka"), ProductFactory(label="Pull")
    now = timezone.now()
    for days_ago, warehouse, product, reason, state, actions in [
        (1, paris, parka, fit, Shipback.State.DELIVERED, []),
        (2, paris, pull, damaged, Shipback.State.RELOCATED, [("dispose", 1)]),
        (2, lyon, parka, fit, Shipback.State.RELOCATED, [("restock", 1)]),
        (5, lyon, parka, fit, Shipback.State.RELOCATED, [("quarantine", 1)]),
        (9, paris, pull, fit, Shipback.State.LABELLED, []),
    ]:
        make_return(
            now - timedelta(days=days_ago),
            [(warehouse, product, 1, reason, actions)],
            state=state,
            completed_in=timedelta(days=1) if state == Shipback.State.RELOCATED else None,
        )


def test_an_admin_logs_in_and_sees_the_dashboards_charts_drawn(chromium, live_server, returns):
    get_user_model().objects.create_superuser("admin", "admin@example.com", "admin")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    context.add_init_script(CSP_PROBE)
    context.set_default_timeout(30_000)
    page = context.new_page()

    page.goto(f"{live_server.url}/admin/login/?next=/admin/dashboard/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.locator("input[type=submit]").click()

    expect(page.locator(".breadcrumbs")).to_contain_text("Returns dashboard")
    page.wait_for_function(
        """() => window.Chart && [...document.querySelectorAll("canvas[data-chart]")]
            .every((canvas) => Chart.getChart(canvas))"""
    )
    charts = {chart["key"]: chart for chart in page.evaluate(DRAWN)}
    assert list(charts) == CHARTS
    assert charts["per-day"]["type"] == "bar"
    assert len(charts["per-day"]["values"]) == 30
    assert sum(charts["per-day"]["values"]) == 5
    assert charts["by-mode"]["type"] == "doughnut"
    assert charts["actions"]["values"] == [1, 1, 1]
    assert all(chart["painted"] > 1000 for chart in charts.values()), charts
    # The same figures in the tables.
    expect(page.locator("table caption", has_text="Returns by warehouse")).to_be_visible()
    screenshot(page, "backoffice-dashboard")
    assert csp_violations(page) == []

    # One warehouse, then the last 90 days for it: the charts are drawn again.
    lyon = page.locator("#id_warehouse option", has_text="Lyon Est").get_attribute("value")
    page.locator("#id_warehouse").select_option(lyon)
    page.locator("input[type=submit][value=Show]").click()
    page.get_by_role("link", name="Last 90 days").click()
    page.wait_for_function(
        """() => {
          const chart = window.Chart && Chart.getChart(document.querySelector("canvas"));
          return chart && chart.data.datasets[0].data.length === 90;
        }"""
    )
    charts = {chart["key"]: chart for chart in page.evaluate(DRAWN)}
    assert sum(charts["per-day"]["values"]) == 2
    assert charts["by-warehouse"]["values"] == [2]
    assert all(chart["painted"] > 1000 for chart in charts.values()), charts
    assert csp_violations(page) == []
    context.close()
