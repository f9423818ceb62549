"""Receiving in batches: a batch gives the same tickets, in the same order, as one by one."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.db import transaction
from helpdesk.models import (
    Contact,
    ContactIdentity,
    InboundEvent,
    InboundStatus,
    Message,
    Ticket,
)
from helpdesk.receiving import Incoming, Received, receive
from tests.conftest import TOMOHON_WA, inbound


async def receive_batch(rt, *messages) -> list:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        return await receive(session, [Incoming("whatsapp", m) for m in messages])


async def count(rt, model) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_a_new_citizen_writing_twice_in_one_batch_gets_one_contact_and_one_ticket(rt, seed):
    first, second = await receive_batch(
        rt, inbound("Halo", sender="6281111"), inbound("KTP saya hilang", sender="6281111")
    )
    assert first.new_ticket and not second.new_ticket
    assert first.ticket_id == second.ticket_id
    assert (await count(rt, Contact), await count(rt, ContactIdentity)) == (1, 1)
    assert await count(rt, Message) == 2


async def test_new_tickets_are_numbered_in_arrival_order_per_office(rt, seed):
    outcomes = await receive_batch(
        rt,
        inbound("satu", sender="6281001"),
        inbound("dua", sender="6281002", account=TOMOHON_WA),
        inbound("tiga", sender="6281003"),
    )
    async with rt.sessions() as session:
        numbers = [(await session.get_one(Ticket, o.ticket_id)).register_no for o in outcomes]
    assert [n.rsplit("/", 1)[1] for n in numbers] == ["000001", "000001", "000002"]
    assert numbers[0].startswith("ADU/BREBES/") and numbers[1].startswith("ADU/TOMOHON/")


async def test_a_message_twice_in_one_batch_is_received_once(rt, seed):
    message = inbound("Halo", external_id="wamid.twice")
    outcomes = await receive_batch(rt, message, message)
    assert isinstance(outcomes[0], Received) and outcomes[1] == "duplicate"
    assert (await count(rt, Message), await count(rt, Ticket)) == (1, 1)


async def test_an_already_stored_message_in_a_batch_adds_nothing_not_even_a_contact(rt, seed):
    stored = inbound("Halo", sender="6282222", external_id="wamid.stored")
    await receive_batch(rt, stored)
    again = inbound("Halo", sender="6282222", external_id="wamid.stored")
    fresh = inbound("Baru", sender="6283333")
    outcomes = await receive_batch(rt, again, fresh)
    assert outcomes[0] == "duplicate" and isinstance(outcomes[1], Received)
    assert (await count(rt, Contact), await count(rt, Ticket)) == (2, 2)


async def test_unrouted_messages_do_not_stop_the_rest_of_the_batch(rt, seed):
    outcomes = await receive_batch(
        rt, inbound("salah nomor", account="999999"), inbound("Halo", sender="6284444")
    )
    assert outcomes[0] == "unrouted" and isinstance(outcomes[1], Received)


async def test_an_existing_contacts_open_ticket_continues_across_batches(rt, seed):
    [first] = await receive_batch(rt, inbound("Halo", sender="6285555"))
    second, other = await receive_batch(
        rt, inbound("Lanjut", sender="6285555"), inbound("Orang lain", sender="6286666")
    )
    assert second.ticket_id == first.ticket_id and not second.new_ticket
    assert other.new_ticket and other.ticket_id != first.ticket_id


async def test_a_reply_threads_to_a_message_earlier_in_the_same_batch(rt, seed):
    # Email clients: a reply carries the ids it answers; its original may arrive alongside it.
    original = inbound("Aduan KK", sender="warga@example.id", external_id="<a@mail.test>")
    reply = inbound(
        "Ini lampirannya",
        sender="saudara@example.id",  # another sender on the thread: the ids still count
        external_id="<b@mail.test>",
        thread_refs=("<a@mail.test>",),
    )
    first, second = await receive_batch(rt, original, reply)
    assert second.ticket_id == first.ticket_id and not second.new_ticket
    assert await count(rt, Ticket) == 1


async def _pending_events(rt, count_: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Stored raw events still waiting to be received (what another drain may hold)."""
    async with transaction(rt.sessions) as session:
        events = [InboundEvent(channel="whatsapp", body=b"{}") for _ in range(count_)]
        session.add_all(events)
        await session.flush()
        return [e.id for e in events]


async def _receive_from_event(rt, message, event_id: int, *, may_wait: bool = True):  # type: ignore[no-untyped-def]
    incoming = Incoming(
        "whatsapp", message, event_id, continues_open_ticket=False, may_wait=may_wait
    )
    async with transaction(rt.sessions) as session:
        (outcome,) = await receive(session, [incoming])
    return outcome


async def test_a_reply_that_overtakes_the_message_it_answers_waits_for_it(rt, seed):
    parent_event, reply_event = await _pending_events(rt, 2)
    parent = inbound("KTP saya rusak", sender="6281001", external_id="<a@mail.test>")
    reply = inbound(
        "Ini fotonya", sender="6281002", external_id="<b@mail.test>", thread_refs=("<a@mail.test>",)
    )
    # Another drain is still receiving the earlier event: the reply waits, and opens nothing.
    assert await _receive_from_event(rt, reply, reply_event) == "waiting"
    assert (await count(rt, Ticket), await count(rt, Message)) == (0, 0)

    opened = await _receive_from_event(rt, parent, parent_event)
    async with transaction(rt.sessions) as session:
        event = await session.get_one(InboundEvent, parent_event)
        event.status = InboundStatus.processed
    threaded = await _receive_from_event(rt, reply, reply_event)
    assert isinstance(threaded, Received) and not threaded.new_ticket
    assert threaded.ticket_id == opened.ticket_id


async def test_a_reply_to_an_unknown_thread_waits_only_while_earlier_events_are_pending(rt, seed):
    earlier, own = await _pending_events(rt, 2)
    reply = inbound("Balasan", sender="6281003", thread_refs=("<never-seen@mail.test>",))
    # Out of tries (ingest says so): it opens a ticket of its own, even with the earlier pending.
    opened = await _receive_from_event(rt, reply, own, may_wait=False)
    assert isinstance(opened, Received) and opened.new_ticket

    async with transaction(rt.sessions) as session:
        for event_id in (earlier, own):
            (await session.get_one(InboundEvent, event_id)).status = InboundStatus.processed
    # Nothing earlier is pending: an unknown thread opens a ticket at once.
    (later,) = await _pending_events(rt, 1)
    fresh = inbound("Balasan lain", sender="6281004", thread_refs=("<gone@mail.test>",))
    outcome = await _receive_from_event(rt, fresh, later)
    assert isinstance(outcome, Received) and outcome.new_ticket
