"""Provider sync against the sandbox: push throughput, and how soon a label is seen.

    .venv/bin/python bench/sync_bench.py [--count 5000] [--capacity-count 1000] [--labels 20]
                                         [--threads N] [--batch N] [--timeout 900]

Everything runs on 127.0.0.1: the sandbox is served by gunicorn (4 processes), the sync by two
Celery worker processes (``--pool solo``, or with ``--threads`` above 1 ``--pool threads`` with
that many threads; one of them with beat for the sweeper), on a database of the bench's own:
with ``DATABASE_URL=postgres://...`` a ``<name>_bench`` database (dropped and created), else
SQLite in a temporary directory; the broker is ``CELERY_BROKER_URL``'s Redis with keys of its
own (CELERY_BROKER_KEY_PREFIX), else a filesystem broker in the temporary directory.

1. Capacity: two processes (``--threads`` at a time each) make the sandbox request a push makes
   (ShipBob: create the return; a first attempt does not look it up by reference first),
   directly with the provider client, one client per thread whose connection is kept alive as
   the workers' are: records per second. Measured before the sync and again after it (the
   workers idle), since a shared machine's speed drifts over a run: the ratio below is to the
   mean of the two.
2. Sync: ``--count`` return orders are created through the services (each writes its outbox row
   and sends its task), then the two workers start and push them (``--batch``: the calls a task
   sends, SYNC_SEND_BATCH; its default unless given): records per second from the workers being
   ready to the last call done, and its ratio to the capacity (goal: 0.8).
3. Labels: ``--labels`` shipbacks (0: this part is skipped) go through quotes, mode and free;
   the delay between the label becoming available at the sandbox (its labelled time) and the
   shipback turning labelled here, first with the sandbox's webhooks (goal: under a second),
   then with polling only (webhooks refused: a wrong secret), whose goal is one label poll
   interval. The sandbox's own tasks (the label's timer, its webhooks: the queue ``sandbox``)
   run on a worker of their own (4 threads), as a provider's run on its own systems; the two
   workers of the sync take the queues ``celery`` and ``webhooks``.

For 1 and 2, where the time goes: CPU milliseconds per record of the sandbox (gunicorn), of the
provider client (capacity) or the workers (sync), and of the PostgreSQL backends serving the
bench's database (the bench keeps its connections open for the run, so that they can be
counted); and the wall time. The machine's other load counts in all of them.

``--response-ms`` makes every sandbox answer take that long on top of its work, in both runs,
as a real provider's round trip does (SANDBOX_RESPONSE_MS): the sandbox on this machine answers
in a few milliseconds of the same CPU the workers need, a provider across the internet in tens
to hundreds, with CPU of its own.

The whole run stops after ``--timeout`` seconds, whatever happened.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LABEL_SECONDS = 3
LABEL_POLL_INTERVAL = 2
WEB_PROCESSES = 4
WARM_UP = 60  # pushes by each process before the capacity is measured
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_database(tmp: Path) -> str:
    """A fresh database for the bench: ``<name>_bench`` next to DATABASE_URL's PostgreSQL one,
    else a SQLite file."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    import psycopg

    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'returns_portal'}_bench"
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def bench_broker() -> dict:
    """CELERY_BROKER_URL's Redis with keys of the bench's own, else a filesystem broker (in the
    bench's VAR_DIR)."""
    base = os.environ.get("CELERY_BROKER_URL", "")
    if base.startswith("redis://"):
        return {
            "CELERY_BROKER_URL": base,
            "CELERY_BROKER_KEY_PREFIX": f"sync-bench-{os.getpid()}-{time.time_ns()}:",
        }
    return {"CELERY_BROKER_URL": "filesystem://"}


class Processes:
    """The servers and workers the bench starts, each in its own process group."""

    def __init__(self, tmp: Path):
        self.tmp, self.running = tmp, []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        """Start ``command``, its output in a log of its own (``name``, numbered when started
        again: a new log, where "ready" means this process is)."""
        path = self.tmp / f"{name}.log"
        again = 1
        while path.exists():
            again += 1
            path = self.tmp / f"{name}-{again}.log"
        log = path.open("ab")
        process = subprocess.Popen(  # noqa: S603 (our own command lines)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        process.log_path = path
        self.running.append(process)
        return process

    def stop(self, process) -> None:
        import signal

        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process)


def wait_for(check, *, until: float, every: float = 0.2, what: str):
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > until:
            raise TimeoutError(f"bench stopped: {what} not reached in time")
        time.sleep(every)


def cpu_seconds(pids) -> float:
    """User + system CPU time of the processes ``pids`` (and of their children they waited for),
    those gone since not counted."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / CLOCK_TICKS


def group_pids(*groups: int) -> list[int]:
    """The processes of the process groups ``groups`` (a server and its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) in groups:
                pids.append(int(entry.name))
    return pids


def database_pids() -> list[int]:
    """The PostgreSQL backends connected to the bench's database (none with SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU seconds spent by each side between ``start()`` and ``stop()``: the process groups
    given (read from /proc), the PostgreSQL backends of the bench's database, and the CPU time
    the caller adds (processes that report their own)."""

    def __init__(self, **groups: list[int]):
        self.groups = groups
        self.spent: dict[str, float] = {}

    def _read(self) -> dict[str, dict[int, float]]:
        sides = {name: group_pids(*pgids) for name, pgids in self.groups.items()}
        sides["postgres"] = database_pids()
        return {name: {pid: cpu_seconds([pid]) for pid in pids} for name, pids in sides.items()}

    def start(self) -> None:
        self.before = self._read()

    def stop(self, **reported: float) -> None:
        after = self._read()
        for name, pids in after.items():
            before = self.before.get(name, {})
            self.spent[name] = sum(cpu - before.get(pid, 0.0) for pid, cpu in pids.items())
        self.spent.update(reported)

    def per_record(self, records: int, wall: float) -> str:
        sides = ", ".join(
            f"{name} {seconds / records * 1000:.1f}" for name, seconds in self.spent.items()
        )
        return f"CPU ms per record: {sides}; wall {wall / records * 1000:.1f} ms per record"


def _direct_pushes(args) -> tuple[int, float]:
    """One process of the capacity run: what a push asks the sandbox, straight from the client,
    ``threads`` at a time (as many as a worker process runs). Returns the records pushed and
    the CPU seconds it took."""
    base_url, references, threads = args
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from shipbacks.providers import ProviderError
    from shipbacks.providers.shipbob import adapter
    from shipbacks.providers.shipbob.client import ShipBobClient
    from shipbacks.providers.types import ExpectedLine, ReturnOrderRequest

    local = threading.local()

    def push(reference: str) -> None:
        # One client per thread, its connection kept alive, as the workers' (get_client).
        if not hasattr(local, "client"):
            local.client = ShipBobClient(base_url=base_url, token="bench", channel_id="1")  # noqa: S106
        client = local.client
        try:
            adapter.create_return_order(
                client,
                ReturnOrderRequest(
                    reference=reference,
                    items=[ExpectedLine(sku="BENCH-SKU", quantity=1, provider_inventory_id=20150)],
                    warehouse_provider_id=8,
                ),
            )
        except ProviderError as exc:
            # Provider errors do not cross processes (pickling): their message does.
            raise RuntimeError(f"capacity run: {exc}") from None

    started = time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(push, references))
    return len(references), time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--capacity-count", type=int, default=1000)
    parser.add_argument("--labels", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument(
        "--response-ms",
        type=int,
        default=0,
        help="milliseconds every sandbox answer takes on top of its work, as a provider's "
        "round trip across the internet does (SANDBOX_RESPONSE_MS), in both runs",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="calls at a time in each worker process (Celery's threads pool above 1), and "
        "requests at a time in each process of the capacity run",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=None,
        help="calls a task sends at most (SYNC_SEND_BATCH; default: the setting's default)",
    )
    args = parser.parse_args()
    stop_at = time.monotonic() + args.timeout
    tmp = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "returns_portal.settings",
        "DATABASE_URL": bench_database(tmp),
        **bench_broker(),
        "VAR_DIR": str(tmp / "var"),
        # Production's code paths (no query log kept), the sandbox all the same.
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-bench-only-secret-key-bench-only",
        "SECURE_SSL_REDIRECT": "false",
        "PROVIDERS_SANDBOX": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SANDBOX_BASE_URL": url,
        "RETURNS_PUBLIC_URL": url,
        "SHOPRUNBACK_URL": "",
        "SHIPPINGBO_URL": "",
        "KIBO_URL": "",
        "SHOPRUNBACK_WEBHOOK_SECRET": "bench-srb-secret",
        # ShipBob's webhooks are off for the pushes, as in the capacity run: its URL given (the
        # sandbox's all the same), its webhook secret is not filled in by the sandbox defaults.
        "SHIPBOB_URL": f"{url}/sandbox/shipbob",
        "SHIPBOB_TOKEN": "bench",
        "SHIPBOB_CHANNEL_ID": "1",
        "SHIPBOB_WEBHOOK_SECRET": "",
        "SANDBOX_QUOTE_SECONDS": "1",
        "SANDBOX_LABEL_SECONDS": str(LABEL_SECONDS),
        "SANDBOX_WAREHOUSE_STEP_SECONDS": "86400",
        "SANDBOX_WEBHOOK_ATTEMPTS": "1",
        "SANDBOX_RESPONSE_MS": str(args.response_ms),
        "SYNC_QUOTES_POLL_INTERVAL_SECONDS": "1",
        "SYNC_LABEL_POLL_INTERVAL_SECONDS": str(LABEL_POLL_INTERVAL),
        "SYNC_RETURN_ORDER_POLL_INTERVAL_SECONDS": "86400",
        "SYNC_LOST_MESSAGE_AFTER_SECONDS": "600",
        "SYNC_SWEEP_INTERVAL_SECONDS": "30",
        "SYNC_RATE_LIMIT_SHIPPINGBO": "0",
        "LOG_LEVEL": "WARNING",
        # Customer e-mails are written, not sent: no mail server here.
        "EMAIL_URL": "dummymail://",
        # Connections kept for the whole run, so that their backends' CPU can be counted.
        "DATABASE_CONN_MAX_AGE": str(int(args.timeout)),
    }
    if args.batch is not None:
        env["SYNC_SEND_BATCH"] = str(args.batch)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from shipbacks.models import ProviderCall

    processes = Processes(tmp)
    try:
        print(f"bench database {env['DATABASE_URL']}, broker {env['CELERY_BROKER_URL']}")
        print(f"sandbox answers take {args.response_ms} ms on top of their work")
        call_command("migrate", verbosity=0)
        # For the pushes, the sandbox's own timers (a task per return created, to move it on
        # later) go to a broker of their own that nobody reads: the capacity run has none of
        # that work either. For the labels, they go to a worker of their own (the label's
        # timer, webhooks).
        web = _start_web(processes, _apart(env, tmp), port, stop_at)

        warehouse, product, order = _catalog()

        # 1. Capacity ---------------------------------------------------------------------
        connections.close_all()  # the processes forked next must not share them
        with ProcessPoolExecutor(2, mp_context=get_context("fork")) as pool:
            # Each sandbox process answers its first requests slowly (lazy loading, its
            # database connection): not counted, as the sync meets a warm sandbox.
            warm_up = [f"WARM{n:06d}" for n in range(2 * WARM_UP)]
            parts = [(f"{url}/sandbox/shipbob", warm_up[n::2], args.threads) for n in (0, 1)]
            list(pool.map(_direct_pushes, parts))
        before = _capacity(url, "CAP", args, web, when="before the sync")

        # 2. Sync -------------------------------------------------------------------------
        started = time.perf_counter()
        _return_orders(args.count, warehouse, product, order)
        print(
            f"{args.count} return orders written with their outbox rows in "
            f"{time.perf_counter() - started:.1f} s"
        )
        workers = _start_workers(processes, env, tmp, stop_at, args.threads)
        meter = CpuMeter(sandbox=[web.pid], workers=[worker.pid for worker in workers])
        meter.start()
        ready = time.perf_counter()
        creates = ProviderCall.objects.filter(operation=ProviderCall.Operation.RETURN_ORDER_CREATE)
        wait_for(
            lambda: not creates.exclude(state=ProviderCall.State.SUCCEEDED).exists(),
            until=stop_at,
            every=0.5,
            what="every push",
        )
        elapsed = time.perf_counter() - ready
        meter.stop()
        throughput = args.count / elapsed
        failed = creates.filter(state=ProviderCall.State.FAILED).count()
        print(
            f"sync: {args.count} pushed by 2 worker processes in {elapsed:.1f} s: "
            f"{throughput:.1f} records/s; failed: {failed}"
        )
        print(f"  {meter.per_record(args.count, elapsed)}")
        # Measured again once the workers are idle: a shared machine's speed drifts over the
        # minutes a run takes, the mean of the two stands for the capacity during the sync.
        after = _capacity(url, "CAPB", args, web, when="after the sync")
        capacity = (before + after) / 2
        print(
            f"sync / capacity: {throughput / capacity:.2f} (goal 0.8; capacity {capacity:.1f} "
            "records/s, the mean of before and after)"
        )
        duplicates = _duplicates()
        print(f"records at the sandbox more than once: {duplicates}")

        # 3. Labels -----------------------------------------------------------------------
        if not args.labels:
            return 0
        processes.stop(web)
        web = _start_web(processes, env, port, stop_at)
        sandbox = _start_sandbox_worker(processes, env, stop_at)
        with_webhooks = _label_delays(args.labels, product, stop_at)
        print(_delays("label delay with webhooks", with_webhooks, goal="under 1 s"))
        for worker in [*workers, sandbox]:
            processes.stop(worker)
        # Webhooks refused from now on (the sandbox signs them with another secret than the
        # site checks): polling only.
        polling_env = {**env, "SHOPRUNBACK_WEBHOOK_SECRET": "not-the-sites-secret"}
        _start_workers(processes, polling_env, tmp, stop_at, args.threads)
        _start_sandbox_worker(processes, polling_env, stop_at)
        polling = _label_delays(args.labels, product, stop_at)
        print(_delays("label delay, polling only", polling, goal=f"within {LABEL_POLL_INTERVAL} s"))
        del web
        return 0
    finally:
        processes.stop_all()


def _capacity(url: str, prefix: str, args, web, *, when: str) -> float:
    """Records per second the sandbox takes from the provider client directly (two processes of
    ``args.threads`` threads each, ``args.capacity_count`` records); prints it, with the CPU."""
    from django.db import connections

    references = [f"{prefix}{n:06d}" for n in range(args.capacity_count)]
    connections.close_all()  # the processes forked next must not share them
    meter = CpuMeter(sandbox=[web.pid])
    meter.start()
    started = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=get_context("fork")) as pool:
        runs = list(
            pool.map(
                _direct_pushes,
                [(f"{url}/sandbox/shipbob", half, args.threads) for half in
                 (references[0::2], references[1::2])],
            )
        )  # fmt: skip
    wall = time.perf_counter() - started
    done = sum(count for count, _ in runs)
    meter.stop(client=sum(cpu for _, cpu in runs))
    capacity = done / wall
    print(
        f"capacity {when}: {done} records pushed directly by 2 processes x {args.threads} "
        f"thread(s): {capacity:.1f} records/s"
    )
    print(f"  {meter.per_record(done, wall)}")
    return capacity


def _start_web(processes: Processes, env: dict, port: int, stop_at: float):
    url = f"http://127.0.0.1:{port}"
    web = processes.start(
        "web",
        [sys.executable, "-m", "gunicorn", "returns_portal.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(WEB_PROCESSES), "--threads", "4", "--log-level", "warning"],
        env,
    )  # fmt: skip
    wait_for(lambda: _answers(url), until=stop_at, what="the web server")
    print(f"sandbox served at {url} by {WEB_PROCESSES} gunicorn processes")
    return web


def _apart(env: dict, tmp: Path) -> dict:
    """``env`` with a broker of its own (keys, or folder) that no worker reads."""
    if "CELERY_BROKER_KEY_PREFIX" in env:
        return {**env, "CELERY_BROKER_KEY_PREFIX": env["CELERY_BROKER_KEY_PREFIX"] + "apart:"}
    return {**env, "VAR_DIR": str(tmp / "var-apart"), "MEDIA_ROOT": str(tmp / "var" / "media")}


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(f"{url}/sandbox/shipbob/", timeout=2).status_code < 500
    except requests.RequestException:
        return False


def _catalog():
    from catalog.models import Brand, Product
    from orders.models import Address, Customer, Order
    from shipbacks.models import RelocationRule, Warehouse

    brand = Brand.objects.filter(is_default=True).first()
    product = Product.objects.create(
        label="Bench shirt", reference="BENCH-SKU", weight_grams=300, brand=brand,
        shipbob_inventory_id=20150,
    )  # fmt: skip
    address = Address.objects.create(
        line1="1 rue", zipcode="75002", city="Paris", country_code="FR"
    )
    warehouse = Warehouse.objects.create(
        name="ShipBob Cicero", reference="BENCH-WH", address=address,
        provider=Warehouse.Provider.SHIPBOB, shipbob_fulfillment_center_id=8,
    )  # fmt: skip
    lyon = Address.objects.create(line1="2 rue", zipcode="69001", city="Lyon", country_code="FR")
    manual = Warehouse.objects.create(name="Here", reference="BENCH-MANUAL", address=lyon)
    RelocationRule.objects.create(warehouse=manual)
    home = Address.objects.create(line1="3 rue", zipcode="75011", city="Paris", country_code="FR")
    customer = Customer.objects.create(
        first_name="Bench", last_name="Mark", email="bench@example.com", address=home
    )
    order = Order.objects.create(
        order_number="BENCH-1", ordered_at=time.strftime("%Y-%m-%d"), customer=customer
    )
    return warehouse, product, order


def _return_orders(count: int, warehouse, product, order) -> None:
    from returns_portal.actors import Actor
    from shipbacks.services import ExpectedItemData, return_order_create

    for _ in range(count):
        return_order_create(
            warehouse=warehouse,
            actor=Actor.system(),
            order=order,
            skip_expected_items_creation=True,
            expected_items=[ExpectedItemData(product=product)],
        )


def _start_workers(
    processes: Processes, env: dict, tmp: Path, stop_at: float, threads: int
) -> list:
    pool = ["--pool", "solo"] if threads == 1 else ["--pool", "threads", "-c", str(threads)]
    workers = []
    for n in (1, 2):
        command = [*_worker_command(f"bench{n}", "celery,webhooks"), *pool]
        if n == 1:
            command += ["--beat", "--schedule", str(tmp / "beat-schedule")]
        workers.append(processes.start(f"worker{n}", command, env))
    for worker in workers:
        _wait_ready(worker, stop_at)
    return workers


def _start_sandbox_worker(processes: Processes, env: dict, stop_at: float):
    """The sandbox's own worker: its timers and webhooks (the queue ``sandbox``), 4 threads."""
    command = [*_worker_command("sandbox", "sandbox"), "--pool", "threads", "-c", "4"]
    worker = processes.start("sandbox-worker", command, env)
    _wait_ready(worker, stop_at)
    return worker


def _worker_command(name: str, queues: str) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "returns_portal", "worker", "-Q", queues,
        "-n", f"{name}-{time.monotonic_ns()}@%h", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip


def _wait_ready(worker, stop_at: float) -> None:
    wait_for(
        lambda: re.search(r"\bready\.", worker.log_path.read_text(errors="replace")),
        until=stop_at,
        what="the workers",
    )


def _duplicates() -> int:
    from django.db.models import Count

    from shipbacks.providers.sandbox.models import ShipBobReturn

    return (
        ShipBobReturn.objects.values("reference_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )


def _label_delays(count: int, product, stop_at: float) -> list[float]:
    """Shipbacks through quotes, mode and free; for each, seconds from the sandbox's labelled
    time to ours."""
    from orders.models import Order, OrderItem
    from returns_portal.actors import Actor
    from shipbacks.models import Quote, ReturnReason, Shipback
    from shipbacks.providers.sandbox.models import ShopRunBackShipback
    from shipbacks.services import ReturnedItemData, quotes_request, shipback_create
    from shipbacks.services.editing import shipback_free, shipback_update

    actor = Actor.system()
    reason, _ = ReturnReason.objects.get_or_create(
        code="doesnt_fit", defaults={"label_en": "Doesn't fit", "label_fr": "Ne va pas"}
    )
    template = Order.objects.get(order_number="BENCH-1")
    shipbacks = []
    for _ in range(count):
        order = Order.objects.create(
            order_number=f"BENCH-L{time.monotonic_ns()}",
            ordered_at=template.ordered_at,
            customer=template.customer,
        )
        item = OrderItem.objects.create(order=order, product=product, reference="line-1")
        shipback = shipback_create(
            order=order, items=[ReturnedItemData(order_item=item, reason=reason)], actor=actor
        )
        quotes_request(shipback_id=shipback.pk)
        shipbacks.append(shipback)
    for shipback in shipbacks:
        wait_for(
            lambda s=shipback: not s.quotes.filter(state=Quote.State.COMPUTING).exists(),
            until=stop_at,
            what="quotes",
        )
        shipback_update(shipback_id=shipback.pk, actor=actor, mode=Shipback.Mode.POSTAL)
        shipback_free(shipback_id=shipback.pk, actor=actor)
    delays = []
    for shipback in shipbacks:
        ours = wait_for(
            lambda s=shipback: (
                Shipback.objects.filter(pk=s.pk, labelled_at__isnull=False)
                .values_list("labelled_at", "shoprunback_id")
                .first()
            ),
            until=stop_at,
            what="labels",
        )
        remote = ShopRunBackShipback.objects.get(pk=ours[1])
        delays.append((ours[0] - remote.state_changed_at).total_seconds())
    return delays


def _delays(title: str, delays: list[float], *, goal: str) -> str:
    ordered = sorted(delays)
    median = statistics.median(ordered)
    p95 = ordered[round(0.95 * (len(ordered) - 1))]
    return (
        f"{title} ({len(delays)} shipbacks, goal {goal}): median {median:.2f} s, "
        f"p95 {p95:.2f} s, max {ordered[-1]:.2f} s, min {ordered[0]:.2f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
