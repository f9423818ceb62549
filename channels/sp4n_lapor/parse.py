"""A stored LAPOR report document -> inbound messages (pure; see `types.report_document`).

The report itself is one message whose platform id is the tracking ID; each entry of its
conversation written by the reporter or by LAPOR's admins is another (`<tracking>/<entry>`), so
a report polled again after a new reply adds only that reply. Entries written by agencies are
our own follow-ups coming back (or another agency's) and are left out.

Anonymity is settled here, at the edge: for an anonymous report no name, phone, email or
reporter id ever leaves this module, whatever LAPOR sent, so the helpdesk cannot show what it
never stored. Each anonymous report gets a contact of its own, so reports cannot be linked.
"""

from __future__ import annotations

from channels.base import ContentKind, InboundMessage, MediaRef, ParsedPayload
from channels.sp4n_lapor.types import (
    AUTHOR_ADMIN,
    AUTHOR_REPORTER,
    MAX_TEXT,
    AttachmentInfo,
    Report,
    read_document,
)

ADMIN_SENDER = "lapor-admin"


def anonymous_sender(tracking_id: str) -> str:
    return f"anonim:{tracking_id}"


def parse_report(body: bytes) -> ParsedPayload:
    account_key, source, report = read_document(body)
    sender_id, sender_name, phone = _reporter(report)
    facts = {
        "lapor": {
            "tracking_id": report.tracking_id,
            "kind": report.kind,
            "category": report.category[:120],
            "status": report.status[:40],
            "anonymous": report.anonymous,
            "confidential": report.confidential,
            "submitted_at": report.submitted_at.isoformat(),
            "forwarded_at": report.forwarded_at.isoformat(),
            "source": source,
        }
    }
    messages = [
        InboundMessage(
            account_key=account_key,
            external_id=report.tracking_id,
            sender_id=sender_id,
            sender_name=sender_name,
            sent_at=report.forwarded_at,
            kind=ContentKind.text,
            body=_text(report.content),
            media=_media(report.attachments),
            details=facts,
            sender_phone=phone,
            subject=_text(report.title)[:200] or None,
            external_ref=report.tracking_id,
            confidential=report.confidential,
        )
    ]
    ignored = 0
    for entry in report.conversation:
        if entry.author == AUTHOR_REPORTER:
            entry_sender, entry_name = sender_id, sender_name
        elif entry.author == AUTHOR_ADMIN:
            entry_sender, entry_name = ADMIN_SENDER, entry.author_name[:200] or "Admin LAPOR"
        else:
            ignored += 1  # an agency's follow-up: ours is already on the timeline
            continue
        messages.append(
            InboundMessage(
                account_key=account_key,
                external_id=f"{report.tracking_id}/{entry.entry_id}"[:255],
                sender_id=entry_sender,
                sender_name=entry_name,
                sent_at=entry.created_at,
                kind=ContentKind.text,
                body=_text(entry.body),
                media=_media(entry.attachments),
                details={"lapor": {"tracking_id": report.tracking_id, "author": entry.author}},
                external_ref=report.tracking_id,
                confidential=report.confidential,
            )
        )
    return ParsedPayload(messages=tuple(messages), ignored=ignored)


def tracking_id_of(external_id: str) -> str:
    """The report a message belongs to, from its platform id (`<tracking>[/<entry>]`)."""
    return external_id.split("/", 1)[0]


def _reporter(report: Report) -> tuple[str, str | None, str | None]:
    if report.anonymous or report.reporter is None:
        return anonymous_sender(report.tracking_id), None, None
    person = report.reporter
    return f"pelapor:{person.reporter_id}"[:200], person.name[:200] or None, person.phone


def _text(value: str) -> str:
    return value.replace("\x00", "").strip()[:MAX_TEXT]


def _media(files: tuple[AttachmentInfo, ...]) -> tuple[MediaRef, ...]:
    return tuple(
        MediaRef(
            media_id=f.attachment_id,
            mime_type=f.mime_type,
            filename=f.filename[:255] or None,
            kind=_kind(f.mime_type),
        )
        for f in files
    )


def _kind(mime: str | None) -> ContentKind:
    major = (mime or "").split("/", 1)[0]
    return {
        "image": ContentKind.image,
        "audio": ContentKind.audio,
        "video": ContentKind.video,
    }.get(major, ContentKind.document)
