"""What each Page webhook (Messenger events and `feed` comment changes) becomes.

Fixtures follow Meta's documented shapes:
https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.base import (
    ContentKind,
    DeliveryStatus,
    InvalidPayload,
    MediaRef,
    MessageChange,
)
from channels.facebook.parse import parse_webhook
from channels.meta.messaging import media_url

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = "104857600000001"
CITIZEN = "7001002003004005"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def test_a_messenger_text_is_a_citizen_message_of_the_page():
    [message] = parse_webhook(fixture("messenger_text")).messages
    assert (message.account_key, message.external_id, message.sender_id) == (
        PAGE,
        "m_AbC123",
        CITIZEN,
    )
    assert message.body == "Selamat siang, KTP-el saya belum jadi"
    assert message.kind is ContentKind.text
    assert message.sent_at == datetime(2025, 11, 26, 23, 33, 20, tzinfo=UTC)  # milliseconds
    assert message.details["surface"] == "messenger"


def test_attachments_are_named_by_message_and_position_and_found_again_in_the_body():
    body = fixture("messenger_attachments")
    [message] = parse_webhook(body).messages
    assert message.kind is ContentKind.image
    assert [m.kind for m in message.media] == [ContentKind.image, ContentKind.document]
    assert [m.media_id for m in message.media] == ["m_Att1#0", "m_Att1#1"]
    assert media_url(body, "m_Att1#1", "page").startswith("https://cdn.fbsbx.com/")
    with pytest.raises(InvalidPayload):
        media_url(body, "m_Att1#7", "page")


def test_a_reply_names_the_message_it_answers():
    [message] = parse_webhook(fixture("messenger_reply_to")).messages
    assert message.reply_to_external_id == "m_AbC123"


@pytest.mark.parametrize(
    ("name", "ours"), [("messenger_echo_app", False), ("messenger_echo_ours", True)]
)
def test_an_echo_is_the_pages_own_send_never_a_citizen_message(name: str, ours: bool):
    parsed = parse_webhook(fixture(name))
    assert parsed.messages == ()
    [echo] = parsed.echoes
    assert (echo.account_key, echo.recipient_id) == (PAGE, CITIZEN)
    assert echo.ours is ours


def test_a_message_edit_updates_the_text():
    [update] = parse_webhook(fixture("messenger_edit")).updates
    assert (update.external_id, update.change) == ("m_AbC123", MessageChange.edited)
    assert update.body == "Selamat siang, KTP-el saya belum jadi sejak Mei"


def test_delivery_names_each_message_and_a_read_watermark_is_ignored():
    statuses = parse_webhook(fixture("messenger_delivery")).statuses
    assert [(s.external_id, s.status) for s in statuses] == [
        ("m_Out1", DeliveryStatus.delivered),
        ("m_Out2", DeliveryStatus.delivered),
    ]
    assert parse_webhook(fixture("messenger_read")).ignored == 1


def test_a_comment_on_a_post_is_a_citizen_message_with_its_surface():
    [message] = parse_webhook(fixture("feed_comment_add")).messages
    assert (message.external_id, message.sender_id, message.sender_name) == (
        "555000111_9001",
        "6001002003004005",
        "Maria Lumowa",
    )
    assert message.details["surface"] == "facebook_comment"
    assert "parent_id" not in message.details  # its parent is the post: a top-level comment
    assert message.thread_refs == ()


def test_a_reply_comment_threads_to_the_comment_it_answers():
    [message] = parse_webhook(fixture("feed_comment_reply")).messages
    assert message.details["parent_id"] == "555000111_9001"
    assert message.thread_refs == ("555000111_9001",)


@pytest.mark.parametrize(
    ("name", "change", "body"),
    [
        (
            "feed_comment_edited",
            MessageChange.edited,
            "Mohon info jadwal perekaman KTP-el hari Sabtu",
        ),
        ("feed_comment_remove", MessageChange.removed, None),
        ("feed_comment_hide", MessageChange.hidden, None),
    ],
)
def test_comment_changes_update_the_comment(name: str, change: MessageChange, body: str | None):
    parsed = parse_webhook(fixture(name))
    assert parsed.messages == ()
    [update] = parsed.updates
    assert (update.external_id, update.change, update.body) == ("555000111_9001", change, body)


def test_the_pages_own_comment_is_an_echo_answering_the_citizens():
    parsed = parse_webhook(fixture("feed_page_reply"))
    assert parsed.messages == ()
    [echo] = parsed.echoes
    assert (echo.external_id, echo.reply_to_external_id) == ("555000111_9003", "555000111_9001")


def test_a_post_of_the_page_is_ignored():
    parsed = parse_webhook(fixture("feed_status_post"))
    assert (parsed.messages, parsed.echoes, parsed.ignored) == ((), (), 1)


def test_a_batch_gives_every_entry_and_change_in_order():
    parsed = parse_webhook(fixture("batch"))
    assert [m.external_id for m in parsed.messages] == ["m_B1", "m_B2", "555000111_9001"]
    assert [u.change for u in parsed.updates] == [MessageChange.hidden]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"object": "instagram", "entry": []}',
        b'{"object": "page", "entry": {}}',
    ],
)
def test_a_body_that_is_not_a_page_webhook_is_refused(body: bytes):
    with pytest.raises(InvalidPayload):
        parse_webhook(body)


def test_odd_items_are_skipped_and_counted_not_fatal():
    body = (
        b'{"object":"page","entry":[7,{"id":"1","time":1,"messaging":[{"sender":{}},'
        b'{"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":"x","message":{"mid":"m"}}],'
        b'"changes":[{"field":"feed","value":{"item":"comment","verb":"add"}}]}]}'
    )
    parsed = parse_webhook(body)
    # The entry that is no object, the event without a sender and the comment without an id
    # are counted; a message whose time is unreadable takes its entry's, and one with nothing
    # we can show is kept as unsupported rather than lost.
    assert parsed.ignored == 3
    [message] = parsed.messages
    assert (message.external_id, message.kind) == ("m", ContentKind.unsupported)
    assert message.sent_at == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)


def test_a_media_ref_is_what_the_attachment_job_stores():
    [message] = parse_webhook(fixture("messenger_attachments")).messages
    assert all(isinstance(m, MediaRef) and len(m.media_id) < 255 for m in message.media)
