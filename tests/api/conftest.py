import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from returns_portal.services import api_token_issue


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(db):
    _, raw = api_token_issue(integrator_name="Acme shop")
    return raw


@pytest.fixture
def api(token):
    """An API client authenticated the way ShopRunBack's clients do it."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token token={token}")
    return client
