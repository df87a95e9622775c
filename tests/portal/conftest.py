import pytest
from django.core.cache import cache

from tests.factories import RelocationRuleFactory, ReturnReasonFactory, WarehouseFactory


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium with Playwright against a live server"
    )


@pytest.fixture(autouse=True)
def _portal_settings(settings):
    """No provider sync from these tests (they record quotes and labels themselves), and a
    clean rate-limit count."""
    settings.SYNC_ENABLED = False
    settings.RETURNS_PUBLIC_URL = "https://returns.example.com"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reasons(db):
    """Two active reasons (one needs a photo) and one no longer offered."""
    return {
        "doesnt_fit": ReturnReasonFactory(
            code="doesnt_fit", label_en="Doesn't fit", label_fr="Ne me va pas", position=1
        ),
        "damaged": ReturnReasonFactory(
            code="damaged",
            label_en="Arrived damaged",
            label_fr="Arrivé endommagé",
            requires_photo=True,
            position=2,
        ),
        "old": ReturnReasonFactory(code="old", label_en="Old", label_fr="Vieux", active=False),
    }


@pytest.fixture
def warehouse(db):
    """Where every return goes: a warehouse taking parcels without a carrier label."""
    warehouse = WarehouseFactory(name="Paris Nord", accepts_direct_returns=True)
    RelocationRuleFactory(warehouse=warehouse)
    return warehouse


@pytest.fixture
def portal(reasons, warehouse):
    """The merchant's setup the portal needs: reasons and a warehouse receiving returns."""
    return {"reasons": reasons, "warehouse": warehouse}
