"""The Messenger Platform's `messaging[]` events, which Page and Instagram messaging share.

Pure: turns one entry's `messaging[]` into citizen messages, echoes of the account's own sends,
edits and removals, and delivery/read statuses. Shapes:
- https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
- https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-echoes
- https://developers.facebook.com/docs/messenger-platform/instagram/features/webhook
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from channels.base import (
    ContentKind,
    DeliveryStatus,
    EchoMessage,
    InboundMessage,
    InvalidPayload,
    MediaRef,
    MessageChange,
    MessageUpdate,
    ParsedPayload,
    StatusUpdate,
)
from channels.meta.envelope import Entry, as_dict, dicts, entries, ident, text, timestamp

MAX_TEXT_CHARS = 20_000
MAX_ATTACHMENTS = 10
#: put in `message.metadata` of every send; Messenger hands it back on the echo
OUR_METADATA = "dukcapil-helpdesk"
_ATTACHMENT_KINDS = {
    "image": ContentKind.image,
    "video": ContentKind.video,
    "audio": ContentKind.audio,
    "file": ContentKind.document,
}


def parse_messaging(entry: Entry, surface: str) -> ParsedPayload:
    """Every usable event of one entry's `messaging[]`; the rest counted as ignored."""
    messages: list[InboundMessage] = []
    echoes: list[EchoMessage] = []
    updates: list[MessageUpdate] = []
    statuses: list[StatusUpdate] = []
    ignored = 0
    for raw in entry.messaging:
        event = as_dict(raw)
        account = entry.id
        sender = ident(as_dict(event.get("sender")).get("id"))
        recipient = ident(as_dict(event.get("recipient")).get("id"))
        at = timestamp(event.get("timestamp")) or entry.time
        if account is None or sender is None or recipient is None or at is None:
            ignored += 1
            continue
        message = as_dict(event.get("message"))
        if message:
            if message.get("is_echo") is True:
                echo = _echo(account, recipient, at, message, surface)
                echoes.extend([echo] if echo else [])
                ignored += echo is None
            elif message.get("is_deleted") is True:  # Instagram: the citizen unsent it
                update = _removal(account, at, message)
                updates.extend([update] if update else [])
                ignored += update is None
            else:
                inbound = _inbound(account, sender, at, message, surface)
                messages.extend([inbound] if inbound else [])
                ignored += inbound is None
        elif edit := as_dict(event.get("message_edit")):
            mid = ident(edit.get("mid"))
            if mid is None:
                ignored += 1
                continue
            body = text(edit.get("text"), MAX_TEXT_CHARS) or ""
            updates.append(MessageUpdate(account, mid, MessageChange.edited, at, body))
        elif delivery := as_dict(event.get("delivery")):
            mids = [m for m in (ident(v) for v in delivery.get("mids") or []) if m]
            statuses.extend(
                StatusUpdate(account, mid, DeliveryStatus.delivered, at) for mid in mids
            )
            ignored += not mids
        elif (read := as_dict(event.get("read"))) and ident(read.get("mid")):
            # Instagram names the message read; Messenger only a watermark time, ignored.
            statuses.append(StatusUpdate(account, str(ident(read["mid"])), DeliveryStatus.read, at))
        else:
            ignored += 1  # postbacks, reactions, referrals, Messenger read watermarks…
    return ParsedPayload(
        messages=tuple(messages),
        statuses=tuple(statuses),
        echoes=tuple(echoes),
        updates=tuple(updates),
        ignored=ignored,
    )


def _inbound(
    account: str, sender: str, at: datetime, message: Mapping[str, Any], surface: str
) -> InboundMessage | None:
    mid = ident(message.get("mid"))
    if mid is None:
        return None
    body = text(message.get("text"), MAX_TEXT_CHARS) or ""
    media, kind = _attachments(mid, message)
    if not body and not media:
        kind = ContentKind.unsupported
    reply_to = ident(as_dict(message.get("reply_to")).get("mid"))
    return InboundMessage(
        account_key=account,
        external_id=mid,
        sender_id=sender,
        sender_name=None,  # Messenger webhooks carry no name; the profile API would
        sent_at=at,
        kind=kind,
        body=body,
        media=media,
        reply_to_external_id=reply_to,
        details={"surface": surface},
    )


def _echo(
    account: str, recipient: str, at: datetime, message: Mapping[str, Any], surface: str
) -> EchoMessage | None:
    mid = ident(message.get("mid"))
    if mid is None:
        return None
    body = text(message.get("text"), MAX_TEXT_CHARS) or ""
    media, kind = _attachments(mid, message)
    return EchoMessage(
        account_key=account,
        external_id=mid,
        recipient_id=recipient,
        sent_at=at,
        kind=kind if (body or media) else ContentKind.unsupported,
        body=body,
        media=media,
        details={"surface": surface, "echo": True},
        ours=message.get("metadata") == OUR_METADATA,
    )


def _removal(account: str, at: datetime, message: Mapping[str, Any]) -> MessageUpdate | None:
    mid = ident(message.get("mid"))
    return MessageUpdate(account, mid, MessageChange.removed, at) if mid else None


def _attachments(mid: str, message: Mapping[str, Any]) -> tuple[tuple[MediaRef, ...], ContentKind]:
    """The files of a message, each named `<mid>#<index>`: their CDN URLs are long-lived only
    in the stored webhook body, where `fetch_media` reads them back (`media_url`)."""
    refs: list[MediaRef] = []
    kind = ContentKind.text
    for index, attachment in enumerate(dicts(message.get("attachments"))[:MAX_ATTACHMENTS]):
        media_kind = _ATTACHMENT_KINDS.get(str(attachment.get("type")))
        url = as_dict(attachment.get("payload")).get("url")
        if media_kind is None or not isinstance(url, str):
            continue
        if as_dict(attachment.get("payload")).get("sticker_id") is not None:
            media_kind = ContentKind.sticker
        refs.append(MediaRef(media_id=f"{mid}#{index}", kind=media_kind))
        if kind is ContentKind.text:
            kind = media_kind
    return tuple(refs), kind


def media_url(payload: bytes, media_id: str, expected_object: str) -> str:
    """The URL of attachment `<mid>#<index>` in a stored webhook body."""
    mid, _, index_text = media_id.rpartition("#")
    if not mid or not index_text.isdigit():
        raise InvalidPayload(f"not an attachment reference: {media_id!r}")
    for entry in entries(payload, expected_object):
        for raw in entry.messaging:
            message = as_dict(as_dict(raw).get("message"))
            if ident(message.get("mid")) != mid:
                continue
            attachments = dicts(message.get("attachments"))
            index = int(index_text)
            if index < len(attachments):
                url = as_dict(attachments[index].get("payload")).get("url")
                if isinstance(url, str) and url.startswith(("https://", "http://")):
                    return url
    raise InvalidPayload(f"attachment {media_id} is not in the stored webhook")


def merge(parts: list[ParsedPayload]) -> ParsedPayload:
    return ParsedPayload(
        messages=tuple(m for p in parts for m in p.messages),
        statuses=tuple(s for p in parts for s in p.statuses),
        echoes=tuple(e for p in parts for e in p.echoes),
        updates=tuple(u for p in parts for u in p.updates),
        ignored=sum(p.ignored for p in parts),
    )
