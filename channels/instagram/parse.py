"""Turn an Instagram webhook body into the typed objects of `channels.base`.

Direct messages (`messaging[]`) are parsed by `channels.meta.messaging`; this module adds the
`comments` changes on the account's media: a citizen's comment is an inbound message, the
account's own comment an echo.
https://developers.facebook.com/docs/instagram-platform/webhooks/examples
"""

from __future__ import annotations

from typing import Any

from channels.base import ContentKind, EchoMessage, InboundMessage, ParsedPayload
from channels.meta.envelope import Entry, as_dict, entries, ident, text
from channels.meta.messaging import MAX_TEXT_CHARS, merge, parse_messaging

OBJECT = "instagram"
DIRECT = "instagram_dm"
COMMENT = "instagram_comment"


def parse_webhook(body: bytes) -> ParsedPayload:
    parts: list[ParsedPayload] = []
    for entry in entries(body, OBJECT):
        if entry.broken:
            parts.append(ParsedPayload(ignored=1))
        parts.append(parse_messaging(entry, DIRECT))
        parts.extend(_parse_change(entry, change) for change in entry.changes)
    return merge(parts)


def _parse_change(entry: Entry, raw: Any) -> ParsedPayload:
    change = as_dict(raw)
    value = as_dict(change.get("value"))
    if change.get("field") != "comments" or entry.id is None:
        return ParsedPayload(ignored=1)  # mentions, story insights… carry no complaint
    comment_id = ident(value.get("id"))
    author = as_dict(value.get("from"))
    author_id = ident(author.get("id"))
    # Comment changes carry no time of their own: the entry's is when it happened.
    at = entry.time
    if comment_id is None or author_id is None or at is None:
        return ParsedPayload(ignored=1)
    body = text(value.get("text"), MAX_TEXT_CHARS) or ""
    parent_id = ident(value.get("parent_id"))
    details: dict[str, Any] = {
        "surface": COMMENT,
        "media_id": ident(as_dict(value.get("media")).get("id")),
    }
    if parent_id:
        details["parent_id"] = parent_id
    if author_id == entry.id:  # the account's own reply
        echo = EchoMessage(
            account_key=entry.id,
            external_id=comment_id,
            recipient_id="",
            sent_at=at,
            kind=ContentKind.text,
            body=body,
            reply_to_external_id=parent_id,
            details=details | {"echo": True},
        )
        return ParsedPayload(echoes=(echo,))
    message = InboundMessage(
        account_key=entry.id,
        external_id=comment_id,
        sender_id=author_id,
        sender_name=text(author.get("username"), 200),
        sent_at=at,
        kind=ContentKind.text,
        body=body,
        reply_to_external_id=parent_id,
        details=details,
        thread_refs=(parent_id,) if parent_id else (),
    )
    return ParsedPayload(messages=(message,))
