"""Stored inbound events are processed once, and nothing stored is ever lost."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from helpdesk.db import transaction
from helpdesk.ingest import STATUS_WAIT_TRIES, process_event, process_pending
from helpdesk.jobs.tasks import sweep
from helpdesk.models import Attachment, InboundEvent, Message, Ticket, utcnow

FIXTURES = Path(__file__).parent.parent / "channels" / "whatsapp" / "fixtures"


async def store(rt, body: bytes, due_in: timedelta = timedelta(0)) -> int:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        event = InboundEvent(channel="whatsapp", body=body, not_before=utcnow() + due_in)
        session.add(event)
        await session.flush()
        return event.id


async def event(rt, event_id: int) -> InboundEvent:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.get_one(InboundEvent, event_id)


async def count(rt, model) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_an_event_left_pending_by_a_crash_is_processed_by_the_sweep(rt, seed, jobs):
    # The web process stored the body and died before it woke the drain.
    event_id = await store(rt, (FIXTURES / "text_message.json").read_bytes())
    assert (await sweep(rt))["events_due"] == 1
    await jobs.drain()
    assert (await event(rt, event_id)).status == "processed"
    assert await count(rt, Ticket) == 1


async def test_an_event_claimed_by_a_worker_that_died_comes_back_when_its_lease_ends(rt, seed):
    event_id = await store(rt, (FIXTURES / "text_message.json").read_bytes(), timedelta(minutes=1))
    assert (await sweep(rt))["events_due"] == 0
    assert await process_pending(rt) == 0  # still leased: nobody else takes it
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(InboundEvent).values(not_before=utcnow() - timedelta(seconds=1))
        )
    assert await process_pending(rt) == 1
    stored = await event(rt, event_id)
    assert (stored.status, stored.attempts) == ("processed", 1)
    assert await count(rt, Ticket) == 1


async def test_processing_twice_changes_nothing(rt, seed):
    body = (FIXTURES / "text_message.json").read_bytes()
    first, second = await store(rt, body), await store(rt, body)  # Meta re-delivered it
    await process_event(rt, first)
    await process_event(rt, second)
    await process_event(rt, first)
    assert await count(rt, Message) == 1
    assert (await event(rt, second)).status == "processed"


async def test_malformed_json_with_a_good_signature_is_kept_as_rejected(rt, seed):
    event_id = await store(rt, b'{"object": "whatsapp_business_account", "entry": [')
    assert await process_event(rt, event_id) == "rejected"
    stored = await event(rt, event_id)
    assert stored.error and stored.body.startswith(b'{"object"')


async def test_an_unknown_phone_number_id_is_kept_and_flagged(rt, seed):
    body = (FIXTURES / "text_message.json").read_bytes().replace(b"109876543210", b"555000111")
    event_id = await store(rt, body)
    assert await process_event(rt, event_id) == "unrouted"
    assert "555000111" in (await event(rt, event_id)).error
    assert await count(rt, Ticket) == 0


async def test_media_are_recorded_as_pending_attachments(rt, seed):
    event_id = await store(rt, (FIXTURES / "image_message.json").read_bytes())
    await process_event(rt, event_id)
    async with rt.sessions() as session:
        attachment = (await session.scalars(select(Attachment))).one()
        message = await session.get_one(Message, attachment.message_id)
    assert attachment.media_id == "1184726350917264"
    assert attachment.declared_type == "image/jpeg"
    assert message.body.startswith("Ini foto KK saya")


async def test_a_status_that_overtakes_its_send_is_retried_then_given_up(rt, seed):
    event_id = await store(rt, (FIXTURES / "status_read.json").read_bytes())
    for attempt in range(1, STATUS_WAIT_TRIES):
        assert await process_event(rt, event_id) == "pending"  # the message may yet be recorded
        stored = await event(rt, event_id)
        assert stored.attempts == attempt and stored.not_before > utcnow()
        assert await process_pending(rt) == 0  # backing off
    assert await process_event(rt, event_id) == "processed"
    assert "never sent" in (await event(rt, event_id)).error


async def test_an_event_that_breaks_its_batch_fails_alone_and_the_others_go_through(
    rt, seed, monkeypatch
):
    adapter = rt.adapters["whatsapp"]
    parse = adapter.parse

    def parse_or_break(body: bytes):  # type: ignore[no-untyped-def]
        parsed = parse(body)
        if any(m.body == "poison" for m in parsed.messages):
            raise RuntimeError("a bug this body triggers")
        return parsed

    monkeypatch.setattr(adapter, "parse", parse_or_break)
    good = (FIXTURES / "text_message.json").read_bytes()
    poison = good.replace(b"wamid.", b"wamid.poison").replace(
        b'"body": "', b'"body": "poison", "x": "'
    )
    ids = [await store(rt, good), await store(rt, poison)]
    assert await process_pending(rt) == 2
    assert (await event(rt, ids[0])).status == "processed"
    broken = await event(rt, ids[1])
    assert broken.status == "pending" and "a bug this body triggers" in broken.error
    assert broken.not_before > utcnow()  # backing off, not hammering


async def test_an_event_that_keeps_failing_is_parked_as_failed_for_replay(rt, seed, monkeypatch):
    from helpdesk import ingest

    def broken(body: bytes):  # type: ignore[no-untyped-def]
        raise RuntimeError("still broken")

    monkeypatch.setattr(rt.adapters["whatsapp"], "parse", broken)
    event_id = await store(rt, (FIXTURES / "text_message.json").read_bytes())
    for _ in range(ingest.MAX_ATTEMPTS):
        assert await process_event(rt, event_id) == "pending"
    assert await process_event(rt, event_id) == "failed"
    assert "gave up" in (await event(rt, event_id)).error


async def test_drains_running_at_once_receive_every_event_exactly_once(rt, seed, caplog):
    import asyncio
    import json

    from helpdesk import ingest

    template = json.loads((FIXTURES / "text_message.json").read_bytes())
    for i in range(120):
        payload = json.loads(json.dumps(template))
        value = payload["entry"][0]["changes"][0]["value"]
        value["messages"][0]["id"] = f"wamid.many{i}"
        value["messages"][0]["from"] = value["contacts"][0]["wa_id"] = f"62812{i % 40:05d}"
        await store(rt, json.dumps(payload).encode())

    async def drain_in_small_batches() -> None:
        while await ingest.process_pending(rt, limit=7):
            pass

    await asyncio.gather(*(drain_in_small_batches() for _ in range(3)))
    assert await count(rt, Message) == 120
    assert await count(rt, Ticket) == 40  # one per citizen, however the batches fell
    async with rt.sessions() as session:
        statuses = set(await session.scalars(select(InboundEvent.status)))
        numbers = list(await session.scalars(select(Ticket.register_seq)))
    assert statuses == {"processed"}
    assert sorted(numbers) == list(range(1, 41))
    assert "one by one" not in caplog.text  # whole batches went through, none fell apart
