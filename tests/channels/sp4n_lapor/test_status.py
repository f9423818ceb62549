"""When the office finishes a ticket that came from LAPOR, LAPOR is told its status (`selesai`),
after the answer, through the outbox: LAPOR down means retries, never a lost status. Other
channels hear of no status. Against the LAPOR simulator, on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from helpdesk import outbox, status_reports
from helpdesk.auth import create_token
from helpdesk.db import transaction
from helpdesk.models import (
    AuditEvent,
    Membership,
    Message,
    MessageStatus,
    OutboxItem,
    OutboxState,
    Role,
    Ticket,
    User,
    utcnow,
)
from helpdesk.reports.answers import answers
from tests.channels.sp4n_lapor.helpers import poll_once, tickets, timeline
from tests.conftest import _password_hash, inbound
from tests.inbox.conftest import login


async def act(client, seed, ticket_id: int, user: str, **fields: str):  # type: ignore[no-untyped-def]
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions", json=fields, headers=seed.bearer(user)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def lapor_ticket(rt, lapor_sim, lapor_account) -> tuple[str, Ticket]:  # type: ignore[no-untyped-def]
    tracking = lapor_sim.file()
    await poll_once(rt, lapor_account)
    (ticket,) = await tickets(rt)
    return tracking, ticket


async def status_item(rt, ticket_id: int) -> OutboxItem:  # type: ignore[no-untyped-def]
    messages = [m for m in await timeline(rt, ticket_id) if m.content_kind == status_reports.KIND]
    assert len(messages) == 1, messages
    async with rt.sessions() as session:
        return (
            await session.scalars(select(OutboxItem).where(OutboxItem.message_id == messages[0].id))
        ).one()


async def test_an_answered_ticket_is_reported_done_to_lapor_after_its_follow_up(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    done = await act(
        client, seed, ticket.id, "kasie_tomohon", action="jawab", body="KTP-el sudah dicetak."
    )
    assert done["status"] == "resolved"
    await jobs.drain()
    report = lapor_sim.store.reports[tracking]
    assert [e.body for e in report.conversation] == ["KTP-el sudah dicetak."]
    assert report.statuses == [("selesai", "")] and report.status == "selesai"
    (status,) = [m for m in await timeline(rt, ticket.id) if m.content_kind == "status"]
    assert (status.status, status.channel) == (MessageStatus.sent, "sp4n_lapor")
    assert status.details["ticket_status"] == "resolved"
    assert (await login(client, "kasie_tomohon")).status_code == 303
    page = (await client.get(f"/tickets/{ticket.id}")).text
    assert "Status pengaduan dilaporkan: selesai" in page  # on the timeline, as sent
    # Closing the resolved ticket tells LAPOR nothing new.
    await act(client, seed, ticket.id, "kasie_tomohon", action="tutup")
    await jobs.drain()
    assert lapor_sim.store.reports[tracking].statuses == [("selesai", "")]
    # The answer in the register book and on the status page is the follow-up, not the status.
    async with rt.sessions() as session:
        answer = answers(Message.ticket_id == ticket.id)
        rows = (await session.execute(select(answer.c.body).where(answer.c.rank == 1))).all()
    assert [r.body for r in rows] == ["KTP-el sudah dicetak."]


async def test_a_decision_s_reason_goes_with_the_status(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    async with transaction(rt.sessions) as session:
        kabid = User(username="kabid_tomohon", full_name="Kabid", password_hash=_password_hash())
        session.add(kabid)
        await session.flush()
        session.add(
            Membership(user_id=kabid.id, office_id=seed.offices["tomohon"], role=Role.kabid)
        )
        seed.tokens["kabid_tomohon"] = await create_token(session, kabid, "tests")
    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    await act(client, seed, ticket.id, "kasie_tomohon", action="eskalasi", reason="Perlu Kabid")
    assert lapor_sim.store.reports[tracking].statuses == []  # escalation: LAPOR hears nothing
    await act(
        client,
        seed,
        ticket.id,
        "kabid_tomohon",
        action="putuskan",
        outcome="reject",
        reason="Bukan data kependudukan Kota Tomohon",
        body="Mohon maaf, data Anda terdaftar di Kabupaten Minahasa.",
    )
    await jobs.drain()
    report = lapor_sim.store.reports[tracking]
    assert report.statuses == [("selesai", "Bukan data kependudukan Kota Tomohon")]


async def test_lapor_down_keeps_the_status_pending_then_sends_it(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    lapor_sim.faults(down=True)
    await act(client, seed, ticket.id, "kasie_tomohon", action="jawab", body="Sudah dicetak.")
    item = await status_item(rt, ticket.id)
    for _ in range(3):  # the reply ahead of it, then the status itself, meet LAPOR down
        await _due_now(rt)
        for pending in await _pending(rt):
            await outbox.send_item(rt, pending.id)
    item = await status_item(rt, ticket.id)
    assert item.state == OutboxState.pending and item.last_error
    assert lapor_sim.store.reports[tracking].statuses == []

    lapor_sim.faults(down=False)
    for _ in range(2):
        await _due_now(rt)
        for pending in await _pending(rt):
            await outbox.send_item(rt, pending.id)
    assert (await status_item(rt, ticket.id)).state == OutboxState.done
    report = lapor_sim.store.reports[tracking]
    assert [e.body for e in report.conversation] == ["Sudah dicetak."]
    assert report.statuses == [("selesai", "")]


async def test_the_panel_counts_a_pending_status_apart_from_the_follow_ups(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    """The LAPOR panel's "not yet accepted" count is of follow-ups; a status report waiting
    with them is shown on its own line, not counted as one."""
    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    lapor_sim.faults(down=True)
    await act(client, seed, ticket.id, "kasie_tomohon", action="jawab", body="Sudah dicetak.")
    await _due_now(rt)
    for pending in await _pending(rt):
        await outbox.send_item(rt, pending.id)
    assert (await status_item(rt, ticket.id)).state == OutboxState.pending
    assert (await login(client, "kasie_tomohon")).status_code == 303
    page = (await client.get(f"/tickets/{ticket.id}")).text
    assert "1 tindak lanjut belum diterima LAPOR" in page
    assert "1 laporan status tiket (bukan tindak lanjut) belum diterima LAPOR" in page

    lapor_sim.faults(down=False)
    await _due_now(rt)
    follow_up, status = await _pending(rt)
    await outbox.send_item(rt, follow_up.id)  # the status waits for its job (not drained yet)
    assert [e.body for e in lapor_sim.store.reports[tracking].conversation] == ["Sudah dicetak."]
    assert (await status_item(rt, ticket.id)).id == status.id
    page = (await client.get(f"/tickets/{ticket.id}")).text
    assert "tindak lanjut belum diterima LAPOR" not in page
    assert "1 laporan status tiket (bukan tindak lanjut)" in page
    await jobs.drain()
    assert lapor_sim.store.reports[tracking].statuses == [("selesai", "")]
    page = (await client.get(f"/tickets/{ticket.id}")).text
    assert "belum diterima LAPOR" not in page


async def test_a_channel_that_tracks_no_status_hears_of_none(rt, jobs, client, seed, receive):
    received = await receive(inbound("KK saya hilang", account="109876543211"))
    async with rt.sessions() as session:
        ticket = (await session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(1))).one()
    assert received is not None and ticket.channel == "whatsapp"
    await act(client, seed, ticket.id, "kasie_tomohon", action="jawab", body="Silakan datang.")
    assert [m.content_kind for m in await timeline(rt, ticket.id)] == ["text", "text"]
    async with rt.sessions() as session:
        queued = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.ticket_id == ticket.id)
        )
        assert "status_report.queued" not in set(queued)


async def _pending(rt) -> list[OutboxItem]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(OutboxItem)
            .where(OutboxItem.state == OutboxState.pending)
            .order_by(OutboxItem.id)
        )
        return list(rows)


async def _due_now(rt) -> None:  # type: ignore[no-untyped-def]
    """The back-off has run out."""
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.state == OutboxState.pending)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1), locked_until=None)
        )
