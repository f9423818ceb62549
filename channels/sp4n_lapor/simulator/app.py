"""The simulator's HTTP face: the assumed LAPOR API under `/api/v1/instansi/{agency}/…`, control
routes under `/_sim/` for tests, and a page at `/` to file a report and reply as LAPOR would."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Annotated, Any

from litestar import Litestar, Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from channels.sp4n_lapor.simulator.store import (
    LaporAgency,
    LaporStore,
    SimError,
    SimFile,
    SimReport,
)

API = "/api/v1/instansi/{agency_id:str}"


def _store(request: Request[Any, Any, Any]) -> LaporStore:
    return request.app.state.lapor


def _error(status: int, code: str, message: str) -> Response[Any]:
    return Response({"error": {"code": code, "message": message}}, status_code=status)


def _guard(request: Request[Any, Any, Any], agency_id: str) -> Response[Any] | None:
    store = _store(request)
    if store.down:
        return _error(503, "maintenance", "LAPOR sedang dalam pemeliharaan")
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if store.agency_for_token(agency_id, token) is None:
        return _error(401, "unauthorized", "token tidak sah untuk instansi ini")
    return None


def _iso(at: datetime) -> str:
    return at.isoformat()


def _files(files: list[SimFile]) -> list[dict[str, Any]]:
    return [
        {"id": f.file_id, "nama_file": f.filename, "mime": f.mime, "ukuran": len(f.content)}
        for f in files
    ]


def _report_json(report: SimReport) -> dict[str, Any]:
    # Like LAPOR, an anonymous reporter is still sent (the helpdesk must not show it), so the
    # simulator tests that the adapter drops it rather than trusting the platform to.
    return {
        "tracking_id": report.tracking_id,
        "judul": report.title,
        "isi": report.body,
        "jenis": report.kind,
        "kategori": report.category,
        "status": report.status,
        "tanggal_lapor": _iso(report.submitted_at),
        "tanggal_disposisi": _iso(report.forwarded_at),
        "anonim": report.anonymous,
        "rahasia": report.confidential,
        "pelapor": report.reporter,
        "lampiran": _files(report.files),
        "percakapan": [
            {
                "id": e.entry_id,
                "peran": e.role,
                "nama": e.name,
                "isi": e.body,
                "waktu": _iso(e.at),
                "lampiran": _files(e.files),
            }
            for e in report.conversation
        ],
    }


@get(f"{API}/disposisi")
async def disposisi(
    request: Request[Any, Any, Any], agency_id: str, cursor: str = "0", limit: int = 50
) -> Response[Any]:
    if (refused := _guard(request, agency_id)) is not None:
        return refused
    if not cursor.isdigit() or not 1 <= limit <= 200:
        return _error(400, "bad_request", "cursor or limit invalid")
    rows, last, more = _store(request).page(agency_id, int(cursor), limit)
    return Response(
        {
            "data": [
                {"tracking_id": t, "updated_at": _iso(at), "cursor": str(s)} for s, t, at in rows
            ],
            "meta": {"next_cursor": str(last), "has_more": more},
        }
    )


@get(f"{API}/laporan/{{tracking_id:str}}")
async def laporan(
    request: Request[Any, Any, Any], agency_id: str, tracking_id: str
) -> Response[Any]:
    if (refused := _guard(request, agency_id)) is not None:
        return refused
    report = _store(request).reports.get(tracking_id)
    if report is None or report.agency_id != agency_id:
        return _error(404, "not_found", "laporan tidak ditemukan")
    return Response({"data": _report_json(report)})


@get(f"{API}/lampiran/{{file_id:str}}")
async def lampiran(request: Request[Any, Any, Any], agency_id: str, file_id: str) -> Response[Any]:
    if (refused := _guard(request, agency_id)) is not None:
        return refused
    found = _store(request).files.get(file_id)
    if found is None:
        return _error(404, "not_found", "lampiran tidak ditemukan")
    return Response(
        found.content,
        media_type=found.mime,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


@post(f"{API}/laporan/{{tracking_id:str}}/tindak-lanjut")
async def tindak_lanjut(
    request: Request[Any, Any, Any], agency_id: str, tracking_id: str, data: dict[str, Any]
) -> Response[Any]:
    if (refused := _guard(request, agency_id)) is not None:
        return refused
    store = _store(request)
    if store.fail_posts > 0:
        store.fail_posts -= 1
        return _error(503, "busy", "coba lagi nanti")
    body = str(data.get("isi") or "").strip()
    if not body:
        return _error(422, "empty", "isi tindak lanjut kosong")
    files = [
        {
            "filename": f.get("nama_file"),
            "mime": f.get("mime"),
            "content_base64": f.get("konten_base64"),
        }
        for f in data.get("lampiran") or ()
        if isinstance(f, dict)
    ]
    try:
        entry = store.follow_up(
            agency_id, tracking_id, body, files, request.headers.get("idempotency-key")
        )
    except LookupError:
        return _error(404, "not_found", "laporan tidak ditemukan")
    except SimError as exc:
        return _error(422, "invalid", str(exc))
    return Response({"data": {"id": entry.entry_id, "waktu": _iso(entry.at)}}, status_code=201)


@post(f"{API}/laporan/{{tracking_id:str}}/status", status_code=200)
async def status(
    request: Request[Any, Any, Any], agency_id: str, tracking_id: str, data: dict[str, Any]
) -> Response[Any]:
    if (refused := _guard(request, agency_id)) is not None:
        return refused
    report = _store(request).reports.get(tracking_id)
    if report is None or report.agency_id != agency_id:
        return _error(404, "not_found", "laporan tidak ditemukan")
    value = str(data.get("status") or "")
    if value not in ("proses", "selesai", "bukan_kewenangan", "tunda"):
        return _error(422, "bad_status", f"status {value!r} tidak dikenal")
    report.status = value
    report.statuses.append((value, str(data.get("catatan") or "")))
    return Response({"data": {"status": value}})


# Control routes for tests and the demo (not part of LAPOR).


@post("/_sim/reports", status_code=201)
async def sim_file(request: Request[Any, Any, Any], data: dict[str, Any]) -> Response[Any]:
    try:
        report = _store(request).file_report(data)
    except (SimError, ValueError) as exc:
        return _error(422, "invalid", str(exc))
    return Response({"tracking_id": report.tracking_id}, status_code=201)


@post("/_sim/reports/{tracking_id:str}/replies", status_code=201)
async def sim_reply(
    request: Request[Any, Any, Any], tracking_id: str, data: dict[str, Any]
) -> Response[Any]:
    try:
        entry = _store(request).add_entry(
            tracking_id,
            str(data.get("role") or "pelapor"),
            str(data.get("name") or ""),
            str(data.get("body") or ""),
            data.get("files"),
        )
    except SimError as exc:
        return _error(422, "invalid", str(exc))
    return Response({"id": entry.entry_id}, status_code=201)


@post("/_sim/faults", status_code=200)
async def sim_faults(request: Request[Any, Any, Any], data: dict[str, Any]) -> dict[str, Any]:
    store = _store(request)
    store.down = bool(data.get("down", store.down))
    store.fail_posts = int(data.get("fail_posts", store.fail_posts))
    return {"down": store.down, "fail_posts": store.fail_posts}


@get("/_sim/state")
async def sim_state(request: Request[Any, Any, Any]) -> dict[str, Any]:
    store = _store(request)
    return {
        "reports": {
            t: _report_json(r) | {"agency_id": r.agency_id, "statuses": r.statuses}
            for t, r in store.reports.items()
        }
    }


# The demo page.

_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<title>Simulator SP4N-LAPOR</title>
<style>body{{font:15px sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}
label{{display:block;margin:.4rem 0}}textarea,input[type=text]{{width:100%}}
.r{{border:1px solid #999;padding:.5rem;margin:.5rem 0}}.e{{margin-left:1rem}}</style></head>
<body><h1>Simulator SP4N-LAPOR</h1><p>{notice}</p>
<h2>Laporkan (diteruskan ke instansi)</h2>
<form method="post" action="{base}file">
<label>Instansi <select name="agency_id">{agencies}</select></label>
<label>Judul <input type="text" name="title" maxlength="200"></label>
<label>Isi laporan <textarea name="body" rows="4" required maxlength="5000"></textarea></label>
<label>Nama pelapor <input type="text" name="name" maxlength="100" value="Warga Tomohon"></label>
<label><input type="checkbox" name="anonymous" value="1"> Anonim</label>
<label><input type="checkbox" name="confidential" value="1"> Rahasia</label>
<button>Kirim laporan</button></form>
<h2>Laporan</h2>{reports}</body></html>"""


def _page_base(request: Request[Any, Any, Any]) -> str:
    return f"{request.app.state.prefix}/"


@get(["/"], include_in_schema=False)
async def page(request: Request[Any, Any, Any], notice: str = "") -> Response[Any]:
    store = _store(request)
    base = _page_base(request)
    esc = html.escape
    agencies = "".join(
        f'<option value="{esc(a.agency_id)}">{esc(a.label or a.agency_id)}</option>'
        for a in store.agencies.values()
    )
    blocks = []
    for r in reversed(list(store.reports.values())):
        entries = "".join(
            f'<div class="e"><b>{esc(e.role)}</b> {esc(e.name)}: {esc(e.body)}</div>'
            for e in r.conversation
        )
        flags = " ".join(
            f for f, on in (("anonim", r.anonymous), ("rahasia", r.confidential)) if on
        )
        # The agency's note on its last status change (whose a `bukan_kewenangan` report is).
        note = r.statuses[-1][1] if r.statuses else ""
        status = f"{r.status}: {note}" if note else r.status
        blocks.append(
            f'<div class="r"><b>{esc(r.tracking_id)}</b> [{esc(status)}] {esc(flags)}'
            f"<br>{esc(r.title)}<br>{esc(r.body)}{entries}"
            f'<form method="post" action="{base}reply"><input type="hidden" name="tracking_id" '
            f'value="{esc(r.tracking_id)}"><label>Balas sebagai <select name="role">'
            '<option value="pelapor">pelapor</option><option value="admin">admin LAPOR</option>'
            '</select></label><label>Isi <input type="text" name="body" required maxlength="2000">'
            "</label><button>Kirim balasan</button></form></div>"
        )
    body = _PAGE.format(
        notice=esc(notice), base=esc(base), agencies=agencies, reports="".join(blocks) or "-"
    )
    return Response(body, media_type="text/html")


Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


@post("/file", include_in_schema=False)
async def page_file(request: Request[Any, Any, Any], data: Form) -> Redirect:
    try:
        report = _store(request).file_report(
            {
                "agency_id": data.get("agency_id", ""),
                "title": data.get("title", "")[:200],
                "body": data.get("body", "")[:5000],
                "name": data.get("name", "")[:100],
                "anonymous": data.get("anonymous") == "1",
                "confidential": data.get("confidential") == "1",
            }
        )
        notice = f"Laporan {report.tracking_id} diteruskan ke instansi"
    except SimError as exc:
        notice = f"Gagal: {exc}"
    return Redirect(path=_page_base(request), query_params={"notice": notice}, status_code=303)


@post("/reply", include_in_schema=False)
async def page_reply(request: Request[Any, Any, Any], data: Form) -> Redirect:
    role = data.get("role", "pelapor")
    try:
        _store(request).add_entry(
            data.get("tracking_id", ""),
            role,
            "Admin LAPOR" if role == "admin" else "Pelapor",
            data.get("body", "")[:2000],
        )
        notice = "Balasan terkirim"
    except SimError as exc:
        notice = f"Gagal: {exc}"
    return Redirect(path=_page_base(request), query_params={"notice": notice}, status_code=303)


def create_lapor_simulator(agencies: list[LaporAgency], prefix: str = "") -> Litestar:
    """A fresh simulator, its routes under `prefix` (e.g. "/lapor"); `app.state.lapor` is its
    `LaporStore`. The API base URL is `<server><prefix>/api/`."""
    prefix = prefix.rstrip("/")
    router = Router(
        path=prefix or "/",
        route_handlers=[
            disposisi,
            laporan,
            lampiran,
            tindak_lanjut,
            status,
            sim_file,
            sim_reply,
            sim_faults,
            sim_state,
            page,
            page_file,
            page_reply,
        ],
    )
    return Litestar(
        route_handlers=[router],
        state=State({"lapor": LaporStore(agencies), "prefix": prefix}),
        openapi_config=None,
        debug=False,
    )
