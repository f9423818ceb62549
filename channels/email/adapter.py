"""The email adapter: an office mailbox read over IMAP (polled, not pushed), replies by SMTP.

Config (offices file, `kind = "email"`): `address` (the key), `imap_host`, `imap_port`,
`imap_user`, `imap_password`, `imap_tls` (ssl | starttls | none), `smtp_host`, `smtp_port`,
`smtp_user`, `smtp_password`, `smtp_tls` (ssl | starttls | none); optional `display_name`,
`imap_folder` (INBOX), `processed_folder`, `backfill_days` (7), `resync_days` (30),
`poll_seconds` (60), `imap_idle` (true), `max_message_mb` (64), `tls_ca_file` (the CA to trust
instead of the system's, for a server with a certificate of the office's own CA), `sent_folder`
(off by default; "auto": the folder the server flags \\Sent; or a folder name: a copy of each
reply is appended there, so colleagues reading the mailbox in a mail client see the answers).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    ChannelError,
    FetchedMedia,
    MediaRef,
    OutboundMessage,
    ParsedPayload,
    PayloadNeeded,
    PermanentError,
    PlatformEndpoints,
    PollSink,
    WebhookRequest,
)
from channels.email import client, outgoing, parse, threading
from channels.email.poller import MailboxPoller, MailboxSettings
from channels.email.read_mails import ReadMails, keyed, unkeyed

log = logging.getLogger(__name__)

_TLS = {"ssl": "ssl", "tls": "ssl", "true": "ssl", "starttls": "starttls"}
_NO_TLS = {"none", "no", "false", "off", "plain"}
_DEFAULT_PORTS = {
    "imap": {"ssl": 993, "starttls": 143, "none": 143},
    "smtp": {"ssl": 465, "starttls": 587, "none": 25},
}


class EmailAdapter(ChannelAdapter):
    kind = "email"
    key_field = "address"
    required_fields = ("address", "imap_host", "imap_user", "imap_password", "smtp_host")
    secret_fields = ("imap_password", "smtp_password")
    continues_open_ticket = False  # a new mail that threads to nothing is a new matter
    media_in_payload = True

    def __init__(self, endpoints: PlatformEndpoints) -> None:
        super().__init__(endpoints)
        self.read_mails = ReadMails()  # mails with attachments, for `fetch_media`

    def authenticate(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bool:
        return False  # mail is fetched, never pushed: /webhooks/email accepts nothing

    def parse(self, body: bytes) -> ParsedPayload:
        msg = parse.read(body)
        parsed = parse.parse_read(body, msg)
        if any(m.media for m in parsed.messages):
            key = self.read_mails.keep(body, msg)
            if key is not None:  # the attachment job finds the mail by its media ids
                parsed = _keyed_media(parsed, key)
        return parsed

    async def send(self, account: AccountConfig, message: OutboundMessage) -> str:
        sender = account.get("address")
        message_id = threading.new_message_id(sender)
        mail = outgoing.build_reply(sender, account.get("display_name"), message, message_id)
        await client.smtp_send(self.server(account, "smtp"), mail, sender)
        folder = account.get("sent_folder").strip()
        if folder and folder.lower() not in _NO_TLS:
            await self._keep_sent_copy(account, folder, mail)
        return message_id

    async def _keep_sent_copy(
        self, account: AccountConfig, folder: str, mail: EmailMessage
    ) -> None:
        """The reply has left: a copy that cannot be kept is logged, never a failed send (a
        retry would send the citizen the answer twice)."""
        session = client.ImapSession(self.server(account, "imap"))

        def append() -> str | None:
            try:
                session.connect()
                return session.append_sent(folder, mail.as_bytes(), datetime.now(UTC))
            finally:
                session.close()

        try:
            kept = await asyncio.to_thread(append)
        except ChannelError as exc:
            log.warning("no copy of the reply in %s of %s: %s", folder, account.key, exc.message)
            return
        if kept is None:
            log.warning("no folder flagged \\Sent in %s: no copy of the reply kept", account.key)

    async def fetch_media(self, account: AccountConfig, media: MediaRef) -> FetchedMedia:
        part_id, key = unkeyed(media.media_id)
        msg = self.read_mails.find(key) if key is not None else None
        if msg is None:  # read by another process, or long ago: read the stored mail again
            if media.payload is None:
                raise PayloadNeeded
            msg = parse.read(media.payload)
            self.read_mails.keep(media.payload, msg)  # for the mail's other attachments
        fetched = parse.media_in(msg, part_id)
        if fetched is None:
            raise PermanentError(f"no part {part_id} in the stored mail", code="no_part")
        limit = self.endpoints.max_media_bytes
        if len(fetched.content) > limit:
            raise PermanentError(
                f"larger than the attachment limit ({_mb(len(fetched.content))} > {_mb(limit)})",
                code="too_large",
            )
        return fetched

    async def poll(self, account: AccountConfig, sink: PollSink) -> None:
        await MailboxPoller(self.mailbox(account), sink).run()

    def mailbox(self, account: AccountConfig) -> MailboxSettings:
        return MailboxSettings(
            key=account.key,
            server=self.server(account, "imap"),
            folder=account.get("imap_folder", "INBOX"),
            processed_folder=account.get("processed_folder") or None,
            backfill_days=_int(account, "backfill_days", 7),
            resync_days=_int(account, "resync_days", 30),
            poll_seconds=float(_int(account, "poll_seconds", 60)),
            use_idle=account.get("imap_idle", "true").lower() not in _NO_TLS,
            max_message_bytes=_int(account, "max_message_mb", 64) * 1024 * 1024,
        )

    def server(self, account: AccountConfig, which: str) -> client.ServerSettings:
        raw = account.get(f"{which}_tls", "ssl" if which == "imap" else "starttls").lower()
        tls = "none" if raw in _NO_TLS else _TLS.get(raw)
        if tls is None:
            raise PermanentError(f"{which}_tls must be ssl, starttls or none", code="config")
        return client.ServerSettings(
            host=account.get(f"{which}_host"),
            port=_int(account, f"{which}_port", _DEFAULT_PORTS[which][tls]),
            user=account.get(f"{which}_user"),  # SMTP without a user: no AUTH (a relay)
            password=account.get(f"{which}_password"),
            tls=tls,
            timeout=self.endpoints.timeout_seconds,
            ca_file=account.get("tls_ca_file") or None,
        )


def _keyed_media(parsed: ParsedPayload, key: str) -> ParsedPayload:
    messages = tuple(
        replace(m, media=tuple(replace(r, media_id=keyed(r.media_id, key)) for r in m.media))
        for m in parsed.messages
    )
    return replace(parsed, messages=messages)


def _int(account: AccountConfig, name: str, default: int) -> int:
    value = account.get(name)
    try:
        return int(value) if value else default
    except ValueError:
        raise PermanentError(f"{name} must be a whole number", code="config") from None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
