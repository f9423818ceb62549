"""What the ticket page and the officials' queue read besides the timeline: the ticket's
consultations with their replies, its audit history, the office's staff, the question the
citizen asked, and the tickets waiting at the steps where a user's role acts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from helpdesk.auth import Principal
from helpdesk.models import (
    AuditEvent,
    Consultation,
    Contact,
    Decision,
    Direction,
    Membership,
    Message,
    Office,
    Role,
    StepTransition,
    Ticket,
    TicketStatus,
    User,
)
from helpdesk.workflow import engine
from helpdesk.workflow.profile import ProfileError

HISTORY_LIMIT = 100
QUEUE_LIMIT = 25  # a page stays under 150 KB with every item's forms
DECIDER_ROLES = (Role.kasie, Role.kabid, Role.kadis)


@dataclass
class Thread:
    """One consultation: the question, who asked, and the notes that answered it."""

    consultation: Consultation
    asked_by: User | None
    replies: list[Message] = field(default_factory=list)


async def consultations(session: AsyncSession, ticket_id: int) -> list[Thread]:
    rows = (
        await session.execute(
            select(Consultation, User)
            .outerjoin(User, User.id == Consultation.opened_by_id)
            .where(Consultation.ticket_id == ticket_id)
            .order_by(Consultation.id)
        )
    ).all()
    if not rows:
        return []
    threads = {c.id: Thread(c, user) for c, user in rows}
    notes = await session.scalars(
        select(Message)
        .where(
            Message.ticket_id == ticket_id,  # the indexed way in: consultation_id has no index
            Message.consultation_id.in_(threads),
            Message.direction == Direction.note,
        )
        .options(selectinload(Message.author))
        .order_by(Message.created_at, Message.id)
    )
    for note in notes:
        thread = threads[note.consultation_id or 0]
        if note.author_id == thread.consultation.opened_by_id and note.body.endswith(
            thread.consultation.question
        ):
            continue  # the note that opened it repeats the question
        thread.replies.append(note)
    return list(threads.values())


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    user: User | None


async def history(session: AsyncSession, ticket_id: int) -> list[HistoryEntry]:
    """The ticket's audit trail, newest first."""
    rows = await session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.ticket_id == ticket_id)
        .order_by(AuditEvent.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return [HistoryEntry(event, user) for event, user in rows.all()]


async def office_staff(session: AsyncSession, office_id: int) -> list[tuple[User, str]]:
    """Active users of the office and their role there, for the assignment list."""
    rows = await session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.office_id == office_id, User.active.is_(True))
        .order_by(User.full_name, User.username)
    )
    return [(user, role) for user, role in rows.all()]


async def question_of(session: AsyncSession, ticket_id: int) -> Message | None:
    """The citizen's first message: the question the ticket is about."""
    return await session.scalar(
        select(Message)
        .where(Message.ticket_id == ticket_id, Message.direction == Direction.inbound)
        .order_by(Message.created_at, Message.id)
        .limit(1)
    )


# -- the officials' queue --------------------------------------------------------------------
@dataclass
class QueueItem:
    ticket: Ticket
    question: Message | None
    analysis: list[StepTransition | Message]  # why it came up, and the staff's notes
    threads: list[Thread]
    decisions: list[Decision]
    actions: list[engine.AvailableAction]


def steps_for(office: Office, role: str) -> list[str]:
    """The open steps of the office's SOP in which `role` takes an action."""
    try:
        profile = engine.profile_for(office)
    except ProfileError:
        return []
    return [
        s.id
        for s in profile.steps.values()
        if s.status != "closed" and any(role in a.roles for a in s.actions)
    ]


def decider_offices(principal: Principal) -> dict[int, Role]:
    """The offices where this user is a Kasie, Kabid or Kadis, and that role."""
    return {o: r for o, r in principal.roles.items() if r in DECIDER_ROLES}


async def officials_queue(
    session: AsyncSession, principal: Principal, office_id: int | None = None
) -> list[QueueItem]:
    """Tickets waiting at a step where this official's role acts, in their own offices only,
    the most urgent first."""
    roles = decider_offices(principal)
    if office_id is not None:
        roles = {o: r for o, r in roles.items() if o == office_id}
    if not roles:
        return []
    offices = {o.id: o for o in await session.scalars(select(Office).where(Office.id.in_(roles)))}
    wanted = [
        (Ticket.office_id == oid) & Ticket.step.in_(steps)
        for oid, role in roles.items()
        if oid in offices and (steps := steps_for(offices[oid], role))
    ]
    if not wanted:
        return []
    tickets = list(
        await session.scalars(
            select(Ticket)
            .where(or_(*wanted), Ticket.status.in_(TicketStatus.active()))
            .options(
                selectinload(Ticket.office),
                selectinload(Ticket.contact).selectinload(Contact.identities),
                selectinload(Ticket.assignee),
            )
            .order_by(Ticket.step_due_at.is_(None), Ticket.step_due_at, Ticket.id)
            .limit(QUEUE_LIMIT)
        )
    )
    return [await _queue_item(session, principal, t) for t in tickets]


async def _queue_item(session: AsyncSession, principal: Principal, ticket: Ticket) -> QueueItem:
    transitions = list(
        await session.scalars(
            select(StepTransition)
            .where(StepTransition.ticket_id == ticket.id, StepTransition.reason != "")
            .order_by(StepTransition.id)
        )
    )
    notes = list(
        await session.scalars(
            select(Message)
            .where(
                Message.ticket_id == ticket.id,
                Message.direction == Direction.note,
                Message.consultation_id.is_(None),
                Message.author_id.is_not(None),
            )
            .options(selectinload(Message.author))
            .order_by(Message.id)
        )
    )
    analysis: list[StepTransition | Message] = sorted(
        [*transitions, *notes], key=lambda row: row.created_at
    )
    decisions = list(
        await session.scalars(
            select(Decision).where(Decision.ticket_id == ticket.id).order_by(Decision.id)
        )
    )
    return QueueItem(
        ticket=ticket,
        question=await question_of(session, ticket.id),
        analysis=analysis,
        threads=await consultations(session, ticket.id),
        decisions=decisions,
        actions=[a for a in engine.actions_for(ticket, principal) if a.name not in BUILTIN_ACTIONS],
    )


BUILTIN_ACTIONS: Sequence[str] = tuple(engine.BUILTIN_FIELDS)
