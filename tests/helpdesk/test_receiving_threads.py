"""Threading a received batch (`helpdesk/receiving_threads.py`): each kind of reference is
looked up once for the whole batch, and every message still goes where it went one by one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from channels.base import InboundMessage
from helpdesk.db import transaction
from helpdesk.models import InboundEvent, InboundStatus, Ticket, TicketStatus, utcnow
from helpdesk.receiving import Incoming, Outcome, Received, receive
from tests.conftest import TOMOHON_WA, inbound


def mail_like(message: InboundMessage, event_id: int | None = None, **kwargs: bool) -> Incoming:
    """A message of a channel where a message that threads to nothing opens a new ticket."""
    return Incoming("whatsapp", message, event_id, continues_open_ticket=False, **kwargs)


async def receive_batch(rt, *batch: Incoming) -> list[Outcome]:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        return await receive(session, list(batch))


def received(outcomes: list[Outcome]) -> list[Received]:
    assert all(isinstance(o, Received) for o in outcomes), outcomes
    return outcomes  # type: ignore[return-value]


@contextmanager
def counted(rt) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The statements the database is sent meanwhile."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(rt.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(rt.engine.sync_engine, "before_cursor_execute", count)


async def opened(rt, sender: str, external_id: str, **extra) -> Received:  # type: ignore[no-untyped-def]
    (outcome,) = await receive_batch(
        rt, mail_like(inbound("Aduan", sender=sender, external_id=external_id, **extra))
    )
    assert isinstance(outcome, Received) and outcome.new_ticket
    return outcome


async def register_no(rt, ticket_id: int) -> str:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return (await session.get_one(Ticket, ticket_id)).register_no


async def test_replies_of_a_batch_to_one_stored_ticket_all_continue_it(rt, seed):
    parent = await opened(rt, "6281001", "<a@mail.test>")
    replies = [
        inbound(f"Balasan {n}", sender="6281001", thread_refs=("<a@mail.test>",)) for n in range(5)
    ]
    # Someone else on the thread, answering the first reply and through it the original.
    relative = inbound(
        "Saya adiknya",
        sender="6281002",
        thread_refs=(replies[0].external_id, "<a@mail.test>"),
    )
    outcomes = received(await receive_batch(rt, *(mail_like(m) for m in [*replies, relative])))
    assert {o.ticket_id for o in outcomes} == {parent.ticket_id}
    assert not any(o.new_ticket for o in outcomes)


async def test_the_lookup_costs_the_same_for_two_replies_as_for_many(rt, seed):
    stored = [await opened(rt, f"628200{n}", f"<{n}@mail.test>") for n in range(4)]
    numbers = [await register_no(rt, o.ticket_id) for o in stored]

    def by_id(n: int) -> Incoming:
        return mail_like(inbound("Balasan", sender=f"628200{n}", thread_refs=(f"<{n}@mail.test>",)))

    def by_number(n: int) -> Incoming:
        return mail_like(inbound("Menanyakan", sender=f"628200{n}", ticket_hint=numbers[n]))

    with counted(rt) as two:
        received(await receive_batch(rt, by_id(0), by_number(1)))
    with counted(rt) as many:
        batch = [item for n in range(12) for item in (by_id(n % 4), by_number((n + 1) % 4))]
        outcomes = received(await receive_batch(rt, *batch))
    assert len(many) == len(two)
    expected = [stored[k].ticket_id for n in range(12) for k in (n % 4, (n + 1) % 4)]
    assert [o.ticket_id for o in outcomes] == expected


async def test_replies_thread_to_tickets_opened_earlier_in_the_same_batch(rt, seed):
    first = inbound("KTP rusak", sender="6283001", external_id="<k1@mail.test>")
    other = inbound("KK hilang", sender="6283002", external_id="<k2@mail.test>")
    reply = inbound("Foto KTP", sender="6283001", thread_refs=("<k1@mail.test>",))
    # A reply to the reply, that also names the other matter further back: the nearest wins.
    answer = inbound(
        "Terima kasih",
        sender="6283001",
        thread_refs=(reply.external_id, "<k2@mail.test>"),
    )
    to_other = inbound("Dokumen KK", sender="6283003", thread_refs=("<k2@mail.test>",))
    outcomes = received(
        await receive_batch(rt, *(mail_like(m) for m in (first, other, reply, answer, to_other)))
    )
    assert [o.new_ticket for o in outcomes] == [True, True, False, False, False]
    assert [o.ticket_id for o in outcomes[2:]] == [outcomes[0].ticket_id] * 2 + [
        outcomes[1].ticket_id
    ]


async def test_the_nearest_reference_wins_between_a_stored_ticket_and_one_of_the_batch(rt, seed):
    stored = await opened(rt, "6283101", "<old@mail.test>")
    fresh = inbound("Aduan baru", sender="6283101", external_id="<new@mail.test>")
    nearest_new = inbound(
        "Balasan", sender="6283101", thread_refs=("<new@mail.test>", "<old@mail.test>")
    )
    nearest_old = inbound(
        "Balasan", sender="6283101", thread_refs=("<old@mail.test>", "<new@mail.test>")
    )
    outcomes = received(
        await receive_batch(rt, *(mail_like(m) for m in (fresh, nearest_new, nearest_old)))
    )
    assert outcomes[1].ticket_id == outcomes[0].ticket_id != stored.ticket_id
    assert outcomes[2].ticket_id == stored.ticket_id


async def test_register_numbers_quoted_in_a_batch_continue_each_contacts_own_ticket(rt, seed):
    siti = await opened(rt, "6284001", "<s@mail.test>")
    budi = await opened(rt, "6284002", "<b@mail.test>")
    siti_no, budi_no = await register_no(rt, siti.ticket_id), await register_no(rt, budi.ticket_id)
    outcomes = received(
        await receive_batch(
            rt,
            mail_like(inbound("Menanyakan", sender="6284001", ticket_hint=siti_no)),
            mail_like(inbound("Saya juga", sender="6284002", ticket_hint=budi_no)),
            mail_like(inbound("Lagi", sender="6284001", ticket_hint=siti_no)),
            # A register number is sequential: someone else's is no way into a ticket.
            mail_like(inbound("Menebak", sender="6284001", ticket_hint=budi_no)),
            mail_like(inbound("Warga baru", sender="6284003", ticket_hint=siti_no)),
        )
    )
    assert [o.ticket_id for o in outcomes[:3]] == [siti.ticket_id, budi.ticket_id, siti.ticket_id]
    assert outcomes[3].new_ticket and outcomes[4].new_ticket
    assert len({o.ticket_id for o in outcomes}) == 4


async def test_only_continuable_tickets_of_the_accounts_own_office_are_threaded_to(rt, seed):
    open_ = await opened(rt, "6285001", "<open@mail.test>")
    recent = await opened(rt, "6285002", "<recent@mail.test>")
    stale = await opened(rt, "6285003", "<stale@mail.test>")
    elsewhere = await opened(rt, "6285004", "<tomohon@mail.test>", account=TOMOHON_WA)
    async with transaction(rt.sessions) as session:
        for outcome, days in ((recent, 2), (stale, 30)):
            ticket = await session.get_one(Ticket, outcome.ticket_id)
            ticket.status = TicketStatus.resolved
            ticket.resolved_at = utcnow() - timedelta(days=days)  # the window is 7 days
    stale_no = await register_no(rt, stale.ticket_id)

    def reply(sender: str, ref: str, **extra) -> Incoming:  # type: ignore[no-untyped-def]
        return mail_like(inbound("Balasan", sender=sender, thread_refs=(ref,), **extra))

    outcomes = received(
        await receive_batch(
            rt,
            reply("6285001", "<open@mail.test>"),
            reply("6285002", "<recent@mail.test>"),
            reply("6285003", "<stale@mail.test>"),
            reply("6285004", "<tomohon@mail.test>"),  # Brebes's number: Tomohon's id is unknown
            reply("6285005", "<tomohon@mail.test>", account=TOMOHON_WA),
            mail_like(inbound("Nomor lama", sender="6285003", ticket_hint=stale_no)),
        )
    )
    assert outcomes[0].ticket_id == open_.ticket_id and outcomes[1].ticket_id == recent.ticket_id
    assert outcomes[2].new_ticket and outcomes[3].new_ticket and outcomes[5].new_ticket
    assert outcomes[4].ticket_id == elsewhere.ticket_id
    async with rt.sessions() as session:
        reopened = await session.get_one(Ticket, recent.ticket_id)
    assert reopened.status == TicketStatus.open


async def test_a_platform_reference_continues_its_matter_whatever_its_state(rt, seed):
    first = await opened(rt, "6286001", "lapor-1", external_ref="LAPOR-123")
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, first.ticket_id)
        ticket.status = TicketStatus.closed
    outcomes = received(
        await receive_batch(
            rt,
            mail_like(inbound("Tindak lanjut", sender="6286002", external_ref="LAPOR-123")),
            mail_like(inbound("Laporan baru", sender="6286002", external_ref="LAPOR-456")),
            mail_like(inbound("Tambahan", sender="6286003", external_ref="LAPOR-456")),
        )
    )
    assert outcomes[0].ticket_id == first.ticket_id
    assert outcomes[1].new_ticket and outcomes[2].ticket_id == outcomes[1].ticket_id


async def _events(rt, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        events = [InboundEvent(channel="whatsapp", body=b"{}") for _ in range(count)]
        session.add_all(events)
        await session.flush()
        return [e.id for e in events]


async def test_replies_of_a_batch_wait_only_for_earlier_events_outside_it(rt, seed):
    outside, parent_event, reply_event, later_event = await _events(rt, 4)
    parent = inbound("Aduan", sender="6287001", external_id="<p@mail.test>")
    reply = inbound("Balasan", sender="6287001", thread_refs=("<p@mail.test>",))
    unknown = inbound("Balasan", sender="6287002", thread_refs=("<gone@mail.test>",))
    outcomes = await receive_batch(
        rt,
        mail_like(parent, parent_event, may_wait=True),
        mail_like(reply, reply_event, may_wait=True),  # its parent is in the batch: no wait
        mail_like(unknown, later_event, may_wait=True),  # the event before the batch may hold it
    )
    assert isinstance(outcomes[1], Received) and outcomes[2] == "waiting"
    assert outcomes[1].ticket_id == outcomes[0].ticket_id  # type: ignore[union-attr]

    async with transaction(rt.sessions) as session:
        for event_id in (outside, parent_event, reply_event):
            (await session.get_one(InboundEvent, event_id)).status = InboundStatus.processed
    (again,) = await receive_batch(rt, mail_like(unknown, later_event, may_wait=True))
    assert isinstance(again, Received) and again.new_ticket
