"""One raw mail (RFC 5322 bytes, as the poller stored it) into the typed objects of
`channels.base`. Pure: bytes in, objects out; nothing here talks to a server or a database.

The poller prepends an envelope of its own (`X-Helpdesk-Mailbox`, `X-Helpdesk-Received`, and
`X-Helpdesk-Truncated` for a mail too large to fetch whole), the way an MTA prepends
Delivered-To: the first occurrence is ours, since whatever the sender wrote comes after it.

- RFC 5322 https://www.rfc-editor.org/rfc/rfc5322, MIME RFC 2045-2049, RFC 2231 parameters.
- Python's `email` package with the compat32 policy: the most tolerant of broken mail; its tree is
  built by `mime_tree.read`, which gives the stdlib parser's tree faster.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime

from channels.base import (
    ContentKind,
    DeliveryStatus,
    FetchedMedia,
    InboundMessage,
    InvalidPayload,
    ParsedPayload,
    StatusUpdate,
)
from channels.email import content, mime_tree, noise, quotes
from channels.email.decode import address, addresses, header_text
from channels.email.threading import ids_in, normalise_id, register_in_subject, thread_refs

MAILBOX = "X-Helpdesk-Mailbox"
RECEIVED = "X-Helpdesk-Received"
TRUNCATED = "X-Helpdesk-Truncated"
MAX_BODY = 100_000
MAX_FULL_TEXT = 200_000
MAX_HTML = 200_000


def envelope(mailbox: str, received_at: datetime, truncated_size: int | None = None) -> bytes:
    """The lines the poller puts before a raw mail it stores."""
    lines = [f"{MAILBOX}: {mailbox}", f"{RECEIVED}: {received_at.astimezone(UTC).isoformat()}"]
    if truncated_size is not None:
        lines.append(f"{TRUNCATED}: {int(truncated_size)}")
    return ("\r\n".join(lines) + "\r\n").encode("ascii", "replace")


def read(raw: bytes) -> Message:
    """The compat32 tree of `email.message_from_bytes`, without its line walk where it can."""
    return mime_tree.read(raw)


def parse_mail(raw: bytes) -> ParsedPayload:
    return parse_read(raw, read(raw))


def parse_read(raw: bytes, msg: Message) -> ParsedPayload:
    """`parse_mail` of a mail already read (`read(raw)`), so a caller may keep the tree."""
    if not raw.strip():
        raise InvalidPayload("empty mail")
    mailbox = header_text(msg.get(MAILBOX))
    if not mailbox:
        raise InvalidPayload(f"no {MAILBOX} line: not a mail the poller stored")
    received = _date(header_text(msg.get(RECEIVED)), iso=True)
    sent_at = _date(header_text(msg.get("Date"))) or received or datetime.now(UTC)

    name, sender = address(msg.get("From"))
    if not sender:
        for fallback in ("Sender", "Reply-To", "Return-Path"):
            name2, sender = address(msg.get(fallback))
            if sender:
                name = name or name2
                break
    if sender and sender == mailbox.lower():
        return ParsedPayload(ignored=1)  # our own mail coming back: never a complaint
    if noise.is_bounce(msg, sender):
        return _bounce(msg, mailbox, received or sent_at)
    if noise.auto_reply_reason(msg) is not None:
        return ParsedPayload(ignored=1)

    subject = header_text(msg.get("Subject"))[:500]
    message_id = next(iter(ids_in(header_text(msg.get("Message-ID")))), None)
    details: dict[str, object] = {"subject": subject}
    truncated = header_text(msg.get(TRUNCATED))
    if truncated:
        found = content.Content()
        details["truncated_bytes"] = int(truncated) if truncated.isdigit() else truncated
        found.texts.append(
            f"(Surat ini berukuran {truncated} byte, melebihi batas ukuran; isinya tetap di "
            f"kotak surat. / This mail is larger than the size limit; it stays in the mailbox.)"
        )
    else:
        found = content.extract(msg)
    full_text = found.text
    body, folded = quotes.fold(full_text)
    if folded:
        details["full_text"] = full_text[:MAX_FULL_TEXT]
    if found.html:
        details["html"] = "\n".join(found.html)[:MAX_HTML]
    if found.forwarded:
        details["forwarded"] = found.forwarded
    if found.defects:
        details["defects"] = sorted(set(found.defects))[:20]
    if not sender:
        details["unknown_sender"] = True
    for header in ("To", "Cc"):
        listed = addresses(msg.get_all(header) or [])
        if listed:
            details[header.lower()] = listed[:50]
    reply_to = address(msg.get("Reply-To"))[1]
    if reply_to and reply_to != sender:
        details["reply_to"] = reply_to
    kind = ContentKind.text
    if not body and found.media:
        kind = found.media[0].kind
    return ParsedPayload(
        messages=(
            InboundMessage(
                account_key=mailbox,
                external_id=message_id or _digest_id(raw),
                sender_id=sender or "unknown@invalid",
                sender_name=name[:200] or None,
                sent_at=sent_at,
                kind=kind,
                body=body[:MAX_BODY],
                media=tuple(found.media),
                reply_to_external_id=next(iter(ids_in(header_text(msg.get("In-Reply-To")))), None),
                details=details,
                subject=subject or None,
                thread_refs=thread_refs(
                    header_text(msg.get("In-Reply-To")), header_text(msg.get("References"))
                ),
                ticket_hint=register_in_subject(subject),
            ),
        )
    )


def media_from(raw: bytes, media_id: str) -> FetchedMedia | None:
    """An attachment's bytes, read again from the stored raw mail; None if it is not there."""
    return media_in(read(raw), media_id)


def media_in(msg: Message, media_id: str) -> FetchedMedia | None:
    """An attachment's bytes from a mail already read; None if it is not there."""
    part = content.part_at(msg, media_id)
    if part is None or part.is_multipart():
        return None
    position = int(media_id[len(content.MEDIA_PREFIX) :])
    return FetchedMedia(
        content=content.media_bytes(part),
        mime_type=part.get_content_type(),
        filename=content.filename_of(part, position),
    )


def _bounce(msg: Message, mailbox: str, at: datetime) -> ParsedPayload:
    bounce = noise.read_bounce(msg)
    if not bounce.permanent or not bounce.original_ids:
        return ParsedPayload(ignored=1)
    reason = f"{bounce.status} {bounce.reason}" if bounce.status else bounce.reason
    return ParsedPayload(
        statuses=tuple(
            StatusUpdate(
                account_key=mailbox,
                external_id=original,
                status=DeliveryStatus.failed,
                at=at,
                error=f"Surat ditolak server penerima / mail bounced: {reason}"[:1000],
                error_code="bounce",
            )
            for original in bounce.original_ids
        )
    )


def _date(value: str, iso: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value) if iso else parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _digest_id(raw: bytes) -> str:
    """A stable id for a mail without a Message-ID: the digest of the mail without our envelope."""
    lines = raw.split(b"\n")
    while lines and lines[0].lower().startswith(b"x-helpdesk-"):
        lines.pop(0)
    return normalise_id("sha256:" + hashlib.sha256(b"\n".join(lines)).hexdigest()) or "sha256:"
