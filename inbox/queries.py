"""Read-only questions only the inbox asks (what a page shows, never what a ticket may do)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from helpdesk import external_deadlines
from helpdesk.auth import Principal
from helpdesk.models import (
    Contact,
    ContactIdentity,
    Direction,
    Label,
    Message,
    Office,
    Ticket,
    TicketStatus,
    ticket_labels,
    utcnow,
)
from helpdesk.models.base import UTCDateTime


def timeline_version(messages: Iterable[Message]) -> str:
    """Changes whenever anything the timeline shows changes: lets a poll answer "nothing new"."""
    digest = hashlib.blake2b(digest_size=8)
    for m in messages:
        attachments = ",".join(f"{a.id}:{a.status}" for a in m.attachments)
        digest.update(f"{m.id}|{m.status}|{m.error_code}|{m.error}|{attachments};".encode())
    return digest.hexdigest()


# -- the inbox list --------------------------------------------------------------------------
# Default order is urgency: overdue first, then due soonest (both: the earliest due time first),
# then the rest by last activity. A ticket waiting on the citizen has its clock paused: not due.
# Closed and resolved tickets have no urgency: any list that is not "active" goes by activity.

DUE_SOON = timedelta(hours=4)
ASSIGNEE_CHOICES = ("mine", "unassigned")
DUE_CHOICES = ("overdue", "soon")
_SOP_DUE = func.coalesce(Ticket.step_due_at, Ticket.due_at, type_=UTCDateTime())
_DUE = type_coerce(external_deadlines.earliest(_SOP_DUE, Ticket.external_due_at), UTCDateTime())
DUE = case((Ticket.paused_at.is_(None), _DUE), else_=None).label("due")


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class ListFilter:
    office: str | None = None  # office code
    status: str = "active"  # "active", "all" or a TicketStatus
    channel: str | None = None
    step: str | None = None
    category: str | None = None
    assignee: str | None = None  # "mine" or "unassigned"
    label: int | None = None
    due: str | None = None  # "overdue" or "soon"
    ticket_ids: Sequence[int] | None = None  # a search's answer; None: no search


@dataclass(frozen=True)
class ListPage:
    items: list[Ticket]
    next_cursor: str | None
    due: dict[int, datetime] = field(default_factory=dict)  # ticket id -> its running due time
    unread: set[int] = field(default_factory=set)  # ids whose latest message is the citizen's


@dataclass
class Counts:
    """How many active tickets each filter choice would show, within the chosen office."""

    total: int = 0
    status: dict[str, int] = field(default_factory=dict)
    channel: dict[str, int] = field(default_factory=dict)
    step: dict[str, int] = field(default_factory=dict)
    category: dict[str, int] = field(default_factory=dict)
    assignee: dict[str, int] = field(default_factory=dict)
    due: dict[str, int] = field(default_factory=dict)
    label: dict[int, int] = field(default_factory=dict)


def _statuses(status: str) -> tuple[str, ...] | None:
    if status == "active":
        return tuple(TicketStatus.active())
    return None if status == "all" else (status,)


def by_urgency(status: str) -> bool:
    return status == "active" or status in TicketStatus.active()


def _base(principal: Principal, f: ListFilter, now: datetime) -> Select[tuple[Ticket]]:
    query = select(Ticket)
    scope = principal.office_scope()
    if scope is not None:
        query = query.where(Ticket.office_id.in_(scope))
    if f.office:
        query = query.where(
            Ticket.office_id == select(Office.id).where(Office.code == f.office).scalar_subquery()
        )
    statuses = _statuses(f.status)
    if statuses is not None:
        query = query.where(Ticket.status.in_(statuses))
    if f.channel:
        query = query.where(Ticket.channel == f.channel)
    if f.step:
        query = query.where(Ticket.step == f.step)
    if f.category:
        query = query.where(Ticket.category == f.category)
    if f.assignee == "mine":
        query = query.where(Ticket.assignee_id == principal.user_id)
    elif f.assignee == "unassigned":
        query = query.where(Ticket.assignee_id.is_(None))
    if f.label is not None:
        query = query.where(
            Ticket.id.in_(
                select(ticket_labels.c.ticket_id).where(ticket_labels.c.label_id == f.label)
            )
        )
    if f.due == "overdue":
        query = query.where(now > DUE)
    elif f.due == "soon":
        query = query.where(now <= DUE, now + DUE_SOON > DUE)
    if f.ticket_ids is not None:
        query = query.where(Ticket.id.in_(list(f.ticket_ids)))
    return query


def _encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, urgent: bool) -> tuple[datetime | None, datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        mode, due, at, ticket_id = json.loads(raw)
        if mode != ("u" if urgent else "a"):
            raise ValueError("a cursor of another order")
        return (
            _aware(datetime.fromisoformat(due)) if due else None,
            _aware(datetime.fromisoformat(at)),
            int(ticket_id),
        )
    except (ValueError, TypeError, binascii.Error) as exc:
        raise BadCursor("cursor is not one this server gave out") from exc


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive time in a cursor")
    return value


def _after(urgent: bool, due: datetime | None, at: datetime, ticket_id: int) -> Any:
    """Keyset condition: the rows that come after (due, at, id) in the list's order."""
    later = or_(
        Ticket.last_activity_at < at,
        and_(Ticket.last_activity_at == at, Ticket.id < ticket_id),
    )
    if not urgent:
        return later
    if due is None:
        return and_(DUE.is_(None), later)
    return or_(due < DUE, and_(due == DUE, later), DUE.is_(None))


# Whether the ticket's latest message to or from the citizen is the citizen's (notes don't
# count): a column of the list's own select, computed for the page's rows only. Built once.
_latest_direction = (
    select(Message.direction)
    .where(Message.ticket_id == Ticket.id, Message.direction != Direction.note)
    .order_by(Message.created_at.desc(), Message.id.desc())
    .limit(1)
    .correlate(Ticket)
    .scalar_subquery()
)
AWAITING_ANSWER = func.coalesce(_latest_direction == Direction.inbound, False).label("awaiting")


async def list_page(
    session: AsyncSession,
    principal: Principal,
    f: ListFilter,
    *,
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
    offices: Sequence[Office] = (),
) -> ListPage:
    """One round trip for the page: the page's ticket ids in order (the index does the work,
    LIMIT stops it), then joined to each ticket's contact and assignee and its unread mark for
    those rows only. `offices`: the user's offices, already loaded for the page."""
    now = now or utcnow()
    urgent = by_urgency(f.status)
    query = _base(principal, f, now)
    if cursor:
        query = query.where(_after(urgent, *_decode(cursor, urgent)))
    order: list[Any] = [Ticket.last_activity_at.desc(), Ticket.id.desc()]
    if urgent:
        order = [DUE.is_(None), DUE.asc(), *order]
    page = (
        query.with_only_columns(Ticket.id, DUE, Ticket.last_activity_at)
        .order_by(*order)
        .limit(limit + 1)
        .subquery("page")
    )
    outer_order: list[Any] = [page.c.last_activity_at.desc(), page.c.id.desc()]
    if urgent:
        outer_order = [page.c.due.is_(None), page.c.due.asc(), *outer_order]
    known = {o.id: o for o in offices}
    rows = (
        await session.execute(
            select(Ticket, page.c.due, AWAITING_ANSWER)
            .join(page, page.c.id == Ticket.id)
            .options(
                joinedload(Ticket.contact),
                joinedload(Ticket.assignee),
                *(() if known else (joinedload(Ticket.office),)),
            )
            .order_by(*outer_order)
        )
    ).all()
    items = [row[0] for row in rows[:limit]]
    if known:
        for ticket in items:
            set_committed_value(ticket, "office", known[ticket.office_id])
    await _identities_of_nameless(session, [t.contact for t in items if t.contact is not None])
    active = set(TicketStatus.active())
    due_of = {t.id: due for t, due, _ in rows[:limit] if due is not None and t.status in active}
    next_cursor = None
    if len(rows) > limit:
        last, due, _ = rows[limit - 1]
        next_cursor = _encode(
            [
                "u" if urgent else "a",
                due.isoformat() if urgent and due else None,
                last.last_activity_at.isoformat(),
                last.id,
            ]
        )
    unread = {t.id for t, _, awaiting in rows[:limit] if awaiting}
    return ListPage(items=items, next_cursor=next_cursor, due=due_of, unread=unread)


async def _identities_of_nameless(session: AsyncSession, contacts: Sequence[Contact]) -> None:
    """A contact is shown by its name, else by its first identity: load identities only for
    contacts without a name (in the list, a handful at most)."""
    nameless = {c.id: c for c in contacts if not c.name}
    if not nameless:
        return
    found: dict[int, list[ContactIdentity]] = {i: [] for i in nameless}
    rows = await session.scalars(
        select(ContactIdentity)
        .where(ContactIdentity.contact_id.in_(list(nameless)))
        .order_by(ContactIdentity.id)
    )
    for identity in rows:
        found[identity.contact_id].append(identity)
    for contact_id, identities in found.items():
        set_committed_value(nameless[contact_id], "identities", identities)


async def count_choices(
    session: AsyncSession,
    principal: Principal,
    office: str | None,
    now: datetime | None = None,
) -> Counts:
    """One grouped pass over the active tickets (the working set, a few thousand rows at most):
    counting the closed archive of years on every page view would cost more than the page.
    Labels are counted with their names (`labels_with_counts`)."""
    now = now or utcnow()
    # Straight over the tickets, not over a subquery of `_base`: building a subquery's columns
    # (every column of Ticket) cost more Python time than the database took to count.
    due = DUE.element
    overdue = case((due < now, 1), else_=0)
    soon = case((and_(due >= now, due < now + DUE_SOON), 1), else_=0)
    mine = case((Ticket.assignee_id == principal.user_id, 1), else_=0)
    unassigned = case((Ticket.assignee_id.is_(None), 1), else_=0)
    keys = (Ticket.status, Ticket.channel, Ticket.step, Ticket.category)
    rows = await session.execute(
        _base(principal, ListFilter(office=office), now)
        .with_only_columns(
            *keys,
            func.count(),
            func.sum(overdue),
            func.sum(soon),
            func.sum(mine),
            func.sum(unassigned),
        )
        .group_by(*keys)
    )
    counts = Counts()
    tally = (counts.status, counts.channel, counts.step, counts.category)
    for status, channel, step, category, n, n_overdue, n_soon, n_mine, n_unassigned in rows:
        counts.total += n
        for bucket, key in zip(tally, (status, channel, step, category), strict=True):
            bucket[key] = bucket.get(key, 0) + n
        for key, value in (
            ("overdue", n_overdue),
            ("soon", n_soon),
        ):
            counts.due[key] = counts.due.get(key, 0) + int(value or 0)
        for key, value in (("mine", n_mine), ("unassigned", n_unassigned)):
            counts.assignee[key] = counts.assignee.get(key, 0) + int(value or 0)
    return counts


async def labels_with_counts(
    session: AsyncSession,
    principal: Principal,
    office: str | None,
    office_ids: Sequence[int],
    now: datetime | None = None,
) -> tuple[list[Label], dict[int, int]]:
    """The labels of these offices by name, and how many active tickets (as `count_choices`
    counts them) carry each: one round trip for the filter's choices and their counts."""
    if not office_ids:
        return [], {}
    active = _base(principal, ListFilter(office=office), now or utcnow()).with_only_columns(
        Ticket.id
    )
    counted = (
        select(ticket_labels.c.label_id, func.count().label("n"))
        .where(ticket_labels.c.ticket_id.in_(active))
        .group_by(ticket_labels.c.label_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(Label, counted.c.n)
            .outerjoin(counted, counted.c.label_id == Label.id)
            .where(Label.office_id.in_(list(office_ids)))
            .order_by(Label.name)
        )
    ).all()
    return [label for label, _ in rows], {label.id: n for label, n in rows if n}
