"""The audit trail: who did what to which ticket, when. Only ever appended to.

The app has no code path that edits or deletes an audit event, and the database refuses it too
(triggers from migration 0003 on both PostgreSQL and SQLite). Personal data (names, phone
numbers, NIK; UU 27/2022) is personal: `record_view` notes each time staff open it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.models import AuditEvent, Ticket


def record(
    session: AsyncSession,
    ticket: Ticket,
    event: str,
    user_id: int | None = None,
    /,
    **detail: Any,
) -> AuditEvent:
    """Append one event (`event` is the AuditEvent's action, e.g. "step.changed")."""
    row = AuditEvent(
        office_id=ticket.office_id,
        ticket_id=ticket.id,
        user_id=user_id,
        action=event,
        detail={k: v for k, v in detail.items() if v is not None},
    )
    session.add(row)
    return row


def record_view(
    session: AsyncSession, ticket: Ticket, principal: Principal, what: str = "contact"
) -> AuditEvent:
    """A member of staff saw the citizen's personal data on this ticket (`what`: contact,
    attachments, timeline…). Call it wherever such data is shown; the caller commits."""
    return record(
        session,
        ticket,
        "personal_data.viewed",
        principal.user_id,
        what=what,
        username=principal.username,
    )
