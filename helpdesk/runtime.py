"""Everything a request handler or a job needs, built once per process from the settings."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels.base import AccountConfig, ChannelAdapter
from channels.registry import build_adapters
from helpdesk.db import GroupInsert, create_engine, create_read_engine, create_sessionmaker
from helpdesk.jobs.queue import JobQueue
from helpdesk.jobs.wakeup import Gate, Wakeup
from helpdesk.models import ChannelAccount, InboundEvent
from helpdesk.offices import account_config
from helpdesk.settings import Settings
from helpdesk.storage import AttachmentStore

# Webhook authentication needs every account's secret on every request; re-read them this often.
ACCOUNT_CACHE_SECONDS = 10.0

log = logging.getLogger(__name__)


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("reading channel accounts failed", exc_info=task.exception())


def settle_heap() -> None:
    """Call once a process has started: what it built (modules, the app, the mappers, compiled
    statements) leaves the garbage collector's sight. A full collection otherwise walks all of
    it and stalls every request of the process (55-180 ms each in the server, bench/ingest).

    Then turns the collector on: `helpdesk.cli.main` starts a process with it off, so nothing
    was collected while all this was built. No collection first: a pass over the ~125,000
    objects of a started server takes 70-85 ms, which the first mail and request would wait
    for, to free ~1,000 objects (~0.2 MB, mostly classes and functions that imports made and
    dropped); they stay, frozen with the rest (the pattern of the `gc.freeze` documentation)."""
    gc.freeze()
    gc.enable()


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    adapters: dict[str, ChannelAdapter]
    storage: AttachmentStore
    queue: JobQueue | None = None
    # SQLite: sessions for requests that only read (helpdesk.db.create_read_engine); None
    # where `sessions` serve reads beside writes anyway (PostgreSQL).
    read_engine: AsyncEngine | None = None
    read_sessions: async_sessionmaker[AsyncSession] | None = None
    # Live inbox updates (helpdesk.notify): the web app's channels plugin, or a Redis publisher.
    events: Any = None
    _accounts: dict[str, tuple[float, list[AccountConfig]]] = field(default_factory=dict)
    _account_reads: dict[str, asyncio.Task[list[AccountConfig]]] = field(default_factory=dict)
    _inbound_wakeup: Wakeup | None = None
    _inbound_store: GroupInsert | None = None
    inbound_drains: Gate = field(default_factory=Gate)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings)
        read_engine = create_read_engine(settings)
        return cls(
            settings=settings,
            engine=engine,
            sessions=create_sessionmaker(engine),
            read_engine=read_engine,
            read_sessions=None if read_engine is None else create_sessionmaker(read_engine),
            adapters=build_adapters(settings.endpoints),
            storage=AttachmentStore(settings.data_dir / "attachments"),
            # SQLite: one connection to the one writer; a second drain would only queue on it.
            inbound_drains=Gate(limit=1 if settings.is_sqlite else 2),
        )

    @property
    def jobs(self) -> JobQueue:
        if self.queue is None:
            raise RuntimeError("no job queue attached to this runtime")
        return self.queue

    @property
    def inbound_store(self) -> GroupInsert:
        """Where webhooks store raw bodies: concurrent ones share a round trip and a commit."""
        if self._inbound_store is None:
            self._inbound_store = GroupInsert(self.engine, insert(InboundEvent.__table__))
        return self._inbound_store

    @property
    def inbound_wakeup(self) -> Wakeup:
        """Call it after storing inbound events: the drain job runs soon after, once for many."""
        if self._inbound_wakeup is None or self._inbound_wakeup.queue is not self.jobs:
            self._inbound_wakeup = Wakeup(self.jobs, "drain_inbound")
        return self._inbound_wakeup

    async def accounts_of_kind(self, kind: str) -> list[AccountConfig]:
        """The active accounts of a channel kind, re-read every ACCOUNT_CACHE_SECONDS. Once read,
        a request never waits for the re-reading: it takes the last list while one task reads
        the new one (a webhook would otherwise queue for the database behind every other)."""
        cached = self._accounts.get(kind)
        if cached is None:  # shielded: a caller that goes away leaves the read to the others
            return await asyncio.shield(self._read_accounts(kind))
        if time.monotonic() - cached[0] >= ACCOUNT_CACHE_SECONDS:
            self._read_accounts(kind)
        return cached[1]

    def _read_accounts(self, kind: str) -> asyncio.Task[list[AccountConfig]]:
        task = self._account_reads.get(kind)
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(self._load_accounts(kind))
            task.add_done_callback(_log_failure)
            self._account_reads[kind] = task
        return task

    async def _load_accounts(self, kind: str) -> list[AccountConfig]:
        async with self.reader() as session:
            rows = await session.scalars(
                select(ChannelAccount).where(
                    ChannelAccount.kind == kind, ChannelAccount.active.is_(True)
                )
            )
            configs = [account_config(a) for a in rows]
        self._accounts[kind] = (time.monotonic(), configs)
        return configs

    async def warm_accounts(self) -> set[str]:
        """Read every channel's accounts now, at a process's start, in one query. Otherwise the
        first webhooks after a start all wait for that read (the first 30-50 of a burst took
        25-35 ms instead of 5, bench/ingest). Returns the kinds that have an account."""
        async with self.reader() as session:
            rows = await session.scalars(
                select(ChannelAccount).where(ChannelAccount.active.is_(True))
            )
            configs: dict[str, list[AccountConfig]] = {kind: [] for kind in self.adapters}
            for account in rows:
                configs.setdefault(account.kind, []).append(account_config(account))
        read_at = time.monotonic()
        for kind, accounts in configs.items():
            self._accounts[kind] = (read_at, accounts)
        return {kind for kind, accounts in configs.items() if accounts}

    def reader(self) -> AsyncSession:
        """A session for reads only: on SQLite beside the one writer, not queued behind it."""
        return (self.read_sessions or self.sessions)()

    def forget_accounts(self) -> None:
        self._accounts.clear()
        self._account_reads.clear()

    async def close(self) -> None:
        reading = [task for task in self._account_reads.values() if not task.done()]
        await asyncio.gather(*reading, return_exceptions=True)  # short, and on this engine
        if hasattr(self.events, "aclose"):
            await self.events.aclose()
        await self.engine.dispose()
        if self.read_engine is not None:
            await self.read_engine.dispose()
