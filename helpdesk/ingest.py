"""Ingest: stored inbound events become timeline messages and delivery statuses.

Webhooks and pollers store every raw body as an InboundEvent before the platform gets its
answer, then wake the drain (`drain_inbound` job). The drain claims due pending events in
batches: the claim is a lease (the event is due again after LEASE) committed on its own, so
several workers share the work, and the events of a worker that died come back, their attempt
counted. A batch is parsed by each event's channel adapter and all its messages are received
in one transaction (`helpdesk.receiving`), which also marks the events done; delivery statuses
follow. A batch that fails is taken apart and each event runs alone, so one poisonous event
fails by itself and is parked as failed (kept for replay) after MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import exists, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import InboundMessage, InvalidPayload, ParsedPayload
from helpdesk import message_updates, notify
from helpdesk.consultation_mirror import incoming as mirror_incoming
from helpdesk.db import transaction
from helpdesk.delivery import StatusResult, apply_status
from helpdesk.dialect import is_postgresql
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.models import InboundEvent, InboundStatus, utcnow
from helpdesk.receiving import Incoming, Outcome, Received, receive
from helpdesk.runtime import Runtime
from helpdesk.workflow.calendar import national_holidays

log = logging.getLogger(__name__)

__all__ = ["Received", "drain", "process_event", "process_pending", "receive_message"]

BATCH = 100
# While this process is also acknowledging webhooks (the embedded mode: one process, and on
# SQLite one connection to the one writer), the drain stands aside: an acknowledgement that
# arrives during a batch's transaction waits for all of it (a batch of 5 held the writer 20-60 ms
# under load, bench/ingest, and that was the p99). It starts a batch only in a pause of
# ACK_PAUSE_SECONDS between webhooks, or after ACK_YIELD_SECONDS of a stream without one
# (processing never stops for good), and then a small one (ACK_BATCH) after the rows waiting
# are stored (for up to ACK_TURN_SECONDS). Processing catches up when the webhooks stop.
ACK_BATCH = 5
ACK_PAUSE_SECONDS = 0.01
ACK_YIELD_SECONDS = 1.0
ACK_TURN_SECONDS = 0.1
ACKS_RECENT_SECONDS = 0.5
# A claimed event is due again after this: its worker died, or is stuck.
LEASE = timedelta(minutes=2)
# A status can overtake the send that produced its message id; wait for it this many times.
STATUS_WAIT_TRIES = 5
# A reply whose thread is unknown while earlier events are still being received waits for them
# (receiving_threads.`EarlierEvents`) on this many attempts, then opens a ticket of its own.
THREAD_WAIT_TRIES = 4
# An event whose processing keeps failing is parked as failed (kept for replay) after this.
MAX_ATTEMPTS = 10
# One drain job gives the queue back after this long; it queues its successor if work is left.
DRAIN_BUDGET_SECONDS = 20.0
# SQLSTATEs of a lost race between two transactions: run the batch again.
_RACES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


@dataclass
class _Event:
    id: int
    channel: str
    body: bytes
    attempts: int
    parsed: ParsedPayload | None = None
    outcomes: list[Outcome] = field(default_factory=list)


async def drain(rt: Runtime, budget_seconds: float = DRAIN_BUDGET_SECONDS) -> int:
    """Process due events batch after batch until none is left. Returns how many were taken.

    A few drains run at once per process (`rt.inbound_drains`); more would only queue on the
    same rows and locks."""

    async def batches() -> int:
        deadline = time.monotonic() + budget_seconds
        total = 0
        while taken := await process_pending(rt, await next_batch_size(rt)):
            total += taken
            if time.monotonic() > deadline:
                await rt.jobs.enqueue("drain_inbound")
                break
        return total

    return await rt.inbound_drains.run(batches)


def prepare() -> None:
    """Load now, at a worker's start, what the first batch would otherwise load on the event
    loop while requests wait behind it: the national holiday calendars (the `holidays` package
    imports its country modules on first use, about 0.3 s)."""
    year = utcnow().year
    for calendar_year in (year, year + 1):
        national_holidays(calendar_year)


async def next_batch_size(rt: Runtime) -> int:
    """Acknowledging comes before processing (STYLE.md habit 1): see ACK_BATCH."""
    store = rt.inbound_store
    if not store.busy_within(ACKS_RECENT_SECONDS):
        return BATCH
    await store.wait_quiet(ACK_PAUSE_SECONDS, timeout=ACK_YIELD_SECONDS)
    await store.wait_idle(ACK_TURN_SECONDS)
    return ACK_BATCH


async def process_pending(rt: Runtime, limit: int = BATCH) -> int:
    """Claim and process one batch of due events. Returns how many were claimed."""
    events = await _claim(rt, limit=limit)
    if events:
        await _process(rt, events)
    return len(events)


async def process_event(rt: Runtime, event_id: int) -> str | None:
    """Process one stored event now, whatever its lease (tests, a superuser's replay); safe to
    run twice. Returns its status afterwards."""
    events = await _claim(rt, event_id=event_id)
    if events:
        await _process(rt, events)
    async with rt.sessions() as session:
        return await session.scalar(select(InboundEvent.status).where(InboundEvent.id == event_id))


async def has_due_events(rt: Runtime) -> bool:
    async with rt.sessions() as session:
        return bool(
            await session.scalar(
                select(
                    exists().where(
                        InboundEvent.status == InboundStatus.pending,
                        InboundEvent.not_before <= utcnow(),
                    )
                )
            )
        )


async def receive_message(
    rt: Runtime, channel: str, message: InboundMessage, *, event_id: int | None = None
) -> Outcome:
    """Record one inbound message (a batch of one). Returns Received, "duplicate" or
    "unrouted"."""
    adapter = rt.adapters.get(channel)
    incoming = Incoming(
        channel=channel,
        message=message,
        event_id=event_id,
        continues_open_ticket=adapter.continues_open_ticket if adapter is not None else True,
    )
    outcomes = await _receive_all(rt, [incoming], [])
    return outcomes[0]


async def _claim(rt: Runtime, *, limit: int = 1, event_id: int | None = None) -> list[_Event]:
    now = utcnow()
    due = select(InboundEvent.id).where(InboundEvent.status == InboundStatus.pending)
    if event_id is not None:
        due = due.where(InboundEvent.id == event_id)
    else:
        due = due.where(InboundEvent.not_before <= now)
    # SKIP LOCKED: workers claiming at once take different events instead of queueing behind
    # each other (SQLite has one writer anyway, and ignores it).
    due = due.order_by(InboundEvent.id).limit(limit).with_for_update(skip_locked=True)
    async with transaction(rt.sessions) as session:
        rows = await session.execute(
            update(InboundEvent)
            .where(InboundEvent.id.in_(due.scalar_subquery()))
            .values(attempts=InboundEvent.attempts + 1, not_before=now + LEASE)
            .returning(
                InboundEvent.id, InboundEvent.channel, InboundEvent.body, InboundEvent.attempts
            )
        )
        events = sorted((_Event(*row) for row in rows), key=lambda e: e.id)
    return events


async def _process(rt: Runtime, events: list[_Event]) -> None:
    try:
        await _process_batch(rt, events)
    except Exception as exc:
        if len(events) > 1:
            log.warning("a batch of %d inbound events failed (%s); one by one", len(events), exc)
            for event in events:
                await _process(rt, [event])
            return
        event = events[0]
        log.exception("inbound event %s failed (attempt %d)", event.id, event.attempts)
        await _retry_later(rt, event, f"{type(exc).__name__}: {exc}", _backoff(event.attempts))


async def _process_batch(rt: Runtime, events: list[_Event]) -> None:
    live: list[_Event] = []
    for event in events:
        if event.attempts > MAX_ATTEMPTS:
            await _finish(rt, event, InboundStatus.failed, f"gave up after {MAX_ATTEMPTS} attempts")
            continue
        adapter = rt.adapters.get(event.channel)
        try:
            if adapter is None:
                raise InvalidPayload(f"no adapter for channel {event.channel!r}")
            event.parsed = adapter.parse(event.body)
        except InvalidPayload as exc:
            await _finish(rt, event, InboundStatus.rejected, str(exc))
            continue
        live.append(event)
    if not live:
        return

    outcomes = await _receive_all(rt, _incoming(rt, live), live)
    await _send_replies(rt, outcomes)  # committed: STATUS answers, LAPOR reports leave now
    for event in live:
        if "waiting" in event.outcomes:  # received again once the earlier events are in
            defer = 1.0 * event.attempts
            await _retry_later(rt, event, None, timedelta(seconds=defer))
            await rt.jobs.enqueue("drain_inbound", defer=defer)
        elif _has_more_than_messages(event):
            # Posts from the office's staff group (a mirrored consultation) have their own home.
            assert event.parsed is not None
            await mirror_incoming.receive_all(rt, event.channel, event.parsed.staff_posts)
            await _apply_statuses(rt, event)
    await _schedule_media(rt, outcomes)


def _has_more_than_messages(event: _Event) -> bool:
    parsed = event.parsed
    assert parsed is not None
    return bool(parsed.statuses or parsed.staff_posts or message_updates.has_updates(parsed))


def _incoming(rt: Runtime, events: Sequence[_Event]) -> list[Incoming]:
    return [
        Incoming(
            event.channel,
            message,
            event.id,
            rt.adapters[event.channel].continues_open_ticket,
            may_wait=event.attempts < THREAD_WAIT_TRIES,
        )
        for event in events
        if event.parsed is not None
        for message in event.parsed.messages
    ]


async def _receive_all(
    rt: Runtime, incoming: Sequence[Incoming], events: Sequence[_Event]
) -> list[Outcome]:
    """Receive the messages in one transaction, which also marks those of `events` (whose
    messages `incoming` is, in order) that carry nothing else as done; again if it lost a race
    (two batches creating the same contact identity, or storing the same message, at once)."""
    for attempt in range(1, 4):
        try:
            async with transaction(rt.sessions) as session:
                await _relax_durability(session)
                outcomes = await receive(session, incoming) if incoming else []
                verdicts: dict[tuple[InboundStatus, str | None], list[int]] = defaultdict(list)
                position = 0
                for event in events:
                    assert event.parsed is not None
                    count = len(event.parsed.messages)
                    event.outcomes = outcomes[position : position + count]
                    position += count
                    if "waiting" not in event.outcomes and not _has_more_than_messages(event):
                        verdicts[_verdict(event, event.outcomes, [])].append(event.id)
                for (status, note), event_ids in verdicts.items():
                    await _mark(session, event_ids, status, note)
            await notify.received(rt, outcomes)  # live inbox updates, once committed
            return outcomes
        except DBAPIError as exc:
            if not _lost_race(exc) or attempt == 3:
                raise
            log.info("inbound batch lost a race (%s); again", type(exc).__name__)
    raise AssertionError("unreachable")


def _verdict(
    event: _Event, outcomes: Sequence[Outcome], statuses: Sequence[StatusResult]
) -> tuple[InboundStatus, str | None]:
    """Processed, unless every message and status was for an account we do not have."""
    assert event.parsed is not None
    unrouted = {
        m.account_key
        for m, o in zip(event.parsed.messages, outcomes, strict=True)
        if o == "unrouted"
    }
    unrouted |= {
        s.account_key
        for s, r in zip(event.parsed.statuses, statuses, strict=False)
        if r is StatusResult.unrouted
    }
    routed = sum(1 for o in outcomes if o != "unrouted")
    routed += sum(1 for r in statuses if r is not StatusResult.unrouted)
    note = f"no {event.channel} account for: {', '.join(sorted(unrouted))}" if unrouted else None
    if unrouted and not routed:
        return InboundStatus.unrouted, note
    return InboundStatus.processed, note


async def _apply_statuses(rt: Runtime, event: _Event) -> None:
    assert event.parsed is not None
    results = [await apply_status(rt, event.channel, s) for s in event.parsed.statuses]
    # Echoes and edits wait like statuses for the message they follow (message_updates).
    results += await message_updates.apply(rt, event.channel, event.parsed)
    await notify.delivery_changed(rt, [s.external_id for s in event.parsed.statuses])
    if StatusResult.unknown_message in results:  # the send that made its id is not recorded yet
        if event.attempts < STATUS_WAIT_TRIES:
            defer = 2.0 * event.attempts
            await _retry_later(rt, event, None, timedelta(seconds=defer))
            await rt.jobs.enqueue("drain_inbound", defer=defer)
            return
        status, note = _verdict(event, event.outcomes, results)
        await _finish(rt, event, status, note or "status for a message we never sent")
        return
    status, note = _verdict(event, event.outcomes, results)
    await _finish(rt, event, status, note)


async def _mark(
    session: AsyncSession, event_ids: list[int], status: InboundStatus, note: str | None
) -> None:
    await session.execute(
        update(InboundEvent)
        .where(InboundEvent.id.in_(event_ids))
        .values(status=status, error=(note or None) and note[:2000], processed_at=utcnow())
    )


async def _finish(rt: Runtime, event: _Event, status: InboundStatus, note: str | None) -> None:
    async with transaction(rt.sessions) as session:
        await _mark(session, [event.id], status, note)


async def _retry_later(rt: Runtime, event: _Event, error: str | None, after: timedelta) -> None:
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == event.id)
            .values(not_before=utcnow() + after, error=error and error[:2000])
        )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2**attempts, 3600))


def _lost_race(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "sqlstate", None) in _RACES


async def _send_replies(rt: Runtime, outcomes: Sequence[Outcome]) -> None:
    """What receiving queued in the outbox (a STATUS answer, a reopening told to the platform)
    leaves now, not with the next sweep. The items are stored: a queue that is down loses
    nothing, the sweep sends them."""
    for outcome in outcomes:
        if isinstance(outcome, Received):
            for item_id in outcome.replies:
                await enqueue_or_leave_to_sweep(
                    rt.jobs, "send_outbox_item", item_id, job_id=f"outbox:{item_id}"
                )


async def _schedule_media(rt: Runtime, outcomes: Sequence[Outcome]) -> None:
    for outcome in outcomes:
        if isinstance(outcome, Received):
            for attachment_id in outcome.attachment_ids:
                await rt.jobs.enqueue(
                    "fetch_attachment", attachment_id, job_id=f"attachment:{attachment_id}"
                )


async def _relax_durability(session: AsyncSession) -> None:
    """Commit without waiting for the WAL flush (PostgreSQL only).

    Safe because the raw event was stored durably before the platform got its answer: should
    the server crash before this commit reaches disk, the event's "processed" mark (written in
    the same transaction) is lost with it, the event's lease runs out and it is received again.
    Any later durable commit (a reply, a step change) flushes this one first. Without the fsync
    wait the register counter's row lock is held for microseconds, not milliseconds.
    """
    if is_postgresql(session):
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))
