"""Shared fixtures: every database test runs on SQLite and on PostgreSQL (+ Redis for jobs).

PostgreSQL and Redis must be reachable (CI starts them). A missing service fails the run
loudly; set HELPDESK_TEST_SKIP_SERVICES=1 to skip those tests on a machine without them.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from channels.base import ContentKind, InboundMessage, PlatformEndpoints
from helpdesk.auth import create_token, hash_password
from helpdesk.db import transaction
from helpdesk.ingest import receive_message
from helpdesk.jobs.inprocess import InProcessQueue
from helpdesk.migrate import upgrade
from helpdesk.models import Base, Membership, Office, Role, User
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.runtime import Runtime
from helpdesk.settings import Settings

# The platform simulators' fixtures (served on real ports) are shared by every test package.
pytest_plugins = ["tests.simulators"]

POSTGRES_ADMIN_URL = os.environ.get(
    "HELPDESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("HELPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SKIP_SERVICES = os.environ.get("HELPDESK_TEST_SKIP_SERVICES") == "1"
SECRET_KEY = "test-secret-key-" + "x" * 32
PASSWORD = "rahasia-123"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
BREBES_WA = "109876543210"
TOMOHON_WA = "109876543211"

OFFICES_TOML = f"""
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
sop = "brebes"
timezone = "Asia/Jakarta"

[[office.channel]]
kind = "whatsapp"
label = "WA Pengaduan Brebes"
phone_number_id = "{BREBES_WA}"
display_phone_number = "6281100000001"
access_token = "{ACCESS_TOKEN}"
app_secret = "{APP_SECRET}"
verify_token = "{VERIFY_TOKEN}"

[[office]]
code = "tomohon"
name = "Dinas Kependudukan dan Pencatatan Sipil Kota Tomohon"
sop = "tomohon"
timezone = "Asia/Makassar"

[[office.channel]]
kind = "whatsapp"
label = "WA Dukcapil Tomohon"
phone_number_id = "{TOMOHON_WA}"
display_phone_number = "6281100000002"
access_token = "{ACCESS_TOKEN}"
app_secret = "{APP_SECRET}"
verify_token = "{VERIFY_TOKEN}"
"""


def _in_thread(func: Any, *args: Any) -> Any:
    """Run blocking set-up (Alembic, asyncio.run) off the test's event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(func, *args).result()


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _require(service: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{service} is not reachable at {host}:{port}"
    if SKIP_SERVICES:
        pytest.skip(message + " (HELPDESK_TEST_SKIP_SERVICES=1)")
    pytest.fail(message + ": start it (.ci/run does) or set HELPDESK_TEST_SKIP_SERVICES=1")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy (migrating per test would be slow)."""
    path = tmp_path_factory.mktemp("template") / "helpdesk.db"
    _in_thread(upgrade, _settings(f"sqlite+aiosqlite:///{path}", path.parent))
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    _require("PostgreSQL", "127.0.0.1", 5432)
    name = f"helpdesk_test_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://", 1)
    _in_thread(asyncio.run, _admin_sql(admin, f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    async_url = url.replace("postgresql://", "postgresql+asyncpg://", 1)
    _in_thread(upgrade, _settings(async_url, Path("/tmp")))
    yield async_url
    _in_thread(asyncio.run, _admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin_sql(url: str, sql: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


async def _truncate(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


def _settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key=SECRET_KEY,
        **overrides,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "helpdesk.db"
        shutil.copy(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    await _truncate(url)
    return url


@pytest.fixture
def endpoints() -> PlatformEndpoints:
    """Where the platforms are; tests that talk to a simulator override this fixture."""
    return PlatformEndpoints(graph_api_url="http://127.0.0.1:9/graph/", timeout_seconds=5)


@pytest.fixture
def settings(
    backend: str, database_url: str, tmp_path: Path, endpoints: PlatformEndpoints
) -> Settings:
    redis_url = None
    if backend == "postgresql":
        _require("Redis", "127.0.0.1", 6379)
        redis_url = REDIS_URL
    return _settings(database_url, tmp_path / "data", redis_url=redis_url, endpoints=endpoints)


@dataclass
class Jobs:
    """The job system of a test: in-process on SQLite, arq on a real Redis with PostgreSQL."""

    rt: Runtime
    queue_name: str | None = None
    ran: list[str] = field(default_factory=list)

    async def drain(self, timeout: float = 30.0) -> None:
        """Run every job that is due now, and the jobs they enqueue, until none is left; stored
        inbound events included, even those no webhook woke the drain for."""
        from helpdesk.ingest import has_due_events

        async with asyncio.timeout(timeout):
            await self.rt.inbound_wakeup.flush()
            while True:
                await self._run_queue(timeout)
                if not await has_due_events(self.rt):
                    return
                await self.rt.jobs.enqueue("drain_inbound")

    async def _run_queue(self, timeout: float) -> None:
        if isinstance(self.rt.queue, InProcessQueue):
            await self.rt.queue.drain(timeout)
            return
        from helpdesk.jobs.worker import make_worker

        worker = make_worker(
            self.rt.settings,
            self.queue_name or "",
            burst=True,
            poll_delay=0,
            handle_signals=False,
            cron_jobs=[],
            on_startup=self._share_runtime,
            on_shutdown=None,
        )
        try:
            async with asyncio.timeout(timeout):
                await worker.main()
        finally:
            await worker.close()

    async def _share_runtime(self, ctx: dict[str, Any]) -> None:
        ctx["runtime"] = self.rt


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime.create(settings)
    if settings.redis_url:
        from helpdesk.jobs.worker import ArqQueue

        queue = await ArqQueue.connect(settings.redis_url, f"helpdesk:test:{uuid.uuid4().hex}")
        runtime.queue = queue
        yield runtime
        await queue.pool.delete(queue.queue_name)
        await queue.close()
    else:
        queue = InProcessQueue(runtime, workers=2, sweep_every=None)
        runtime.queue = queue
        queue.start()
        yield runtime
        await queue.close()
    await runtime.close()


@pytest.fixture
def jobs(rt: Runtime) -> Jobs:
    return Jobs(rt=rt, queue_name=getattr(rt.queue, "queue_name", None))


@pytest.fixture
def app(settings: Settings, rt: Runtime):  # type: ignore[no-untyped-def]
    from helpdesk.app import create_app

    return create_app(settings, runtime=rt, jobs=False)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """An HTTP client calling the app in the test's own event loop (Litestar's AsyncTestClient
    runs the app on another loop, which asyncpg connections cannot cross)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


@dataclass
class Seed:
    offices: dict[str, int]
    users: dict[str, int]
    tokens: dict[str, str]

    def bearer(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


@pytest.fixture
async def seed(rt: Runtime) -> Seed:
    """Brebes and Tomohon with a WhatsApp number each, an admin each, and a superuser."""
    async with transaction(rt.sessions) as session:
        offices = {o.code: o.id for o in await apply_offices(session, parse_offices(OFFICES_TOML))}
        users: dict[str, int] = {}
        tokens: dict[str, str] = {}
        for username, office, role in (
            ("admin_brebes", "brebes", Role.admin),
            ("admin_tomohon", "tomohon", Role.admin),
            ("kasie_tomohon", "tomohon", Role.kasie),
            ("root", None, Role.superuser),
        ):
            user = User(
                username=username,
                full_name=username.replace("_", " ").title(),
                password_hash=_password_hash(),
                is_superuser=role == Role.superuser,
            )
            session.add(user)
            await session.flush()
            if office:
                session.add(Membership(user_id=user.id, office_id=offices[office], role=role))
            users[username] = user.id
            tokens[username] = await create_token(session, user, "tests")
    return Seed(offices=offices, users=users, tokens=tokens)


_counter = iter(range(1, 10**9))


def inbound(
    text: str = "KTP saya rusak, bagaimana cara menggantinya?",
    *,
    sender: str = "6281234567890",
    name: str | None = "Siti Aminah",
    account: str = BREBES_WA,
    external_id: str | None = None,
    kind: ContentKind = ContentKind.text,
    **extra: Any,
) -> InboundMessage:
    return InboundMessage(
        account_key=account,
        external_id=external_id or f"wamid.test{next(_counter)}",
        sender_id=sender,
        sender_name=name,
        sent_at=datetime.now(UTC),
        kind=kind,
        body=text,
        **extra,
    )


@pytest.fixture
def receive(rt: Runtime, seed: Seed):  # type: ignore[no-untyped-def]
    """`await receive(inbound(...))`: a citizen's message through the real ingest path."""

    async def _receive(message: InboundMessage, channel: str = "whatsapp") -> Any:
        return await receive_message(rt, channel, message)

    return _receive


async def find_office(rt: Runtime, code: str) -> Office:
    from sqlalchemy import select

    async with rt.sessions() as session:
        return (await session.scalars(select(Office).where(Office.code == code))).one()
