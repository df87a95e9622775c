"""Provider sync under test: fake provider URLs answered by ``responses``, short delays, and the
task messages recorded instead of sent (``messages``)."""

import datetime

import pytest
import responses

from shipbacks import tasks

from .helpers import KIBO, SHIPBOB, SHIPPINGBO, SRB


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "e2e: runs Celery worker processes against the sandbox on a live server (-m e2e)",
    )


def _end_to_end(request) -> bool:
    return request.node.get_closest_marker("e2e") is not None


@pytest.fixture(autouse=True)
def _providers(request, settings):
    if _end_to_end(request):
        return  # the sandbox, through a real worker
    settings.SHOPRUNBACK_URL = SRB
    settings.SHIPPINGBO_URL = SHIPPINGBO
    settings.SHIPBOB_URL = SHIPBOB
    settings.KIBO_URL = KIBO
    settings.PROVIDERS = {
        **settings.PROVIDERS,
        "shoprunback": {**settings.PROVIDERS["shoprunback"], "OPTIONS": {"token": "t"}},
        "shippingbo": {
            **settings.PROVIDERS["shippingbo"],
            "OPTIONS": {"app_id": "app", "token": "t"},
        },
        "shipbob": {**settings.PROVIDERS["shipbob"], "OPTIONS": {"token": "t", "channel_id": "7"}},
        "kibo": {**settings.PROVIDERS["kibo"], "OPTIONS": {"token": "t"}},
    }
    settings.SHOPRUNBACK_WEBHOOK_SECRET = "srb-secret"
    settings.SHIPPINGBO_WEBHOOK_TOKEN = "sbo-token"
    settings.SHIPBOB_WEBHOOK_SECRET = "whsec_c2hpcGJvYi10ZXN0LXNlY3JldA=="
    settings.SYNC_ENABLED = True
    settings.SYNC_RATE_LIMITS = {}
    settings.SYNC_MAX_RETRIES = 5
    settings.SYNC_RETRY_BASE_DELAY = datetime.timedelta(seconds=2)
    settings.SYNC_RETRY_MAX_DELAY = datetime.timedelta(seconds=60)
    settings.SYNC_QUOTES_POLL_INTERVAL = datetime.timedelta(seconds=20)
    settings.SYNC_LABEL_POLL_INTERVAL = datetime.timedelta(seconds=10)
    settings.SYNC_RETURN_ORDER_POLL_INTERVAL = datetime.timedelta(seconds=30)


@pytest.fixture(autouse=True)
def messages(request, monkeypatch):
    """Task messages sent (after commit): (task name, args, countdown)."""
    sent = []
    if _end_to_end(request):
        return sent  # sent for real
    for task in (tasks.send_provider_call, tasks.process_inbound_event):

        def record(args=None, kwargs=None, *, _name=task.name, countdown=None, **options):
            sent.append((_name, tuple(args or ()), countdown))

        monkeypatch.setattr(task, "apply_async", record)
        monkeypatch.setattr(task, "delay", lambda *args, _record=record: _record(args))
    return sent


@pytest.fixture
def handler(monkeypatch):
    """The handler every call runs: answers what ``handler.answers`` holds, in turn (a
    ``Done``/``Again``, an exception to raise, or a function of the call giving one of those),
    and notes the calls it was given in ``handler.seen``."""
    from shipbacks.services.sync import sending
    from shipbacks.services.sync.outbox import Done

    class Handler:
        def __init__(self):
            self.answers, self.seen = [], []

        def __call__(self, call):
            self.seen.append(call.pk)
            answer = self.answers.pop(0) if self.answers else Done()
            if callable(answer):
                answer = answer(call)
            if isinstance(answer, Exception):
                raise answer
            return answer

    fake = Handler()
    monkeypatch.setattr(sending, "_handler", lambda operation: fake)
    return fake


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and the catalog already pushed live in the cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def e2e(request, live_server, settings, tmp_path):
    """Worker processes on the test database and a broker of their own, the sandbox on the live
    server: ``e2e.start()`` starts a worker (stopped at the end)."""
    from types import SimpleNamespace

    from .e2e import SECRETS, TIMINGS, Broker, Worker, shared_database_url, worker_env

    database_url = shared_database_url()
    if database_url is None:
        pytest.skip(
            "The worker process cannot share an in-memory SQLite database: run on PostgreSQL "
            "(DATABASE_URL) or with TEST_DATABASE_NAME=/path/to/test.sqlite3."
        )
    settings.ROOT_URLCONF = "tests.shipbacks.sync.e2e_urls"
    settings.SANDBOX_BASE_URL = settings.RETURNS_PUBLIC_URL = live_server.url
    for name in ("SHOPRUNBACK_URL", "SHIPPINGBO_URL", "SHIPBOB_URL", "KIBO_URL"):
        setattr(settings, name, "")
    for name, value in TIMINGS.items():
        if name.startswith("SANDBOX_"):
            setattr(settings, name, int(value))
    for name, value in SECRETS.items():
        setattr(settings, name, value)
    settings.SYNC_ENABLED = True
    with Broker(tmp_path) as broker:
        env = worker_env(
            database_url=database_url,
            broker=broker,
            public_url=live_server.url,
            media_root=settings.MEDIA_ROOT,
        )
        workers = []

        def start(**options) -> Worker:
            log = tmp_path / f"worker-{len(workers)}.log"
            workers.append(Worker(env=env, log=log, **options).start())
            return workers[-1]

        try:
            yield SimpleNamespace(start=start, workers=workers, url=live_server.url, broker=broker)
        finally:
            for worker in workers:
                worker.stop()
