"""The typed objects of the LAPOR client interface, and the stored form of a polled report.

A report is stored as an inbound event in *our* canonical JSON (`report_document`), not in the
wire format: the wire format is an assumption that lives in `http_client.py` only, so replacing
that file with a client for the real API changes nothing else (parsing, import, tests).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from channels.base import InvalidPayload

#: who wrote an entry of a report's conversation
AUTHOR_REPORTER = "pelapor"
AUTHOR_ADMIN = "admin"  # LAPOR's own administrators
AUTHOR_AGENCY = "instansi"  # an agency's follow-up (ours, or another agency's)
AUTHORS = (AUTHOR_REPORTER, AUTHOR_ADMIN, AUTHOR_AGENCY)
REPORT_KINDS = ("pengaduan", "aspirasi", "permintaan_informasi")
MAX_TEXT = 20000
DOCUMENT_VERSION = 1


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    attachment_id: str
    filename: str
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Reporter:
    """The citizen as LAPOR shows them to the agency; None on a report when anonymous."""

    reporter_id: str
    name: str = ""
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class ConversationEntry:
    entry_id: str
    author: str  # one of AUTHORS
    author_name: str
    body: str
    created_at: datetime
    attachments: tuple[AttachmentInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    tracking_id: str
    title: str
    content: str
    kind: str
    category: str
    status: str
    submitted_at: datetime
    forwarded_at: datetime  # disposisi to this agency: LAPOR's 5-working-day clock starts here
    anonymous: bool
    confidential: bool
    reporter: Reporter | None
    attachments: tuple[AttachmentInfo, ...] = ()
    conversation: tuple[ConversationEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ForwardedItem:
    tracking_id: str
    changed_at: datetime
    cursor: str  # the feed's position just after this item: where a restart resumes


@dataclass(frozen=True, slots=True)
class ForwardedPage:
    """Reports forwarded to the agency, or changed since (a new reply), after a cursor."""

    items: tuple[ForwardedItem, ...]
    cursor: str  # where the next call continues; opaque
    has_more: bool


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    filename: str
    mime_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class FollowUpReceipt:
    entry_id: str
    created_at: datetime


class LaporClient(Protocol):
    """What the helpdesk needs from LAPOR's integration API; raises the ChannelErrors of
    `channels.base` (AuthError, TransientError, PermanentError)."""

    async def list_forwarded(self, since: str | None, limit: int = 50) -> ForwardedPage: ...

    async def fetch_report(self, tracking_id: str) -> Report: ...

    async def fetch_attachment(self, attachment_id: str) -> tuple[bytes, str | None, str]: ...

    async def post_follow_up(
        self,
        tracking_id: str,
        body: str,
        attachments: Sequence[OutgoingFile] = (),
        idempotency_key: str | None = None,
    ) -> FollowUpReceipt: ...

    async def post_status(self, tracking_id: str, status: str, note: str = "") -> None: ...

    async def aclose(self) -> None:
        """Release connections; the client is not used afterwards."""


def report_document(report: Report, account_key: str, source: str = "api") -> bytes:
    """The stored form of a report: what `parse.parse_report` reads back."""

    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    if report.anonymous:
        # Never stored, so never shown: not even superusers' raw event view holds the identity.
        report = replace(report, reporter=None)
    doc = {
        "v": DOCUMENT_VERSION,
        "account": account_key,
        "source": source,
        "report": asdict(report),
    }
    return json.dumps(doc, default=default, ensure_ascii=False).encode()


def read_document(body: bytes) -> tuple[str, str, Report]:
    """(account key, source, report) from a stored document; InvalidPayload when malformed."""
    try:
        doc = json.loads(body)
        if not isinstance(doc, dict) or doc.get("v") != DOCUMENT_VERSION:
            raise InvalidPayload("not a LAPOR report document")
        return str(doc["account"]), str(doc.get("source", "api")), report_from(doc["report"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, InvalidPayload):
            raise
        raise InvalidPayload(f"malformed LAPOR report document: {exc}") from exc


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time with its zone (`Z` or an offset); ValueError without one."""
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return at


@dataclass(frozen=True, slots=True)
class Fields:
    """Where a mapping keeps each part of a report. The defaults are our stored document's names
    (`asdict(Report)`); the wire format (`http_client`) names its own, so one reader serves both."""

    tracking_id: str = "tracking_id"
    title: str = "title"
    content: str = "content"
    kind: str = "kind"
    category: str = "category"
    status: str = "status"
    submitted_at: str = "submitted_at"
    forwarded_at: str = "forwarded_at"
    anonymous: str = "anonymous"
    confidential: str = "confidential"
    reporter: str = "reporter"
    reporter_id: str = "reporter_id"
    name: str = "name"
    phone: str = "phone"
    email: str = "email"
    attachments: str = "attachments"
    attachment_id: str = "attachment_id"
    filename: str = "filename"
    mime_type: str = "mime_type"
    size: str = "size"
    conversation: str = "conversation"
    entry_id: str = "entry_id"
    author: str = "author"
    author_name: str = "author_name"
    body: str = "body"
    created_at: str = "created_at"
    #: an entry's author to one of AUTHORS (unknown ones: LAPOR's admins); None: kept as given,
    #: and required (the stored document wrote one of AUTHORS)
    roles: Mapping[str, str] | None = None


STORED = Fields()


def report_from(raw: Mapping[str, Any], f: Fields = STORED) -> Report:
    """A report from a mapping named as `f` says; KeyError, TypeError or ValueError when a
    required part is missing or malformed."""
    reporter = raw.get(f.reporter)

    def files(items: Any) -> tuple[AttachmentInfo, ...]:
        return tuple(
            AttachmentInfo(
                attachment_id=str(a[f.attachment_id]),
                filename=str(a.get(f.filename) or ""),
                mime_type=a.get(f.mime_type),
                size=int(a[f.size]) if a.get(f.size) is not None else None,
            )
            for a in items or ()
        )

    def author(entry: Mapping[str, Any]) -> str:
        if f.roles is None:
            return str(entry[f.author])
        return f.roles.get(str(entry.get(f.author)), AUTHOR_ADMIN)

    return Report(
        tracking_id=str(raw[f.tracking_id]),
        title=str(raw.get(f.title) or ""),
        content=str(raw.get(f.content) or ""),
        kind=str(raw.get(f.kind) or "pengaduan"),
        category=str(raw.get(f.category) or ""),
        status=str(raw.get(f.status) or ""),
        submitted_at=parse_time(raw[f.submitted_at]),
        forwarded_at=parse_time(raw[f.forwarded_at]),
        anonymous=bool(raw.get(f.anonymous)),
        confidential=bool(raw.get(f.confidential)),
        reporter=Reporter(
            reporter_id=str(reporter[f.reporter_id]),
            name=str(reporter.get(f.name) or ""),
            phone=reporter.get(f.phone),
            email=reporter.get(f.email),
        )
        if isinstance(reporter, Mapping)
        else None,
        attachments=files(raw.get(f.attachments)),
        conversation=tuple(
            ConversationEntry(
                entry_id=str(e[f.entry_id]),
                author=author(e),
                author_name=str(e.get(f.author_name) or ""),
                body=str(e.get(f.body) or ""),
                created_at=parse_time(e[f.created_at]),
                attachments=files(e.get(f.attachments)),
            )
            for e in raw.get(f.conversation) or ()
        ),
    )
