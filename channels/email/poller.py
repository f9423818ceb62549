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
# Mails a round of metadata, then fetched and stored in groups of FETCH_BYTES at most. A
# backlog starts with a small round, so the first mails reach processing soon, and each round
# doubles up to MAX_BATCH: a round costs two IMAP round trips and a transaction whatever its
# size, and at 25 a round the poller paced the whole ingest (bench/email_ingest, SQLite).
BATCH = 25
MAX_BATCH = 200
FETCH_BYTES = 16 * 1024 * 1024


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
                await self.sink.healthy()  # clears an error recorded before this connection
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
        for start, end in _rounds(len(uids)):
            # Message-IDs only where a mail may be one the account has (a resync).
            metas = await self._call(self.session.meta, uids[start:end], resync)
            last_uid = metas[-1].uid if metas else last_uid
            fresh = await self._unknown(metas) if resync else metas
            stored += await self._store(fresh, validity)
        if resync or stored == 0:  # skipped known mails still move the cursor on
            await self.sink.advance(
                name, {"uidvalidity": validity, "last_uid": max(last_uid, uidnext - 1)}
            )
        return stored

    async def _since(self, days: int) -> list[int]:
        day = (datetime.now(UTC) - timedelta(days=days)).date()
        return await self._call(self.session.uids_since, day)

    async def _unknown(self, metas: list[MailMeta]) -> list[MailMeta]:
        """The mails whose Message-ID the account has no message of (and those without one)."""
        ids = [i for m in metas for i in ids_in(m.message_id_header.decode("latin-1"))]
        known = await self.sink.known(ids) if ids else set()
        fresh = []
        for meta in metas:
            mail_id = next(iter(ids_in(meta.message_id_header.decode("latin-1"))), None)
            if mail_id is None or mail_id not in known:
                fresh.append(meta)
        return fresh

    async def _store(self, metas: list[MailMeta], validity: int) -> int:
        """Fetch and store these mails, a group at a time (one IMAP round trip and one
        transaction a group). A mail over the size limit is stored by its header alone."""
        s = self.settings
        stored = 0
        for group in _groups(metas, s.max_message_bytes):
            whole = [m.uid for m in group if m.size <= s.max_message_bytes]
            heads = [m.uid for m in group if m.size > s.max_message_bytes]
            raw = await self._call(self.session.fetch_many, whole) if whole else {}
            if heads:
                raw |= await self._call(self.session.fetch_many, heads, True)
            # Those missing were expunged by someone else between SEARCH and FETCH.
            items = [self._item(m, raw[m.uid], validity) for m in group if m.uid in raw]
            if not items:
                continue
            await self.sink.store_all(s.cursor_name, items)
            if s.processed_folder:
                await self._call(
                    self.session.move, [int(i.facts["uid"]) for i in items], s.processed_folder
                )
            stored += len(items)
        return stored

    def _item(self, meta: MailMeta, raw: bytes, validity: int) -> PolledItem:
        s = self.settings
        too_large = meta.size > s.max_message_bytes
        received = meta.internal_date or datetime.now(UTC)
        if received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        return PolledItem(
            body=envelope(s.key, received, meta.size if too_large else None) + raw,
            cursor={"uidvalidity": validity, "last_uid": meta.uid},
            facts={"mailbox": s.folder, "uid": str(meta.uid), "uidvalidity": str(validity)},
        )


def _rounds(count: int) -> list[tuple[int, int]]:
    """[start, end) of each round of metadata over `count` UIDs: BATCH, doubling to MAX_BATCH."""
    rounds: list[tuple[int, int]] = []
    start, size = 0, BATCH
    while start < count:
        rounds.append((start, min(start + size, count)))
        start, size = start + size, min(size * 2, MAX_BATCH)
    return rounds


def _groups(metas: list[MailMeta], max_message_bytes: int) -> list[list[MailMeta]]:
    """Consecutive groups of at most FETCH_BYTES of mail (a bigger mail makes a group alone),
    so a group's FETCH never holds more than that in memory."""
    groups: list[list[MailMeta]] = []
    size = 0
    for meta in metas:
        mail = meta.size if meta.size <= max_message_bytes else 0
        if not groups or size + mail > FETCH_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(meta)
        size += mail
    return groups


def run_poller(settings: MailboxSettings, sink: PollSink) -> Awaitable[None]:
    return MailboxPoller(settings, sink).run()
