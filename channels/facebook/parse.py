"""Turn a Page webhook body into the typed objects of `channels.base`.

Messenger events (`messaging[]`) are parsed by `channels.meta.messaging`; this module adds the
page's `feed` changes for comments: a citizen's comment becomes an inbound message, its edits,
removals and hiding become updates, and the page's own comments are echoes.
https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
"""

from __future__ import annotations

from typing import Any

from channels.base import (
    ContentKind,
    EchoMessage,
    InboundMessage,
    MessageChange,
    MessageUpdate,
    ParsedPayload,
)
from channels.meta.envelope import Entry, as_dict, entries, ident, text, timestamp
from channels.meta.messaging import MAX_TEXT_CHARS, merge, parse_messaging

OBJECT = "page"
MESSENGER = "messenger"
COMMENT = "facebook_comment"
_CHANGES = {
    "edited": MessageChange.edited,
    "remove": MessageChange.removed,
    "hide": MessageChange.hidden,
    "unhide": MessageChange.unhidden,
}


def parse_webhook(body: bytes) -> ParsedPayload:
    parts: list[ParsedPayload] = []
    for entry in entries(body, OBJECT):
        if entry.broken:
            parts.append(ParsedPayload(ignored=1))
        parts.append(parse_messaging(entry, MESSENGER))
        parts.extend(_parse_change(entry, change) for change in entry.changes)
    return merge(parts)


def _parse_change(entry: Entry, raw: Any) -> ParsedPayload:
    change = as_dict(raw)
    value = as_dict(change.get("value"))
    if change.get("field") != "feed" or value.get("item") != "comment" or entry.id is None:
        return ParsedPayload(ignored=1)  # posts, reactions, shares… carry no complaint
    comment_id = ident(value.get("comment_id"))
    author = as_dict(value.get("from"))
    author_id = ident(author.get("id"))
    at = timestamp(value.get("created_time")) or entry.time
    verb = value.get("verb")
    if comment_id is None or at is None:
        return ParsedPayload(ignored=1)
    body = text(value.get("message"), MAX_TEXT_CHARS) or ""
    if verb in _CHANGES:
        when = entry.time or at  # created_time is the comment's, not the change's
        new_body = body if verb == "edited" else None
        update = MessageUpdate(entry.id, comment_id, _CHANGES[verb], when, new_body)
        return ParsedPayload(updates=(update,))
    if verb != "add" or author_id is None:
        return ParsedPayload(ignored=1)
    post_id = ident(value.get("post_id"))
    parent_id = ident(value.get("parent_id"))
    # A top-level comment's parent is the post itself.
    nested = parent_id is not None and parent_id != post_id
    details: dict[str, Any] = {"surface": COMMENT, "post_id": post_id}
    if nested:
        details["parent_id"] = parent_id
    photo = value.get("photo")
    kind = ContentKind.text
    if isinstance(photo, str) and photo.startswith("https://"):
        details["photo_url"] = photo[:2000]
        kind = ContentKind.text if body else ContentKind.image
    if author_id == entry.id:  # the page's own comment (from this helpdesk or Meta's apps)
        echo = EchoMessage(
            account_key=entry.id,
            external_id=comment_id,
            recipient_id="",
            sent_at=at,
            kind=kind,
            body=body,
            reply_to_external_id=parent_id if nested else None,
            details=details | {"echo": True},
        )
        return ParsedPayload(echoes=(echo,))
    message = InboundMessage(
        account_key=entry.id,
        external_id=comment_id,
        sender_id=author_id,
        sender_name=text(author.get("name"), 200),
        sent_at=at,
        kind=kind,
        body=body,
        reply_to_external_id=parent_id if nested else None,
        details=details,
        thread_refs=(parent_id,) if nested and parent_id else (),
    )
    return ParsedPayload(messages=(message,))
