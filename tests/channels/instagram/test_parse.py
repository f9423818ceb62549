"""What each Instagram webhook (Direct messages and media comments) becomes.

Fixtures follow Meta's documented shapes:
https://developers.facebook.com/docs/instagram-platform/webhooks/examples
"""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.base import ContentKind, DeliveryStatus, InvalidPayload, MessageChange
from channels.instagram.parse import parse_webhook

FIXTURES = Path(__file__).parent / "fixtures"
IG = "17841400000000099"
CITIZEN = "17841400000000001"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def test_a_direct_message_is_a_citizen_message_of_the_account():
    [message] = parse_webhook(fixture("dm_text")).messages
    assert (message.account_key, message.sender_id) == (IG, CITIZEN)
    assert message.body == "Halo, akta kelahiran anak saya salah nama"
    assert message.details["surface"] == "instagram_dm"


def test_a_photo_in_a_direct_message_is_an_attachment():
    [message] = parse_webhook(fixture("dm_image")).messages
    assert message.kind is ContentKind.image
    assert [m.media_id for m in message.media] == [f"{message.external_id}#0"]


def test_an_echo_is_kept_as_the_accounts_own_send_never_a_complaint():
    parsed = parse_webhook(fixture("dm_echo"))
    assert parsed.messages == ()
    [echo] = parsed.echoes
    assert (echo.recipient_id, echo.body, echo.ours) == (CITIZEN, "Silakan kirim foto akta", False)


def test_an_unsent_message_is_marked_removed():
    [update] = parse_webhook(fixture("dm_deleted")).updates
    assert update.change is MessageChange.removed


def test_a_read_receipt_names_the_message():
    [status] = parse_webhook(fixture("dm_read")).statuses
    assert status.status is DeliveryStatus.read


def test_a_comment_on_the_accounts_media_is_a_citizen_message():
    [message] = parse_webhook(fixture("comment")).messages
    assert (message.external_id, message.sender_name) == ("17865799348089039", "warga.tomohon")
    assert message.details["surface"] == "instagram_comment"
    assert message.details["media_id"] == "17900000000000001"
    assert "parent_id" not in message.details


def test_a_reply_comment_threads_to_its_top_level_comment():
    [message] = parse_webhook(fixture("comment_reply")).messages
    assert message.details["parent_id"] == "17865799348089039"
    assert message.thread_refs == ("17865799348089039",)


def test_the_accounts_own_reply_is_an_echo():
    parsed = parse_webhook(fixture("own_reply"))
    assert parsed.messages == ()
    [echo] = parsed.echoes
    assert echo.reply_to_external_id == "17865799348089039"


def test_other_fields_are_ignored():
    parsed = parse_webhook(fixture("mentions"))
    assert (parsed.messages, parsed.ignored) == ((), 1)


@pytest.mark.parametrize("body", [b"{}", b'{"object": "page", "entry": []}', b"null"])
def test_a_body_that_is_not_an_instagram_webhook_is_refused(body: bytes):
    with pytest.raises(InvalidPayload):
        parse_webhook(body)
