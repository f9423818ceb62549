"""The reports and the register book in the inbox: pages, charts, files, office scope."""

from __future__ import annotations

import io

import pypdfium2
from openpyxl import load_workbook

from helpdesk.db import transaction
from helpdesk.models import Direction, Message, MessageStatus
from tests.helpdesk.reports.fixtures import make_august, wib
from tests.inbox.conftest import login
from tests.inbox.desk import browser_for, desk_staff

__all__ = ["browser_for", "desk_staff"]  # fixtures


async def test_monthly_report_page_has_figures_and_svg_charts(brebes, rt, seed):
    await make_august(rt, seed.users)
    page = await brebes.get("/reports?office=brebes&kind=monthly&period=2026-08")
    assert page.status_code == 200
    html = page.text
    assert "Agustus 2026" in html
    assert html.count("<svg") >= 3 and "<script" not in html.split("</header>")[1]
    assert "Admin menjawab, atau mengonsultasikan ke Group Admin" in html
    assert len(page.content) < 150_000
    assert "/reports/brebes/monthly.pdf?period=2026-08" in html


async def test_daily_recap_page_and_files(brebes, rt, seed):
    await make_august(rt, seed.users)
    page = await brebes.get("/reports?office=brebes&kind=daily&period=2026-08-14")
    assert page.status_code == 200 and "14 Agustus 2026" in page.text
    xlsx = await brebes.get("/reports/brebes/daily.xlsx?period=2026-08-14")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["Laporan"]["A2"].value == "Rekap Harian Pengaduan — 14 Agustus 2026"
    pdf = await brebes.get("/reports/brebes/daily.pdf?period=2026-08-14")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Rekap Harian" in pypdfium2.PdfDocument(pdf.content)[0].get_textpage().get_text_range()


async def test_other_offices_and_bad_periods_are_refused(brebes, rt, seed):
    assert (await brebes.get("/reports?office=tomohon")).status_code == 404
    assert (await brebes.get("/reports/tomohon/monthly.xlsx?period=2026-08")).status_code == 404
    assert (await brebes.get("/register?office=tomohon")).status_code == 404
    assert (await brebes.get("/reports?office=brebes&period=2026-99")).status_code == 400
    assert (await brebes.get("/reports/brebes/weekly.xlsx")).status_code == 404


async def test_reports_need_a_login(client, seed):
    response = await client.get("/reports", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def _outbound(rt, ticket_id: int, body: str, at, **extra) -> None:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        session.add(
            Message(
                ticket_id=ticket_id,
                direction=Direction.outbound,
                channel="whatsapp",
                body=body,
                status=extra.pop("status", MessageStatus.delivered),
                created_at=at,
                **extra,
            )
        )


async def test_register_book_lists_the_month_in_register_order_masked(brebes, rt, seed):
    made = await make_august(rt, seed.users)
    a = made.tickets["A"]
    await _outbound(rt, a, "KTP-el baru bisa diambil di loket 2.", wib(2026, 8, 4, 9, 0))
    await _outbound(rt, a, "gagal terkirim", wib(2026, 8, 4, 9, 5), status=MessageStatus.failed)
    await _outbound(
        rt, a, "Status pengaduan …", wib(2026, 8, 5, 9, 0), details={"status_command": "X"}
    )
    page = await brebes.get("/register?office=brebes&period=2026-08")
    assert page.status_code == 200
    html = page.text
    order = [html.index(made.register[k]) for k in ("A", "C", "B")]
    assert order == sorted(order)
    assert made.register["D"] not in html and made.register["E"] not in html
    assert "Budi Santoso" not in html and "Bu** Sa*****" in html
    xlsx = await brebes.get("/register/brebes/book.xlsx?period=2026-08")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[3][0] == "No. register"
    assert [r[0] for r in rows[4:]] == [made.register[k] for k in ("A", "C", "B")]
    assert rows[4][1] == "01-08-2026 00:30" and rows[4][3] == "Bu** Sa*****"
    assert rows[4][5:7] == ("KTP-el baru bisa diambil di loket 2.", "04-08-2026 09:00")
    assert rows[5][5:7] == (None, None)  # C: not answered
    pdf = await brebes.get("/register/brebes/book.pdf?period=2026-08")
    text = pypdfium2.PdfDocument(pdf.content)[0].get_textpage().get_text_range()
    assert "Buku Register Pengaduan" in text and made.register["B"] in text


async def test_superuser_sees_all_offices_report(client, rt, seed):
    await make_august(rt, seed.users)
    await login(client, "root")
    page = await client.get("/reports?office=all&period=2026-08")
    assert page.status_code == 200
    assert "Kota Tomohon" in page.text and "Kabupaten Brebes" in page.text


async def test_register_book_masks_nik_and_withholds_confidential_reports(
    brebes, rt, seed, browser_for
):
    from sqlalchemy import update

    from helpdesk.models import Ticket

    made = await make_august(rt, seed.users)
    a, b = made.tickets["A"], made.tickets["B"]
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Ticket).where(Ticket.id == a).values(subject="NIK 3329014505900001 salah")
        )
        await session.execute(
            update(Ticket).where(Ticket.id == b).values(subject="Rahasia", confidential=True)
        )
    html = (await brebes.get("/register?office=brebes&period=2026-08")).text
    assert "3329014505900001" not in html and "salah" in html
    assert "Rahasia" in html  # the admin handles confidential reports in Brebes' SOP
    async with browser_for("cs_brebes") as cs:
        page = await cs.get("/register?office=brebes&period=2026-08")
    # A CS keeps the book too, but does not handle confidential reports: the row, not its text.
    assert page.status_code == 200
    assert made.register["B"] in page.text and "Rahasia" not in page.text
