"""The LAPOR integration API over HTTP, as we assume it (see README.md, "The assumed contract").

LAPOR documents its API only inside the admin portal, so every wire detail (paths, field names,
error shapes) lives in this one module: swapping in the real contract means rewriting this file
against the same `LaporClient` interface (`types.py`) and nothing else. Failures become the three
error kinds of `channels.base`, so retry policy stays in the outbox and the poll loop.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from channels.base import AuthError, ChannelError, PermanentError, TransientError
from channels.sp4n_lapor.types import (
    AttachmentInfo,
    ConversationEntry,
    FollowUpReceipt,
    ForwardedItem,
    ForwardedPage,
    OutgoingFile,
    Report,
    Reporter,
)

MAX_JSON_BYTES = 8 * 1024 * 1024
_ROLES = {"pelapor": "pelapor", "admin": "admin", "instansi": "instansi"}


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
                ForwardedItem(str(i["tracking_id"]), _when(i["updated_at"]), str(i["cursor"]))
                for i in data["data"]
            )
            return ForwardedPage(items, str(meta["next_cursor"]), bool(meta.get("has_more")))
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError(f"unexpected disposisi list: {exc}", code="bad_response") from exc

    async def fetch_report(self, tracking_id: str) -> Report:
        data = await self._json("GET", f"/laporan/{quote(tracking_id, safe='')}")
        try:
            return _report(data["data"])
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
            return FollowUpReceipt(str(data["data"]["id"]), _when(data["data"]["waktu"]))
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


def _when(value: Any) -> datetime:
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return at


def _files(raw: Any) -> tuple[AttachmentInfo, ...]:
    return tuple(
        AttachmentInfo(
            attachment_id=str(f["id"]),
            filename=str(f.get("nama_file") or ""),
            mime_type=f.get("mime"),
            size=int(f["ukuran"]) if f.get("ukuran") is not None else None,
        )
        for f in raw or ()
    )


def _report(raw: Mapping[str, Any]) -> Report:
    person = raw.get("pelapor")
    return Report(
        tracking_id=str(raw["tracking_id"]),
        title=str(raw.get("judul") or ""),
        content=str(raw.get("isi") or ""),
        kind=str(raw.get("jenis") or "pengaduan"),
        category=str(raw.get("kategori") or ""),
        status=str(raw.get("status") or ""),
        submitted_at=_when(raw["tanggal_lapor"]),
        forwarded_at=_when(raw["tanggal_disposisi"]),
        anonymous=bool(raw.get("anonim")),
        confidential=bool(raw.get("rahasia")),
        reporter=Reporter(
            reporter_id=str(person["id"]),
            name=str(person.get("nama") or ""),
            phone=person.get("telepon"),
            email=person.get("email"),
        )
        if isinstance(person, Mapping)
        else None,
        attachments=_files(raw.get("lampiran")),
        conversation=tuple(
            ConversationEntry(
                entry_id=str(e["id"]),
                author=_ROLES.get(str(e.get("peran")), "admin"),
                author_name=str(e.get("nama") or ""),
                body=str(e.get("isi") or ""),
                created_at=_when(e["waktu"]),
                attachments=_files(e.get("lampiran")),
            )
            for e in raw.get("percakapan") or ()
        ),
    )


def _filename(disposition: str) -> str:
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename":
            return value.strip('"')[:255]
    return ""
