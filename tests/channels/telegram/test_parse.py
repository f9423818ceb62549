"""Parsing Telegram updates (pure): private chats are citizens, groups are staff."""

from __future__ import annotations

import json
from typing import Any

import pytest

from channels.base import ContentKind, InvalidPayload
from channels.telegram.parse import envelope, parse_update

GROUP = {"id": -1001000000001, "type": "supergroup", "title": "Group Admin", "is_forum": True}
CITIZEN = {"id": 5550001, "is_bot": False, "first_name": "Siti", "last_name": "Aminah"}


def stored(update: dict[str, Any], account: str = "7000000001") -> bytes:
    return envelope(account, json.dumps(update).encode())


def message(**fields: Any) -> dict[str, Any]:
    return {"update_id": 10, "message": {"message_id": 3, "date": 1790000000, **fields}}


def test_a_private_text_is_a_citizens_message_keyed_by_chat_and_message_id() -> None:
    parsed = parse_update(
        stored(message(chat={"id": 5550001, "type": "private"}, **{"from": CITIZEN}, text="KTP"))
    )
    [m] = parsed.messages
    assert (m.account_key, m.external_id, m.sender_id, m.sender_name, m.body, m.kind) == (
        "7000000001",
        "5550001:3",
        "5550001",
        "Siti Aminah",
        "KTP",
        ContentKind.text,
    )
    assert parsed.staff_posts == ()


def test_a_document_carries_its_file_id_name_and_type() -> None:
    doc = {
        "file_id": "F1",
        "file_unique_id": "u",
        "file_name": "kk.pdf",
        "mime_type": "application/pdf",
    }
    parsed = parse_update(
        stored(
            message(
                chat={"id": 1, "type": "private"}, **{"from": CITIZEN}, document=doc, caption="KK"
            )
        )
    )
    [m] = parsed.messages
    assert m.kind == ContentKind.document and m.body == "KK"
    assert (m.media[0].media_id, m.media[0].filename, m.media[0].mime_type) == (
        "F1",
        "kk.pdf",
        "application/pdf",
    )


@pytest.mark.parametrize(
    ("fields", "thread", "reply"),
    [
        # In a topic: its first message "replies" to the topic's creation, which is no reply.
        (
            {
                "message_thread_id": 7,
                "is_topic_message": True,
                "reply_to_message": {"message_id": 7, "date": 1, "chat": GROUP},
            },
            "7",
            None,
        ),
        (
            {
                "message_thread_id": 7,
                "is_topic_message": True,
                "reply_to_message": {"message_id": 9, "date": 1, "chat": GROUP},
            },
            "7",
            "-1001000000001:9",
        ),
        # Outside topics, only the reply chain says where a message belongs.
        (
            {"reply_to_message": {"message_id": 9, "date": 1, "chat": GROUP}},
            None,
            "-1001000000001:9",
        ),
        ({}, None, None),
    ],
)
def test_a_group_message_is_a_staff_post_with_its_thread(fields, thread, reply) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_update(stored(message(chat=GROUP, **{"from": CITIZEN}, text="ok", **fields)))
    [post] = parsed.staff_posts
    assert (post.chat_id, post.thread_id, post.reply_to_external_id, post.private) == (
        "-1001000000001",
        thread,
        reply,
        False,
    )
    assert parsed.messages == ()


def test_link_in_private_is_staff_and_start_is_ignored() -> None:
    chat = {"id": 5550001, "type": "private"}
    [post] = parse_update(
        stored(message(chat=chat, **{"from": CITIZEN}, text="/link ABCD"))
    ).staff_posts
    assert post.private and post.body == "/link ABCD"
    assert parse_update(stored(message(chat=chat, **{"from": CITIZEN}, text="/start"))).ignored == 1


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "edited_message": {"message_id": 1, "date": 1, "chat": GROUP}},
        message(chat=GROUP, **{"from": {**CITIZEN, "is_bot": True}}, text="from a bot"),
        message(
            chat=GROUP, **{"from": CITIZEN}, forum_topic_created={"name": "x", "icon_color": 1}
        ),
        message(chat={"id": -100, "type": "channel", "title": "c"}, **{"from": CITIZEN}, text="x"),
    ],
)
def test_what_carries_nothing_for_the_helpdesk_is_ignored(update) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_update(stored(update))
    assert parsed.messages == () and parsed.staff_posts == () and parsed.ignored == 1


@pytest.mark.parametrize(
    "raw",
    [b"no account line", b"\n{}", b"7000000001\n{not json", b"7000000001\n[1]", b"7000000001\n{}"],
)
def test_what_cannot_be_read_is_invalid(raw: bytes) -> None:
    with pytest.raises(InvalidPayload):
        parse_update(raw)
