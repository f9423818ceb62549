"""Telegram updates -> the typed objects of `channels.base` (pure: no network, no database).

The webhook stores `envelope(account_key, body)`: a Bot API update does not say which bot it was
sent to, so the account (told by the secret token header) travels on the first line.

- Update: https://core.telegram.org/bots/api#update
- Message: https://core.telegram.org/bots/api#message (a forum topic's messages carry
  `message_thread_id` and `is_topic_message`; a topic's first message "replies" to the topic's
  creation message, which is not a real reply)

Private chats are citizens writing to the office's bot (InboundMessage), except the staff
command `/link`; group chats are staff (StaffPost), whichever group: the helpdesk checks the
group against the account's admin group.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from telegram import Message, Update
from telegram.constants import ChatType

from channels.base import (
    ContentKind,
    InboundMessage,
    InvalidPayload,
    MediaRef,
    ParsedPayload,
    StaffPost,
)

MAX_ACCOUNT_KEY = 80
STAFF_COMMANDS = ("link",)  # private commands that are staff's, never a citizen's complaint
IGNORED_COMMANDS = ("start", "help")  # Telegram clients send /start when a chat is opened
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?:\s|$)")


def envelope(account_key: str, body: bytes) -> bytes:
    return account_key.encode() + b"\n" + body


def split_envelope(raw: bytes) -> tuple[str, bytes]:
    key, sep, body = raw.partition(b"\n")
    try:
        account = key.decode("ascii")
    except UnicodeDecodeError as exc:
        raise InvalidPayload("the stored update has no account line") from exc
    if not sep or not account or len(account) > MAX_ACCOUNT_KEY:
        raise InvalidPayload("the stored update has no account line")
    return account, body


def command_of(text: str) -> str | None:
    """`/jawab@DukcapilBot …` -> "jawab"; None for plain text."""
    found = _COMMAND.match(text or "")
    return found.group(1).lower() if found else None


def parse_update(raw: bytes) -> ParsedPayload:
    account, body = split_envelope(raw)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidPayload(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise InvalidPayload("not a Telegram update (no update_id)")
    try:
        update = Update.de_json(data, None)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidPayload(f"a malformed update: {exc!r}") from exc
    message = update.message
    if message is None or message.from_user is None:
        # Edits, channel posts, membership changes, button presses: nothing for the helpdesk.
        return ParsedPayload(ignored=1)
    if message.chat.type == ChatType.PRIVATE:
        return _private(account, message)
    if message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        return _group(account, message)
    return ParsedPayload(ignored=1)


def _id(message: Message) -> str:
    # message_id is unique only within its chat; one account serves many chats.
    return f"{message.chat.id}:{message.message_id}"


def _sent_at(message: Message) -> datetime:
    at = message.date
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _private(account: str, message: Message) -> ParsedPayload:
    text = message.text or message.caption or ""
    user = message.from_user
    assert user is not None
    if user.is_bot:
        return ParsedPayload(ignored=1)
    command = command_of(text)
    if command in IGNORED_COMMANDS and not message.effective_attachment:
        return ParsedPayload(ignored=1)
    if command in STAFF_COMMANDS:
        return ParsedPayload(staff_posts=(_staff(account, message, private=True),))
    kind, media, details = _content(message)
    reply = message.reply_to_message
    return ParsedPayload(
        messages=(
            InboundMessage(
                account_key=account,
                external_id=_id(message),
                sender_id=str(user.id),
                sender_name=user.full_name or None,
                sent_at=_sent_at(message),
                kind=kind,
                body=text,
                media=media,
                reply_to_external_id=f"{message.chat.id}:{reply.message_id}" if reply else None,
                details=details,
            ),
        )
    )


def _content(message: Message) -> tuple[ContentKind, tuple[MediaRef, ...], dict[str, object]]:
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return (
            ContentKind.image,
            (MediaRef(largest.file_id, "image/jpeg", None, kind=ContentKind.image),),
            {},
        )
    if message.document:
        doc = message.document
        return (
            ContentKind.document,
            (MediaRef(doc.file_id, doc.mime_type, doc.file_name, kind=ContentKind.document),),
            {},
        )
    if message.voice or message.audio:
        audio = message.voice or message.audio
        assert audio is not None
        return (
            ContentKind.audio,
            (MediaRef(audio.file_id, audio.mime_type, None, kind=ContentKind.audio),),
            {"voice": bool(message.voice)},
        )
    if message.video:
        video = message.video
        return (
            ContentKind.video,
            (MediaRef(video.file_id, video.mime_type, video.file_name, kind=ContentKind.video),),
            {},
        )
    if message.sticker:
        return ContentKind.sticker, (), {"emoji": message.sticker.emoji or ""}
    if message.location:
        loc = message.location
        return ContentKind.location, (), {"latitude": loc.latitude, "longitude": loc.longitude}
    if message.contact:
        c = message.contact
        name = " ".join(p for p in (c.first_name, c.last_name) if p)
        return ContentKind.contacts, (), {"contacts": [{"name": name, "phones": [c.phone_number]}]}
    if message.text is not None:
        return ContentKind.text, (), {}
    return ContentKind.unsupported, (), {"unsupported_type": "telegram"}


def _group(account: str, message: Message) -> ParsedPayload:
    user = message.from_user
    assert user is not None
    text = message.text or message.caption or ""
    if user.is_bot or not text.strip():
        return ParsedPayload(ignored=1)  # service messages (topic created, members joined)
    return ParsedPayload(staff_posts=(_staff(account, message, private=False),))


def _staff(account: str, message: Message, *, private: bool) -> StaffPost:
    user = message.from_user
    assert user is not None
    thread = message.message_thread_id if message.is_topic_message else None
    reply = message.reply_to_message
    reply_id = None
    if reply is not None and not (thread is not None and reply.message_id == thread):
        reply_id = f"{message.chat.id}:{reply.message_id}"
    return StaffPost(
        account_key=account,
        external_id=_id(message),
        chat_id=str(message.chat.id),
        sender_id=str(user.id),
        sender_name=user.full_name or user.username or None,
        sent_at=_sent_at(message),
        body=message.text or message.caption or "",
        private=private,
        thread_id=str(thread) if thread is not None else None,
        reply_to_external_id=reply_id,
    )
