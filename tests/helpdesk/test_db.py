"""GroupInsert: concurrent rows share a round trip, and nobody hears "stored" before a commit."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from helpdesk.db import GroupInsert
from helpdesk.models import InboundEvent, InboundStatus, utcnow


def event_row(n: int) -> dict:  # type: ignore[type-arg]
    now = utcnow()
    return {
        "channel": "whatsapp",
        "received_at": now,
        "not_before": now,
        "headers": {},
        "body": f"body {n}".encode(),
        "status": InboundStatus.pending,
        "attempts": 0,
    }


async def stored(rt, body: bytes) -> bool:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:  # another connection: sees only what is committed
        return bool(
            await session.scalar(
                select(func.count()).select_from(InboundEvent).where(InboundEvent.body == body)
            )
        )


async def test_every_caller_returns_after_its_row_is_committed(rt):
    group = GroupInsert(rt.engine, insert(InboundEvent.__table__))

    async def insert_and_check(n: int) -> bool:
        await group.insert(event_row(n))
        return await stored(rt, f"body {n}".encode())

    assert all(await asyncio.gather(*(insert_and_check(n) for n in range(60))))
    async with rt.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundEvent)) == 60


async def test_a_failing_batch_fails_each_of_its_callers_and_the_next_batch_goes_on(rt):
    group = GroupInsert(rt.engine, insert(InboundEvent.__table__))
    broken = {**event_row(0), "channel": None}  # NOT NULL: the whole statement is refused
    results = await asyncio.gather(
        group.insert(broken), group.insert(event_row(1)), return_exceptions=True
    )
    assert all(isinstance(r, DBAPIError) for r in results)  # one batch: neither is "stored"
    await group.insert(event_row(2))
    assert await stored(rt, b"body 2") and not await stored(rt, b"body 1")


async def test_a_lone_row_is_stored_at_once(rt):
    group = GroupInsert(rt.engine, insert(InboundEvent.__table__))
    await asyncio.wait_for(group.insert(event_row(1)), timeout=10)
    assert await stored(rt, b"body 1")
