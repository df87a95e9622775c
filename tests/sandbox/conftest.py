"""The sandbox tests drive the real provider clients and adapters against the sandbox, served by
pytest-django's live server. No Celery worker: what the sandbox hands to Celery is recorded by
``enqueued`` and run by the test when it wants it to happen."""

import pytest

from shipbacks.providers.kibo.client import KiboClient, MemoryTokenCache
from shipbacks.providers.sandbox import pushes, tasks
from shipbacks.providers.shipbob.client import ShipBobClient
from shipbacks.providers.shippingbo.client import ShippingboClient
from shipbacks.providers.shoprunback.client import ShopRunBackClient

from . import urls

SRB_SECRET = "4f1d0c9a7e3b2a18c6d5e4f3a2b1c0d9e8f7a6b5"
SHIPPINGBO_TOKEN = "hook-token-7c1e"
SHIPBOB_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Enqueued(list):
    """(task name, args, countdown) of each task the sandbox enqueued, in order."""

    def of(self, task) -> list[tuple]:
        return [args for name, args, _ in self if name == task.name]

    def run_webhooks(self) -> None:
        """Send the webhooks enqueued so far, as the worker would, and forget them (retries
        they enqueue stay)."""
        due = [entry for entry in self if entry[0] == tasks.send_sandbox_webhook.name]
        for entry in due:
            self.remove(entry)
        for _, args, _ in due:
            tasks.send_sandbox_webhook(*args)


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    recorded = Enqueued()
    monkeypatch.setattr(
        pushes,
        "enqueue",
        lambda task, args, countdown=0: recorded.append((task.name, args, countdown)),
    )
    return recorded


@pytest.fixture(autouse=True)
def sandbox(settings, transactional_db):
    """The sandbox's URLs, no delay unless a test sets one, webhooks to the test receiver off
    (no secrets) unless a test sets them."""
    settings.ROOT_URLCONF = "tests.sandbox.urls"
    settings.PROVIDERS_SANDBOX = True
    settings.SANDBOX_QUOTE_SECONDS = 0
    settings.SANDBOX_LABEL_SECONDS = 0
    settings.SANDBOX_WAREHOUSE_STEP_SECONDS = 0
    settings.SHOPRUNBACK_WEBHOOK_SECRET = ""
    settings.SHIPPINGBO_WEBHOOK_TOKEN = ""
    settings.SHIPBOB_WEBHOOK_SECRET = ""
    urls.RECEIVED.clear()
    urls.RESPONSES.clear()


@pytest.fixture
def received(live_server, settings):
    """Webhooks the sandbox sends land in this list (see tests/sandbox/urls.py)."""
    settings.RETURNS_PUBLIC_URL = live_server.url
    settings.SHOPRUNBACK_WEBHOOK_SECRET = SRB_SECRET
    settings.SHIPPINGBO_WEBHOOK_TOKEN = SHIPPINGBO_TOKEN
    settings.SHIPBOB_WEBHOOK_SECRET = SHIPBOB_SECRET
    return urls.RECEIVED


def sandbox_url(live_server, provider: str) -> str:
    return f"{live_server.url}/sandbox/{provider}"


def _closed_after(client):
    # A kept-alive connection outliving the test would outlive the live server's database
    # sharing too (pytest-django then reports an exception in the server's request thread).
    yield client
    client.session.close()


@pytest.fixture
def srb(live_server):
    client = ShopRunBackClient(base_url=sandbox_url(live_server, "shoprunback"), token="srb-token")
    yield from _closed_after(client)


@pytest.fixture
def shippingbo(live_server):
    client = ShippingboClient(
        base_url=sandbox_url(live_server, "shippingbo"), app_id="2", token="sbo-token"
    )
    yield from _closed_after(client)


@pytest.fixture
def shipbob(live_server):
    client = ShipBobClient(
        base_url=sandbox_url(live_server, "shipbob"), token="pat-token", channel_id=100102
    )
    yield from _closed_after(client)


@pytest.fixture
def kibo(live_server):
    client = KiboClient(
        base_url=sandbox_url(live_server, "kibo"),
        client_id="kibo-app",
        client_secret="kibo-secret",
        token_cache=MemoryTokenCache(),
    )
    yield from _closed_after(client)
