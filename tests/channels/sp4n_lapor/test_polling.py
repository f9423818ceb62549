"""Polling LAPOR's disposisi feed: every report becomes one ticket, stored before processing,
and a restart neither fetches anything twice nor misses anything."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from channels.base import PolledItem
from helpdesk.models import InboundStatus
from helpdesk.polling import AccountSink
from tests.channels.sp4n_lapor.helpers import events, poll_once, process_all, tickets, timeline


async def test_forwarded_reports_become_tickets_with_the_tracking_id(rt, lapor_sim, lapor_account):
    first = lapor_sim.file("KTP-el rusak, mohon diganti.", title="KTP rusak", name="Maria L.")
    second = lapor_sim.file("Akta kematian ayah belum terbit.")
    assert await poll_once(rt, lapor_account) == 2
    found = await tickets(rt)
    assert [t.external_ref for t in found] == [first, second]
    assert found[0].subject == "KTP rusak" and found[0].register_no
    assert all(e.status == InboundStatus.processed for e in await events(rt))
    (report,) = await timeline(rt, found[0].id)
    assert (report.external_id, report.body) == (first, "KTP-el rusak, mohon diganti.")


async def test_a_restart_resumes_after_the_last_report_stored(rt, lapor_sim, lapor_account):
    tracking = lapor_sim.file("Laporan pertama")
    await poll_once(rt, lapor_account)
    lapor_sim.reply(tracking, "Ini foto KK saya.")
    lapor_sim.reply(tracking, "Mohon segera.", role="admin", name="Admin LAPOR")
    newer = lapor_sim.file("Laporan kedua")
    # The first is listed twice (two replies) and fetched once, in its latest state.
    assert await poll_once(rt, lapor_account) == 2
    assert await poll_once(rt, lapor_account) == 0  # nothing again
    found = await tickets(rt)
    assert [t.external_ref for t in found] == [tracking, newer]
    bodies = [(m.direction, m.body) for m in await timeline(rt, found[0].id)]
    assert bodies == [
        ("in", "Laporan pertama"),
        ("in", "Ini foto KK saya."),
        ("in", "Mohon segera."),
    ]


class CrashingSink:
    """Stores `after` items, then dies the way a killed process would."""

    def __init__(self, inner: AccountSink, after: int) -> None:
        self.inner, self.left = inner, after

    async def cursor(self, name: str) -> Any:
        return await self.inner.cursor(name)

    async def store(self, name: str, item: PolledItem) -> None:
        if self.left == 0:
            raise RuntimeError("killed")
        self.left -= 1
        await self.inner.store(name, item)

    async def advance(self, name: str, value: Any) -> None:
        await self.inner.advance(name, value)

    async def known(self, ids: Any) -> set[str]:
        return await self.inner.known(ids)


async def test_a_crash_mid_page_loses_nothing_and_repeats_nothing(rt, lapor_sim, lapor_account):
    filed = [lapor_sim.file(f"Laporan {n}") for n in range(4)]
    with pytest.raises(RuntimeError):
        await poll_once(rt, lapor_account, wrap=lambda sink: CrashingSink(sink, after=2))
    await process_all(rt)
    assert await poll_once(rt, lapor_account) == 2  # the two not stored before the crash
    stored = [e.headers["tracking_id"] for e in await events(rt)]
    assert stored == filed  # each fetched and stored exactly once
    assert [t.external_ref for t in await tickets(rt)] == filed


async def test_our_own_follow_ups_do_not_come_back_as_citizen_messages(
    rt, lapor_sim, lapor_account
):
    tracking = lapor_sim.file()
    lapor_sim.store.add_entry(tracking, "instansi", "Dukcapil", "Sedang kami proses.")
    await poll_once(rt, lapor_account)
    (ticket,) = await tickets(rt)
    assert [m.body for m in await timeline(rt, ticket.id)] == [
        "KTP-el saya belum jadi sejak tiga bulan."
    ]


async def test_a_reports_attachments_are_fetched_from_lapor(rt, lapor_sim, lapor_account):
    from helpdesk import attachments
    from helpdesk.models import Attachment, AttachmentStatus

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    lapor_sim.file(
        "Foto KTP-el yang rusak terlampir.",
        files=[{"filename": "ktp.png", "mime": "image/png", "content_base64": _b64(png)}],
    )
    await poll_once(rt, lapor_account)
    (ticket,) = await tickets(rt)
    (report,) = await timeline(rt, ticket.id)
    async with rt.sessions() as session:
        (attachment,) = (
            await session.scalars(select(Attachment).where(Attachment.message_id == report.id))
        ).all()
    assert attachment.filename == "ktp.png"
    await attachments.fetch_attachment(rt, attachment.id)
    async with rt.sessions() as session:
        stored = await session.get_one(Attachment, attachment.id)
    assert (stored.status, stored.size) == (AttachmentStatus.stored, len(png))


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


async def test_a_report_gone_since_it_was_listed_is_skipped(rt, lapor_sim, lapor_account):
    gone = lapor_sim.file("Laporan yang dicabut")
    kept = lapor_sim.file("Laporan yang tetap")
    del lapor_sim.store.reports[gone]  # withdrawn between the listing and the fetch
    assert await poll_once(rt, lapor_account) == 1
    assert [t.external_ref for t in await tickets(rt)] == [kept]
    assert await poll_once(rt, lapor_account) == 0
