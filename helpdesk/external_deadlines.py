"""Deadlines a platform holds the office to, run beside the SOP's own on the office calendar.

A channel declares them as data (`ChannelAdapter.external_clocks`: LAPOR gives 5 working days
from disposisi to the first follow-up, then 10 working days after it); the helpdesk knows no
platform, only clocks. They live in the ticket's `workflow_state["external"]`, keyed by name:
when each started, is due, warns, and was met. A clock that starts "opened" runs from the
first message's platform time; one that starts "first_response" runs from the first reply the
platform accepted (an outbound message with a platform id), and that reply meets the "opened"
ones. The check (run with the SOP deadline job) starts, warns, marks passed, and marks met
once the ticket is resolved; every step happens once, recorded as an audit event and, for a
warning or a miss, a note on the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ExternalClock
from helpdesk.models import (
    Direction,
    Message,
    MessageStatus,
    Office,
    Ticket,
    TicketStatus,
    utcnow,
)

KEY = "external"
BATCH = 200
ACCEPTED = (MessageStatus.sent, MessageStatus.delivered, MessageStatus.read)


@dataclass(frozen=True)
class ExternalDue:
    name: str
    label: str
    state: str  # waiting (not started), ok, warning, overdue, met, met_late
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "state": self.state,
            "due_at": _iso(self.due_at),
            "warn_at": _iso(self.warn_at),
            "met_at": _iso(self.met_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _at(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _calendar(office: Office) -> Any:
    from helpdesk.workflow import clock, engine

    return clock.calendar_for(office, engine.profile_for(office))


def start(
    office: Office, ticket: Ticket, clocks: Sequence[ExternalClock], opened_at: datetime
) -> None:
    """Put the channel's clocks on a new ticket; those that start at opening run at once."""
    if not clocks:
        return
    cal = _calendar(office)
    entries: dict[str, Any] = {}
    for c in clocks:
        entry: dict[str, Any] = {
            "label": c.label,
            "days": c.working_days,
            "starts": c.starts,
            "warn_days": c.warn_days,
        }
        if c.starts == "opened":
            _run(entry, cal, min(opened_at, utcnow()))
        entries[c.name] = entry
    state = dict(ticket.workflow_state or {})
    state[KEY] = entries
    ticket.workflow_state = state
    ticket.external_due_at = _nearest(entries)


def _nearest(entries: Mapping[str, Any]) -> datetime | None:
    """The running deadline that comes first: what the lists sort and filter by."""
    dues = [_at(e.get("due_at")) for e in entries.values() if not e.get("met_at")]
    return min((d for d in dues if d is not None), default=None)


def earliest(sop_due: Any, external_due: Any) -> Any:
    """SQL: the earlier of the SOP's due time and the platform's (either may be NULL), so the
    lists' "overdue" and "due soon" and their urgency order count both."""
    return case(
        (external_due < sop_due, external_due),
        else_=func.coalesce(sop_due, external_due),
    )


def _run(entry: dict[str, Any], cal: Any, started: datetime) -> None:
    days, warn = int(entry["days"]), int(entry.get("warn_days", 1))
    entry["started_at"] = started.isoformat()
    entry["due_at"] = cal.add_days(started, days).isoformat()
    entry["warn_at"] = cal.add_days(started, days - warn).isoformat() if 0 < warn < days else None


def views(ticket: Ticket, now: datetime | None = None) -> list[ExternalDue]:
    now = now or utcnow()
    entries: Mapping[str, Any] = (ticket.workflow_state or {}).get(KEY) or {}
    shown = []
    for name, e in entries.items():
        due, warn, met = _at(e.get("due_at")), _at(e.get("warn_at")), _at(e.get("met_at"))
        if due is None:
            state = "waiting"
        elif met is not None:
            state = "met" if met <= due else "met_late"
        elif ticket.status in (TicketStatus.resolved, TicketStatus.closed):
            state = "met" if (ticket.resolved_at or now) <= due else "met_late"
        elif now >= due:
            state = "overdue"
        elif warn is not None and now >= warn:
            state = "warning"
        else:
            state = "ok"
        shown.append(ExternalDue(name, str(e.get("label", name)), state, due, warn, met))
    return shown


def views_json(ticket: Ticket, now: datetime | None = None) -> list[dict[str, Any]]:
    return [v.as_json() for v in views(ticket, now)]


def worst_flag(flag: str, ticket: Ticket, now: datetime) -> str:
    """The SOP deadline flag, raised to warning or overdue by a platform clock."""
    if flag in ("done", "paused", "overdue"):
        return flag
    states = {v.state for v in views(ticket, now)}
    if "overdue" in states:
        return "overdue"
    if "warning" in states:
        return "warning"
    return flag


def next_due(ticket: Ticket, now: datetime | None = None) -> datetime | None:
    """The nearest running platform deadline (for sorting and "due" columns)."""
    dues = [v.due_at for v in views(ticket, now) if v.state in ("ok", "warning", "overdue")]
    return min((d for d in dues if d is not None), default=None)


async def check(session: AsyncSession, now: datetime | None = None) -> dict[str, int]:
    """Start, meet, warn and pass the platform clocks of active tickets (the caller commits)."""
    now = now or utcnow()
    counts = {"external_warned": 0, "external_passed": 0}
    tickets: list[Ticket] = []
    last_id = 0
    while True:  # every active ticket with a platform reference, a batch at a time
        batch = list(
            await session.scalars(
                select(Ticket)
                .where(
                    Ticket.external_ref.is_not(None),
                    Ticket.status.in_(TicketStatus.active()),
                    Ticket.id > last_id,
                )
                .order_by(Ticket.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True, of=Ticket)
            )
        )
        tickets += batch
        if len(batch) < BATCH:
            break
        last_id = batch[-1].id
    for ticket in tickets:
        entries = (ticket.workflow_state or {}).get(KEY)
        if not entries:
            continue
        before = entries
        entries = {name: dict(e) for name, e in entries.items()}
        office = await session.get_one(Office, ticket.office_id)
        await _follow_up(session, office, ticket, entries)
        for name, e in entries.items():
            due, warn = _at(e.get("due_at")), _at(e.get("warn_at"))
            if due is None or e.get("met_at"):
                continue
            if warn is not None and now >= warn and now < due and not e.get("warned"):
                e["warned"] = True
                _tell(session, ticket, "external_deadline.warning", name, e, now)
                counts["external_warned"] += 1
            if now >= due and not e.get("passed"):
                e["passed"] = True
                _tell(session, ticket, "external_deadline.passed", name, e, now)
                counts["external_passed"] += 1
        if entries != before:  # most rounds change nothing: no write
            state = dict(ticket.workflow_state or {})
            state[KEY] = entries
            ticket.workflow_state = state
            ticket.external_due_at = _nearest(entries)
    return counts


async def _follow_up(
    session: AsyncSession, office: Office, ticket: Ticket, entries: dict[str, dict[str, Any]]
) -> None:
    """The first reply the platform accepted meets the opening clocks and starts the rest."""
    pending = [
        e
        for e in entries.values()
        if (e.get("starts") == "opened" and not e.get("met_at"))
        or (e.get("starts") == "first_response" and "due_at" not in e)
    ]
    if not pending:
        return
    first = await session.scalar(
        select(func.min(Message.status_at)).where(
            Message.ticket_id == ticket.id,
            Message.direction == Direction.outbound,
            Message.channel_account_id == ticket.channel_account_id,
            Message.external_id.is_not(None),
            Message.status.in_(ACCEPTED),
        )
    )
    if first is None:
        return
    cal = None
    for e in entries.values():
        if e.get("starts") == "opened" and not e.get("met_at"):
            e["met_at"] = first.isoformat()
        elif e.get("starts") == "first_response" and "due_at" not in e:
            cal = cal or _calendar(office)
            _run(e, cal, first)


def _tell(
    session: AsyncSession,
    ticket: Ticket,
    action: str,
    name: str,
    e: Mapping[str, Any],
    now: datetime,
) -> None:
    from helpdesk.workflow import audit

    due = _at(e.get("due_at"))
    audit.record(session, ticket, action, None, clock=name, due_at=e.get("due_at"))
    word = "akan terlewati" if action.endswith("warning") else "terlewati"
    when = due.strftime("%Y-%m-%d %H:%M UTC") if due else ""
    session.add(
        Message(
            ticket_id=ticket.id,
            direction=Direction.note,
            content_kind="text",
            body=f"\u26a0 {e.get('label', name)} {word} ({when}, {ticket.register_no}).",
            status=MessageStatus.received,
            created_at=now,
        )
    )


def start_for(office: Office, ticket: Ticket, kind: str, opened_at: datetime) -> None:
    """`start` with the clocks the channel of `kind` declares (none for most channels)."""
    from channels.registry import ADAPTERS

    adapter = ADAPTERS.get(kind)
    if adapter is not None and adapter.external_clocks:
        start(office, ticket, adapter.external_clocks, opened_at)
