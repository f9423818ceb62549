"""GroupInsert: concurrent rows share a round trip, and nobody hears "stored" before a commit;
new rows of a flush share one INSERT on both databases."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import DBAPIError

from helpdesk.db import GroupInsert, transaction
from helpdesk.models import Contact, InboundEvent, InboundStatus, Office, utcnow


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


async def test_waiting_for_idle_returns_once_the_waiting_rows_are_stored(rt):
    group = GroupInsert(rt.engine, insert(InboundEvent.__table__))
    assert not group.busy
    callers = [asyncio.create_task(group.insert(event_row(n))) for n in range(20)]
    await asyncio.sleep(0)
    assert group.busy
    await group.wait_idle(timeout=10)
    assert not group.busy
    assert all(caller.done() for caller in callers)
    assert await stored(rt, b"body 19")


async def test_a_group_knows_whether_rows_came_in_lately(rt):
    group = GroupInsert(rt.engine, insert(InboundEvent.__table__))
    assert not group.busy_within(60)
    await group.insert(event_row(1))
    assert group.busy_within(60)
    assert not group.busy_within(0)


async def test_new_rows_flushed_together_go_in_one_insert_each_with_its_own_id(rt, seed):
    inserts: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO contacts"):
            inserts.append(statement)

    event.listen(rt.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with transaction(rt.sessions) as session:
            office_id = await session.scalar(select(Office.id).where(Office.code == "brebes"))
            contacts = [Contact(office_id=office_id, name=f"Warga {n}") for n in range(5)]
            session.add_all(contacts)
            await session.flush()
            assigned = {c.id: c.name for c in contacts}
    finally:
        event.remove(rt.engine.sync_engine, "before_cursor_execute", count)

    assert len(inserts) == 1
    async with rt.sessions() as session:
        rows = await session.execute(
            select(Contact.id, Contact.name).where(Contact.id.in_(assigned))
        )
        assert dict(rows.all()) == assigned
    assert len(assigned) == 5


async def test_waiting_for_a_pause_gives_up_while_rows_keep_coming(rt):
    group = GroupInsert(rt.engine, insert(InboundEvent.__table__))
    assert await group.wait_quiet(60, timeout=0)  # nothing ever came: quiet at once
    stop = asyncio.Event()

    async def stream() -> None:
        n = 0
        while not stop.is_set():
            await group.insert(event_row(n))
            n += 1

    streaming = asyncio.create_task(stream())
    await asyncio.sleep(0)
    assert not await group.wait_quiet(60, timeout=0.2)  # no pause of 60 s in a stream
    assert not streaming.done()
    stop.set()
    await streaming
    assert await group.wait_quiet(0.05, timeout=60)  # the stream stopped: a pause comes
    assert not group.busy_within(0.05)
