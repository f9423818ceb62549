"""Answers in the inbox go back to LAPOR as follow-ups (tindak lanjut), through the outbox:
LAPOR down means retries and a visible pending follow-up, never a lost one."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update

from helpdesk import outbox
from helpdesk.db import transaction
from helpdesk.models import MessageStatus, OutboxItem, OutboxState, utcnow
from tests.channels.sp4n_lapor.helpers import poll_once, tickets, timeline
from tests.inbox.conftest import login


async def _answer(client, seed, ticket_id: int, text: str) -> int:
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/replies",
        json={"body": text},
        headers=seed.bearer("kasie_tomohon"),
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


async def _outbox(rt, message_id: int) -> OutboxItem:
    async with rt.sessions() as session:
        query = select(OutboxItem).where(OutboxItem.message_id == message_id)
        return (await session.scalars(query)).one()


async def _settled(rt, message_id: int, done, timeout: float = 20.0) -> OutboxItem:
    """The outbox item once `done(item)` holds (a queued job may be running it meanwhile)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        item = await _outbox(rt, message_id)
        if done(item) or asyncio.get_running_loop().time() > deadline:
            return item
        await asyncio.sleep(0.05)


async def test_an_answer_is_posted_as_a_follow_up_and_not_echoed_back(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    tracking = lapor_sim.file()
    await poll_once(rt, lapor_account)
    (ticket,) = await tickets(rt)
    message_id = await _answer(client, seed, ticket.id, "KTP-el Anda sudah dapat diambil.")
    await jobs.drain()
    entries = lapor_sim.store.reports[tracking].conversation
    assert [(e.role, e.body) for e in entries] == [("instansi", "KTP-el Anda sudah dapat diambil.")]
    sent = next(m for m in await timeline(rt, ticket.id) if m.id == message_id)
    assert sent.status == MessageStatus.sent
    assert sent.external_id == f"{tracking}/{entries[0].entry_id}"
    lapor_sim.reply(tracking, "Terima kasih, sudah saya ambil.")
    await poll_once(rt, lapor_account)
    assert [(m.direction, m.body) for m in await timeline(rt, ticket.id)] == [
        ("in", "KTP-el saya belum jadi sejak tiga bulan."),
        ("out", "KTP-el Anda sudah dapat diambil."),
        ("in", "Terima kasih, sudah saya ambil."),
    ]


async def test_lapor_down_keeps_the_follow_up_pending_and_visible_then_sends_it(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    tracking = lapor_sim.file()
    await poll_once(rt, lapor_account)
    (ticket,) = await tickets(rt)
    lapor_sim.faults(down=True)
    message_id = await _answer(client, seed, ticket.id, "Sedang kami proses.")
    item = await _outbox(rt, message_id)
    await outbox.send_item(rt, item.id)  # the queued job may have been quicker: either tries
    item = await _settled(rt, message_id, lambda i: i.last_error is not None)
    assert item.state == OutboxState.pending and item.attempts >= 1
    assert "pemeliharaan" in (item.last_error or "")
    assert lapor_sim.store.reports[tracking].conversation == []

    assert (await login(client, "kasie_tomohon")).status_code == 303
    page = await client.get(f"/tickets/{ticket.id}")
    assert "1 tindak lanjut belum diterima LAPOR" in page.text

    lapor_sim.faults(down=False)
    async with transaction(rt.sessions) as session:  # the back-off has run out
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == item.id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
    await outbox.send_item(rt, item.id)
    await _settled(rt, message_id, lambda i: i.state == OutboxState.done)
    entries = lapor_sim.store.reports[tracking].conversation
    assert [e.body for e in entries] == ["Sedang kami proses."]
    page = await client.get(f"/tickets/{ticket.id}")
    assert "belum diterima LAPOR" not in page.text
