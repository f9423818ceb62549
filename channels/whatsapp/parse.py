"""Turn a WhatsApp Cloud API webhook body into the typed objects of `channels.base`.

Pure (no I/O, no clock) so that it can be tested from recorded fixtures and re-run on stored raw
bodies. Payload shapes:
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages

Only the envelope is strict: a body that is not a WhatsApp webhook at all raises `InvalidPayload`.
Inside it, one odd message must not cost the citizens who wrote the others, so an unusable part is
skipped and counted in `ParsedPayload.ignored` (the raw body is kept by the caller), and a message
whose type we cannot show becomes `ContentKind.unsupported` rather than disappearing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from channels.base import (
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    InvalidPayload,
    MediaRef,
    ParsedPayload,
    StatusUpdate,
)
from channels.meta.envelope import load_object as _load_object
from channels.meta.envelope import require_list as _require_list

OBJECT = "whatsapp_business_account"
MAX_BODY_CHARS = 65_536
MAX_FIELD_CHARS = 1_024
MAX_ID_CHARS = 512
_T = TypeVar("_T")
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")
_STATUSES = {
    "sent": DeliveryStatus.sent,
    "delivered": DeliveryStatus.delivered,
    "read": DeliveryStatus.read,
    "failed": DeliveryStatus.failed,
}


@dataclass(frozen=True, slots=True)
class _Content:
    """What a message says, before the envelope (sender, time, quote) is added."""

    kind: ContentKind
    body: str = ""
    media: tuple[MediaRef, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    reply_to: str | None = None


def parse_webhook(body: bytes) -> ParsedPayload:
    """Every inbound message and delivery status in one webhook body, in payload order."""
    payload = _load_object(body)
    if payload.get("object") != OBJECT:
        raise InvalidPayload(f"webhook object is {payload.get('object')!r}, expected {OBJECT!r}")
    parts: list[ParsedPayload] = []
    for i, entry in enumerate(_require_list(payload, "entry", "payload")):
        if not isinstance(entry, dict):
            parts.append(ParsedPayload(ignored=1))
            continue
        changes = _require_list(entry, "changes", f"entry[{i}]")
        parts.extend(_parse_change(change) for change in changes)
    return ParsedPayload(
        messages=tuple(m for p in parts for m in p.messages),
        statuses=tuple(s for p in parts for s in p.statuses),
        ignored=sum(p.ignored for p in parts),
    )


def _parse_change(change: Any) -> ParsedPayload:
    """One `changes[]` item; only the `messages` field concerns us."""
    if not isinstance(change, dict) or change.get("field") != "messages":
        return ParsedPayload(ignored=1)
    value = _dict(change.get("value"))
    account_key = _ident(_dict(value.get("metadata")).get("phone_number_id"))
    if account_key is None:
        return ParsedPayload(ignored=1)
    names = _contact_names(value.get("contacts"))
    raw_messages, bad_messages = _items(value, "messages")
    raw_statuses, bad_statuses = _items(value, "statuses")
    messages = _kept(_parse_message(raw, account_key, names) for raw in raw_messages)
    statuses = _kept(_parse_status(raw, account_key) for raw in raw_statuses)
    skipped = len(raw_messages) - len(messages) + len(raw_statuses) - len(statuses)
    ignored = bad_messages + bad_statuses + skipped
    if not messages and not statuses and not ignored:
        ignored = 1  # e.g. a value carrying only `errors[]`: nothing for us, but seen
    return ParsedPayload(messages=messages, statuses=statuses, ignored=ignored)


def _items(value: Mapping[str, Any], key: str) -> tuple[list[Any], int]:
    """The list under `key` (absent means empty) and 1 if something else was there instead."""
    items = value.get(key)
    if items is None:
        return [], 0
    return (items, 0) if isinstance(items, list) else ([], 1)


def _kept(items: Iterable[_T | None]) -> tuple[_T, ...]:
    return tuple(item for item in items if item is not None)


def _contact_names(contacts: Any) -> dict[str, str]:
    """wa_id -> profile name, to name the sender of each message."""
    names: dict[str, str] = {}
    for contact in _dicts(contacts):
        wa_id = _ident(contact.get("wa_id"))
        name = _text(_dict(contact.get("profile")).get("name"), MAX_FIELD_CHARS)
        if wa_id and name:
            names[wa_id] = name
    return names


def _parse_message(raw: Any, account_key: str, names: Mapping[str, str]) -> InboundMessage | None:
    """One `messages[]` item, or None when it lacks what identifies it (id, sender, time)."""
    raw = _dict(raw)
    external_id = _ident(raw.get("id"))
    sender_id = _ident(raw.get("from"))
    sent_at = _timestamp(raw.get("timestamp"))
    if external_id is None or sender_id is None or sent_at is None:
        return None
    msg_type = raw.get("type") if isinstance(raw.get("type"), str) else ""
    parser = _CONTENT_PARSERS.get(msg_type)
    content = (parser(raw) if parser else None) or _unsupported(raw)
    context = _dict(raw.get("context"))
    details = dict(content.details)
    if context.get("forwarded") is True or context.get("frequently_forwarded") is True:
        details["forwarded"] = True
    return InboundMessage(
        account_key=account_key,
        external_id=external_id,
        sender_id=sender_id,
        sender_name=names.get(sender_id),
        sender_phone=sender_id,  # a WhatsApp id is the citizen's number in E.164 digits
        sent_at=sent_at,
        kind=content.kind,
        body=content.body,
        media=content.media,
        reply_to_external_id=content.reply_to or _ident(context.get("id")),
        details=details,
    )


def _parse_status(raw: Any, account_key: str) -> StatusUpdate | None:
    """One `statuses[]` item, or None for statuses we do not track (`deleted`, `warning`…)."""
    raw = _dict(raw)
    external_id = _ident(raw.get("id"))
    status = _STATUSES.get(raw["status"]) if isinstance(raw.get("status"), str) else None
    at = _timestamp(raw.get("timestamp"))
    if external_id is None or status is None or at is None:
        return None
    error, error_code = None, None
    if status is DeliveryStatus.failed:
        error, error_code = _first_error(raw.get("errors"))
    return StatusUpdate(account_key, external_id, status, at, error, error_code)


def _first_error(errors: Any) -> tuple[str | None, str | None]:
    """Human text and code of the first error; Meta advises matching on the code, not the text."""
    found = _dicts(errors)
    if not found:
        return None, None
    first = found[0]
    title = _text(first.get("title"), MAX_FIELD_CHARS)
    title = title or _text(first.get("message"), MAX_FIELD_CHARS)
    explanation = _text(_dict(first.get("error_data")).get("details"), MAX_FIELD_CHARS)
    text = ": ".join(part for part in (title, explanation) if part) or None
    return text, _ident(first.get("code"))


# -- content, one parser per message type -----------------------------------------------------


def _text_content(raw: Mapping[str, Any]) -> _Content:
    body = _text(_dict(raw.get("text")).get("body"), MAX_BODY_CHARS) or ""
    return _Content(ContentKind.text, body)


def _media_content(kind: ContentKind) -> Callable[[Mapping[str, Any]], _Content | None]:
    def parse(raw: Mapping[str, Any]) -> _Content | None:
        media = _dict(raw.get(kind.value))
        media_id = _ident(media.get("id"))
        if media_id is None:
            return None  # nothing to download: shown as unsupported instead
        ref = MediaRef(
            media_id=media_id,
            mime_type=_text(media.get("mime_type"), MAX_FIELD_CHARS),
            filename=_text(media.get("filename"), MAX_FIELD_CHARS),
            sha256=_text(media.get("sha256"), MAX_FIELD_CHARS),
            kind=kind,
        )
        details: dict[str, Any] = {}
        if kind is ContentKind.audio:
            details["voice"] = media.get("voice") is True
        if kind is ContentKind.sticker:
            details["animated"] = media.get("animated") is True
        body = _text(media.get("caption"), MAX_BODY_CHARS) or ""
        return _Content(kind, body, (ref,), details)

    return parse


def _location_content(raw: Mapping[str, Any]) -> _Content:
    location = _dict(raw.get("location"))
    name = _text(location.get("name"), MAX_FIELD_CHARS)
    address = _text(location.get("address"), MAX_FIELD_CHARS)
    details = {
        "latitude": _number(location.get("latitude")),
        "longitude": _number(location.get("longitude")),
        "name": name,
        "address": address,
        "url": _text(location.get("url"), MAX_FIELD_CHARS),
    }
    body = "\n".join(part for part in (name, address) if part)
    return _Content(ContentKind.location, body, details=details)


def _contacts_content(raw: Mapping[str, Any]) -> _Content | None:
    cards = raw.get("contacts")
    if not isinstance(cards, list):
        return None
    return _Content(ContentKind.contacts, details={"contacts": [_card(c) for c in cards]})


def _card(card: Any) -> dict[str, Any]:
    """A shared contact card reduced to what an agent needs to call the person back."""
    card = _dict(card)
    name = _dict(card.get("name"))
    full = _text(name.get("formatted_name"), MAX_FIELD_CHARS)
    if full is None:
        given = (_text(name.get(k), MAX_FIELD_CHARS) for k in ("first_name", "last_name"))
        full = " ".join(part for part in given if part) or None
    numbers = [
        _text(phone.get("phone"), MAX_FIELD_CHARS) or _ident(phone.get("wa_id"))
        for phone in _dicts(card.get("phones"))
    ]
    return {"name": full, "phones": [n for n in numbers if n]}


def _interactive_content(raw: Mapping[str, Any]) -> _Content | None:
    interactive = _dict(raw.get("interactive"))
    reply_type = interactive.get("type")
    if reply_type not in ("button_reply", "list_reply"):
        return None  # e.g. flow replies (`nfm_reply`): not handled yet
    reply = _dict(interactive.get(reply_type))
    details = {
        "reply_type": reply_type,
        "reply_id": _text(reply.get("id"), MAX_FIELD_CHARS),
        "description": _text(reply.get("description"), MAX_FIELD_CHARS),
    }
    body = _text(reply.get("title"), MAX_BODY_CHARS) or ""
    return _Content(ContentKind.interactive, body, details=details)


def _button_content(raw: Mapping[str, Any]) -> _Content:
    """A quick-reply button of a template message we sent."""
    button = _dict(raw.get("button"))
    details = {"reply_type": "button", "payload": _text(button.get("payload"), MAX_FIELD_CHARS)}
    body = _text(button.get("text"), MAX_BODY_CHARS) or ""
    return _Content(ContentKind.interactive, body, details=details)


def _reaction_content(raw: Mapping[str, Any]) -> _Content | None:
    reaction = _dict(raw.get("reaction"))
    target = _ident(reaction.get("message_id"))
    if target is None:
        return None
    # A removed reaction arrives without an emoji (or with an empty one):
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/reaction/
    emoji = _text(reaction.get("emoji"), MAX_FIELD_CHARS) or ""
    details = {"emoji": emoji, "removed": not emoji}
    return _Content(ContentKind.reaction, emoji, details=details, reply_to=target)


def _unsupported(raw: Mapping[str, Any]) -> _Content:
    """A message we cannot show (new types, polls, edits, `system`…): kept so an agent sees it."""
    details: dict[str, Any] = {
        "type": _text(raw.get("type"), MAX_FIELD_CHARS),
        "errors": [
            {"code": _ident(e.get("code")), "title": _text(e.get("title"), MAX_FIELD_CHARS)}
            for e in _dicts(raw.get("errors"))
        ],
    }
    # Newer payloads name the real type (`edit`, `poll_creation`…) under `unsupported.type`.
    unsupported_type = _text(_dict(raw.get("unsupported")).get("type"), MAX_FIELD_CHARS)
    if unsupported_type:
        details["unsupported_type"] = unsupported_type
    return _Content(ContentKind.unsupported, details=details)


_CONTENT_PARSERS: dict[str, Callable[[Mapping[str, Any]], _Content | None]] = {
    "text": _text_content,
    "image": _media_content(ContentKind.image),
    "video": _media_content(ContentKind.video),
    "audio": _media_content(ContentKind.audio),
    "sticker": _media_content(ContentKind.sticker),
    "document": _media_content(ContentKind.document),
    "location": _location_content,
    "contacts": _contacts_content,
    "interactive": _interactive_content,
    "button": _button_content,
    "reaction": _reaction_content,
}


# -- scalar helpers: payload values are untrusted, whatever their documented type ---------------


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a list, skipping anything else in it; empty for a non-list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any, limit: int) -> str | None:
    """A plain string a database can store, cut at `limit`; None if empty.

    PostgreSQL refuses NUL in text, and `json.loads` lets through lone surrogate escapes
    (`"\\ud83d"`) that cannot be encoded as UTF-8: the first are dropped, the second become `?`.
    """
    if not isinstance(value, str):
        return None
    clean = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return clean[:limit] or None


def _ident(value: Any) -> str | None:
    """An identifier as a string, or None when it is unusable (ids are never rewritten)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.isprintable() or not 0 < len(value) <= MAX_ID_CHARS:
        return None
    return value


def _timestamp(value: Any) -> datetime | None:
    """Meta's timestamps are Unix seconds, sent as a string."""
    if isinstance(value, str) and _UNIX_SECONDS.fullmatch(value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
