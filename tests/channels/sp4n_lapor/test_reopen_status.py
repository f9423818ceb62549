"""A citizen's own message that reopens a resolved LAPOR ticket is reported to LAPOR
(`proses`), queued in the same transaction as the reopening and sent as soon as that batch is
committed (not at the next outbox sweep), once: not again for a second message, nor when staff
had already taken the ticket up again. Against the LAPOR simulator, on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from helpdesk.db import transaction
from helpdesk.jobs import tasks
from helpdesk.models import AuditEvent, Message, Office, OutboxItem, OutboxState, Ticket
from helpdesk.workflow.profile import SHIPPED
from tests.channels.sp4n_lapor.helpers import poll_once, timeline
from tests.channels.sp4n_lapor.test_status import act, lapor_ticket
from tests.conftest import inbound

REOPENED = "reopened"


async def _reopen_reports(rt, ticket_id: int) -> list[Message]:  # type: ignore[no-untyped-def]
    return [
        m
        for m in await timeline(rt, ticket_id)
        if m.content_kind == "status" and m.details["ticket_status"] == REOPENED
    ]


async def _sweep(rt, jobs) -> None:  # type: ignore[no-untyped-def]
    """The periodic sweep, then whatever it enqueued."""
    await tasks.sweep(rt)
    await jobs.drain()


async def test_a_citizen_reopening_a_resolved_report_is_reported_to_lapor_once(
    rt, jobs, client, seed, lapor_sim, lapor_account
):
    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    await act(client, seed, ticket.id, "kasie_tomohon", action="jawab", body="Sudah dicetak.")
    await jobs.drain()
    assert lapor_sim.store.reports[tracking].statuses == [("selesai", "")]

    lapor_sim.reply(tracking, "KTP-el saya belum sampai, mohon dicek lagi.")
    await poll_once(rt, lapor_account)
    await jobs.drain()  # what ingest enqueued after its commit; no outbox sweep runs
    # Received and reopened, and the report already sent: it did not wait for a sweep.
    (report,) = await _reopen_reports(rt, ticket.id)
    assert report.author_id is None and report.body.endswith("diproses kembali")
    async with rt.sessions() as session:
        assert (await session.get_one(Ticket, ticket.id)).status == "open"
        item = (
            await session.scalars(select(OutboxItem).where(OutboxItem.message_id == report.id))
        ).one()
        assert item.state == OutboxState.done
        queued = (
            await session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.ticket_id == ticket.id, AuditEvent.action == "status_report.queued"
                )
                .order_by(AuditEvent.id)
            )
        ).all()
        assert [e.detail.get("by") for e in queued] == [None, "citizen"]
    assert lapor_sim.store.reports[tracking].statuses == [("selesai", ""), ("proses", "")]

    # A second message finds the ticket in work: nothing more to tell.
    lapor_sim.reply(tracking, "Ini foto tanda terimanya.")
    await poll_once(rt, lapor_account)
    await _sweep(rt, jobs)
    assert len(await _reopen_reports(rt, ticket.id)) == 1
    assert lapor_sim.store.reports[tracking].statuses == [("selesai", ""), ("proses", "")]


async def test_a_reopening_staff_reported_is_not_reported_again_when_the_citizen_writes(
    rt, jobs, client, seed, lapor_sim, lapor_account, tmp_path: Path
):
    """An office whose SOP lets staff take a resolved ticket up again ("Buka kembali")."""
    profile = (SHIPPED / "tomohon.toml").read_text(encoding="utf-8")
    profile = profile.replace(
        """  name = "tutup"
  label = "Tutup"
  to = "ditutup"
""",
        """  name = "tutup"
  label = "Tutup"
  to = "ditutup"

  [[step.action]]
  name = "buka_kembali"
  label = "Buka kembali"
  to = "kasie"
""",
    )
    assert "buka_kembali" in profile
    path = tmp_path / "tomohon_buka_kembali.toml"
    path.write_text(profile, encoding="utf-8")
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Office).where(Office.id == seed.offices["tomohon"]).values(sop=str(path))
        )

    tracking, ticket = await lapor_ticket(rt, lapor_sim, lapor_account)
    await act(client, seed, ticket.id, "kasie_tomohon", action="jawab", body="Sudah dicetak.")
    reopened = await act(client, seed, ticket.id, "kasie_tomohon", action="buka_kembali")
    assert reopened["status"] == "open"
    await jobs.drain()
    assert lapor_sim.store.reports[tracking].statuses == [("selesai", ""), ("proses", "")]

    lapor_sim.reply(tracking, "Terima kasih, saya tunggu.")
    await poll_once(rt, lapor_account)
    await _sweep(rt, jobs)
    assert len(await _reopen_reports(rt, ticket.id)) == 1
    assert lapor_sim.store.reports[tracking].statuses == [("selesai", ""), ("proses", "")]


async def test_a_citizen_reopening_on_a_channel_that_tracks_no_status_reports_nothing(
    rt, jobs, client, seed, receive
):
    await receive(inbound("KK saya hilang", account="109876543211", sender="6281200000077"))
    async with rt.sessions() as session:
        ticket = (await session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(1))).one()
    await act(client, seed, ticket.id, "kasie_tomohon", action="jawab", body="Silakan datang.")
    await receive(inbound("Kapan bisa datang?", account="109876543211", sender="6281200000077"))
    async with rt.sessions() as session:
        assert (await session.get_one(Ticket, ticket.id)).status == "open"
    assert [m.content_kind for m in await timeline(rt, ticket.id)] == ["text", "text", "text"]
