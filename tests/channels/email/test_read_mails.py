"""`channels/email/read_mails.py` and its use by the adapter: the attachment job gets the parts
the ingest parse split, the same bytes as reading the stored mail again, within a memory bound."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.base import AccountConfig, MediaRef, PayloadNeeded, PlatformEndpoints
from channels.email import html, parse
from channels.email.adapter import EmailAdapter
from channels.email.read_mails import ReadMails, unkeyed

CORPUS = Path(__file__).parent / "corpus"
ENDPOINTS = PlatformEndpoints(graph_api_url="http://127.0.0.1:9/graph/")
ACCOUNT = AccountConfig(key="dukcapil@brebes.test", values={})


def stored(name: str) -> bytes:
    """A corpus mail as the poller stores it (our envelope first)."""
    head = parse.envelope("dukcapil@brebes.test", datetime(2026, 3, 2, tzinfo=UTC))
    return head + (CORPUS / name).read_bytes()


async def attachments_of(adapter: EmailAdapter, raw: bytes, media: list[MediaRef]) -> list:
    fetched = []
    for ref in media:
        got = await adapter.fetch_media(ACCOUNT, MediaRef(ref.media_id, payload=raw))
        fetched.append((got.content, got.mime_type, got.filename))
    return fetched


async def test_the_parts_split_at_ingest_are_the_parts_read_again():
    raw = stored("android_photo_attachment.eml")
    ingesting = EmailAdapter(ENDPOINTS)
    [message] = ingesting.parse(raw).messages
    assert message.media and len(ingesting.read_mails) == 1

    elsewhere = EmailAdapter(ENDPOINTS)  # another worker: nothing kept, the mail is read again
    from_kept = await attachments_of(ingesting, raw, list(message.media))
    assert from_kept == await attachments_of(elsewhere, raw, list(message.media))
    assert from_kept[0][0].startswith(b"\xff\xd8")  # the photo's bytes, decoded


async def test_a_kept_mails_attachments_are_found_by_their_ids_alone():
    raw = stored("android_photo_attachment.eml")
    adapter = EmailAdapter(ENDPOINTS)
    [message] = adapter.parse(raw).messages
    [photo] = message.media
    got = await adapter.fetch_media(ACCOUNT, MediaRef(photo.media_id))  # no payload given
    [(content, _, filename)] = await attachments_of(EmailAdapter(ENDPOINTS), raw, [photo])
    assert (got.content, got.filename) == (content, filename)


async def test_a_mail_not_kept_here_is_asked_for_once_then_kept_for_its_other_parts():
    raw = stored("android_photo_attachment.eml")
    [message] = EmailAdapter(ENDPOINTS).parse(raw).messages
    [photo] = message.media
    elsewhere = EmailAdapter(ENDPOINTS)
    with pytest.raises(PayloadNeeded):
        await elsewhere.fetch_media(ACCOUNT, MediaRef(photo.media_id))
    given = await elsewhere.fetch_media(ACCOUNT, MediaRef(photo.media_id, payload=raw))
    kept = await elsewhere.fetch_media(ACCOUNT, MediaRef(photo.media_id))
    assert kept == given and given.content.startswith(b"\xff\xd8")


async def test_an_id_from_before_ids_named_their_mail_is_read_from_the_stored_mail():
    raw = stored("android_photo_attachment.eml")
    adapter = EmailAdapter(ENDPOINTS)
    [message] = adapter.parse(raw).messages
    part_id, key = unkeyed(message.media[0].media_id)
    assert key is not None and part_id.startswith("part/")
    with pytest.raises(PayloadNeeded):  # it names no mail: the stored one is read
        await adapter.fetch_media(ACCOUNT, MediaRef(part_id))
    got = await adapter.fetch_media(ACCOUNT, MediaRef(part_id, payload=raw))
    assert got.content.startswith(b"\xff\xd8")


def test_only_mails_with_attachments_are_kept():
    adapter = EmailAdapter(ENDPOINTS)
    adapter.parse(stored("gmail_plain_id.eml"))
    assert len(adapter.read_mails) == 0


def test_the_oldest_mails_go_first_when_the_bound_is_reached():
    kept = ReadMails(max_bytes=100, max_mail_bytes=60)
    mails = [bytes([i]) * 40 for i in range(3)]
    for raw in mails:
        kept.keep(raw, parse.read(raw))
    assert kept.get(mails[0]) is None  # 120 bytes asked for, 100 allowed
    assert kept.get(mails[1]) is not None and kept.get(mails[2]) is not None
    assert kept.held == 80

    kept.keep(b"x" * 61, parse.read(b"x" * 61))  # over the per-mail bound: read again later
    assert kept.get(b"x" * 61) is None and kept.held == 80


def test_one_html_pass_gives_what_the_two_give():
    markup = (
        "<html><head><style>p{}</style></head><body><p>Selamat pagi,</p>"
        "<blockquote>Pada Senin <b>Budi</b> menulis:<br>KTP?</blockquote>"
        '<a href="https://dukcapil.brebeskab.go.id/x">tautan</a><script>x()</script>'
        '<img src="https://t.example/p.gif" alt="logo"><ul><li>satu</li></ul></body></html>'
    )
    assert html.text_and_sanitised(markup) == (html.to_text(markup), html.sanitise(markup))
