"""A copy of each reply in the mailbox's Sent folder (`sent_folder`), against the real Dovecot
(whose `Sent` folder carries the \\Sent special-use flag, as real servers' do) and aiosmtpd:
off by default, "auto" finds the flagged folder, a name is used (and made) as given, and a copy
that cannot be kept never fails a reply that has left."""

from __future__ import annotations

import email
from email import policy

from imapclient import SEEN

from channels.base import AccountConfig, OutboundMessage
from channels.email.adapter import EmailAdapter
from tests.channels.email.conftest import CITIZEN, OFFICE_ADDRESS, MailWorld


def account(world: MailWorld, **extra: str) -> AccountConfig:
    return AccountConfig(key=OFFICE_ADDRESS, values=world.config(**extra))


def answer() -> OutboundMessage:
    return OutboundMessage(
        recipient_id=CITIZEN,
        body="KK Bapak sudah bisa diambil.",
        subject="KK",
        register_no="ADU/brebes/2026/000007",
    )


def folder_mails(world: MailWorld, folder: str) -> list[tuple[bytes, tuple[bytes, ...]]]:
    client = world.client()
    try:
        if not client.folder_exists(folder):
            return []
        client.select_folder(folder, readonly=True)
        found = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]", "FLAGS"])
        return [(data[b"BODY[]"], data[b"FLAGS"]) for _, data in sorted(found.items())]
    finally:
        client.logout()


async def test_no_copy_is_kept_unless_asked(mailworld, endpoints):
    await EmailAdapter(endpoints).send(account(mailworld), answer())
    assert len(mailworld.sent()) == 1
    assert folder_mails(mailworld, "Sent") == []


async def test_auto_keeps_the_copy_in_the_folder_flagged_sent(mailworld, endpoints):
    message_id = await EmailAdapter(endpoints).send(
        account(mailworld, sent_folder="auto"), answer()
    )
    [(raw, flags)] = folder_mails(mailworld, "Sent")
    copy = email.message_from_bytes(raw, policy=policy.default)
    assert copy["Message-ID"] == f"<{message_id}>"
    assert copy["Subject"] == "Re: KK [Reg: ADU/brebes/2026/000007]"
    assert SEEN in flags  # a sent mail is not news to anyone reading the mailbox
    assert email.message_from_bytes(mailworld.sent()[0])["Message-ID"] == f"<{message_id}>"


async def test_a_named_folder_is_used_and_made_when_missing(mailworld, endpoints):
    adapter = EmailAdapter(endpoints)
    await adapter.send(account(mailworld, sent_folder="Terkirim"), answer())
    await adapter.send(account(mailworld, sent_folder="Terkirim"), answer())
    assert len(folder_mails(mailworld, "Terkirim")) == 2
    assert folder_mails(mailworld, "Sent") == []


async def test_a_copy_that_cannot_be_kept_does_not_fail_the_reply(mailworld, endpoints, caplog):
    config = account(mailworld, sent_folder="auto", imap_password="salah")
    message_id = await EmailAdapter(endpoints).send(config, answer())
    assert email.message_from_bytes(mailworld.sent()[0])["Message-ID"] == f"<{message_id}>"
    assert folder_mails(mailworld, "Sent") == []
    assert "no copy of the reply in auto" in caplog.text and "IMAP login refused" in caplog.text
