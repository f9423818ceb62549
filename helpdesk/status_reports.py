"""Telling a platform that tracks the complaint itself when the ticket's status changes.

Some platforms keep their own status for a complaint they forwarded to the office (an adapter
says so with `reports_ticket_status`). When the office finishes such a ticket (resolved or
closed) or takes it up again, or the citizen's own message reopens it, the change is queued
through the outbox like a reply, in the transaction that makes it, so an outage retries and
nothing is lost: an outbound message of kind `status` on the ticket's account, which the
outbox hands to the adapter's `report_status` instead of `send`. It is no answer to the
citizen (the register book and status page skip it) and no first response. A platform whose
adapter also says `reports_out_of_authority` can be told a complaint is not the office's to
handle (`helpdesk.workflow.engine`'s "bukan kewenangan" action closes it so).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import TicketChange
from channels.registry import ADAPTERS
from helpdesk import outbound
from helpdesk.models import (
    ChannelAccount,
    Direction,
    Message,
    MessageStatus,
    OutboxItem,
    OutboxState,
    Ticket,
    TicketStatus,
    utcnow,
)

KIND = "status"  # Message.content_kind of a status report
MAX_NOTE = 2000
_DONE = (TicketStatus.resolved, TicketStatus.closed)
# What the timeline shows for each (the citizen-facing language of every office).
LABELS = {
    TicketChange.resolved: "Status pengaduan dilaporkan: selesai",
    TicketChange.closed: "Status pengaduan dilaporkan: ditutup",
    TicketChange.reopened: "Status pengaduan dilaporkan: diproses kembali",
    TicketChange.out_of_authority: "Status pengaduan dilaporkan: bukan kewenangan Dukcapil",
}


@dataclass(frozen=True)
class Unsent:
    """What the platform has not accepted yet from a ticket's timeline: the follow-ups
    (replies, files, decision texts) and, apart, the status reports (not follow-ups: the
    ticket's state, told to the platform's own tracking)."""

    follow_ups: int = 0
    status_reports: int = 0


def unsent(messages: Iterable[Message]) -> Unsent:
    """Count the timeline's outbound messages still queued, follow-ups and status reports
    apart (a timeline already loaded: the ticket page has it)."""
    follow_ups = reports = 0
    for m in messages:
        if m.direction != Direction.outbound or m.status != MessageStatus.queued:
            continue
        if m.content_kind == KIND:
            reports += 1
        else:
            follow_ups += 1
    return Unsent(follow_ups, reports)


def change_of(before: str, after: str) -> TicketChange | None:
    """The change a tracking platform hears of, if any: into done, or out of it."""
    if after in _DONE and before not in _DONE:
        return TicketChange(after)
    if before in _DONE and after not in _DONE:
        return TicketChange.reopened
    return None


def reports(kind: str | None, change: TicketChange) -> bool:
    """Whether a platform of this kind is told of this change (by its adapter's flags)."""
    adapter = ADAPTERS.get(kind or "")
    if adapter is None or not adapter.reports_ticket_status:
        return False
    return change != TicketChange.out_of_authority or adapter.reports_out_of_authority


async def queue_status_report(
    session: AsyncSession,
    ticket: Ticket,
    before: str,
    user_id: int | None,
    note: str = "",
    change: TicketChange | None = None,
) -> OutboxItem | None:
    """Queue the ticket's status change for its platform, when the platform tracks statuses
    and the change is one it hears of: `change`, else what the status went from `before` to
    now. The caller commits, then enqueues `send_outbox_item` (or leaves it to the sweep)."""
    change = change or change_of(before, ticket.status)
    if change is None or ticket.channel_account_id is None:
        return None
    account = await session.get_one(ChannelAccount, ticket.channel_account_id)
    if not reports(account.kind, change):
        return None
    note = " ".join(note.replace("\x00", "").split())[:MAX_NOTE]
    by = {"by": "citizen"} if user_id is None else {}
    _, item = await outbound.queue(
        session,
        ticket,
        account,
        author_id=user_id,
        content_kind=KIND,
        body=f"{LABELS[change]}. {note}".strip() if note else LABELS[change],
        details={"ticket_status": change.value, "note": note},
        audit=("status_report.queued", {"change": change.value, **by}),
    )
    return item


async def citizen_reopened(session: AsyncSession, tickets: Iterable[Ticket]) -> dict[int, int]:
    """Queue `reopened` for the tickets that citizens' messages took from resolved back into
    work: `tickets` were resolved before the batch was received, and receiving calls this in
    the batch's transaction once its messages are stored. A ticket written to twice in one
    batch is told once; a later message (or one to a ticket staff had already taken up again)
    finds it in work, not resolved, so LAPOR never hears the same reopening twice. Returns the
    outbox item of each ticket told: ingest sends them once the batch is committed."""
    items: dict[int, int] = {}
    for ticket in {t.id: t for t in tickets}.values():
        item = await queue_status_report(session, ticket, TicketStatus.resolved, None)
        if item is not None:
            items[ticket.id] = item.id
    return items


async def replies_ahead(session: AsyncSession, message: Message) -> bool:
    """Whether a reply queued before this status report is still waiting to be sent."""
    ahead = await session.scalar(
        select(Message.id)
        .where(
            Message.ticket_id == message.ticket_id,
            Message.channel_account_id == message.channel_account_id,
            Message.direction == Direction.outbound,
            Message.status == MessageStatus.queued,
            Message.id < message.id,
        )
        .limit(1)
    )
    return ahead is not None


async def waiting_behind(session: AsyncSession, message: Message, kind: str) -> list[int]:
    """Outbox items of status reports that waited for this reply (or status report: a
    reopening queued while "done" was still unsent waits for it) on an account of `kind`: due
    now (and marked so)."""
    adapter = ADAPTERS.get(kind)
    if adapter is None or not adapter.reports_ticket_status:
        return []
    waiting = select(Message.id).where(
        Message.ticket_id == message.ticket_id,
        Message.channel_account_id == message.channel_account_id,
        Message.content_kind == KIND,
        Message.status == MessageStatus.queued,
        Message.id > message.id,
    )
    items = list(
        await session.scalars(
            select(OutboxItem).where(
                OutboxItem.message_id.in_(waiting), OutboxItem.state == OutboxState.pending
            )
        )
    )
    for item in items:
        item.next_attempt_at = utcnow()
    return [item.id for item in items]
