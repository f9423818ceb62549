"""Acknowledging comes before processing: in a process that both stores webhooks and drains
them, the drain stands aside while webhooks keep arriving, and still gets a turn in a stream
that never pauses. The account list a webhook needs is read at a process's start."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, func, select

from helpdesk import ingest
from helpdesk.models import InboundEvent, InboundStatus
from tests.conftest import BREBES_WA
from tests.helpdesk.test_db import event_row


async def _statuses(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.execute(
            select(InboundEvent.status, func.count()).group_by(InboundEvent.status)
        )
        return {str(status): count for status, count in rows}


async def _stream(rt, stop: asyncio.Event) -> int:  # type: ignore[no-untyped-def]
    """Store rows one after another, as webhooks would, until told to stop."""
    sent = 0
    while not stop.is_set():
        await rt.inbound_store.insert(event_row(sent))
        sent += 1
    return sent


async def test_the_drain_takes_nothing_while_webhooks_keep_coming(
    rt, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(ingest, "ACK_PAUSE_SECONDS", 0.5)  # far longer than one insert
    monkeypatch.setattr(ingest, "ACK_YIELD_SECONDS", 600.0)
    stop = asyncio.Event()
    stream = asyncio.create_task(_stream(rt, stop))
    while (await _statuses(rt)).get(InboundStatus.pending, 0) < 5:
        await asyncio.sleep(0)
    drain = asyncio.create_task(ingest.drain(rt))
    while (await _statuses(rt)).get(InboundStatus.pending, 0) < 40:
        await asyncio.sleep(0)
    assert set(await _statuses(rt)) == {InboundStatus.pending}  # not one taken meanwhile
    assert not drain.done()

    stop.set()
    sent = await stream
    async with asyncio.timeout(30):
        taken = await drain  # the pause came: it processes them all (each body is unreadable)
    assert taken == sent
    assert await _statuses(rt) == {InboundStatus.rejected: sent}


async def test_a_stream_without_a_pause_still_lets_the_drain_take_a_small_batch(
    rt, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(ingest, "ACK_PAUSE_SECONDS", 0.5)
    monkeypatch.setattr(ingest, "ACK_YIELD_SECONDS", 0.05)
    stop = asyncio.Event()
    stream = asyncio.create_task(_stream(rt, stop))
    while not (await _statuses(rt)).get(InboundStatus.pending):
        await asyncio.sleep(0)
    drain = asyncio.create_task(ingest.drain(rt))
    async with asyncio.timeout(30):
        while not (await _statuses(rt)).get(InboundStatus.rejected):
            await asyncio.sleep(0.01)
    assert not stream.done()  # taken while the rows were still coming
    assert (await _statuses(rt))[InboundStatus.rejected] <= ingest.ACK_BATCH * 10
    stop.set()
    sent = await stream
    async with asyncio.timeout(30):
        await drain
    assert await _statuses(rt) == {InboundStatus.rejected: sent}


async def test_accounts_read_at_start_serve_webhooks_without_a_query(rt, seed):
    statements: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engines = [e.sync_engine for e in (rt.engine, rt.read_engine) if e is not None]
    await rt.warm_accounts()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        whatsapp = await rt.accounts_of_kind("whatsapp")
        telegram = await rt.accounts_of_kind("telegram")
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    assert BREBES_WA in {a.key for a in whatsapp}
    assert telegram == []  # a channel without accounts is known to have none
    assert statements == []
