"""Polled channels (an IMAP mailbox): one long-lived loop per active account, run by exactly
one process at a time, whichever runs it (`helpdesk worker` under arq, or the web process in
the embedded mode of `make run`).

Ownership is a lease row in `channel_cursors` (name `poll:lease`): a process takes it when it
is free or its holder stopped renewing it for LEASE_SECONDS, renews it every RENEW_SECONDS by a
compare-and-set on the timestamp it last wrote, and renews it again inside every transaction
that stores a polled item, so a process that lost the lease (paused, partitioned) can never
advance the cursor. The database is the referee, so this works on SQLite and PostgreSQL alike,
with or without Redis; the unique (account, platform id) of messages stays the last guard.

What the adapter fetches goes through `PollSink`: each raw item is stored as an inbound event
and the cursor moved past it in the same transaction, then the processing job is enqueued. A
failing connection is retried with backoff; refused credentials mark the account as needing
attention, as a failed send does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import AuthError, ChannelError, PolledItem, PollingAdapter
from helpdesk.db import transaction
from helpdesk.dialect import insert_for
from helpdesk.models import (
    AccountHealth,
    ChannelAccount,
    ChannelCursor,
    InboundEvent,
    Message,
    utcnow,
)
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime

log = logging.getLogger(__name__)

LEASE = "poll:lease"
# The error the poll loop last wrote on the account, so that recovering clears that one only
# (not a newer one from a failed send), even after a restart.
POLL_ERROR = "poll:error"
LEASE_SECONDS = 60.0
RENEW_SECONDS = 15.0
SCAN_SECONDS = 30.0
# Seconds between reconnects after n failures in a row; AuthError waits the longest.
BACKOFF = (1, 2, 5, 10, 30, 60, 120, 300)
AUTH_BACKOFF = 300.0
HEALTHY_AFTER = 60.0  # a connection that lasted this long resets the backoff


class LeaseLost(Exception):
    """Another process owns the account's poll loop now."""


class Lease:
    def __init__(self, rt: Runtime, account_id: int, owner: str, seconds: float) -> None:
        self.rt = rt
        self.account_id = account_id
        self.owner = owner
        self.seconds = seconds
        self.stamp: Any = None  # the updated_at we last wrote: proof that we still hold it
        self.lock = asyncio.Lock()

    def _row(self) -> Any:
        return (ChannelCursor.channel_account_id == self.account_id) & (ChannelCursor.name == LEASE)

    async def acquire(self) -> bool:
        async with self.lock, transaction(self.rt.sessions) as session:
            now = utcnow()
            inserted = await session.execute(
                insert_for(session, ChannelCursor)
                .values(
                    channel_account_id=self.account_id,
                    name=LEASE,
                    value={"owner": self.owner},
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["channel_account_id", "name"])
                .returning(ChannelCursor.name)
            )
            taken = inserted.scalar_one_or_none() is not None
            if not taken:
                expired = await session.execute(
                    update(ChannelCursor)
                    .where(
                        self._row(),
                        ChannelCursor.updated_at < now - timedelta(seconds=self.seconds),
                    )
                    .values(value={"owner": self.owner}, updated_at=now)
                )
                taken = expired.rowcount == 1
        if taken:
            self.stamp = now
        return taken

    async def renew_in(self, session: AsyncSession) -> Any:
        """Renew inside the caller's transaction; returns the new stamp (set it after commit)."""
        if self.stamp is None:
            raise LeaseLost
        now = utcnow()
        renewed = await session.execute(
            update(ChannelCursor)
            .where(self._row(), ChannelCursor.updated_at == self.stamp)
            .values(updated_at=now)
        )
        if renewed.rowcount != 1:
            self.stamp = None
            raise LeaseLost
        return now

    async def renew(self) -> bool:
        try:
            async with self.lock:
                async with transaction(self.rt.sessions) as session:
                    stamp = await self.renew_in(session)
                self.stamp = stamp
            return True
        except LeaseLost:
            return False

    async def release(self) -> None:
        async with self.lock:
            if self.stamp is None:
                return
            async with transaction(self.rt.sessions) as session:
                await session.execute(
                    delete(ChannelCursor).where(self._row(), ChannelCursor.updated_at == self.stamp)
                )
            self.stamp = None


class AccountSink:
    """The `PollSink` of one account: its cursors and the inbound event store."""

    def __init__(self, rt: Runtime, account_id: int, kind: str, lease: Lease) -> None:
        self.rt = rt
        self.account_id = account_id
        self.kind = kind
        self.lease = lease
        # An error may be on record (from before a restart): the first healthy() looks.
        self.error_on_record = True

    async def healthy(self) -> None:
        if not self.error_on_record:
            return
        async with transaction(self.rt.sessions) as session:
            recorded = await session.scalar(
                delete(ChannelCursor)
                .where(
                    ChannelCursor.channel_account_id == self.account_id,
                    ChannelCursor.name == POLL_ERROR,
                )
                .returning(ChannelCursor.value)
            )
            if recorded:
                values: dict[str, Any] = {"last_error": None, "last_error_at": None}
                if recorded.get("auth"):
                    values["health"] = AccountHealth.ok
                await session.execute(
                    update(ChannelAccount)
                    .where(
                        ChannelAccount.id == self.account_id,
                        ChannelAccount.last_error == recorded.get("error"),
                    )
                    .values(**values)
                )
        self.error_on_record = False
        if recorded:
            log.info("poll of account %s works again", self.account_id)

    async def record_error(self, text: str, auth: bool) -> None:
        """Show the error on the account (an auth error also marks it as needing attention)."""
        log.warning("poll of account %s: %s", self.account_id, text)
        text = text[:1000]
        async with transaction(self.rt.sessions) as session:
            account = await session.get(ChannelAccount, self.account_id)
            if account is None:
                return
            account.last_error, account.last_error_at = text, utcnow()
            if auth:
                account.health = AccountHealth.needs_attention
            await self._set(session, POLL_ERROR, {"error": text, "auth": auth})
        self.error_on_record = True

    async def cursor(self, name: str) -> Mapping[str, Any] | None:
        async with self.rt.sessions() as session:
            return await session.scalar(
                select(ChannelCursor.value).where(
                    ChannelCursor.channel_account_id == self.account_id,
                    ChannelCursor.name == name,
                )
            )

    async def store(self, name: str, item: PolledItem) -> None:
        await self.store_all(name, [item])

    async def store_all(self, name: str, items: Sequence[PolledItem]) -> None:
        if not items:
            return
        async with self.lease.lock:
            async with transaction(self.rt.sessions) as session:
                stamp = await self.lease.renew_in(session)
                now = utcnow()
                session.add_all(
                    InboundEvent(
                        channel=self.kind,
                        received_at=now,
                        not_before=now,
                        headers={k: str(v)[:500] for k, v in item.facts.items()},
                        body=item.body,
                    )
                    for item in items
                )
                await self._set(session, name, items[-1].cursor)
            self.lease.stamp = stamp
        self.rt.inbound_wakeup()

    async def advance(self, name: str, value: Mapping[str, Any]) -> None:
        async with self.lease.lock:
            async with transaction(self.rt.sessions) as session:
                stamp = await self.lease.renew_in(session)
                await self._set(session, name, value)
            self.lease.stamp = stamp

    async def known(self, external_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        async with self.rt.sessions() as session:
            for start in range(0, len(external_ids), 500):
                found |= set(
                    await session.scalars(
                        select(Message.external_id).where(
                            Message.channel_account_id == self.account_id,
                            Message.external_id.in_(external_ids[start : start + 500]),
                        )
                    )
                )
        return found

    async def _set(self, session: AsyncSession, name: str, value: Mapping[str, Any]) -> None:
        await session.execute(
            insert_for(session, ChannelCursor)
            .values(channel_account_id=self.account_id, name=name, value=dict(value))
            .on_conflict_do_update(
                index_elements=["channel_account_id", "name"],
                set_={"value": dict(value), "updated_at": utcnow()},
            )
        )


class Pollers:
    """Starts and stops the poll loops of this process; `start()` once, `close()` at the end."""

    def __init__(
        self,
        rt: Runtime,
        *,
        scan_seconds: float = SCAN_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
        renew_seconds: float = RENEW_SECONDS,
        backoff: Sequence[float] = BACKOFF,
        auth_backoff: float = AUTH_BACKOFF,
    ) -> None:
        self.rt = rt
        self.owner = uuid.uuid4().hex
        self.scan_seconds = scan_seconds
        self.lease_seconds = lease_seconds
        self.renew_seconds = renew_seconds
        self.backoff = tuple(backoff)
        self.auth_backoff = auth_backoff
        self.loops: dict[int, asyncio.Task[None]] = {}
        self._supervisor: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._supervisor = asyncio.create_task(self._supervise(), name="pollers")

    async def close(self) -> None:
        tasks = [t for t in (self._supervisor, *self.loops.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.loops.clear()

    async def scan(self) -> None:
        """Start a loop for every polled account that is free; forget loops that ended."""
        for account_id, task in list(self.loops.items()):
            if task.done():
                del self.loops[account_id]
        async with self.rt.sessions() as session:
            accounts = list(
                await session.execute(
                    select(ChannelAccount.id, ChannelAccount.kind).where(
                        ChannelAccount.active.is_(True)
                    )
                )
            )
        for account_id, kind in accounts:
            if account_id in self.loops or not self._polls(kind):
                continue
            lease = Lease(self.rt, account_id, self.owner, self.lease_seconds)
            if await lease.acquire():
                log.info("polling %s account %s", kind, account_id)
                self.loops[account_id] = asyncio.create_task(
                    self._hold(account_id, kind, lease), name=f"poll:{kind}:{account_id}"
                )

    def _polls(self, kind: str) -> bool:
        # Asks only the kinds that have an account: the registry imports an adapter on first
        # use, and a worker reading one mailbox need not load every platform's client.
        return kind in self.rt.adapters and isinstance(self.rt.adapters[kind], PollingAdapter)

    async def _supervise(self) -> None:
        while True:
            try:
                await self.scan()
            except Exception:
                log.exception("poll scan failed")
            await asyncio.sleep(self.scan_seconds)

    async def _hold(self, account_id: int, kind: str, lease: Lease) -> None:
        adapter = self.rt.adapters[kind]
        sink = AccountSink(self.rt, account_id, kind, lease)
        failures = 0
        try:
            while True:
                async with self.rt.sessions() as session:
                    account = await session.get(ChannelAccount, account_id)
                    if account is None or not account.active:
                        return
                    config = account_config(account)
                started = time.monotonic()
                try:
                    await self._run_renewing(adapter.poll(config, sink), lease)  # type: ignore[attr-defined]
                    failures = 0
                    delay = self.backoff[0]
                except LeaseLost:
                    log.warning("lost the poll lease of account %s", account_id)
                    return
                except AuthError as exc:
                    await self._record(sink, exc, auth=True)
                    delay = self.auth_backoff
                except (ChannelError, OSError) as exc:
                    if time.monotonic() - started > HEALTHY_AFTER:
                        failures = 0
                    await self._record(sink, exc)
                    delay = self.backoff[min(failures, len(self.backoff) - 1)]
                    failures += 1
                except Exception as exc:
                    log.exception("poll loop of account %s crashed", account_id)
                    await self._record(sink, exc)
                    delay = self.backoff[min(failures, len(self.backoff) - 1)]
                    failures += 1
                if not await self._pause(lease, delay):
                    return
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(lease.release())

    async def _run_renewing(self, poll: Any, lease: Lease) -> None:
        """Run the adapter's poll, renewing the lease meanwhile; stop it if the lease is lost."""
        task = asyncio.ensure_future(poll)
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.renew_seconds)
                if done:
                    task.result()
                    return
                if not await lease.renew():
                    raise LeaseLost
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _pause(self, lease: Lease, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(left, self.renew_seconds))
            if not await lease.renew():
                return False
        return True

    async def _record(self, sink: AccountSink, exc: BaseException, auth: bool = False) -> None:
        text = exc.message if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}"
        await sink.record_error(text, auth)
