"""Shared steps of the LAPOR tests: one poll round as the helpdesk runs it, and reading back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from channels.base import AccountConfig
from channels.sp4n_lapor.poller import FeedSettings, ReportPoller
from helpdesk import ingest
from helpdesk.models import InboundEvent, Message, Ticket
from helpdesk.polling import AccountSink, Lease
from helpdesk.runtime import Runtime
from tests.channels.sp4n_lapor.conftest import AGENCY, TOKEN


async def poll_once(rt: Runtime, account_id: int, wrap: Any = None) -> int:
    """A fresh poller (as after a restart) syncs once; then the stored events are processed.
    `wrap(sink)` may stand between the poller and the helpdesk's sink."""
    lease = Lease(rt, account_id, "test", 60)
    assert await lease.acquire()
    try:
        adapter: Any = rt.adapters["sp4n_lapor"]
        config = AccountConfig(AGENCY, {"agency_id": AGENCY, "api_token": TOKEN})
        sink: Any = AccountSink(rt, account_id, "sp4n_lapor", lease)
        sink = wrap(sink) if wrap else sink
        client = adapter.client(config)
        try:
            stored = await ReportPoller(FeedSettings(AGENCY), client, sink).sync()
        finally:
            await client.aclose()
    finally:
        await lease.release()
    await process_all(rt)
    return stored


async def process_all(rt: Runtime) -> None:
    while await ingest.process_pending(rt):
        pass


async def tickets(rt: Runtime) -> list[Ticket]:
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(Ticket).where(Ticket.channel == "sp4n_lapor").order_by(Ticket.id)
        )
        return list(rows)


async def timeline(rt: Runtime, ticket_id: int) -> list[Message]:
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)
        )
        return list(rows)


async def events(rt: Runtime) -> list[InboundEvent]:
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(InboundEvent)
            .where(InboundEvent.channel == "sp4n_lapor")
            .order_by(InboundEvent.id)
        )
        return list(rows)
