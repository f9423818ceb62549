"""The reports API (DESIGN.md section 6): JSON, XLSX and PDF, scoped to the token's offices."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pypdfium2
from openpyxl import load_workbook

from tests.conftest import SECRET_KEY
from tests.helpdesk.reports.fixtures import make_august

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_monthly_json_for_the_users_office(client, rt, seed):
    await make_august(rt, seed.users)
    response = await client.get(
        "/api/v1/reports/brebes/monthly?month=2026-08", headers=seed.bearer("admin_brebes")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "monthly"
    assert body["period"]["label"] == "Agustus 2026"
    assert [o["code"] for o in body["offices"]] == ["brebes"]
    assert body["totals"]["tickets"] == 3
    assert body["platform_deadlines"] == []  # no LAPOR ticket among them


async def test_another_offices_report_is_not_found_and_all_means_mine(client, rt, seed):
    await make_august(rt, seed.users)
    other = await client.get(
        "/api/v1/reports/tomohon/monthly?month=2026-08", headers=seed.bearer("admin_brebes")
    )
    assert other.status_code == 404
    assert other.json()["error"] == "not_found"
    mine = await client.get(
        "/api/v1/reports/all/monthly?month=2026-08", headers=seed.bearer("admin_brebes")
    )
    assert [o["code"] for o in mine.json()["offices"]] == ["brebes"]
    everyone = await client.get(
        "/api/v1/reports/all/monthly?month=2026-08", headers=seed.bearer("root")
    )
    assert everyone.json()["totals"]["tickets"] == 4


async def test_bad_periods_and_no_token_are_refused(client, seed):
    for url in (
        "/api/v1/reports/brebes/monthly?month=2026-13",
        "/api/v1/reports/brebes/monthly",
        "/api/v1/reports/brebes/daily?date=2026-02-30",
        "/api/v1/reports/brebes/daily.pdf?date=yesterday",
    ):
        response = await client.get(url, headers=seed.bearer("admin_brebes"))
        assert response.status_code == 400, url
        assert response.json()["error"] == "bad_period"
    assert (await client.get("/api/v1/reports/brebes/daily?date=2026-08-14")).status_code == 401


async def test_xlsx_opens_with_the_figures(client, rt, seed):
    made = await make_august(rt, seed.users)
    response = await client.get(
        "/api/v1/reports/brebes/monthly.xlsx?month=2026-08", headers=seed.bearer("admin_brebes")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(XLSX)
    assert "laporan-brebes-2026-08.xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Laporan", "Kepatuhan SOP", "Pejabat dan tren"]
    rows = [tuple(r) for r in book["Laporan"].iter_rows(values_only=True)]
    assert rows[0][0] == "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
    assert rows[1][0] == "Laporan Bulanan Pengaduan — Agustus 2026"
    assert ("Pengaduan masuk", 3) in [r[:2] for r in rows]
    assert ("WhatsApp", 2) in [r[:2] for r in rows]
    sop = [tuple(r) for r in book["Kepatuhan SOP"].iter_rows(values_only=True)]
    assert any(r[0] == "Tindak lanjut tenggat platform (SP4N-LAPOR)" for r in sop)
    admin = next(r for r in sop if r[0] == "Admin menjawab, atau mengonsultasikan ke Group Admin")
    assert admin[2:5] == (2, 1, 0)
    assert admin[6] == made.register["C"]
    trend = [tuple(r) for r in book["Pejabat dan tren"].iter_rows(values_only=True)]
    assert ("Admin Brebes", 1) in [r[:2] for r in trend]
    assert ("Pengaduan masuk", 3, 1, "+2 (+200.0%)") in trend


async def test_pdf_renders_to_a_page_image(client, rt, seed, tmp_path: Path):
    await make_august(rt, seed.users)
    response = await client.get(
        "/api/v1/reports/brebes/monthly.pdf?month=2026-08", headers=seed.bearer("admin_brebes")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    assert len(pdf) >= 1
    text = pdf[0].get_textpage().get_text_range()
    assert "KABUPATEN BREBES" in text
    assert "Laporan Bulanan Pengaduan" in text and "Agustus 2026" in text
    image = pdf[0].render(scale=1.2).to_pil()
    assert image.size[0] > 600
    # Kept for a person to look at (set HELPDESK_REPORT_PNG to a directory).
    if out := os.environ.get("HELPDESK_REPORT_PNG"):
        for index in range(len(pdf)):
            pdf[index].render(scale=1.5).to_pil().save(Path(out) / f"report-{index + 1}.png")


def test_a_started_app_has_not_loaded_the_file_renderers(tmp_path: Path):
    """reportlab and openpyxl cost ~90 ms of every process start (before the first mail is
    read): they load on the first download (the XLSX and PDF tests above download through
    that path, as do the inbox's report and register book tests)."""
    script = (
        "import sys\n"
        "from helpdesk.app import create_app\n"
        "from helpdesk.settings import Settings\n"
        "create_app(Settings.from_env())\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'openpyxl'}))\n"
    )
    env = {
        **os.environ,
        "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}",
        "HELPDESK_DATA_DIR": str(tmp_path),
        "HELPDESK_SECRET_KEY": SECRET_KEY,
    }
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
