"""Read-only questions only the inbox asks (what a page shows, never what a ticket may do)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, load_only
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
    User,
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
#
# Every page view runs the same few statements with other values. Building a statement (and
# its cache key) costs more Python time than the database takes to answer it at a million
# tickets, so each statement is built once per *shape* (which filters are set, which order,
# whether a cursor is given) with bound parameters, kept (`_statement`), and run with this
# request's values: SQLAlchemy then finds its compiled form by the statement's memoized key.

DUE_SOON = timedelta(hours=4)
ASSIGNEE_CHOICES = ("mine", "unassigned")
DUE_CHOICES = ("overdue", "soon")
_SOP_DUE = func.coalesce(Ticket.step_due_at, Ticket.due_at, type_=UTCDateTime())
_DUE = type_coerce(external_deadlines.earliest(_SOP_DUE, Ticket.external_due_at), UTCDateTime())
DUE = case((Ticket.paused_at.is_(None), _DUE), else_=None).label("due")

# The values a statement is run with (`_values` fills them in).
_NOW = bindparam("now", type_=UTCDateTime())
_SOON_UNTIL = bindparam("soon_until", type_=UTCDateTime())
_USER = bindparam("user_id", type_=Integer())


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
    items: list[Ticket]  # only LIST_COLUMNS loaded (and the office)
    next_cursor: str | None
    due: dict[int, datetime] = field(default_factory=dict)  # ticket id -> its running due time
    unread: set[int] = field(default_factory=set)  # ids whose latest message is the citizen's
    contact: dict[int, str] = field(default_factory=dict)  # ticket id -> its contact, as shown
    assignee: dict[int, str] = field(default_factory=dict)  # ticket id -> assignee's name


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


@dataclass(frozen=True)
class _Shape:
    """Which conditions a list's statement has: its values come with each request."""

    scoped: bool = True  # False: a superuser's every office
    office: bool = False
    statuses: bool = True
    channel: bool = False
    step: bool = False
    category: bool = False
    assignee: str | None = None
    label: bool = False
    due: str | None = None
    ids: bool = False

    @classmethod
    def of(cls, principal: Principal, f: ListFilter) -> _Shape:
        return cls(
            scoped=principal.office_scope() is not None,
            office=bool(f.office),
            statuses=_statuses(f.status) is not None,
            channel=bool(f.channel),
            step=bool(f.step),
            category=bool(f.category),
            assignee=f.assignee if f.assignee in ASSIGNEE_CHOICES else None,
            label=f.label is not None,
            due=f.due if f.due in DUE_CHOICES else None,
            ids=f.ticket_ids is not None,
        )


def _values(principal: Principal, f: ListFilter, now: datetime) -> dict[str, Any]:
    """The bound values of `_where(_Shape.of(principal, f))` (unused ones are ignored)."""
    return {
        "scope": principal.office_scope() or [],
        "office": f.office,
        "statuses": list(_statuses(f.status) or ()),
        "channel": f.channel,
        "step": f.step,
        "category": f.category,
        "user_id": principal.user_id,
        "label": f.label,
        "now": now,
        "soon_until": now + DUE_SOON,
        "ids": list(f.ticket_ids or ()),
    }


def _where(shape: _Shape) -> list[Any]:
    """The conditions of a list of this shape, over the tickets table."""
    where: list[Any] = []
    if shape.scoped:
        where.append(Ticket.office_id.in_(bindparam("scope", expanding=True)))
    if shape.office:
        office_id = select(Office.id).where(Office.code == bindparam("office")).scalar_subquery()
        where.append(Ticket.office_id == office_id)
    if shape.statuses:
        where.append(Ticket.status.in_(bindparam("statuses", expanding=True)))
    if shape.channel:
        where.append(Ticket.channel == bindparam("channel"))
    if shape.step:
        where.append(Ticket.step == bindparam("step"))
    if shape.category:
        where.append(Ticket.category == bindparam("category"))
    if shape.assignee == "mine":
        where.append(Ticket.assignee_id == _USER)
    elif shape.assignee == "unassigned":
        where.append(Ticket.assignee_id.is_(None))
    if shape.label:
        labelled = select(ticket_labels.c.ticket_id).where(
            ticket_labels.c.label_id == bindparam("label")
        )
        where.append(Ticket.id.in_(labelled))
    if shape.due == "overdue":
        where.append(_NOW > DUE)
    elif shape.due == "soon":
        where.extend((_NOW <= DUE, _SOON_UNTIL > DUE))
    if shape.ids:
        where.append(Ticket.id.in_(bindparam("ids", expanding=True)))
    return where


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


def _after(urgent: bool, due_known: bool) -> Any:
    """Keyset condition: the rows that come after the cursor's (due, at, id) in the list's
    order; the cursor's values are the parameters `after_due`, `after_at`, `after_id`."""
    at = bindparam("after_at", type_=UTCDateTime())
    ticket_id = bindparam("after_id", type_=Integer())
    later = or_(
        Ticket.last_activity_at < at,
        and_(Ticket.last_activity_at == at, Ticket.id < ticket_id),
    )
    if not urgent:
        return later
    if not due_known:
        return and_(DUE.is_(None), later)
    due = bindparam("after_due", type_=UTCDateTime())
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


# The columns of a ticket the list reads.
LIST_COLUMNS = (
    Ticket.id,
    Ticket.office_id,
    Ticket.register_no,
    Ticket.channel,
    Ticket.contact_id,
    Ticket.subject,
    Ticket.status,
    Ticket.assignee_id,
    Ticket.confidential,
    Ticket.last_activity_at,
)


@lru_cache(maxsize=256)
def _page_statement(shape: _Shape, urgent: bool, cursor: str | None, offices_known: bool) -> Any:
    """The page's ids in order (the index does the work, LIMIT stops it), joined to each
    ticket's contact and assignee and its unread mark for those rows only. `cursor`: None,
    "due" (the cursor's row had a due time) or "no_due"."""
    inner = select(Ticket.id, DUE, Ticket.last_activity_at).where(*_where(shape))
    if cursor is not None:
        inner = inner.where(_after(urgent, cursor == "due"))
    order: list[Any] = [Ticket.last_activity_at.desc(), Ticket.id.desc()]
    if urgent:
        order = [DUE.is_(None), DUE.asc(), *order]
    page = inner.order_by(*order).limit(bindparam("limit", type_=Integer())).subquery("page")
    outer_order: list[Any] = [page.c.last_activity_at.desc(), page.c.id.desc()]
    if urgent:
        outer_order = [page.c.due.is_(None), page.c.due.asc(), *outer_order]
    # The ticket itself stays an entity (`confidentiality.may_read` takes one) but with only
    # what a row shows (list_views.Row) and may_read reads; the contact's and the assignee's
    # names are plain columns. Loading every column (the workflow state's JSON too) and two
    # more entities a row cost more than the query. Anything else of the ticket raises instead
    # of loading lazily, so a template that wants more fails in the tests, not on a page.
    return (
        select(
            Ticket,
            page.c.due,
            AWAITING_ANSWER,
            Contact.name.label("contact_name"),
            # User.display_name: the full name, else (None or "") the username
            func.coalesce(func.nullif(User.full_name, ""), User.username).label("assignee_name"),
        )
        .join(page, page.c.id == Ticket.id)
        .outerjoin(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(User, User.id == Ticket.assignee_id)
        .options(
            load_only(*LIST_COLUMNS, raiseload=True),
            *(() if offices_known else (joinedload(Ticket.office),)),
        )
        .order_by(*outer_order)
    )


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
    """One round trip for the page (`_page_statement`). `offices`: the user's offices, already
    loaded for the page."""
    now = now or utcnow()
    urgent = by_urgency(f.status)
    values = _values(principal, f, now)
    values["limit"] = limit + 1
    cursor_kind = None
    if cursor:
        after_due, values["after_at"], values["after_id"] = _decode(cursor, urgent)
        cursor_kind = "due" if urgent and after_due is not None else "no_due"
        values["after_due"] = after_due
    known = {o.id: o for o in offices}
    statement = _page_statement(_Shape.of(principal, f), urgent, cursor_kind, bool(known))
    rows = (await session.execute(statement, values)).all()
    items = [row[0] for row in rows[:limit]]
    if known:
        for ticket in items:
            set_committed_value(ticket, "office", known[ticket.office_id])
    contact = {t.id: name for t, _, _, name, _ in rows[:limit] if name}
    nameless = [t for t in items if t.id not in contact]  # one contact may have several
    shown = await _first_identities(session, list({t.contact_id for t in nameless}))
    contact.update({t.id: shown[t.contact_id] for t in nameless if shown.get(t.contact_id)})
    assignee = {t.id: name for t, _, _, _, name in rows[:limit] if name}
    active = set(TicketStatus.active())
    due_of = {t.id: due for t, due, *_ in rows[:limit] if due is not None and t.status in active}
    next_cursor = None
    if len(rows) > limit:
        last, due, *_ = rows[limit - 1]
        next_cursor = _encode(
            [
                "u" if urgent else "a",
                due.isoformat() if urgent and due else None,
                last.last_activity_at.isoformat(),
                last.id,
            ]
        )
    unread = {t.id for t, _, awaiting, *_ in rows[:limit] if awaiting}
    return ListPage(
        items=items,
        next_cursor=next_cursor,
        due=due_of,
        unread=unread,
        contact=contact,
        assignee=assignee,
    )


async def _first_identities(session: AsyncSession, contact_ids: list[int]) -> dict[int, str]:
    """A contact is shown by its name, else by its first identity (its display name, else its
    id on the platform): looked up only for contacts without a name (a handful at most)."""
    if not contact_ids:
        return {}
    shown: dict[int, str] = {}
    rows = await session.execute(
        select(ContactIdentity.contact_id, ContactIdentity.display, ContactIdentity.external_id)
        .where(ContactIdentity.contact_id.in_(contact_ids))
        .order_by(ContactIdentity.id)
    )
    for contact_id, display, external_id in rows:
        if contact_id not in shown:
            shown[contact_id] = display or external_id or ""
    return shown


_COUNTED = ("status", "channel", "step", "category")


@lru_cache(maxsize=32)
def _counts_statement(shape: _Shape) -> Any:
    """Each active ticket's four keys and its due/assignee marks, computed once (a CTE, which
    both databases materialize as it is read four times), then counted by each key: a few
    dozen rows instead of one per combination of the four keys (hundreds at an office)."""
    due = DUE.element
    marks = select(
        *(getattr(Ticket, key).label(key) for key in _COUNTED),
        case((due < _NOW, 1), else_=0).label("overdue"),
        case((and_(due >= _NOW, due < _SOON_UNTIL), 1), else_=0).label("soon"),
        case((Ticket.assignee_id == _USER, 1), else_=0).label("mine"),
        case((Ticket.assignee_id.is_(None), 1), else_=0).label("unassigned"),
    )
    marked = marks.where(*_where(shape)).cte("marked")
    by_status = select(
        literal_column("'status'"),
        marked.c.status,
        func.count(),
        func.sum(marked.c.overdue),
        func.sum(marked.c.soon),
        func.sum(marked.c.mine),
        func.sum(marked.c.unassigned),
    ).group_by(marked.c.status)
    zeros = (literal_column("0"),) * 4  # a union's selects have the same columns
    others = [
        select(literal_column(f"'{key}'"), marked.c[key], func.count(), *zeros).group_by(
            marked.c[key]
        )
        for key in _COUNTED[1:]
    ]
    return union_all(by_status, *others)


async def count_choices(
    session: AsyncSession,
    principal: Principal,
    office: str | None,
    now: datetime | None = None,
) -> Counts:
    """How many active tickets each choice of each filter would show (the working set, a few
    thousand rows at most: counting the closed archive of years on every page view would cost
    more than the page). Labels are counted with their names (`labels_with_counts`)."""
    f = ListFilter(office=office)
    statement = _counts_statement(_Shape.of(principal, f))
    rows = await session.execute(statement, _values(principal, f, now or utcnow()))
    counts = Counts()
    buckets = {
        "status": counts.status,
        "channel": counts.channel,
        "step": counts.step,
        "category": counts.category,
    }
    overdue = soon = mine = unassigned = 0
    for key, value, n, n_overdue, n_soon, n_mine, n_unassigned in rows:
        buckets[key][value] = n
        if key == "status":
            counts.total += n
            overdue += int(n_overdue or 0)
            soon += int(n_soon or 0)
            mine += int(n_mine or 0)
            unassigned += int(n_unassigned or 0)
    if counts.total:
        counts.due = {"overdue": overdue, "soon": soon}
        counts.assignee = {"mine": mine, "unassigned": unassigned}
    return counts


@lru_cache(maxsize=32)
def _labels_statement(shape: _Shape) -> Any:
    active = select(Ticket.id).where(*_where(shape))
    counted = (
        select(ticket_labels.c.label_id, func.count().label("n"))
        .where(ticket_labels.c.ticket_id.in_(active))
        .group_by(ticket_labels.c.label_id)
        .subquery()
    )
    return (
        select(Label, counted.c.n)
        .outerjoin(counted, counted.c.label_id == Label.id)
        .where(Label.office_id.in_(bindparam("label_offices", expanding=True)))
        .order_by(Label.name)
    )


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
    f = ListFilter(office=office)
    values = _values(principal, f, now or utcnow())
    values["label_offices"] = list(office_ids)
    rows = (await session.execute(_labels_statement(_Shape.of(principal, f)), values)).all()
    return [label for label, _ in rows], {label.id: n for label, n in rows if n}
