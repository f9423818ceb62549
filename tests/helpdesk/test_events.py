"""Stored inbound events are processed once, and nothing stored is ever lost."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from helpdesk.db import transaction
from helpdesk.ingest import process_event
from helpdesk.jobs.tasks import sweep
from helpdesk.models import Attachment, InboundEvent, Message, Ticket, utcnow

FIXTURES = Path(__file__).parent.parent / "channels" / "whatsapp" / "fixtures"


async def store(rt, body: bytes, age: timedelta = timedelta(0)) -> int:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        event = InboundEvent(channel="whatsapp", body=body, received_at=utcnow() - age)
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
    # The web process stored the body and died before the job ran (nothing was enqueued).
    event_id = await store(rt, (FIXTURES / "text_message.json").read_bytes(), timedelta(minutes=5))
    assert (await sweep(rt))["events"] == 1
    await jobs.drain()
    assert (await event(rt, event_id)).status == "processed"
    assert await count(rt, Ticket) == 1


async def test_a_fresh_pending_event_is_left_to_its_own_job(rt, seed):
    await store(rt, (FIXTURES / "text_message.json").read_bytes())
    assert (await sweep(rt))["events"] == 0


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
    from helpdesk.jobs.queue import RetryLater

    event_id = await store(rt, (FIXTURES / "status_read.json").read_bytes())
    for _ in range(4):
        try:
            await process_event(rt, event_id)
        except RetryLater:
            continue
        raise AssertionError("expected a retry while the message is unknown")
    assert await process_event(rt, event_id) == "processed"
    assert "never sent" in (await event(rt, event_id)).error
