"""Reading the office mailbox into inbound events: the email side of `helpdesk.polling`.

A cursor per folder (`imap:<folder>`: UIDVALIDITY and the last UID stored) makes a restart or a
dropped connection resume exactly where it stopped: each mail is stored together with the
cursor that points past it, in one transaction. A new account starts `backfill_days` back; a
changed UIDVALIDITY (the server renumbered the folder) re-reads `resync_days` back, skipping
every Message-ID the account already has. Mail stays on the server (`BODY.PEEK` leaves it
unread) unless `processed_folder` is set, where it is moved once stored. Between rounds the
session waits in IDLE where the server has it, and polls every `poll_seconds` otherwise.
https://www.rfc-editor.org/rfc/rfc3501#section-2.3.1.1 (UIDs and UIDVALIDITY)
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from channels.base import PolledItem, PollSink
from channels.email.client import ImapSession, MailMeta, ServerSettings
from channels.email.parse import envelope
from channels.email.threading import ids_in

T = TypeVar("T")
BATCH = 25


@dataclass(frozen=True)
class MailboxSettings:
    key: str  # the account key (the mailbox address) written into each stored mail
    server: ServerSettings
    folder: str = "INBOX"
    processed_folder: str | None = None
    backfill_days: int = 7
    resync_days: int = 30
    poll_seconds: float = 60.0
    use_idle: bool = True
    max_message_bytes: int = 64 * 1024 * 1024

    @property
    def cursor_name(self) -> str:
        return f"imap:{self.folder}"[:64]


class MailboxPoller:
    def __init__(self, settings: MailboxSettings, sink: PollSink) -> None:
        self.settings = settings
        self.sink = sink
        self.session = ImapSession(settings.server)
        self.stop = threading.Event()

    async def run(self) -> None:
        """Connect, then sync and wait, until cancelled or the connection fails."""
        try:
            await self._call(self.session.connect)
            while True:
                await self.sync()
                await self._call(
                    self.session.wait,
                    self.stop,
                    self.settings.poll_seconds,
                    self.settings.use_idle,
                )
        finally:
            self.stop.set()  # lets a running IDLE wait return within a second
            await asyncio.shield(asyncio.to_thread(self.session.close))

    async def _call(self, func: Callable[..., T], *args: object) -> T:
        return await asyncio.to_thread(func, *args)

    async def sync(self) -> int:
        """Store every mail not stored yet; returns how many were stored."""
        s = self.settings
        name = s.cursor_name
        cursor = dict(await self.sink.cursor(name) or {})
        validity, uidnext = await self._call(self.session.select, s.folder)
        resync = False
        if not cursor:
            uids = await self._since(s.backfill_days) if s.backfill_days > 0 else []
        elif int(cursor.get("uidvalidity", 0)) != validity:
            resync = True
            uids = await self._since(max(s.resync_days, s.backfill_days))
        else:
            uids = await self._call(self.session.uids_after, int(cursor.get("last_uid", 0)))
        if not uids:
            if not cursor or resync:
                await self.sink.advance(name, {"uidvalidity": validity, "last_uid": uidnext - 1})
            return 0
        stored = 0
        last_uid = 0
        for start in range(0, len(uids), BATCH):
            metas = await self._call(self.session.meta, uids[start : start + BATCH])
            known = await self._known(metas) if resync else set()
            for meta in metas:
                last_uid = meta.uid
                mail_id = next(iter(ids_in(meta.message_id_header.decode("latin-1"))), None)
                if mail_id is not None and mail_id in known:
                    continue
                if await self._store(meta, validity):
                    stored += 1
        if resync or stored == 0:  # skipped known mails still move the cursor on
            await self.sink.advance(
                name, {"uidvalidity": validity, "last_uid": max(last_uid, uidnext - 1)}
            )
        return stored

    async def _since(self, days: int) -> list[int]:
        day = (datetime.now(UTC) - timedelta(days=days)).date()
        return await self._call(self.session.uids_since, day)

    async def _known(self, metas: list[MailMeta]) -> set[str]:
        ids = [i for m in metas for i in ids_in(m.message_id_header.decode("latin-1"))]
        return await self.sink.known(ids) if ids else set()

    async def _store(self, meta: MailMeta, validity: int) -> bool:
        s = self.settings
        too_large = meta.size > s.max_message_bytes
        raw = await self._call(self.session.fetch, meta.uid, too_large)
        if raw is None:
            return False  # expunged by someone else between SEARCH and FETCH
        received = meta.internal_date or datetime.now(UTC)
        if received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        head = envelope(s.key, received, meta.size if too_large else None)
        await self.sink.store(
            s.cursor_name,
            PolledItem(
                body=head + raw,
                cursor={"uidvalidity": validity, "last_uid": meta.uid},
                facts={"mailbox": s.folder, "uid": str(meta.uid), "uidvalidity": str(validity)},
            ),
        )
        if s.processed_folder:
            await self._call(self.session.move, [meta.uid], s.processed_folder)
        return True


def run_poller(settings: MailboxSettings, sink: PollSink) -> Awaitable[None]:
    return MailboxPoller(settings, sink).run()
