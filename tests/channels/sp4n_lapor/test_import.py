"""Working without the API: the portal's export file, or one report pasted in the inbox.
Hostile files are refused with a reason; bad rows are reported and skipped; importing the same
tracking ID twice adds nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest

from channels.sp4n_lapor.export import MAX_FILE_BYTES, read_export
from helpdesk import imports
from helpdesk.auth import load_principal
from helpdesk.db import transaction
from tests.channels.sp4n_lapor.helpers import process_all, tickets, timeline
from tests.inbox.conftest import csrf_token, login, post_form

HEADER = (
    "Nomor Tracking,Tanggal Laporan,Tanggal Disposisi,Judul,Isi Laporan,Kategori,Jenis,"
    "Anonim,Rahasia,Nama Pelapor"
)
GOOD = [
    "2610001,2026-11-20 08:00,2026-11-20 09:15,KTP rusak,KTP-el saya retak,Adminduk,"
    "Pengaduan,Tidak,Tidak,Maria L.",
    '2610002,2026-11-21,21/11/2026 10:00,Akta,"Akta anak salah nama, mohon dibetulkan",'
    "Adminduk,pengaduan,Ya,Ya,Yohanes W.",
]
BAD = [
    "=HYPERLINK(1),2026-11-20,2026-11-20,x,isi,,,,,",  # formula
    "2610003,2026-11-20,2026-11-20,x,@SUM(A1),,,,,",  # formula in the text
    "26/10,2026-11-20,2026-11-20,x,isi,,,,,",  # not a tracking ID
    "2610004,2026-11-20,kemarin,x,isi,,,,,",  # not a date
    "2610005,2026-11-20,2026-11-20,x,,,,,,",  # no text
    "2610006,2026-11-20,2026-11-20,x,isi,,,Mungkin,,",  # not Ya/Tidak
    "2610001,2026-11-20,2026-11-20,x,lagi,,,,,",  # twice in the file
]


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_good_rows_come_in_and_bad_rows_are_reported_by_number():
    batch = read_export("agency", csv_file(*GOOD, *BAD), "export.csv")
    assert [i.external_id for i in batch.items] == ["2610001", "2610002"]
    assert [p.row for p in batch.problems] == [4, 5, 6, 7, 8, 9, 10]
    assert "formula" in batch.problems[0].reason and "formula" in batch.problems[1].reason
    assert "appears twice" in batch.problems[-1].reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"x" * (MAX_FILE_BYTES + 1), "larger than"),
        ("Nomor Tracking;Isi Laporan\n1;caf\xe9".encode("latin-1"), "not UTF-8"),
        (b"Judul,Isi Laporan\nx,y\n", "missing column"),
        (b"PK\x03\x04 not really a spreadsheet", "not a readable XLSX"),
    ],
)
def test_hostile_files_are_refused_whole_with_a_reason(data, reason):
    batch = read_export("agency", data, "export.csv")
    assert batch.items == () and batch.problems[0].row == 0
    assert reason in batch.problems[0].reason


def test_a_spreadsheet_export_with_a_formula_cell_skips_that_row():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Nomor Tracking", "Tanggal Disposisi", "Isi Laporan", "Rahasia"])
    sheet.append(["2610010", "2026-11-20 09:00", "KK belum terbit", "Ya"])
    sheet.append(["2610011", "2026-11-20 09:00", '=WEBSERVICE("http://x")', "Tidak"])
    out = io.BytesIO()
    book.save(out)
    batch = read_export("agency", out.getvalue(), "export.xlsx")
    assert [i.external_id for i in batch.items] == ["2610010"]
    assert [p.row for p in batch.problems] == [3]


async def _import(rt, principal, account_id: int, data: bytes) -> imports.ImportResult:
    async with transaction(rt.sessions) as session:
        return await imports.import_file(session, rt, principal, account_id, data, "x.csv")


async def test_importing_a_file_twice_adds_each_report_once(rt, seed, lapor_account):
    admin = await _principal(rt, seed, "admin_tomohon")
    first = await _import(rt, admin, lapor_account, csv_file(*GOOD, *BAD))
    assert (first.added, len(first.problems)) == (["2610001", "2610002"], 7)
    await process_all(rt)
    again = await _import(rt, admin, lapor_account, csv_file(*GOOD))
    assert (again.added, again.duplicates) == ([], ["2610001", "2610002"])
    await process_all(rt)
    found = await tickets(rt)
    assert [(t.external_ref, t.confidential) for t in found] == [
        ("2610001", False),
        ("2610002", True),
    ]
    assert found[1].contact_id != found[0].contact_id
    bodies = [m.body for m in await timeline(rt, found[1].id)]
    assert bodies == ["Akta anak salah nama, mohon dibetulkan"]


async def test_only_an_account_of_ones_own_office_can_be_imported_into(rt, seed, lapor_account):
    brebes = await _principal(rt, seed, "admin_brebes")
    with pytest.raises(imports.ImportRefused):
        await _import(rt, brebes, lapor_account, csv_file(*GOOD))


async def test_the_inbox_forms_import_a_file_and_a_pasted_report(rt, client, seed, lapor_account):
    assert (await login(client, "admin_tomohon")).status_code == 303
    page = await client.get("/lapor/import")
    assert page.status_code == 200 and "SP4N-LAPOR! Tomohon" in page.text
    uploaded = await client.post(
        "/lapor/import/file",
        data={"_csrf_token": await csrf_token(client), "account": str(lapor_account)},
        files={"file": ("export.csv", csv_file(GOOD[0], BAD[0]), "text/csv")},
    )
    assert uploaded.status_code == 200
    assert "1 laporan ditambahkan" in uploaded.text and "Baris 3" in uploaded.text
    fields = {"account": str(lapor_account), "ref": "2610099", "text": "Mohon KIA anak saya."}
    pasted = await post_form(client, "/lapor/import/paste", fields)
    assert pasted.status_code == 200 and "1 laporan ditambahkan" in pasted.text
    again = await post_form(client, "/lapor/import/paste", fields)
    assert "0 laporan ditambahkan, 1 sudah ada" in again.text
    refused = await post_form(client, "/lapor/import/paste", {**fields, "ref": "x"})
    assert refused.status_code == 400 and "not a LAPOR tracking ID" in refused.text
    no_token = await client.post("/lapor/import/paste", data=fields)
    assert no_token.status_code == 403
    await process_all(rt)
    assert [t.external_ref for t in await tickets(rt)] == ["2610001", "2610099"]


async def _principal(rt, seed, username: str):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        principal = await load_principal(session, seed.users[username])
    assert principal is not None
    return principal
