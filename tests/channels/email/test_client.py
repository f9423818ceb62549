"""The IMAP session against a real Dovecot: what it asks the server for, and what it leaves
out of the CPU time the ingest needs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from channels.email.client import IMAPLIB_LOGGER, ImapSession, ServerSettings
from tests.channels.email.conftest import PASSWORD, MailWorld

MARKER = "isi-surat-yang-tidak-perlu-dicatat"
MAIL = (
    "From: Siti Aminah <siti.aminah@warga.test>\r\n"
    "To: dukcapil@brebes.test\r\n"
    "Subject: KTP-el rusak\r\n"
    "Message-ID: <ktp-rusak-1@warga.test>\r\n"
    "Date: Mon, 12 Jan 2026 09:30:00 +0700\r\n"
    "\r\n"
    f"KTP-el saya patah. {MARKER}\r\n"
).encode()


@pytest.fixture
def session(mailworld: MailWorld) -> Iterator[ImapSession]:
    mailworld.append(MAIL)
    session = ImapSession(
        ServerSettings("127.0.0.1", mailworld.imap.port, "dukcapil", PASSWORD, "none")
    )
    yield session
    session.close()


def trace_of(session: ImapSession) -> list[str]:
    """What imaplib hands to its protocol trace from now on. imapclient routes that trace
    through `IMAP4._mesg` to the `imapclient.imaplib` logger; the list records every line."""
    lines: list[str] = []
    session.imap._imap._mesg = lambda text, *_: lines.append(str(text))
    return lines


def test_a_fetched_mail_is_not_formatted_for_a_trace_nobody_logs(session):
    session.connect()
    session.select("INBOX")
    trace = trace_of(session)
    uid = session.uids_after(0)[0]
    assert MARKER.encode() in session.fetch_many([uid])[uid]
    assert not [line for line in trace if MARKER in line]


def test_the_trace_still_has_the_mails_when_someone_logs_it(session, caplog):
    caplog.set_level(logging.DEBUG, logger=IMAPLIB_LOGGER)
    session.connect()
    session.select("INBOX")
    trace = trace_of(session)
    uid = session.uids_after(0)[0]
    session.fetch_many([uid])
    assert [line for line in trace if MARKER in line]


def test_message_ids_are_fetched_only_when_asked_for(session):
    session.connect()
    session.select("INBOX")
    uid = session.uids_after(0)[0]
    (plain,) = session.meta([uid], message_ids=False)
    (full,) = session.meta([uid])
    assert plain.uid == full.uid == uid
    assert plain.size == full.size == len(MAIL)
    assert plain.internal_date == full.internal_date is not None
    assert plain.message_id_header == b""
    assert b"<ktp-rusak-1@warga.test>" in full.message_id_header
