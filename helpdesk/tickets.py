"""Reading tickets as a given user may see them: the office scope is applied here, once."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from helpdesk import search
from helpdesk.auth import Principal
from helpdesk.models import (
    AuditEvent,
    Contact,
    Direction,
    Message,
    MessageStatus,
    Office,
    Ticket,
    TicketStatus,
    utcnow,
)

MAX_PAGE = 200
MAX_NOTE = 20000


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class TicketFilter:
    office: str | None = None  # office code
    status: str | None = None  # a TicketStatus, or "active"
    channel: str | None = None
    q: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False


@dataclass(frozen=True)
class Page:
    items: list[Ticket]
    next_cursor: str | None


def scoped(principal: Principal) -> Select[tuple[Ticket]]:
    query = select(Ticket)
    scope = principal.office_scope()
    if scope is not None:
        query = query.where(Ticket.office_id.in_(scope))
    return query


def _encode_cursor(ticket: Ticket) -> str:
    raw = json.dumps([ticket.last_activity_at.isoformat(), ticket.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, ticket_id = json.loads(raw)
        return datetime.fromisoformat(at), int(ticket_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise BadCursor("cursor is not one this server gave out") from exc


async def list_tickets(
    session: AsyncSession,
    principal: Principal,
    filters: TicketFilter,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    limit = max(1, min(limit, MAX_PAGE))
    query = scoped(principal)
    if filters.office:
        query = query.join(Office, Office.id == Ticket.office_id).where(
            Office.code == filters.office
        )
    if filters.status == "active":
        query = query.where(Ticket.status.in_(TicketStatus.active()))
    elif filters.status:
        query = query.where(Ticket.status == filters.status)
    if filters.channel:
        query = query.where(Ticket.channel == filters.channel)
    if filters.assignee_id is not None:
        query = query.where(Ticket.assignee_id == filters.assignee_id)
    if filters.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    if filters.q and filters.q.strip():
        query = query.where(Ticket.id.in_(await search.ticket_ids(session, principal, filters.q)))
    if cursor:
        at, ticket_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                Ticket.last_activity_at < at,
                and_(Ticket.last_activity_at == at, Ticket.id < ticket_id),
            )
        )
    query = (
        query.options(
            selectinload(Ticket.office),
            selectinload(Ticket.contact).selectinload(Contact.identities),
            selectinload(Ticket.assignee),
        )
        .order_by(Ticket.last_activity_at.desc(), Ticket.id.desc())
        .limit(limit + 1)
    )
    rows = list(await session.scalars(query))
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


async def get_ticket(session: AsyncSession, principal: Principal, ticket_id: int) -> Ticket | None:
    """The ticket if this user may see it; None otherwise (never says whether it exists)."""
    return await session.scalar(
        scoped(principal)
        .where(Ticket.id == ticket_id)
        .options(
            selectinload(Ticket.office),
            selectinload(Ticket.contact).selectinload(Contact.identities),
            selectinload(Ticket.assignee),
            selectinload(Ticket.channel_account),
        )
    )


async def timeline(session: AsyncSession, ticket: Ticket) -> list[Message]:
    rows = await session.scalars(
        select(Message)
        .where(Message.ticket_id == ticket.id)
        .options(selectinload(Message.attachments), selectinload(Message.author))
        .order_by(Message.created_at, Message.id)
    )
    return list(rows)


async def add_note(session: AsyncSession, ticket: Ticket, author: Principal, body: str) -> Message:
    """An internal note: on the timeline, never sent to the citizen."""
    body = body.replace("\x00", "").strip()
    if not body:
        raise ValueError("empty")
    if len(body) > MAX_NOTE:
        raise ValueError("too_long")
    note = Message(
        ticket_id=ticket.id,
        direction=Direction.note,
        channel=None,
        content_kind="text",
        body=body,
        status=MessageStatus.received,
        author_id=author.user_id,
        created_at=utcnow(),
    )
    session.add(note)
    ticket.last_activity_at = note.created_at
    session.add(
        AuditEvent(
            office_id=ticket.office_id,
            ticket_id=ticket.id,
            user_id=author.user_id,
            action="note.added",
        )
    )
    await session.flush()
    return note


async def offices_of(session: AsyncSession, principal: Principal) -> list[Office]:
    query = select(Office).order_by(Office.name)
    scope = principal.office_scope()
    if scope is not None:
        query = query.where(Office.id.in_(scope))
    return list(await session.scalars(query))
