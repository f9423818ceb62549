"""The LAPOR client against the simulator: the assumed contract, end to end."""

from __future__ import annotations

import pytest

from channels.base import AuthError, PermanentError, TransientError
from channels.sp4n_lapor.http_client import HttpLaporClient
from channels.sp4n_lapor.types import OutgoingFile, read_document, report_document
from tests.channels.sp4n_lapor.conftest import AGENCY, TOKEN, LaporSim


def client(sim: LaporSim, token: str = TOKEN) -> HttpLaporClient:
    return HttpLaporClient(sim.api_url, AGENCY, token, timeout=5)


async def test_lists_forwarded_reports_after_a_cursor_page_by_page(lapor_sim):
    first = [lapor_sim.file(f"Laporan {n}") for n in range(3)]
    lapor = client(lapor_sim)
    page = await lapor.list_forwarded(None, limit=2)
    assert [i.tracking_id for i in page.items] == first[:2] and page.has_more
    rest = await lapor.list_forwarded(page.items[-1].cursor, limit=2)
    assert [i.tracking_id for i in rest.items] == first[2:] and not rest.has_more
    empty = await lapor.list_forwarded(rest.cursor)
    assert empty.items == () and empty.cursor == rest.cursor


async def test_a_reply_lists_the_report_again(lapor_sim):
    tracking = lapor_sim.file()
    lapor = client(lapor_sim)
    page = await lapor.list_forwarded(None)
    lapor_sim.reply(tracking, "Sudah tiga bulan, mohon dibantu.")
    again = await lapor.list_forwarded(page.cursor)
    assert [i.tracking_id for i in again.items] == [tracking]


async def test_fetches_a_report_with_its_attachments_and_conversation(lapor_sim):
    tracking = lapor_sim.file(
        "Akta kelahiran anak saya salah nama.",
        title="Akta salah",
        name="Maria Lumowa",
        files=[{"filename": "akta.jpg", "mime": "image/jpeg", "content_base64": "/9j/4AAQ"}],
    )
    lapor_sim.reply(tracking, "Mohon lampirkan KK.", role="admin", name="Admin LAPOR")
    lapor = client(lapor_sim)
    report = await lapor.fetch_report(tracking)
    assert (report.title, report.content) == ("Akta salah", "Akta kelahiran anak saya salah nama.")
    assert report.reporter is not None and report.reporter.name == "Maria Lumowa"
    assert [a.filename for a in report.attachments] == ["akta.jpg"]
    assert [(e.author, e.body) for e in report.conversation] == [("admin", "Mohon lampirkan KK.")]
    content, mime, name = await lapor.fetch_attachment(report.attachments[0].attachment_id)
    assert (content, mime, name) == (b"\xff\xd8\xff\xe0\x00\x10", "image/jpeg", "akta.jpg")


async def test_posts_a_follow_up_with_attachments_once_per_idempotency_key(lapor_sim):
    tracking = lapor_sim.file()
    lapor = client(lapor_sim)
    files = [OutgoingFile("jawaban.pdf", "application/pdf", b"%PDF-1.4")]
    receipt = await lapor.post_follow_up(tracking, "KTP-el sudah dicetak.", files, "kunci-1")
    again = await lapor.post_follow_up(tracking, "KTP-el sudah dicetak.", files, "kunci-1")
    assert again.entry_id == receipt.entry_id
    entries = lapor_sim.store.reports[tracking].conversation
    assert [(e.role, e.body, [f.filename for f in e.files]) for e in entries] == [
        ("instansi", "KTP-el sudah dicetak.", ["jawaban.pdf"])
    ]


async def test_posts_a_status_change(lapor_sim):
    tracking = lapor_sim.file()
    await client(lapor_sim).post_status(tracking, "selesai", "Sudah ditindaklanjuti")
    assert lapor_sim.store.reports[tracking].statuses == [("selesai", "Sudah ditindaklanjuti")]
    with pytest.raises(PermanentError):
        await client(lapor_sim).post_status(tracking, "hilang")


async def test_failures_become_the_three_error_kinds(lapor_sim):
    with pytest.raises(AuthError):
        await client(lapor_sim, token="salah").list_forwarded(None)
    with pytest.raises(PermanentError):
        await client(lapor_sim).fetch_report("9999999")
    lapor_sim.faults(down=True)
    with pytest.raises(TransientError):
        await client(lapor_sim).list_forwarded(None)
    with pytest.raises(TransientError):
        await HttpLaporClient("http://127.0.0.1:9/api/", AGENCY, TOKEN, timeout=2).fetch_report("1")


async def test_an_anonymous_reporter_is_dropped_before_anything_is_stored(lapor_sim):
    tracking = lapor_sim.file(name="Yohanes Rahasia", anonymous=True)
    report = await client(lapor_sim).fetch_report(tracking)
    assert report.anonymous and report.reporter is not None  # LAPOR still sends it
    stored = report_document(report, AGENCY)
    assert b"Yohanes" not in stored
    assert read_document(stored)[2].reporter is None
