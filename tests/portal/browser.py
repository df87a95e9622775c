"""The portal in a real browser: a live server, the provider sandbox it serves, the provider
sync, and Debian's Chromium driven by Playwright.

Quotes and labels are computed by the sandbox and brought in by the real provider sync
(``shipbacks.services.sync``), run one of two ways:

- when the test database can be opened by another process (PostgreSQL, or SQLite in a file),
  by a real Celery worker process on a broker of its own, as the sync's end-to-end tests do
  (``tests/shipbacks/sync/e2e.py``); the customer e-mails it sends are written to files;
- with SQLite's in-memory test database (one connection that only this process can share), by
  ``SyncWorker``, a thread standing in for the worker: it sends the provider calls that are due
  (``call_send``, over HTTP to the sandbox) and the customer e-mails, as
  ``send_provider_call`` and ``send_customer_email`` would; task messages are recorded instead
  of going to a broker. One lock lets a single thread use the shared connection at a time:
  portal requests and the thread take it; sandbox requests do not, because the thread holding
  it waits for their answer (the sync never calls a provider inside a transaction).
"""

import email.policy
import os
import threading
import time
from datetime import timedelta
from email.parser import BytesParser
from pathlib import Path

from celery.app.task import Task
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core import mail
from django.db import connections
from django.test.testcases import LiveServerThread
from django.utils import timezone

from shipbacks.models import ProviderCall
from shipbacks.portal.tasks import send_customer_email
from shipbacks.services.sync.outbox import call_send
from tests.shipbacks.sync.e2e import (
    SECRETS,
    TIMINGS,
    Broker,
    Worker,
    shared_database_url,
    worker_env,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# Records every Content Security Policy violation of a page, for the tests to read.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def shared_connections() -> dict:
    """SQLite's in-memory test database lives in one connection: every thread must use it."""
    shared = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            shared[conn.alias] = conn
    return shared


class _LockedStaticFiles(StaticFilesHandler):
    lock: threading.RLock

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(("/sandbox/", "/" + settings.STATIC_URL.lstrip("/"))):
            return super().__call__(environ, start_response)
        with self.lock:
            return super().__call__(environ, start_response)


class SyncWorker(threading.Thread):
    """Sends the provider calls that are due and the e-mails enqueued, every ``interval``."""

    def __init__(self, *, lock: threading.RLock, shared: dict, messages: list, interval=0.25):
        super().__init__(daemon=True)
        self.lock = lock
        self.shared = shared
        self.messages = messages
        self.interval = interval
        self.errors: list[str] = []
        self.stopping = threading.Event()

    def run(self):
        for alias, conn in self.shared.items():
            connections[alias] = conn
        try:
            while not self.stopping.wait(self.interval):
                with self.lock:
                    self.tick()
        finally:
            if not self.shared:
                connections.close_all()

    def tick(self):
        try:
            due = (
                ProviderCall.objects.ready()
                .filter(state=ProviderCall.State.PENDING, next_attempt_at__lte=timezone.now())
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for call_id in list(due):
                call_send(call_id=call_id)
            while self.messages:
                name, args, kwargs = self.messages.pop(0)
                if name == send_customer_email.name:
                    send_customer_email.run(*args, **kwargs)
        except Exception as error:
            self.errors.append(repr(error))

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)


# A Redis database of the portal's browser tests alone: the sync's end-to-end tests, perhaps
# running at the same time on this machine, use theirs (E2E_REDIS_DB).
PORTAL_REDIS_DB = int(os.environ.get("PORTAL_E2E_REDIS_DB", "14"))


def _own_broker(tmp_path) -> Broker:
    broker = Broker(tmp_path)
    if not broker.url.startswith("filesystem://"):
        broker.url = f"{broker.url.rsplit('/', 1)[0]}/{PORTAL_REDIS_DB}"
        broker.env["CELERY_BROKER_URL"] = broker.url
    return broker


class PortalSite:
    """The live server and the worker (a process, or the stand-in thread), started together,
    stopped together."""

    def __init__(self, monkeypatch, settings, tmp_path):
        self.lock = threading.RLock()
        self.mail_dir = tmp_path / "mail"
        self.shared = shared_connections()
        for conn in self.shared.values():
            conn.inc_thread_sharing()
        handler = type("LockedStaticFiles", (_LockedStaticFiles,), {"lock": self.lock})
        self.server = LiveServerThread("127.0.0.1", handler, self.shared, port=0)
        self.server.daemon = True
        self.server.start()
        self.server.is_ready.wait()
        if self.server.error:
            raise self.server.error
        self.url = f"http://127.0.0.1:{self.server.port}"
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1", "localhost"]
        settings.RETURNS_PUBLIC_URL = settings.SANDBOX_BASE_URL = self.url
        for name in ("SHOPRUNBACK_URL", "SHIPPINGBO_URL", "SHIPBOB_URL", "KIBO_URL"):
            setattr(settings, name, "")
        settings.SYNC_ENABLED = True
        settings.SYNC_RATE_LIMITS = {}
        # The sandbox runs here (in the live server): the same short delays as the worker's.
        for name, value in TIMINGS.items():
            if name.startswith("SANDBOX_"):
                setattr(settings, name, int(value))
        for name, value in SECRETS.items():
            setattr(settings, name, value)
        self.process = self.thread = self.broker = None
        database_url = shared_database_url()
        if database_url:
            self.broker = _own_broker(tmp_path).__enter__()
            env = worker_env(
                database_url=database_url,
                broker=self.broker,
                public_url=self.url,
                media_root=settings.MEDIA_ROOT,
            )
            env["EMAIL_URL"] = f"filemail:///{self.mail_dir}"
            self.process = Worker(env=env, log=tmp_path / "worker.log").start()
        else:
            self.messages: list = []

            def record(task, args=None, kwargs=None, **options):
                self.messages.append((task.name, tuple(args or ()), dict(kwargs or {})))

            # No broker: the stand-in takes the messages it knows; the others are dropped (the
            # sandbox's webhooks: the sync polls anyway).
            monkeypatch.setattr(Task, "apply_async", record)
            settings.SYNC_QUOTES_POLL_INTERVAL = timedelta(seconds=1)
            settings.SYNC_LABEL_POLL_INTERVAL = timedelta(seconds=1)
            settings.SYNC_RETRY_BASE_DELAY = timedelta(seconds=1)
            self.thread = SyncWorker(lock=self.lock, shared=self.shared, messages=self.messages)
            self.thread.start()

    @property
    def errors(self) -> list[str]:
        return self.thread.errors if self.thread else []

    def email_subjects(self) -> list[str]:
        """The subjects of the e-mails the worker sent so far."""
        if self.thread:
            with self.lock:
                return [message.subject for message in mail.outbox]
        subjects = []
        for path in sorted(self.mail_dir.glob("*.log")) if self.mail_dir.exists() else []:
            for chunk in path.read_bytes().split(b"-" * 79):
                if chunk.strip():
                    message = BytesParser(policy=email.policy.default).parsebytes(chunk.lstrip())
                    subjects.append(str(message["subject"]))
        return subjects

    def diagnostics(self) -> str:
        """The provider calls and the worker's last words, for a test that waited in vain."""
        with self.lock:
            calls = list(
                ProviderCall.objects.order_by("pk").values_list(
                    "operation", "state", "attempts", "last_error"
                )
            )
        lines = [f"  {op} {state} attempts={n} {error[:200]}" for op, state, n, error in calls]
        return "provider calls:\n" + "\n".join(lines) + "\n--- worker ---\n" + self.worker_log()

    def worker_log(self) -> str:
        """What the worker did, without the periodic sweeps."""
        if not self.process:
            return "\n".join(self.errors)
        lines = self.process.log_path.read_text(errors="replace").splitlines()
        kept = [line for line in lines if "sweep" not in line]
        return "\n".join(kept[-80:])

    def stop(self):
        if self.thread:
            self.thread.stop()
        if self.process:
            self.process.stop()
            self.broker.__exit__(None, None, None)
        self.server.terminate()
        self.server.join()
        # Requests still being answered (the browser's keep-alive connections) end first: they
        # use the shared connection until they close.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(
            "process_request_thread" in thread.name for thread in threading.enumerate()
        ):
            time.sleep(0.05)
        for conn in self.shared.values():
            conn.dec_thread_sharing()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def unlabelled_fields(page) -> list[str]:
    """Visible form fields no label names (by for=, aria-label or aria-labelledby)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea")]
            .filter((el) => el.type !== "hidden" && el.offsetParent !== null)
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                            && !el.getAttribute("aria-labelledby"))
            .map((el) => el.name || el.id)"""
    )
