"""The deadline job (`check_deadlines`): warn before a time standard passes, act when it has.

Run by the periodic sweep (every runner) and on its own schedule. It reads only tickets whose
`sla_check_at` has come, locks them (SKIP LOCKED, so several workers share the work), and for
each step and overall deadline: first a warning (audit event; the ticket's `deadline.state`
shows "warning"), then, once passed, what the profile says: warn, notify roles (an internal
note on the timeline), or escalate to the step (and so the role) that takes over. Marks in the
ticket's `workflow_state` make every warning and action happen once per due time.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from helpdesk import external_deadlines
from helpdesk.db import transaction
from helpdesk.models import (
    Direction,
    Message,
    MessageStatus,
    Office,
    Ticket,
    TicketStatus,
    utcnow,
)
from helpdesk.runtime import Runtime
from helpdesk.workflow import audit, clock, engine
from helpdesk.workflow.profile import OverdueRule, Profile, ProfileError

log = logging.getLogger(__name__)

BATCH = 200
ROLE_LABELS = {
    "admin": "Admin",
    "group_admin": "Group Admin",
    "cs": "Customer Service",
    "pejabat_teknis": "Pejabat Teknis",
    "kasie": "Kasie",
    "kabid": "Kabid",
    "kadis": "Kadis",
}


async def check_deadlines(rt: Runtime, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    counts = {"tickets": 0, "warned": 0, "passed": 0, "started": 0}
    async with transaction(rt.sessions) as session:
        tickets = list(
            await session.scalars(
                select(Ticket)
                .where(
                    Ticket.sla_check_at <= now,
                    Ticket.status.in_((TicketStatus.new, TicketStatus.open)),
                )
                .order_by(Ticket.sla_check_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True, of=Ticket)
            )
        )
        for ticket in tickets:
            counts["tickets"] += 1
            for kind in await _check(session, ticket, now):
                counts[kind] += 1
        # Tickets from before the workflow existed (or whose profile was broken) get one now.
        unstarted = list(
            await session.scalars(
                select(Ticket)
                .where(Ticket.step == "", Ticket.status.in_(TicketStatus.active()))
                .limit(BATCH)
                .with_for_update(skip_locked=True, of=Ticket)
                .options(selectinload(Ticket.office))
            )
        )
        for ticket in unstarted:
            first = await session.scalar(
                select(Message.body)
                .where(Message.ticket_id == ticket.id, Message.direction == Direction.inbound)
                .order_by(Message.id)
                .limit(1)
            )
            engine.start(session, ticket.office, ticket, first or ticket.subject, ticket.created_at)
            if ticket.step:
                counts["started"] += 1
        # Deadlines a platform runs beside the SOP's (LAPOR's 5 and 10 working days).
        counts |= await external_deadlines.check(session, now)
    return counts


async def _check(session: AsyncSession, ticket: Ticket, now: datetime) -> list[str]:
    office = await session.get_one(Office, ticket.office_id)
    try:
        profile = engine.profile_for(office)
        cal = clock.calendar_for(office, profile)
    except (ProfileError, ValueError) as exc:
        log.error("ticket %s: SOP profile unusable: %s", ticket.id, exc)
        ticket.sla_check_at = None
        return []
    done: list[str] = []
    for mark, when, due in clock.pending_checks(ticket):
        if when > now:
            continue
        if ticket.step_due_at != due and ticket.due_at != due:
            continue  # an escalation just now moved this due time
        state = clock.state_of(ticket)
        marks = dict(state.get("marks", {}))
        marks[mark] = clock.mark_key(due)
        state["marks"] = marks
        ticket.workflow_state = state
        scope = "step" if mark.startswith("step_") else "overall"
        if mark.endswith("warned"):
            if now >= due:
                continue  # already passed: only the "passed" handling is worth anything
            audit.record(
                session,
                ticket,
                f"deadline.{scope}_warning",
                None,
                step=ticket.step,
                due_at=due.isoformat(),
            )
            done.append("warned")
            continue
        audit.record(
            session,
            ticket,
            f"deadline.{scope}_passed",
            None,
            step=ticket.step,
            due_at=due.isoformat(),
        )
        done.append("passed")
        step = profile.step(ticket.step)
        rules = profile.on_overdue if scope == "overall" else (step.on_overdue if step else ())
        await _act(session, ticket, office, profile, cal, rules, scope, due, now)
    clock.schedule(ticket)
    return done


async def _act(
    session: AsyncSession,
    ticket: Ticket,
    office: Office,
    profile: Profile,
    cal: Any,
    rules: tuple[OverdueRule, ...],
    scope: str,
    due: datetime,
    now: datetime,
) -> None:
    step = profile.step(ticket.step)
    what = (
        f"Mutu Baku langkah \u201c{step.label}\u201d ({step.time.label() if step.time else ''})"
        if scope == "step" and step
        else f"batas waktu keseluruhan ({profile.deadline.label()})"
    )
    for rule in rules:
        if rule.do == "notify":
            roles = ", ".join(ROLE_LABELS.get(r, r) for r in rule.roles)
            session.add(
                Message(
                    ticket_id=ticket.id,
                    direction=Direction.note,
                    content_kind="text",
                    body=f"\u26a0 {what} terlewati ({ticket.register_no}). "
                    f"Untuk perhatian: {roles}.",
                    status=MessageStatus.received,
                    created_at=now,
                )
            )
            audit.record(session, ticket, "deadline.notified", None, roles=list(rule.roles))
        elif rule.do == "escalate" and rule.to and rule.to != ticket.step:
            engine.enter_step(
                session,
                ticket,
                profile,
                cal,
                rule.to,
                now,
                "deadline",
                reason=f"{what} terlewati",
                event="step.escalated",
            )
