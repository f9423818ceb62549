"""The simulator's memory: agencies, reports, their conversations and the disposisi feed."""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class LaporAgency:
    agency_id: str
    api_token: str
    label: str = ""


@dataclass
class SimFile:
    file_id: str
    filename: str
    mime: str
    content: bytes = field(repr=False)


@dataclass
class SimEntry:
    entry_id: str
    role: str  # pelapor | admin | instansi
    name: str
    body: str
    at: datetime
    files: list[SimFile] = field(default_factory=list)


@dataclass
class SimReport:
    tracking_id: str
    agency_id: str
    title: str
    body: str
    category: str
    kind: str
    anonymous: bool
    confidential: bool
    reporter: dict[str, str]
    submitted_at: datetime
    forwarded_at: datetime
    status: str = "disposisi"
    files: list[SimFile] = field(default_factory=list)
    conversation: list[SimEntry] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)


class SimError(ValueError):
    pass


class LaporStore:
    def __init__(self, agencies: list[LaporAgency]) -> None:
        self.agencies = {a.agency_id: a for a in agencies}
        self.reports: dict[str, SimReport] = {}
        self.feed: list[tuple[int, str, str, datetime]] = []  # seq, agency, tracking id, at
        self.files: dict[str, SimFile] = {}
        self.idempotency: dict[tuple[str, str], str] = {}
        self.down = False
        self.fail_posts = 0  # the next n follow-ups answer 503
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        self._tracking = itertools.count(2611001)

    def agency_for_token(self, agency_id: str, token: str) -> LaporAgency | None:
        agency = self.agencies.get(agency_id)
        return agency if agency is not None and agency.api_token == token else None

    def file_report(self, data: dict[str, Any]) -> SimReport:
        """A citizen's report, verified and forwarded (disposisi) to the agency at once."""
        agency_id = str(data.get("agency_id") or "")
        if agency_id not in self.agencies:
            raise SimError(f"unknown agency {agency_id!r}")
        body = str(data.get("body") or "").strip()
        if not body:
            raise SimError("the report is empty")
        now = datetime.now(UTC)
        with self.lock:
            tracking = str(data.get("tracking_id") or next(self._tracking))
            if tracking in self.reports:
                raise SimError(f"report {tracking} exists")
            report = SimReport(
                tracking_id=tracking,
                agency_id=agency_id,
                title=str(data.get("title") or body[:60]),
                body=body,
                category=str(data.get("category") or "Administrasi Kependudukan"),
                kind=str(data.get("kind") or "pengaduan"),
                anonymous=bool(data.get("anonymous")),
                confidential=bool(data.get("confidential")),
                reporter={
                    "id": str(data.get("reporter_id") or f"u{next(self._ids)}"),
                    "nama": str(data.get("name") or "Warga"),
                    "telepon": str(data.get("phone") or ""),
                    "email": str(data.get("email") or ""),
                },
                submitted_at=now,
                forwarded_at=_when(data.get("forwarded_at")) or now,
                files=self._files(data.get("files")),
            )
            self.reports[tracking] = report
            self._changed(report, now)
        return report

    def add_entry(
        self, tracking_id: str, role: str, name: str, body: str, files: Any = None
    ) -> SimEntry:
        if role not in ("pelapor", "admin", "instansi"):
            raise SimError(f"unknown role {role!r}")
        with self.lock:
            report = self.reports.get(tracking_id)
            if report is None:
                raise SimError(f"no report {tracking_id}")
            entry = SimEntry(
                entry_id=f"e{next(self._ids)}",
                role=role,
                name=name,
                body=body,
                at=datetime.now(UTC),
                files=self._files(files),
            )
            report.conversation.append(entry)
            if role != "instansi":  # the agency's own follow-ups are not news to it
                self._changed(report, entry.at)
        return entry

    def follow_up(
        self, agency_id: str, tracking_id: str, body: str, files: Any, key: str | None
    ) -> SimEntry:
        report = self.reports.get(tracking_id)
        if report is None or report.agency_id != agency_id:
            raise LookupError(tracking_id)
        if key and (tracking_id, key) in self.idempotency:
            entry_id = self.idempotency[(tracking_id, key)]
            return next(e for e in report.conversation if e.entry_id == entry_id)
        entry = self.add_entry(tracking_id, "instansi", self.agencies[agency_id].label, body, files)
        report.status = "tindak_lanjut"
        if key:
            self.idempotency[(tracking_id, key)] = entry.entry_id
        return entry

    def page(
        self, agency_id: str, after: int, limit: int
    ) -> tuple[list[tuple[int, str, datetime]], int, bool]:
        with self.lock:
            rows = [(s, t, at) for s, a, t, at in self.feed if a == agency_id and s > after]
        last = self.feed[-1][0] if self.feed else 0
        taken = rows[:limit]
        return taken, (taken[-1][0] if taken else max(after, last)), len(rows) > limit

    def _changed(self, report: SimReport, at: datetime) -> None:
        self.feed.append((len(self.feed) + 1, report.agency_id, report.tracking_id, at))

    def _files(self, raw: Any) -> list[SimFile]:
        files = []
        for item in raw or ():
            try:
                content = base64.b64decode(str(item.get("content_base64") or ""), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise SimError("an attachment is not base64") from exc
            sim_file = SimFile(
                file_id=f"f{next(self._ids)}",
                filename=str(item.get("filename") or item.get("nama_file") or "lampiran"),
                mime=str(item.get("mime") or "application/octet-stream"),
                content=content,
            )
            self.files[sim_file.file_id] = sim_file
            files.append(sim_file)
        return files


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=UTC)
