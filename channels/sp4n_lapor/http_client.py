"""The LAPOR integration API over HTTP, as we assume it (see README.md, "The assumed contract").

LAPOR documents its API only inside the admin portal, so every wire detail (paths, field names,
error shapes) lives in this one module: swapping in the real contract means rewriting this file
against the same `LaporClient` interface (`types.py`) and nothing else. Failures become the three
error kinds of `channels.base`, so retry policy stays in the outbox and the poll loop.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from channels.base import AuthError, ChannelError, PermanentError, TransientError
from channels.sp4n_lapor.types import (
    Fields,
    FollowUpReceipt,
    ForwardedItem,
    ForwardedPage,
    OutgoingFile,
    Report,
    parse_time,
    report_from,
)

MAX_JSON_BYTES = 8 * 1024 * 1024
# Where the wire format keeps each part of a report (`GET …/laporan/{tracking_id}`).
WIRE = Fields(
    title="judul",
    content="isi",
    kind="jenis",
    category="kategori",
    submitted_at="tanggal_lapor",
    forwarded_at="tanggal_disposisi",
    anonymous="anonim",
    confidential="rahasia",
    reporter="pelapor",
    reporter_id="id",
    name="nama",
    phone="telepon",
    email="email",
    attachments="lampiran",
    attachment_id="id",
    filename="nama_file",
    mime_type="mime",
    size="ukuran",
    conversation="percakapan",
    entry_id="id",
    author="peran",
    author_name="nama",
    body="isi",
    created_at="waktu",
    roles={"pelapor": "pelapor", "admin": "admin", "instansi": "instansi"},
)


class HttpLaporClient:
    """One agency account (`agency_id`, `api_token`) on one LAPOR base URL."""

    def __init__(
        self,
        base_url: str,
        agency_id: str,
        api_token: str,
        *,
        timeout: float = 20.0,
        max_media_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        if not base_url:
            raise PermanentError("HELPDESK_LAPOR_API_URL is not set", code="config")
        self.base = f"{base_url.rstrip('/')}/v1/instansi/{quote(agency_id, safe='')}"
        self.headers = {"Authorization": f"Bearer {api_token}", "Accept": "application/json"}
        self.timeout = timeout
        self.max_media_bytes = max_media_bytes
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        # One pooled client per LaporClient: a poll round makes one call per report.
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout, headers=self.headers)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def list_forwarded(self, since: str | None, limit: int = 50) -> ForwardedPage:
        params = {"limit": str(limit), **({"cursor": since} if since else {})}
        data = await self._json("GET", "/disposisi", params=params)
        try:
            meta = data["meta"]
            items = tuple(
                ForwardedItem(str(i["tracking_id"]), parse_time(i["updated_at"]), str(i["cursor"]))
                for i in data["data"]
            )
            return ForwardedPage(items, str(meta["next_cursor"]), bool(meta.get("has_more")))
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError(f"unexpected disposisi list: {exc}", code="bad_response") from exc

    async def fetch_report(self, tracking_id: str) -> Report:
        data = await self._json("GET", f"/laporan/{quote(tracking_id, safe='')}")
        try:
            return report_from(data["data"], WIRE)
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError(f"unexpected report: {exc}", code="bad_response") from exc

    async def fetch_attachment(self, attachment_id: str) -> tuple[bytes, str | None, str]:
        url = f"{self.base}/lampiran/{quote(attachment_id, safe='')}"
        client = self._client()
        try:
            async with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise _error(response)
                declared = int(response.headers.get("content-length") or 0)
                if declared > self.max_media_bytes:
                    raise PermanentError("attachment over the size limit", code="too_large")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_media_bytes:
                        raise PermanentError("attachment over the size limit", code="too_large")
                    chunks.append(chunk)
                kind = response.headers.get("content-type")
                name = _filename(response.headers.get("content-disposition", ""))
                return b"".join(chunks), kind, name
        except httpx.HTTPError as exc:
            raise TransientError(f"LAPOR unreachable: {exc}", code="network") from exc

    async def post_follow_up(
        self,
        tracking_id: str,
        body: str,
        attachments: Sequence[OutgoingFile] = (),
        idempotency_key: str | None = None,
    ) -> FollowUpReceipt:
        payload = {
            "isi": body,
            "lampiran": [
                {
                    "nama_file": f.filename,
                    "mime": f.mime_type,
                    "konten_base64": base64.b64encode(f.content).decode(),
                }
                for f in attachments
            ],
        }
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        path = f"/laporan/{quote(tracking_id, safe='')}/tindak-lanjut"
        data = await self._json("POST", path, json=payload, headers=headers)
        try:
            return FollowUpReceipt(str(data["data"]["id"]), parse_time(data["data"]["waktu"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError(f"unexpected receipt: {exc}", code="bad_response") from exc

    async def post_status(self, tracking_id: str, status: str, note: str = "") -> None:
        path = f"/laporan/{quote(tracking_id, safe='')}/status"
        await self._json("POST", path, json={"status": status, "catatan": note})

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        try:
            response = await self._client().request(
                method, self.base + path, params=params, json=json, headers=headers
            )
        except httpx.HTTPError as exc:
            raise TransientError(f"LAPOR unreachable: {exc}", code="network") from exc
        if response.status_code >= 400:
            raise _error(response)
        if len(response.content) > MAX_JSON_BYTES:
            raise PermanentError("LAPOR answer too large", code="bad_response")
        try:
            return response.json()
        except ValueError as exc:
            raise TransientError("LAPOR answered with something not JSON", code="bad_json") from exc


def _error(response: httpx.Response) -> ChannelError:
    code, text = f"http_{response.status_code}", response.reason_phrase
    try:
        err = response.json().get("error") or {}
        code, text = str(err.get("code") or code)[:40], str(err.get("message") or text)[:500]
    except (ValueError, AttributeError):
        pass
    status = response.status_code
    if status == 404:
        code = "not_found"  # the poller skips a report that is gone (withdrawn, moved on)
    if status in (401, 403):
        return AuthError(f"LAPOR refused the API token: {text}", code=code)
    if status == 429 or status >= 500:
        retry = response.headers.get("retry-after", "")
        after = float(retry) if retry.isdigit() else None
        return TransientError(f"LAPOR: {text}", code=code, retry_after=after)
    return PermanentError(f"LAPOR: {text}", code=code)


def _filename(disposition: str) -> str:
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename":
            return value.strip('"')[:255]
    return ""
