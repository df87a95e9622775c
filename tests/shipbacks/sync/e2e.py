"""Real Celery worker processes for the end-to-end tests and the bench.

The worker runs ``celery -A returns_portal worker`` on the test's database and on a broker of its
own (a Redis database or a filesystem folder nobody else uses), which this process switches to as
well, so the messages the test and the live server send are the ones the worker takes. The
providers are the sandbox, served by the live server, which the worker reaches over HTTP and
which sends its webhooks back there.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
# A Redis database for the end-to-end broker, apart from the one the project uses.
E2E_REDIS_DB = int(os.environ.get("E2E_REDIS_DB", "13"))

# Short delays, the same in this process and the worker's.
TIMINGS = {
    "SANDBOX_QUOTE_SECONDS": "2",
    "SANDBOX_LABEL_SECONDS": "2",
    "SANDBOX_WAREHOUSE_STEP_SECONDS": "2",
    "SYNC_QUOTES_POLL_INTERVAL_SECONDS": "1",
    "SYNC_LABEL_POLL_INTERVAL_SECONDS": "1",
    "SYNC_RETURN_ORDER_POLL_INTERVAL_SECONDS": "1",
    "SYNC_RETRY_BASE_DELAY_SECONDS": "0.5",
    "SYNC_RETRY_MAX_DELAY_SECONDS": "5",
    "SYNC_SWEEP_INTERVAL_SECONDS": "2",
    "SYNC_LOST_MESSAGE_AFTER_SECONDS": "5",
    "SYNC_CLAIM_LEASE_SECONDS": "12",
    "CELERY_TASK_SOFT_TIME_LIMIT": "8",
    "CELERY_TASK_TIME_LIMIT": "10",
}
SECRETS = {
    "SHOPRUNBACK_WEBHOOK_SECRET": "e2e-srb-secret",
    "SHIPPINGBO_WEBHOOK_TOKEN": "e2e-shippingbo-token",
    "SHIPBOB_WEBHOOK_SECRET": "whsec_ZTJlLXNoaXBib2Itc2VjcmV0",
}


def shared_database_url() -> str | None:
    """The test database as a URL another process can open; None when it cannot be shared
    (in-memory SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if "mode=memory" in name or name == ":memory:" or not Path(name).is_absolute():
            return None
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"
    return None


class Broker:
    """A broker of the test's own, for this process (the Celery app is switched to it) and for
    the workers (``env``)."""

    def __init__(self, tmp_path: Path):
        self.var_dir = tmp_path / "var"
        base = settings.CELERY_BROKER_URL
        if base.startswith("filesystem://"):
            folders = {
                name: self.var_dir / "celery" / name for name in ("broker", "processed", "control")
            }
            for folder in folders.values():
                folder.mkdir(parents=True, exist_ok=True)
            self.url = "filesystem://"
            self.options = {
                "data_folder_in": str(folders["broker"]),
                "data_folder_out": str(folders["broker"]),
                "processed_folder": str(folders["processed"]),
                "control_folder": str(folders["control"]),
                "store_processed": False,
            }
            self.env = {}
        else:
            # Its own keys: other test runs on the same Redis (other sessions, other
            # checkouts) never take its messages, nor it theirs.
            self.prefix = f"e2e-{uuid.uuid4().hex[:12]}:"
            parts = urlsplit(base)
            self.url = f"{parts.scheme}://{parts.netloc}/{E2E_REDIS_DB}"
            self.options = {
                **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                "global_keyprefix": self.prefix,
            }
            self.env = {"CELERY_BROKER_KEY_PREFIX": self.prefix}
        self.env.update({"CELERY_BROKER_URL": self.url, "VAR_DIR": str(self.var_dir)})

    def discard_truncated(self) -> int:
        """Move aside the message files a killed process left half-written.

        Kombu's filesystem transport (the embedded, development broker) writes a message file in
        place: a process killed while publishing leaves a truncated file, and the next worker
        that reads it stops on the JSON error. Redis has no such files. The calls those messages
        were for are sent again by the sweeper, like any lost message.
        """
        if self.url != "filesystem://":
            return 0
        folder = Path(self.options["data_folder_in"])
        aside = folder.parent / "truncated"
        aside.mkdir(exist_ok=True)
        moved = 0
        for message in folder.glob("*.msg"):
            try:
                json.loads(message.read_bytes())
            except ValueError:
                message.rename(aside / message.name)
                moved += 1
            except FileNotFoundError:
                continue
        return moved

    def __enter__(self):
        from returns_portal.celery import app

        self._saved = (
            os.environ.get("CELERY_BROKER_URL"),
            app.conf.broker_url,
            app.conf.broker_transport_options,
        )
        self._switch(self.url, self.url, self.options)
        app.control.purge()  # only this broker's: messages left by an earlier run
        return self

    def __exit__(self, *exc):
        from returns_portal.celery import app

        try:
            app.control.purge()
        finally:
            self._switch(*self._saved)

    @staticmethod
    def _switch(environ_url, url, options):
        from returns_portal.celery import app

        # Celery reads CELERY_BROKER_URL from the environment before its configuration.
        if environ_url is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = environ_url
        # Connections are pooled per broker (kombu.pools): forget this one's, the next send
        # takes (or makes) the pool of the broker now configured.
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = url
        app.conf.broker_transport_options = options


class Worker:
    """``celery -A returns_portal worker`` (with beat, so the sweeper runs) in its own process
    group, killed or stopped as a whole."""

    def __init__(self, *, env: dict, log: Path, concurrency: int = 2, beat: bool = True):
        self.env, self.log_path = env, log
        self.concurrency, self.beat = concurrency, beat
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        name = f"e2e-{os.getpid()}-{time.monotonic_ns()}@%h"
        command = [
            sys.executable, "-m", "celery", "-A", "returns_portal", "worker",
            "--pool", "prefork", "--concurrency", str(self.concurrency),
            "--loglevel", "INFO", "-n", name,
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if self.beat:
            schedule = self.log_path.with_suffix(".beat")
            command += ["--beat", "--schedule", str(schedule)]
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            command,
            cwd=BASE_DIR,
            env={**os.environ, **self.env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed with its children
        )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: a crash, nothing cleaned up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None):
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


def worker_env(*, database_url: str, broker: Broker, public_url: str, media_root) -> dict:
    return {
        **TIMINGS,
        **SECRETS,
        **broker.env,
        "DATABASE_URL": database_url,
        "DEBUG": "true",
        "PROVIDERS_SANDBOX": "true",
        "SANDBOX_BASE_URL": public_url,
        "RETURNS_PUBLIC_URL": public_url,
        "MEDIA_ROOT": str(media_root),
        "SHOPRUNBACK_URL": "",
        "SHIPPINGBO_URL": "",
        "SHIPBOB_URL": "",
        "KIBO_URL": "",
        "SYNC_ENABLED": "true",
        "SYNC_RATE_LIMIT_SHIPPINGBO": "0",
        "LOG_LEVEL": "INFO",
    }


def eventually(check, *, timeout: float, every: float = 0.2, what: str = "", worker=None):
    """Wait until ``check()`` is truthy; returns its value. Fails with ``what`` (and the worker's
    last log lines) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            log = f"\n--- worker log ---\n{worker.output()}" if worker else ""
            raise AssertionError(f"Not reached within {timeout} s: {what}{log}")
        time.sleep(every)
