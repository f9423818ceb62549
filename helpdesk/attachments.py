"""Downloading the media a citizen sent into attachment storage.

One job per attachment. It reads what it needs on a reader's session (on SQLite beside the one
writer, so it does not queue behind the ingest drain's transactions), asks the channel's adapter
for the file, stores the bytes, and records the result. Where the media travel inside the stored
raw payload (a mail), the adapter is first asked without it: it usually still holds what the
drain parsed, and the payload (a whole mail) is read only when it asks (`PayloadNeeded`).

Jobs come in bursts (a batch of mails brings dozens of files), and on SQLite each transaction
queues for the one writer, behind the drain. So a job also takes along the other pending files
of its channel that the adapter can give without their payloads (what this process still holds:
no download, no retry to lose) and records them all in one transaction; their own jobs then find
them done (`_Burst`). Results of jobs that finish together share a transaction too.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    ChannelError,
    FetchedMedia,
    MediaRef,
    PayloadNeeded,
    PermanentError,
    TransientError,
)
from helpdesk.db import transaction
from helpdesk.jobs.queue import RetryLater
from helpdesk.models import Attachment, AttachmentStatus, ChannelAccount, InboundEvent, Message
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime
from helpdesk.storage import ForbiddenContent

log = logging.getLogger(__name__)

MAX_TRIES = 6
# Other pending files a job takes along, at most.
TAKE_ALONG = 100
# Results written in one transaction at most (more wait for the next one).
MAX_RESULTS_A_TRANSACTION = 200
# Files taken along whose own job has not come yet (it may run in another process): the oldest
# are forgotten beyond this, and their job reads the database as usual.
MAX_TAKEN = 2_000

ATTACHMENTS: Table = Attachment.__table__  # type: ignore[assignment]
Values = dict[str, Any]


@dataclass(frozen=True)
class _File:
    """A pending attachment, with what fetching it needs."""

    attachment: Attachment
    account: ChannelAccount
    event_id: int | None

    @property
    def media(self) -> MediaRef:
        attachment = self.attachment
        return MediaRef(
            media_id=attachment.media_id or "",
            mime_type=attachment.declared_type,
            filename=attachment.filename,
            kind=attachment.kind,  # type: ignore[arg-type]
        )


async def fetch_attachment(rt: Runtime, attachment_id: int, job_try: int = 1) -> str | None:
    burst = _burst(rt.sessions)
    done = await burst.taken_along(attachment_id)
    if done is not None:  # another job of this process stored it with its own
        return done
    own = burst.take(attachment_id)
    along: list[_File] = []
    try:
        found = await _read(rt, attachment_id)
        if found is None:
            return None
        if found.attachment.status != AttachmentStatus.pending:
            return found.attachment.status
        adapter = rt.adapters[found.account.kind]
        status, values, retry, held = await _fetch_own(rt, adapter, found, job_try)
        if held:  # the adapter gave it from what it holds: it may hold the others too
            along = await _others(rt, found, burst)
        results: list[tuple[int, Values]] = [] if values is None else [(attachment_id, values)]
        for file in along:
            stored = await _fetch_along(rt, adapter, file)
            if stored is not None:
                results.append((file.attachment.id, stored))
        await burst.write(results)
        written = {i for i, _ in results}
        for file in along:  # stored, or left to its own job
            written_status = AttachmentStatus.stored if file.attachment.id in written else None
            burst.settle(file.attachment.id, written_status)
        if retry is not None:
            raise retry
        burst.settle(attachment_id, status)
        return status
    finally:
        burst.release(attachment_id, own, [f.attachment.id for f in along])


async def _read(rt: Runtime, attachment_id: int) -> _File | None:
    async with rt.reader() as session:
        row = (
            await session.execute(
                # Of the message's details only the event it came in (not its text and html).
                select(Attachment, ChannelAccount, Message.details["event_id"].as_integer())
                .join(Message, Message.id == Attachment.message_id)
                .join(ChannelAccount, ChannelAccount.id == Message.channel_account_id)
                .where(Attachment.id == attachment_id)
            )
        ).one_or_none()
    return None if row is None else _File(*row)


async def _others(rt: Runtime, own: _File, burst: _Burst) -> list[_File]:
    """Pending files of the same channel no job of this process has taken, now taken."""
    async with rt.reader() as session:
        rows = await session.execute(
            select(Attachment, ChannelAccount)  # their payloads are never loaded
            .join(Message, Message.id == Attachment.message_id)
            .join(ChannelAccount, ChannelAccount.id == Message.channel_account_id)
            .where(
                Attachment.status == AttachmentStatus.pending,
                ChannelAccount.kind == own.account.kind,
                Attachment.id.not_in(burst.in_flight()),
            )
            .order_by(Attachment.id)
            .limit(TAKE_ALONG)
        )
        files = [_File(attachment, account, None) for attachment, account in rows]
    # Taken by another job while this one read: theirs.
    return [f for f in files if burst.take_along(f.attachment.id)]


async def _fetch_own(
    rt: Runtime, adapter: ChannelAdapter, file: _File, job_try: int
) -> tuple[str, Values | None, RetryLater | None, bool]:
    """The job's own file: its status, the values to record, the retry to raise once the files
    taken along are recorded, and whether the adapter gave it without loading the payload of a
    channel whose media travel in it (the adapter holds what it parsed)."""
    try:
        values, loaded = await _store(rt, adapter, file, may_load=True)
        return AttachmentStatus.stored, values, None, adapter.media_in_payload and not loaded
    except TransientError as exc:
        if job_try < MAX_TRIES:
            return "pending", None, RetryLater(defer=exc.retry_after or 5.0 * 2**job_try), False
        return _marked(AttachmentStatus.failed, exc.message)
    except ForbiddenContent as exc:
        return _marked(AttachmentStatus.refused, str(exc))
    except ChannelError as exc:
        status = AttachmentStatus.refused if exc.code == "too_large" else AttachmentStatus.failed
        return _marked(status, exc.message)


def _marked(status: AttachmentStatus, error: str) -> tuple[str, Values, None, bool]:
    return status, {"status": status, "error": error[:1000]}, None, False


async def _fetch_along(rt: Runtime, adapter: ChannelAdapter, file: _File) -> Values | None:
    """A file taken along, if the adapter gives it at once; anything else (it needs the
    payload, it fails, it is refused) is left to the file's own job and its rules."""
    try:
        values, _ = await _store(rt, adapter, file, may_load=False)
    except PayloadNeeded:
        return None
    except Exception:  # its own job meets it again, and reports or retries it by its rules
        log.debug("attachment %s left to its own job", file.attachment.id, exc_info=True)
        return None
    return values


async def _store(
    rt: Runtime, adapter: ChannelAdapter, file: _File, *, may_load: bool
) -> tuple[Values, bool]:
    """Fetch the file and store its bytes: the values that record it, and whether the stored
    payload had to be loaded for it (`may_load`; else PayloadNeeded goes up)."""
    config = account_config(file.account)
    media = file.media
    loaded = False
    try:
        fetched = await adapter.fetch_media(config, media)
    except PayloadNeeded:
        if not may_load:
            raise
        fetched, loaded = await _with_payload(rt, adapter, config, media, file.event_id), True
    if len(fetched.content) > rt.settings.max_attachment_bytes:
        raise PermanentError("larger than the attachment limit", code="too_large")
    stored = rt.storage.save(fetched.content, fetched.mime_type or media.mime_type)
    filename = file.attachment.filename
    if fetched.filename and not filename:  # the name the file carries, where the message had none
        filename = fetched.filename[:255]
    values = {
        "status": AttachmentStatus.stored,
        "storage_key": stored.key,
        "size": stored.size,
        "sha256": stored.sha256,
        "content_type": stored.content_type,
        "error": None,
        "filename": filename,
    }
    return values, loaded


async def _with_payload(
    rt: Runtime,
    adapter: ChannelAdapter,
    config: AccountConfig,
    media: MediaRef,
    event_id: int | None,
) -> FetchedMedia:
    """The file, asked for again with the stored raw payload the adapter asked for."""
    payload = None
    if adapter.media_in_payload and event_id is not None:
        async with rt.reader() as session:
            payload = await session.scalar(
                select(InboundEvent.body).where(InboundEvent.id == event_id)
            )
    if payload is None:
        raise PermanentError("the stored message this file came in is gone", code="no_payload")
    return await adapter.fetch_media(config, replace(media, payload=payload))


class _Burst:
    """The attachment jobs of one process and database: which files a job has taken (along),
    and their results written together. Results that arrive while a transaction writes others
    go into the next one: a lone result is written at once. `write` returns once its results
    are committed, as the job's own transaction did."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        # attachment id -> its status once stored by the job that took it (None: left to its own
        # job); a job that took it along writes it, its own job waits for that
        self._taken: OrderedDict[int, asyncio.Future[str | None]] = OrderedDict()
        self._waiting: list[tuple[Sequence[tuple[int, Values]], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    def in_flight(self) -> list[int]:
        """Files being stored now (those already stored are no longer pending)."""
        return [i for i, taken in self._taken.items() if not taken.done()]

    async def taken_along(self, attachment_id: int) -> str | None:
        """The status another job gave this file, once it is written (None: do it yourself)."""
        taken = self._taken.get(attachment_id)
        if taken is None:
            return None
        # Shielded: this job's cancellation must not cancel the one that took it.
        status = await asyncio.shield(taken)
        self._taken.pop(attachment_id, None)
        return status

    def take(self, attachment_id: int) -> asyncio.Future[str | None]:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._taken[attachment_id] = future
        self._forget_oldest()
        return future

    def take_along(self, attachment_id: int) -> bool:
        if attachment_id in self._taken:
            return False
        self.take(attachment_id)
        return True

    def settle(self, attachment_id: int, status: str | None) -> None:
        taken = self._taken.get(attachment_id)
        if taken is not None and not taken.done():
            taken.set_result(status)
        if status is None:
            self._taken.pop(attachment_id, None)

    def release(self, own_id: int, own: asyncio.Future[str | None], along: Sequence[int]) -> None:
        """At a job's end: its own file is its own again, and so is every file it took along
        and did not store (it failed half-way)."""
        if not own.done():
            own.set_result(None)
        if self._taken.get(own_id) is own:
            del self._taken[own_id]
        for attachment_id in along:
            taken = self._taken.get(attachment_id)
            if taken is not None and not taken.done():
                taken.set_result(None)
                del self._taken[attachment_id]

    def _forget_oldest(self) -> None:
        while len(self._taken) > MAX_TAKEN:
            oldest = next(iter(self._taken))
            if not self._taken[oldest].done():
                break  # still being stored: kept, whatever the count
            del self._taken[oldest]

    async def write(self, results: Sequence[tuple[int, Values]]) -> None:
        if not results:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((results, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        await done

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch: list[tuple[Sequence[tuple[int, Values]], asyncio.Future[None]]] = []
            count = 0
            while self._waiting and (not batch or count < MAX_RESULTS_A_TRANSACTION):
                results, done = self._waiting.pop(0)
                batch.append((results, done))
                count += len(results)
            try:
                async with transaction(self.sessions) as session:
                    await _update(session, [r for results, _ in batch for r in results])
            except Exception as exc:  # each job sees it, as it would have its own
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in batch:
                if not done.done():  # a job cancelled meanwhile (its results are written)
                    done.set_result(None)


async def _update(session: AsyncSession, results: list[tuple[int, Values]]) -> None:
    """One UPDATE a shape of result (stored, failed or refused), for many rows at once."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for attachment_id, values in results:
        row = {"b_id": attachment_id, **{f"b_{name}": value for name, value in values.items()}}
        shapes[tuple(sorted(values))].append(row)
    for names, rows in shapes.items():
        await session.execute(
            update(ATTACHMENTS)
            .where(ATTACHMENTS.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in names}),
            rows,
        )


# One per database of a process (its sessionmaker): the jobs that share it share the burst.
_BURSTS: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], _Burst] = (
    weakref.WeakKeyDictionary()
)


def _burst(sessions: async_sessionmaker[AsyncSession]) -> _Burst:
    found = _BURSTS.get(sessions)
    if found is None:
        found = _BURSTS[sessions] = _Burst(sessions)
    return found
