"""Ingest benchmark: signed WhatsApp webhooks against a running server, with /livez as ceiling.

    .venv/bin/python -m bench.ingest --backend sqlite|postgresql --n 10000 --concurrency 50

Phases, all against the same `helpdesk serve` process (see bench/README.md):
1. `/livez` and `/healthz` for a fixed duration (wrk): the ceiling of a bare endpoint and of one
   that reads the database.
2. N fresh signed webhooks from N distinct senders, C at a time (this module's own HTTP client),
   then the time from the first send until N tickets exist.
3. Signed webhooks for a fixed duration (wrk), distinct bodies cycling: acknowledged per second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from helpdesk.settings import normalise_database_url

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
LUA_SCRIPT = BENCH_DIR / "wrk_webhooks.lua"
HELPDESK = Path(sys.executable).parent / "helpdesk"

WEBHOOK_PATH = "/webhooks/whatsapp"
PHONE_NUMBER_ID = "109876543210"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/14"
# Every outbound platform call of the app goes here (the discard port): nothing leaves the host.
NOWHERE = "http://127.0.0.1:9/"
WRK_THREADS = 2

TARGET_COST_VS_BARE = 3.0
TARGET_P99_MS = 50.0
TARGET_P99_CONCURRENCY = 50
TARGET_TICKETS_S = 20.0
TARGET_TICKETS_N = 10_000

OFFICES_TOML = """
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes (bench)"
sop = "brebes"
timezone = "Asia/Jakarta"

[[office.channel]]
kind = "whatsapp"
label = "WA bench"
phone_number_id = "{phone_number_id}"
display_phone_number = "6281100000001"
access_token = "bench-access-token"
app_secret = "{app_secret}"
verify_token = "bench-verify-token"
"""


class BenchError(Exception):
    pass


# --- the webhooks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Webhook:
    body: bytes
    signature: str


def webhook_body(phone_number_id: str, sender: str, wamid: str, text_: str) -> bytes:
    """A WhatsApp Cloud API text message (tests/channels/whatsapp/fixtures/text_message.json)."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000001", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": f"Warga {sender[-4:]}"}, "wa_id": sender}],
        "messages": [
            {
                "from": sender,
                "id": wamid,
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": text_},
            }
        ],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102938475610293", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def sign(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def make_webhooks(count: int, series: str, app_secret: str, phone_number_id: str) -> list[Webhook]:
    """`count` webhooks from as many distinct senders; `series` (one digit) keeps sets apart."""
    block = secrets.randbelow(1000)  # so that runs against one --url server use new senders
    run = secrets.token_hex(4).upper()
    hooks = []
    for i in range(count):
        sender = f"628{series}{block:03d}{i:07d}"
        body = webhook_body(
            phone_number_id,
            sender,
            f"wamid.BENCH{run}{series}{i:09d}",
            f"Bench {i}: KTP-el saya rusak, bagaimana cara menggantinya?",
        )
        hooks.append(Webhook(body, sign(body, app_secret)))
    return hooks


def http_post(host: str, path: str, hook: Webhook) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: {hook.signature}\r\nContent-Length: {len(hook.body)}\r\n\r\n"
    )
    return head.encode() + hook.body


def http_get(host: str, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def write_wrk_requests(path: Path, hooks: list[Webhook]) -> Path:
    with path.open("wb") as out:
        for hook in hooks:
            out.write(hook.signature.encode() + b"\t" + hook.body + b"\n")
    return path


# --- a small keep-alive HTTP/1.1 client (light on CPU: the server shares the machine) ----------


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    started: float = 0.0
    finished: float = 0.0

    @property
    def elapsed(self) -> float:
        return self.finished - self.started


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, close = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            raise ValueError("chunked responses are not supported")
    await reader.readexactly(length)
    return status, close


async def _connection(host: str, port: int, take: Callable[[], bytes | None], load: Load) -> None:
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    try:
        while (request := take()) is not None:
            start = time.perf_counter()
            try:
                if writer is None or reader is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(request)
                status, close = await _read_response(reader)
            except (OSError, ValueError, asyncio.IncompleteReadError):
                load.errors += 1  # counted, not retried: that webhook is lost
                close = True
            else:
                load.latencies.append(time.perf_counter() - start)
                load.statuses[status] += 1
            if close and writer is not None:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


async def send_all(
    host: str, port: int, requests: list[bytes], concurrency: int, duration: float | None = None
) -> Load:
    """Send `requests` over `concurrency` connections, each waiting for its answer.

    Without `duration` every request is sent once; with it they cycle until time is up.
    """
    load = Load(started=time.perf_counter())
    if duration is None:
        items = iter(requests)

        def take() -> bytes | None:
            return next(items, None)
    else:
        cycle, deadline = itertools.cycle(requests), load.started + duration

        def take() -> bytes | None:
            return next(cycle) if time.perf_counter() < deadline else None

    await asyncio.gather(*(_connection(host, port, take, load) for _ in range(concurrency)))
    load.finished = time.perf_counter()
    return load


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def summarize_load(load: Load) -> dict[str, Any]:
    ok = sum(n for status, n in load.statuses.items() if 200 <= status < 300)
    return {
        "tool": "python",
        "requests": sum(load.statuses.values()),
        "ok": ok,
        "seconds": round(load.elapsed, 3),
        "rps": round(ok / load.elapsed, 1) if load.elapsed else None,
        "p50_ms": _ms(percentile(load.latencies, 50)),
        "p90_ms": _ms(percentile(load.latencies, 90)),
        "p99_ms": _ms(percentile(load.latencies, 99)),
        "max_ms": _ms(max(load.latencies, default=None)),
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        "errors": load.errors,
    }


# --- wrk ----------------------------------------------------------------------------------------


def wrk_version() -> str | None:
    if shutil.which("wrk") is None:
        return None
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (
        (out.stdout or out.stderr).splitlines()[0].strip() if (out.stdout or out.stderr) else "wrk"
    )


def run_wrk(
    url: str, concurrency: int, duration: float, requests_file: Path | None
) -> dict[str, Any]:
    threads = min(WRK_THREADS, concurrency)  # wrk wants at least one connection a thread
    command = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration:g}s"]
    command += ["--timeout", "10s", "-s", str(LUA_SCRIPT), url]
    if requests_file is not None:
        command += ["--", str(requests_file), str(threads)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    lines = [line for line in out.stdout.splitlines() if line.startswith("WRK_JSON ")]
    if out.returncode != 0 or not lines:
        raise BenchError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout}")
    return summarize_wrk(json.loads(lines[-1].removeprefix("WRK_JSON ")))


def summarize_wrk(data: dict[str, Any]) -> dict[str, Any]:
    seconds = data["duration_us"] / 1e6
    ok = data["requests"] - data["status_errors"]
    latency = data["latency_us"]
    return {
        "tool": "wrk",
        "requests": data["requests"],
        "ok": ok,
        "seconds": round(seconds, 3),
        "rps": round(ok / seconds, 1),
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p90_ms": round(latency["p90"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "statuses": {"non_2xx_3xx": data["status_errors"]},
        "errors": data["connect_errors"]
        + data["read_errors"]
        + data["write_errors"]
        + data["timeouts"],
    }


# --- the system under test ----------------------------------------------------------------------


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Stack:
    base_url: str
    database_url: str | None
    app_secret: str
    phone_number_id: str
    workdir: Path
    services: list[Service] = field(default_factory=list)

    @property
    def host_port(self) -> tuple[str, int]:
        rest = self.base_url.split("://", 1)[1].split("/", 1)[0]
        host, _, port = rest.partition(":")
        return host, int(port or 80)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(
    database_url: str, workdir: Path, redis_url: str | None, queue: str | None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
    env.update(
        HELPDESK_DATABASE_URL=database_url,
        HELPDESK_DATA_DIR=str(workdir / "data"),
        HELPDESK_SECRET_KEY=secrets.token_hex(32),
        HELPDESK_GRAPH_API_URL=NOWHERE,
        HELPDESK_TELEGRAM_API_URL=NOWHERE,
        HELPDESK_LAPOR_API_URL=NOWHERE,
    )
    if redis_url and queue:
        env.update(HELPDESK_REDIS_URL=redis_url, HELPDESK_QUEUE_NAME=queue)
    return env


def run_cli(args: list[str], env: dict[str, str], workdir: Path) -> None:
    out = subprocess.run(
        [str(HELPDESK), *args], env=env, cwd=workdir, capture_output=True, text=True, timeout=120
    )
    if out.returncode != 0:
        raise BenchError(f"helpdesk {' '.join(args)} failed:\n{out.stdout}{out.stderr}")


def start_service(name: str, args: list[str], env: dict[str, str], workdir: Path) -> Service:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(HELPDESK), *args], env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT
        )
    print(f"started {name} (pid {process.pid}), log {log}", file=sys.stderr)
    return Service(name, process, log)


def stop_service(service: Service, timeout: float = 20) -> None:
    """SIGINT (uvicorn and arq finish in-flight work on it), then SIGKILL if it hangs."""
    if service.process.poll() is not None:
        return
    service.process.send_signal(signal.SIGINT)
    try:
        service.process.wait(timeout)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait(10)


def wait_until(
    ready: Callable[[], bool], services: list[Service], what: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for service in services:
            if service.process.poll() is not None:
                raise BenchError(f"{service.name} exited ({service.process.returncode}) {what}")
        if ready():
            return
        time.sleep(0.2)
    raise BenchError(f"timed out {what}")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def postgres_admin(admin_url: str, sql: str) -> None:
    async def execute() -> None:
        engine = create_async_engine(
            normalise_database_url(admin_url), isolation_level="AUTOCOMMIT"
        )
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    asyncio.run(execute())


ARQ_JOB_PREFIXES = ("arq:job:", "arq:in-progress:", "arq:retry:", "arq:result:")


def clear_queue(redis_url: str, queue: str) -> int:
    """Delete what this run's arq queue left in Redis (its own keys only): the queue, its
    health check, and the keys of its jobs. The helpdesk gives every job (cron runs included)
    an id starting with the queue's name; the ids still in the queue are taken too, whatever
    they are (a job that never ran leaves `arq:job:<id>` behind)."""
    client = redis.Redis.from_url(redis_url)
    try:
        ids = {m.decode() for m in client.zrange(queue, 0, -1)}
        keys = {queue.encode(), f"{queue}:health-check".encode()}
        keys |= {f"{prefix}{job_id}".encode() for prefix in ARQ_JOB_PREFIXES for job_id in ids}
        for prefix in ARQ_JOB_PREFIXES:
            keys |= set(client.scan_iter(match=f"{_glob_escape(prefix + queue)}:*", count=1000))
        return int(client.delete(*keys))
    finally:
        client.close()


def _glob_escape(text: str) -> str:
    """`text` matched literally in a Redis SCAN pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


PROBLEM_MARKERS = ("Traceback", "ERROR", "failed")


def log_problems(services: list[Service]) -> dict[str, dict[str, Any]]:
    """Lines of the server and worker logs that report errors (a run with any is suspect)."""
    problems: dict[str, dict[str, Any]] = {}
    for service in services:
        with contextlib.suppress(OSError):
            lines = service.log.read_text(errors="replace").splitlines()
            bad = [line for line in lines if any(m in line for m in PROBLEM_MARKERS)]
            problems[service.name] = {"lines": len(bad), "first": bad[:5]}
    return problems


def print_log_tails(services: list[Service], lines: int = 25) -> None:
    for service in services:
        with contextlib.suppress(OSError):
            tail = service.log.read_text(errors="replace").splitlines()[-lines:]
            print(f"--- last lines of {service.log} ---", *tail, sep="\n", file=sys.stderr)


@contextlib.contextmanager
def managed_stack(args: argparse.Namespace) -> Iterator[Stack]:
    """A fresh database, the offices file, `helpdesk serve` (+ `helpdesk worker`); all undone."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{args.backend}-"))
    run_id = secrets.token_hex(4)
    pg_name = f"bench_{run_id}" if args.backend == "postgresql" else None
    queue = f"bench:ingest:{run_id}" if pg_name else None
    stack = Stack("", None, secrets.token_hex(16), PHONE_NUMBER_ID, workdir)
    try:
        if pg_name:
            postgres_admin(args.postgres_admin_url, f'CREATE DATABASE "{pg_name}"')
            stack.database_url = args.postgres_admin_url.rsplit("/", 1)[0] + f"/{pg_name}"
        else:
            stack.database_url = f"sqlite:///{workdir / 'helpdesk.db'}"
        env = service_env(stack.database_url, workdir, args.redis_url, queue)
        if args.worker_nice is not None:
            env["HELPDESK_WORKER_NICE"] = str(args.worker_nice)
        run_cli(["db", "upgrade"], env, workdir)
        offices = workdir / "offices.toml"
        offices.write_text(
            OFFICES_TOML.format(phone_number_id=stack.phone_number_id, app_secret=stack.app_secret)
        )
        run_cli(["offices", "load", str(offices)], env, workdir)
        start_servers(stack, env, args.redis_url, queue)
        yield stack
    except BaseException:
        print_log_tails(stack.services)
        raise
    finally:
        for service in reversed(stack.services):
            stop_service(service)
        if queue:
            clear_queue(args.redis_url, queue)
        if pg_name and not args.keep:
            postgres_admin(
                args.postgres_admin_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'
            )
        if args.keep:
            print(f"kept {workdir}" + (f" and database {pg_name}" if pg_name else ""))
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def start_servers(stack: Stack, env: dict[str, str], redis_url: str, queue: str | None) -> None:
    port = free_port()
    stack.base_url = f"http://127.0.0.1:{port}"
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    stack.services.append(start_service("serve", serve, env, stack.workdir))
    if queue:
        stack.services.append(start_service("worker", ["worker"], env, stack.workdir))
    wait_until(lambda: http_ok(f"{stack.base_url}/healthz"), stack.services, "for /healthz", 60)
    if queue:
        client = redis.Redis.from_url(redis_url)
        try:
            key = f"{queue}:health-check"
            wait_until(lambda: bool(client.exists(key)), stack.services, "for the worker", 60)
        finally:
            client.close()


@contextlib.contextmanager
def external_stack(args: argparse.Namespace) -> Iterator[Stack]:
    if not args.app_secret:
        raise BenchError("--url needs --app-secret (the WhatsApp account's app secret)")
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-url-"))
    database_url = args.database_url or os.environ.get("HELPDESK_DATABASE_URL")
    try:
        yield Stack(
            args.url.rstrip("/"), database_url, args.app_secret, args.phone_number_id, workdir
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- the database, watched from outside ---------------------------------------------------------


def counting_engine(database_url: str) -> AsyncEngine:
    return create_async_engine(normalise_database_url(database_url), pool_size=1)


async def count(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


TICKETS_SQL = "SELECT count(*) FROM tickets"
PENDING_SQL = "SELECT count(*) FROM inbound_events WHERE status = 'pending'"


@dataclass
class TicketWatch:
    baseline: int
    target: int
    samples: list[tuple[float, int]] = field(default_factory=list)


async def watch_tickets(
    engine: AsyncEngine, watch: TicketWatch, started: float, timeout: float
) -> float | None:
    """Seconds from `started` until `watch.target` tickets exist (None: timed out)."""
    while True:
        tickets = await count(engine, TICKETS_SQL) - watch.baseline
        now = time.perf_counter() - started
        watch.samples.append((round(now, 2), tickets))
        if tickets >= watch.target:
            return now
        if now > timeout:
            return None
        await asyncio.sleep(0.1)


# --- the phases ---------------------------------------------------------------------------------


def ceiling_phase(stack: Stack, path: str, args: argparse.Namespace, tool: str) -> dict[str, Any]:
    url = stack.base_url + path
    if tool == "wrk":
        return run_wrk(url, args.concurrency, args.duration, None)
    host, port = stack.host_port
    request = http_get(f"{host}:{port}", path)
    return summarize_load(
        asyncio.run(send_all(host, port, [request], args.concurrency, args.duration))
    )


def webhook_phase(stack: Stack, args: argparse.Namespace, tool: str) -> dict[str, Any]:
    hooks = make_webhooks(args.wrk_bodies, "1", stack.app_secret, stack.phone_number_id)
    if tool == "wrk":
        requests_file = write_wrk_requests(stack.workdir / "webhooks.txt", hooks)
        result = run_wrk(
            stack.base_url + WEBHOOK_PATH, args.concurrency, args.duration, requests_file
        )
    else:
        host, port = stack.host_port
        requests = [http_post(f"{host}:{port}", WEBHOOK_PATH, h) for h in hooks]
        result = summarize_load(
            asyncio.run(send_all(host, port, requests, args.concurrency, args.duration))
        )
    result["distinct_bodies"] = len(hooks)
    if stack.database_url:
        result["pending_events_after"] = asyncio.run(_count_once(stack.database_url, PENDING_SQL))
    return result


async def _count_once(database_url: str, sql: str) -> int:
    engine = counting_engine(database_url)
    try:
        return await count(engine, sql)
    finally:
        await engine.dispose()


async def to_tickets_phase(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    """Exactly N fresh webhooks at concurrency C; then wait until they are all tickets."""
    host, port = stack.host_port
    hooks = make_webhooks(args.n, "2", stack.app_secret, stack.phone_number_id)
    requests = [http_post(f"{host}:{port}", WEBHOOK_PATH, h) for h in hooks]
    if not stack.database_url:
        return _to_tickets_result(await send_all(host, port, requests, args.concurrency), None)
    engine = counting_engine(stack.database_url)
    try:
        watch = TicketWatch(baseline=await count(engine, TICKETS_SQL), target=args.n)
        started = time.perf_counter()
        watcher = asyncio.create_task(watch_tickets(engine, watch, started, args.tickets_timeout))
        load = await send_all(host, port, requests, args.concurrency)
        watch.target = load.statuses[200]  # only what the server acknowledged can become one
        seconds = await watcher
    finally:
        await engine.dispose()
    return _to_tickets_result(load, seconds, watch)


def _to_tickets_result(
    load: Load, seconds: float | None, watch: TicketWatch | None = None
) -> dict[str, Any]:
    result = summarize_load(load)
    result["accepted"] = load.statuses[200]
    result["tickets_seconds"] = None if seconds is None else round(seconds, 2)
    if watch is not None:
        last_at, made = watch.samples[-1] if watch.samples else (0.0, 0)
        result["tickets_made"] = made
        result["tickets_when_acks_done"] = _tickets_at(watch, load.elapsed)
        result["tickets_per_s"] = round(made / last_at, 1) if last_at else None
        result["progress"] = _every_second(watch.samples)
    return result


def _tickets_at(watch: TicketWatch, seconds: float) -> int:
    before = [tickets for at, tickets in watch.samples if at <= seconds]
    return before[-1] if before else 0


def _every_second(samples: list[tuple[float, int]]) -> list[tuple[float, int]]:
    kept: dict[int, tuple[float, int]] = {}
    for at, tickets in samples:
        kept.setdefault(int(at), (at, tickets))
    return [*kept.values(), *samples[-1:]] if samples else []


# --- the report ---------------------------------------------------------------------------------


def git_commit() -> dict[str, Any]:
    def git(*argv: str) -> str:
        out = subprocess.run(
            ["git", "--no-optional-locks", *argv],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(dirty)}


def targets(result: dict[str, Any]) -> dict[str, Any]:
    phases, to_tickets = result["phases"], result["to_tickets"]
    cost = result["ratios"]["cost_vs_bare"]
    p99s = [p for p in (phases["webhook"]["p99_ms"], to_tickets["p99_ms"]) if p is not None]
    seconds = to_tickets["tickets_seconds"]
    return {
        "cost_vs_bare": {
            "value": cost,
            "limit": TARGET_COST_VS_BARE,
            "met": cost is not None and cost <= TARGET_COST_VS_BARE,
        },
        "p99_ack_ms": {
            "webhook_phase": phases["webhook"]["p99_ms"],
            "to_tickets_phase": to_tickets["p99_ms"],
            "limit": TARGET_P99_MS,
            "applies": result["concurrency"] == TARGET_P99_CONCURRENCY,
            "met": bool(p99s) and max(p99s) < TARGET_P99_MS,
        },
        "tickets_10k_s": {
            "value": seconds,
            "limit": TARGET_TICKETS_S,
            "applies": result["backend"] == "postgresql" and result["n"] >= TARGET_TICKETS_N,
            "met": seconds is not None and seconds < TARGET_TICKETS_S,
        },
    }


def ratios(phases: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    livez, healthz, webhook = (phases[k]["rps"] for k in ("livez", "healthz", "webhook"))

    def div(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a and b else None

    return {
        "webhook_over_livez": div(webhook, livez),
        "cost_vs_bare": div(livez, webhook),
        "healthz_over_livez": div(healthz, livez),
    }


def _cell(value: Any, width: int) -> str:
    return f"{'-' if value is None else value:>{width}}"


def print_table(result: dict[str, Any]) -> None:
    git = result["git"]
    print(
        f"\ningest bench: {result['backend']}, n={result['n']}, c={result['concurrency']}, "
        f"{result['duration_s']:g} s per timed phase, {result['machine']['nproc']} cores, "
        f"commit {(git['commit'] or '?')[:10]}{' (dirty tree)' if git['dirty'] else ''}, "
        f"load average {result['machine']['loadavg_before'][0]} before, "
        f"{result['machine']['loadavg_after'][0]} after"
    )
    if result["note"]:
        print(result["note"])
    header = ("tool", 7), ("ok req/s", 10), ("p50 ms", 9), ("p99 ms", 9), ("max ms", 9)
    print(f"{'phase':<22}" + "".join(_cell(name, width) for name, width in header) + "  errors")
    rows = [
        ("GET /livez", result["phases"]["livez"]),
        ("GET /healthz", result["phases"]["healthz"]),
    ]
    rows += [("POST webhook (timed)", result["phases"]["webhook"])]
    rows += [(f"POST {result['n']} webhooks", result["to_tickets"])]
    for name, row in rows:
        errors = row["errors"] + (row["requests"] - row["ok"])
        print(
            f"{name:<22}{row['tool']:>7}{_cell(row['rps'], 10)}{_cell(row['p50_ms'], 9)}"
            f"{_cell(row['p99_ms'], 9)}{_cell(row['max_ms'], 9)}{errors:>8}"
        )
    _print_summary(result)


def _print_summary(result: dict[str, Any]) -> None:
    to_tickets, webhook = result["to_tickets"], result["phases"]["webhook"]
    if "pending_events_after" in webhook:
        print(
            f"timed webhook phase: {webhook['pending_events_after']} events were still pending "
            "at its end"
        )
    print(
        f"{to_tickets['accepted']} of {result['n']} webhooks acknowledged in "
        f"{to_tickets['seconds']} s"
        + (
            f"; {to_tickets['tickets_when_acks_done']} were tickets by then"
            if "tickets_made" in to_tickets
            else " (no database URL: tickets not counted)"
        )
    )
    if to_tickets.get("tickets_seconds") is not None:
        print(
            f"all {to_tickets['accepted']} were tickets {to_tickets['tickets_seconds']} s after "
            f"the first send ({to_tickets['tickets_per_s']} tickets/s)"
        )
    elif "tickets_made" in to_tickets:
        print(
            f"timed out: {to_tickets['tickets_made']} tickets after "
            f"{result['tickets_timeout_s']:g} s ({to_tickets['tickets_per_s']} tickets/s)"
        )
    for name, found in result["log_problems"].items():
        if found["lines"]:
            print(
                f"WARNING: {found['lines']} error lines in the {name} log; the first: "
                f"{found['first'][0]}"
            )
    _print_targets(result["targets"])


def _print_targets(t: dict[str, Any]) -> None:
    def verdict(target: dict[str, Any], scope: str) -> str:
        if not target.get("applies", True):
            return f"n/a (the target is {scope})"
        return "MET" if target["met"] else "NOT MET"

    print(
        f"cost vs bare (livez req/s / webhook req/s): {t['cost_vs_bare']['value']}x "
        f"(target <= {TARGET_COST_VS_BARE:g}x): {verdict(t['cost_vs_bare'], '')}"
    )
    p99 = t["p99_ack_ms"]
    print(
        f"p99 acknowledgement: timed phase {p99['webhook_phase']} ms, N phase "
        f"{p99['to_tickets_phase']} ms (target < {TARGET_P99_MS:g} ms at c=50): "
        f"{verdict(p99, 'at c=50')}"
    )
    tk = t["tickets_10k_s"]
    value = "not reached (timed out)" if tk["value"] is None else f"{tk['value']} s"
    print(
        f"time to tickets: {value} (target < {TARGET_TICKETS_S:g} s for 10,000 on "
        f"PostgreSQL): {verdict(tk, 'for n=10000 on PostgreSQL')}"
    )


def write_result(result: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"ingest-{result['backend']}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


# --- main ---------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    version = None if args.python_client else wrk_version()
    tool = "wrk" if version else "python"
    note = (
        ""
        if version
        else (
            "wrk not used: every phase uses the Python client"
            + ("" if args.python_client else " (wrk is not installed)")
        )
    )
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = os.getloadavg()
    stack_of = external_stack if args.url else managed_stack
    with stack_of(args) as stack:
        ceiling_phase(stack, "/healthz", replace_duration(args, 1.0), tool)  # warm-up, discarded
        phases = {
            "livez": ceiling_phase(stack, "/livez", args, tool),
            "healthz": ceiling_phase(stack, "/healthz", args, tool),
        }
        to_tickets = asyncio.run(to_tickets_phase(stack, args))
        phases["webhook"] = webhook_phase(stack, args, tool)
        problems = log_problems(stack.services)
    result: dict[str, Any] = {
        "bench": "ingest",
        "backend": args.backend,
        "url": args.url,
        "n": args.n,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "tickets_timeout_s": args.tickets_timeout,
        "worker_nice": args.worker_nice,
        "started_at": started_at,
        "load_generator": version or "python",
        "note": note,
        "machine": {
            "nproc": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            # 1/5/15-minute load averages: others' work on the machine shows up here.
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "git": git_commit(),
        "phases": phases,
        "to_tickets": to_tickets,
        "log_problems": problems,
    }
    result["ratios"] = ratios(phases)
    result["targets"] = targets(result)
    return result


def replace_duration(args: argparse.Namespace, duration: float) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "duration": duration})


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    p.add_argument("--n", type=int, default=10_000, help="webhooks in the to-tickets phase")
    p.add_argument("--concurrency", type=int, default=50, help="connections (senders) at a time")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per timed (wrk) phase")
    p.add_argument("--wrk-bodies", type=int, default=30_000, help="distinct bodies, timed phase")
    p.add_argument("--tickets-timeout", type=float, default=300.0)
    p.add_argument("--python-client", action="store_true", help="do not use wrk")
    p.add_argument("--keep", action="store_true", help="keep the temp dir and the database")
    p.add_argument("--url", help="an already running server (nothing is started or dropped)")
    p.add_argument("--app-secret", help="with --url: the WhatsApp account's app secret")
    p.add_argument("--phone-number-id", default=PHONE_NUMBER_ID, help="with --url")
    p.add_argument("--database-url", help="with --url: where to count tickets")
    p.add_argument(
        "--worker-nice", type=int, help="the worker's niceness (default: the helpdesk's own, 10)"
    )
    p.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    p.add_argument("--redis-url", default=REDIS_URL)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        result = run(args)
    except BenchError as exc:
        print(f"bench.ingest: {exc}", file=sys.stderr)
        return 1
    print_table(result)
    print(f"\nwrote {write_result(result).relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
