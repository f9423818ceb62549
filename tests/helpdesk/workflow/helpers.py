"""Shared steps of the workflow tests: load a ticket as the engine sees it, take an action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.models import AuditEvent, Ticket
from helpdesk.workflow import clock
from helpdesk.workflow.calendar import WorkingCalendar
from helpdesk.workflow.engine import Applied, apply_action, profile_for


async def load(rt, ticket_id: int) -> Ticket:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.get_one(Ticket, ticket_id, options=[selectinload(Ticket.office)])


async def act(
    rt,  # type: ignore[no-untyped-def]
    ticket_id: int,
    principal: Principal,
    action: str,
    now: datetime | None = None,
    **fields: Any,
) -> Applied:
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, ticket_id)
        return await apply_action(session, ticket, principal, action, fields, now=now)


async def calendar_of(rt, ticket_id: int) -> WorkingCalendar:  # type: ignore[no-untyped-def]
    ticket = await load(rt, ticket_id)
    return clock.calendar_for(ticket.office, profile_for(ticket.office))


async def events(rt, ticket_id: int, prefix: str = "") -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        rows = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.ticket_id == ticket_id, AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        )
        return list(rows)
