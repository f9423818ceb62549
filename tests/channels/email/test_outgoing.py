"""`channels/email/outgoing.py`: what a reply looks like on the wire, and what it refuses."""

from __future__ import annotations

import email
from email import policy

import pytest

from channels.base import OutboundMessage, PermanentError
from channels.email.outgoing import build_reply


def reply(**changes):  # type: ignore[no-untyped-def]
    values = {
        "recipient_id": "siti@warga.test",
        "body": "Silakan datang.\nSalam,\nAdmin",
        "subject": "KTP rusak",
        "register_no": "ADU/brebes/2026/000001",
        "thread_refs": (
            "first@warga.test",
            "sha256:abc",
            "helpdesk.1@brebes.test",
            "last@warga.test",
        ),
    }
    values.update(changes)
    mail = build_reply(
        "dukcapil@brebes.test",
        "Dukcapil\r\nBcc: x@evil",
        OutboundMessage(**values),
        "new@brebes.test",
    )
    return email.message_from_bytes(mail.as_bytes(), policy=policy.default)


def test_a_reply_carries_the_thread_and_the_register_number():
    mail = reply()
    assert mail["Message-ID"] == "<new@brebes.test>"
    assert mail["In-Reply-To"] == "<last@warga.test>"
    # digest ids of mails that had no Message-ID are ours, not the world's: left out
    assert mail["References"] == "<first@warga.test> <helpdesk.1@brebes.test> <last@warga.test>"
    assert mail["Subject"] == "Re: KTP rusak [Reg: ADU/brebes/2026/000001]"
    assert mail["From"] == '"Dukcapil Bcc: x@evil" <dukcapil@brebes.test>' and mail["Bcc"] is None
    assert mail.get_content().replace("\r\n", "\n") == "Silakan datang.\nSalam,\nAdmin\n"


@pytest.mark.parametrize(
    "recipient",
    ["siti@warga.test\r\nBcc: x@evil.test", "a@b.test, c@d.test", "Siti <s@w.test>", ""],
)
def test_only_one_plain_address_is_a_recipient(recipient):
    with pytest.raises(PermanentError) as refused:
        reply(recipient_id=recipient)
    assert refused.value.code == "bad_address"


def test_a_first_message_has_no_thread_headers():
    mail = reply(thread_refs=())
    assert mail["In-Reply-To"] is None and mail["References"] is None
