"""Receiving in batches: a batch gives the same tickets, in the same order, as one by one."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy import func, select

from channels.base import ContentKind, MediaRef
from helpdesk import notify
from helpdesk.db import transaction
from helpdesk.ingest import _receive_all
from helpdesk.models import (
    Attachment,
    AuditEvent,
    Category,
    Contact,
    ContactIdentity,
    InboundEvent,
    InboundStatus,
    Message,
    Office,
    StepTransition,
    Ticket,
)
from helpdesk.receiving import Incoming, Received, receive
from helpdesk.workflow import clock
from helpdesk.workflow import engine as workflow
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


# -- new rows written set-wise (helpdesk.receiving_rows) ----------------------------------------


async def _audit(rt, ticket_id: int) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.ticket_id == ticket_id)
            .order_by(AuditEvent.id)
        )
        return [(action, detail) for action, detail in rows]


async def test_each_new_ticket_of_a_batch_starts_as_its_offices_sop_starts_a_ticket(rt, seed):
    outcomes = await receive_batch(
        rt,
        inbound("KTP saya rusak, mohon dicetak ulang", sender="6287001"),
        inbound("Halo, selamat pagi", sender="6287002", account=TOMOHON_WA),
        inbound("akta kelahiran anak saya salah nama", sender="6287003"),
    )
    async with rt.sessions() as session:
        tickets = [await session.get_one(Ticket, o.ticket_id) for o in outcomes]
        offices = [await session.get_one(Office, t.office_id) for t in tickets]
        steps = {
            ticket_id: (from_step, to_step, action)
            for ticket_id, from_step, to_step, action in await session.execute(
                select(
                    StepTransition.ticket_id,
                    StepTransition.from_step,
                    StepTransition.to_step,
                    StepTransition.action,
                )
            )
        }
    assert [t.category for t in tickets] == [Category.ktp_el, Category.other, "akta_kelahiran"]
    for ticket, office in zip(tickets, offices, strict=True):
        profile = workflow.profile_for(office)
        cal = clock.calendar_for(office, profile)
        start = profile.start_step("whatsapp")
        assert (ticket.kind, ticket.step, ticket.status) == (profile.kind, start.id, "new")
        assert ticket.unit == profile.units.get(ticket.category)
        assert ticket.due_at == clock.add(cal, ticket.created_at, profile.deadline)
        assert ticket.step_due_at is not None and ticket.sla_check_at is not None
        assert ticket.workflow_state["warn_at"] and ticket.last_activity_at == ticket.created_at
        assert steps[ticket.id] == ("", start.id, "start")
        assert await _audit(rt, ticket.id) == [
            ("ticket.opened", {"channel": "whatsapp", "register_no": ticket.register_no}),
            ("step.changed", {"from": "", "to": start.id, "action": "start"}),
        ]


async def test_a_new_citizens_later_message_in_the_batch_counts_on_the_new_ticket(rt, seed):
    first = inbound("Halo", sender="6287101")
    first = replace(first, sent_at=first.sent_at - timedelta(seconds=60))
    later = replace(
        inbound("akta kelahiran anak saya salah", sender="6287101", confidential=True),
        sent_at=first.sent_at + timedelta(seconds=30),
    )
    opened, continued = await receive_batch(rt, first, later)
    assert continued.ticket_id == opened.ticket_id
    async with rt.sessions() as session:
        ticket = await session.get_one(Ticket, opened.ticket_id)
    # As when the messages come in two batches: the later text suggests the category, a
    # confidential message hides the ticket, the reply window counts from the later message.
    assert (ticket.category, ticket.confidential) == ("akta_kelahiran", True)
    assert ticket.last_inbound_at == later.sent_at
    assert [a for a, _ in await _audit(rt, ticket.id)] == ["ticket.opened", "step.changed"]


async def test_contacts_created_in_a_batch_keep_the_keys_merge_proposals_compare(rt, seed):
    await receive_batch(
        rt,
        inbound("Halo", sender="6281299990101", name="Siti  Aminah", sender_phone="0812-9999-0101"),
        inbound("Halo", sender="6281299990102", name=None),
    )
    async with rt.sessions() as session:
        stored = list(await session.scalars(select(Contact).order_by(Contact.id)))
    # What the ORM's validators would have kept for the same values.
    expected = [Contact(name="Siti  Aminah", phone="0812-9999-0101"), Contact(name="", phone=None)]
    assert [(c.name, c.phone, c.phone_key, c.name_key) for c in stored] == [
        (c.name, c.phone, c.phone_key, c.name_key) for c in expected
    ]
    assert stored[0].phone_key and stored[0].name_key


async def test_a_known_contact_without_a_name_takes_the_name_it_now_sends(rt, seed):
    [first] = await receive_batch(rt, inbound("Halo", sender="6287201", name=None))
    await receive_batch(rt, inbound("Lagi", sender="6287201", name="Budi Santoso"))
    async with rt.sessions() as session:
        ticket = await session.get_one(Ticket, first.ticket_id)
        contact = await session.get_one(Contact, ticket.contact_id)
        identity = (await session.scalars(select(ContactIdentity))).one()
    assert (contact.name, contact.name_key) == (
        "Budi Santoso",
        Contact(name="Budi Santoso").name_key,
    )
    assert identity.display == "Budi Santoso"


async def test_attachments_of_a_batch_belong_to_their_own_messages(rt, seed):
    def photo(media_id: str) -> MediaRef:
        return MediaRef(media_id, "image/jpeg", f"{media_id}.jpg", kind=ContentKind.image)

    outcomes = await receive_batch(
        rt,
        inbound("dua foto", sender="6287301", media=(photo("m1"), photo("m2"))),
        inbound("tanpa foto", sender="6287302"),
        inbound("satu foto", sender="6287303", media=(photo("m3"),)),
    )
    async with rt.sessions() as session:
        rows = dict((await session.execute(select(Attachment.id, Attachment.media_id))).all())
        owners = dict((await session.execute(select(Attachment.id, Attachment.message_id))).all())
    assert [[rows[a] for a in o.attachment_ids] for o in outcomes] == [["m1", "m2"], [], ["m3"]]
    for outcome in outcomes:
        assert all(owners[a] == outcome.message_id for a in outcome.attachment_ids)


async def test_every_ticket_of_a_batch_is_announced_live(rt, seed, backend):
    """One event per ticket that got a message (helpdesk.notify), sent in one Redis round trip
    by a process without the web app (`helpdesk worker`)."""
    messages = [
        inbound("satu", sender="6287401"),
        inbound("dua", sender="6287401"),
        inbound("tiga", sender="6287402", account=TOMOHON_WA),
    ]
    batch = [Incoming("whatsapp", m) for m in messages]
    if backend == "sqlite":  # no Redis and no web app: nobody could listen, nothing is sent
        await _receive_all(rt, batch, [])
        assert rt.events is None
        return
    redis = Redis.from_url(rt.settings.redis_url)
    pubsub = redis.pubsub()
    await pubsub.subscribe(*(notify.channel_for(rt.settings, o) for o in seed.offices.values()))
    try:
        outcomes = await _receive_all(rt, batch, [])
        heard = []
        async with asyncio.timeout(10):  # a bound on waiting, not a timing assertion
            while len(heard) < 2:
                raw = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                if raw is not None:  # None: a subscription's confirmation, or nothing yet
                    heard.append(notify.InboxEvent.decode(raw["data"]))
    finally:
        await pubsub.aclose()
        await redis.aclose()
    assert sorted((e.office, e.ticket, e.message) for e in heard) == sorted(
        [
            (seed.offices["brebes"], outcomes[1].ticket_id, outcomes[1].message_id),
            (seed.offices["tomohon"], outcomes[2].ticket_id, outcomes[2].message_id),
        ]
    )
