"""Ingest: a citizen's message becomes a contact, a ticket with a register number, a message."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from helpdesk import ingest
from helpdesk.ingest import Received
from helpdesk.models import Contact, InboundStatus, Message, Ticket, TicketStatus, utcnow
from tests.conftest import TOMOHON_WA, inbound


async def count(rt, model) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_first_message_opens_a_ticket_with_a_register_number(rt, receive):
    result = await receive(inbound("KTP saya rusak"))
    assert isinstance(result, Received) and result.new_ticket
    async with rt.sessions() as session:
        ticket = await session.get(Ticket, result.ticket_id)
    year = utcnow().year
    assert ticket.register_no == f"ADU/BREBES/{year}/000001"
    assert ticket.status == TicketStatus.new
    assert ticket.subject == "KTP saya rusak"
    assert ticket.channel == "whatsapp"


async def test_the_next_message_continues_the_open_ticket(rt, receive):
    first = await receive(inbound("Halo"))
    second = await receive(inbound("KTP saya rusak"))
    assert second.ticket_id == first.ticket_id and not second.new_ticket
    assert await count(rt, Message) == 2


async def test_a_redelivered_message_adds_nothing(rt, receive):
    message = inbound("Halo", external_id="wamid.same")
    assert isinstance(await receive(message), Received)
    assert await receive(message) == "duplicate"
    assert await count(rt, Message) == 1
    assert await count(rt, Ticket) == 1


async def test_a_redelivered_first_message_never_opens_a_second_ticket(rt, receive):
    message = inbound("Halo", external_id="wamid.first")
    await receive(message)
    # Even if the ticket was closed meanwhile, the duplicate must not open a new one.
    async with rt.sessions() as session, session.begin():
        ticket = (await session.scalars(select(Ticket))).one()
        ticket.status = TicketStatus.closed
    assert await receive(message) == "duplicate"
    assert await count(rt, Ticket) == 1


async def test_register_numbers_count_per_office(rt, receive):
    a = await receive(inbound("satu", sender="6281111111111"))
    b = await receive(inbound("dua", sender="6282222222222"))
    c = await receive(inbound("tiga", sender="6283333333333", account=TOMOHON_WA))
    async with rt.sessions() as session:
        numbers = [(await session.get(Ticket, r.ticket_id)).register_no for r in (a, b, c)]
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000001"]
    assert numbers[2].startswith("ADU/TOMOHON/")


async def test_same_number_writing_to_two_offices_is_two_contacts(rt, receive):
    await receive(inbound("Brebes"))
    await receive(inbound("Tomohon", account=TOMOHON_WA))
    assert await count(rt, Contact) == 2


async def test_a_closed_ticket_is_not_continued(rt, receive):
    first = await receive(inbound("Halo"))
    async with rt.sessions() as session, session.begin():
        ticket = await session.get(Ticket, first.ticket_id)
        ticket.status = TicketStatus.closed
    second = await receive(inbound("Masalah baru"))
    assert second.new_ticket and second.ticket_id != first.ticket_id


async def test_a_recently_resolved_ticket_is_reopened(rt, receive):
    first = await receive(inbound("Halo"))
    async with rt.sessions() as session, session.begin():
        ticket = await session.get(Ticket, first.ticket_id)
        ticket.status, ticket.resolved_at = TicketStatus.resolved, utcnow()
    second = await receive(inbound("Belum selesai"))
    assert second.ticket_id == first.ticket_id
    async with rt.sessions() as session:
        assert (await session.get(Ticket, first.ticket_id)).status == TicketStatus.open


async def test_unknown_account_is_unrouted(rt, receive):
    assert await receive(inbound("Halo", account="999")) == "unrouted"
    assert await count(rt, Ticket) == 0


async def test_concurrent_messages_from_one_new_citizen_share_one_ticket(rt, receive):
    results = await asyncio.gather(*(receive(inbound(f"pesan {i}")) for i in range(8)))
    assert len({r.ticket_id for r in results}) == 1
    assert await count(rt, Contact) == 1
    assert await count(rt, Message) == 8


async def test_while_webhooks_arrive_the_drain_takes_small_batches_after_them(rt):
    assert await ingest.next_batch_size(rt) == ingest.BATCH
    now = utcnow()
    await rt.inbound_store.insert(
        {
            "channel": "whatsapp",
            "received_at": now,
            "not_before": now,
            "headers": {},
            "body": b"{}",
            "status": InboundStatus.pending,
            "attempts": 0,
        }
    )
    assert await ingest.next_batch_size(rt) == ingest.ACK_BATCH
    assert not rt.inbound_store.busy  # the rows waiting went first
