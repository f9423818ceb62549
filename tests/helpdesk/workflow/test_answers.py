"""Answers the engine sends go through the outbox to the citizen's own channel (the simulator)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channels.base import PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from helpdesk.models import Message, Ticket, TicketStatus
from helpdesk.outbox import send_item
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA, TOMOHON_WA, inbound
from tests.helpdesk.workflow.helpers import act, load


@pytest.fixture
def simulator(serve_whatsapp_simulator, webhook_receiver):  # type: ignore[no-untyped-def]
    config = SimulatorConfig(
        numbers=[
            SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes"),
            SimNumber(TOMOHON_WA, "6281100000002", ACCESS_TOKEN, "Tomohon"),
        ],
        app_secret=APP_SECRET,
        webhook_url=webhook_receiver.url,
        status_delays=StatusDelays(sent=30, delivered=30, read=None),
    )
    return serve_whatsapp_simulator(config)


@pytest.fixture
def endpoints(simulator) -> PlatformEndpoints:  # type: ignore[no-untyped-def]
    return PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5)


async def test_the_decisions_answer_reaches_the_citizen_via_the_outbox(
    rt, receive, staff, simulator
):
    received = await receive(inbound("NIK saya ganda", sender="6285200001111", account=TOMOHON_WA))
    await act(rt, received.ticket_id, staff["kasie_tomohon"], "eskalasi", reason="Data ganda")
    applied = await act(
        rt,
        received.ticket_id,
        staff["kabid_tomohon"],
        "putuskan",
        outcome="answer",
        reason="Sudah dikonsolidasi pusat",
        body="NIK Bapak sudah aktif kembali. Terima kasih.",
    )
    [item_id] = applied.outbox_items
    assert (await send_item(rt, item_id)).state == "done"
    [sent] = simulator.store.outbound()
    assert (sent.citizen, sent.text) == (
        "6285200001111",
        "NIK Bapak sudah aktif kembali. Terima kasih.",
    )
    ticket = await load(rt, received.ticket_id)
    assert (ticket.step, ticket.status) == ("selesai", TicketStatus.resolved)
    async with rt.sessions() as session:
        [reply] = await session.scalars(select(Message).where(Message.direction == "out"))
        assert (reply.channel, reply.author_id) == ("whatsapp", staff["kabid_tomohon"].user_id)
        assert (await session.get_one(Ticket, ticket.id)).first_response_at is not None


async def test_asking_for_requirements_reaches_the_citizen(rt, receive, staff, simulator):
    received = await receive(inbound("KTP hilang"))
    applied = await act(
        rt,
        received.ticket_id,
        staff["admin_brebes"],
        "kembalikan",
        missing=["Foto/scan dokumen terkait"],
        note="Kirim lewat WA ini saja.",
    )
    await send_item(rt, applied.outbox_items[0])
    [sent] = simulator.store.outbound()
    assert "- Foto/scan dokumen terkait" in sent.text and sent.text.endswith("WA ini saja.")
