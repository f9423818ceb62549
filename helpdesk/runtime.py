"""Everything a request handler or a job needs, built once per process from the settings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels.base import AccountConfig, ChannelAdapter
from channels.registry import build_adapters
from helpdesk.db import GroupInsert, create_engine, create_sessionmaker
from helpdesk.jobs.queue import JobQueue
from helpdesk.jobs.wakeup import Gate, Wakeup
from helpdesk.models import ChannelAccount, InboundEvent
from helpdesk.offices import account_config
from helpdesk.settings import Settings
from helpdesk.storage import AttachmentStore

# Webhook authentication needs every account's secret on every request; re-read them this often.
ACCOUNT_CACHE_SECONDS = 10.0


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    adapters: dict[str, ChannelAdapter]
    storage: AttachmentStore
    queue: JobQueue | None = None
    # Live inbox updates (helpdesk.notify): the web app's channels plugin, or a Redis publisher.
    events: Any = None
    _accounts: dict[str, tuple[float, list[AccountConfig]]] = field(default_factory=dict)
    _inbound_wakeup: Wakeup | None = None
    _inbound_store: GroupInsert | None = None
    inbound_drains: Gate = field(default_factory=Gate)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings)
        return cls(
            settings=settings,
            engine=engine,
            sessions=create_sessionmaker(engine),
            adapters=build_adapters(settings.endpoints),
            storage=AttachmentStore(settings.data_dir / "attachments"),
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
        cached = self._accounts.get(kind)
        if cached and time.monotonic() - cached[0] < ACCOUNT_CACHE_SECONDS:
            return cached[1]
        async with self.sessions() as session:
            rows = await session.scalars(
                select(ChannelAccount).where(
                    ChannelAccount.kind == kind, ChannelAccount.active.is_(True)
                )
            )
            configs = [account_config(a) for a in rows]
        self._accounts[kind] = (time.monotonic(), configs)
        return configs

    def forget_accounts(self) -> None:
        self._accounts.clear()

    async def close(self) -> None:
        if hasattr(self.events, "aclose"):
            await self.events.aclose()
        await self.engine.dispose()
