"""`STATUS <register number>` on WhatsApp: the sender's own ticket's status, on the same
channel, through the outbox; never a new ticket, never another citizen's ticket."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from channels.base import PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from helpdesk.auth import load_principal
from helpdesk.db import transaction
from helpdesk.ingest import process_event
from helpdesk.jobs.tasks import sweep
from helpdesk.models import (
    Direction,
    InboundEvent,
    Message,
    MessageStatus,
    OutboxItem,
    OutboxState,
    Ticket,
    utcnow,
)
from helpdesk.outbox import queue_reply, send_item
from helpdesk.personal_data import mask
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA, inbound
from tests.helpdesk.out_of_authority import AGENCY, NIK, REASON, close_as_another_agency_s

SITI, BUDI, STRANGER = "6281234567890", "6281299990000", "6281255550000"


@pytest.fixture
def simulator(serve_whatsapp_simulator, webhook_receiver):  # type: ignore[no-untyped-def]
    config = SimulatorConfig(
        numbers=[SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes")],
        app_secret=APP_SECRET,
        webhook_url=webhook_receiver.url,
        status_delays=StatusDelays(sent=30, delivered=30, read=None),
    )
    return serve_whatsapp_simulator(config)


@pytest.fixture
def endpoints(simulator) -> PlatformEndpoints:  # type: ignore[no-untyped-def]
    return PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5)


async def answered(rt, seed, receive, sender: str, answer: str) -> Ticket:  # type: ignore[no-untyped-def]
    received = await receive(inbound("KTP saya rusak, mohon dibantu", sender=sender))
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, received.ticket_id)
        principal = await load_principal(session, seed.users["admin_brebes"])
        await queue_reply(session, ticket, principal, answer)
    return ticket


async def counts(rt):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        tickets = await session.scalar(select(func.count()).select_from(Ticket))
        messages = await session.scalar(select(func.count()).select_from(Message))
        return tickets, messages


async def status_replies(rt, ticket_id: int) -> list[Message]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(Message)
            .where(Message.ticket_id == ticket_id, Message.direction == Direction.outbound)
            .order_by(Message.id)
        )
        return [m for m in rows if (m.details or {}).get("status_command")]


async def test_status_of_ones_own_ticket_is_answered_on_the_same_channel(
    rt, seed, receive, simulator
):
    ticket = await answered(rt, seed, receive, SITI, "KTP-el Anda sudah dicetak.")
    before = await counts(rt)
    outcome = await receive(inbound(f"status {ticket.register_no.lower()}", sender=SITI))
    assert outcome.ticket_id == ticket.id and not outcome.new_ticket
    tickets, messages = await counts(rt)
    assert tickets == before[0] and messages == before[1] + 2  # the question and the answer
    [reply] = await status_replies(rt, ticket.id)
    assert reply.body.startswith(f"Status pengaduan {ticket.register_no}")
    assert "KTP-el Anda sudah dicetak." in reply.body
    async with rt.sessions() as session:
        item = await session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply.id))
        ticket_now = await session.get_one(Ticket, ticket.id)
    assert (ticket_now.status, ticket_now.step) == (ticket.status, ticket.step)
    assert (await send_item(rt, item.id)).state == "done"
    sent = [m for m in simulator.store.outbound() if m.text == reply.body]
    assert [m.citizen for m in sent] == [SITI]
    # Asked again: the answer quoted is still the office's, not the automatic reply before.
    await receive(inbound(f"STATUS {ticket.register_no}", sender=SITI))
    replies = await status_replies(rt, ticket.id)
    assert len(replies) == 2 and replies[1].body == reply.body


async def test_a_redelivered_status_command_is_answered_once(rt, seed, receive):
    ticket = await answered(rt, seed, receive, SITI, "Sudah selesai.")
    command = inbound(f"STATUS {ticket.register_no}", sender=SITI, external_id="wamid.status1")
    await receive(command)
    assert await receive(command) == "duplicate"
    assert len(await status_replies(rt, ticket.id)) == 1


async def test_another_citizens_ticket_is_not_found_and_leaks_nothing(rt, seed, receive):
    siti = await answered(rt, seed, receive, SITI, "Jawaban rahasia untuk Siti.")
    budi = await answered(rt, seed, receive, BUDI, "Jawaban untuk Budi.")
    outcome = await receive(inbound(f"STATUS {siti.register_no}", sender=BUDI))
    assert outcome.ticket_id == budi.id
    [reply] = await status_replies(rt, budi.id)
    assert "tidak ditemukan" in reply.body
    assert "rahasia" not in reply.body and "Siti" not in reply.body
    missing = await receive(inbound("STATUS ADU/BREBES/2026/999999", sender=BUDI))
    assert missing.ticket_id == budi.id
    replies = await status_replies(rt, budi.id)
    assert replies[1].body == replies[0].body.replace(siti.register_no, "ADU/BREBES/2026/999999")


async def test_a_stranger_opens_no_ticket_and_gets_no_answer(rt, seed, receive):
    siti = await answered(rt, seed, receive, SITI, "Jawaban.")
    before = await counts(rt)
    assert await receive(inbound(f"STATUS {siti.register_no}", sender=STRANGER)) == "ignored"
    assert await counts(rt) == before


async def test_an_ordinary_message_mentioning_status_is_received_as_usual(rt, seed, receive):
    received = await receive(inbound("Bagaimana status KTP saya?", sender=STRANGER))
    assert received.new_ticket


async def test_a_report_closed_as_another_agency_s_is_answered_with_where_to_go(rt, seed, receive):
    ticket = await answered(rt, seed, receive, SITI, "Kami teruskan.")
    await close_as_another_agency_s(rt, ticket.id)
    await receive(inbound(f"STATUS {ticket.register_no}", sender=SITI))
    [reply] = await status_replies(rt, ticket.id)
    assert "bukan kewenangan Dukcapil dan sudah ditutup" in reply.body
    assert "\n\nInstansi yang berwenang:\n" + mask(REASON) + "\n\n" in reply.body
    assert AGENCY in reply.body and NIK not in reply.body  # the NIK in it masked
    assert "Pengaduan Anda sudah ditutup." not in reply.body


async def test_an_ordinary_closed_report_is_answered_as_closed(rt, seed, receive):
    ticket = await answered(rt, seed, receive, SITI, "Sudah selesai.")
    await close_as_another_agency_s(rt, ticket.id, None)
    await receive(inbound(f"STATUS {ticket.register_no}", sender=SITI))
    [reply] = await status_replies(rt, ticket.id)
    assert "Pengaduan Anda sudah ditutup." in reply.body
    assert "kewenangan" not in reply.body and "Instansi" not in reply.body


async def test_a_confidential_report_closed_as_another_agency_s_withholds_the_agency(
    rt, seed, receive
):
    ticket = await answered(rt, seed, receive, SITI, "Kami teruskan.")
    await close_as_another_agency_s(rt, ticket.id, confidential=True)
    await receive(inbound(f"STATUS {ticket.register_no}", sender=SITI))
    [reply] = await status_replies(rt, ticket.id)
    assert "bukan kewenangan Dukcapil" in reply.body
    assert AGENCY not in reply.body and "Instansi yang berwenang" not in reply.body


def webhook_body(text: str, sender: str) -> bytes:
    """What Meta posts for one text message, written just now."""
    message = {
        "from": sender,
        "id": f"wamid.status{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000001", "phone_number_id": BREBES_WA},
        "contacts": [{"profile": {"name": "Siti"}, "wa_id": sender}],
        "messages": [message],
    }
    entry = {"id": "102938475610293", "changes": [{"value": value, "field": "messages"}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


async def store_event(rt, body: bytes) -> int:  # type: ignore[no-untyped-def]
    """A webhook body as the route stores it, for the drain to take."""
    async with transaction(rt.sessions) as session:
        event = InboundEvent(channel="whatsapp", body=body, not_before=utcnow())
        session.add(event)
        await session.flush()
        return event.id


async def answer_item(rt, ticket_id: int) -> tuple[Message, OutboxItem]:  # type: ignore[no-untyped-def]
    [reply] = await status_replies(rt, ticket_id)
    async with rt.sessions() as session:
        item = await session.scalar(select(OutboxItem).where(OutboxItem.message_id == reply.id))
    return reply, item


async def test_the_answer_leaves_as_soon_as_the_drain_has_received_the_command(
    rt, seed, receive, jobs, simulator
):
    ticket = await answered(rt, seed, receive, SITI, "KTP-el Anda sudah dicetak.")
    await store_event(rt, webhook_body(f"STATUS {ticket.register_no}", SITI))
    await jobs.drain()  # no outbox sweep runs here: only the enqueue after the commit sends it
    reply, item = await answer_item(rt, ticket.id)
    assert item.state == OutboxState.done
    sent = [m for m in simulator.store.outbound() if m.text == reply.body]
    assert [m.citizen for m in sent] == [SITI]


async def test_a_queue_that_is_down_leaves_the_answer_to_the_sweep(
    rt, seed, receive, jobs, simulator, monkeypatch
):
    ticket = await answered(rt, seed, receive, SITI, "KTP-el Anda sudah dicetak.")
    event_id = await store_event(rt, webhook_body(f"STATUS {ticket.register_no}", SITI))
    enqueue = rt.queue.enqueue

    async def down(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "send_outbox_item":
            raise ConnectionError("redis is down")
        await enqueue(name, *args, **kwargs)

    monkeypatch.setattr(rt.queue, "enqueue", down)
    assert await process_event(rt, event_id) == "processed"  # the failure did not undo it
    reply, item = await answer_item(rt, ticket.id)
    assert (item.state, reply.status) == (OutboxState.pending, MessageStatus.queued)
    monkeypatch.undo()
    assert (await sweep(rt))["outbox"] == 2  # the office's answer queued earlier, and this one
    await jobs.drain()
    _, item = await answer_item(rt, ticket.id)
    assert item.state == OutboxState.done
    assert [m.citizen for m in simulator.store.outbound() if m.text == reply.body] == [SITI]
