"""New tickets of a received batch as plain rows, inserted set-wise (helpdesk.receiving).

A batch opens up to a hundred tickets at once. As ORM objects each ticket cost an INSERT, an
UPDATE once the SOP engine had set its step and due times, two more objects (its step
transition and audit event) and the unit of work's bookkeeping for all of them: most of a
worker's CPU per ticket. Here a new ticket is a `TicketDraft` (a plain object with the ticket's
columns) that gets its final values before it is inserted, and each table takes one statement
per batch.

The SOP start of a new ticket (kind, step, due and warning times, its step transition and audit
event) depends only on the office, the channel and the moment, never on the ticket's text except
for the suggested category: `StartPlan` runs the engine's own `start` once per office and
channel in a batch (all its tickets open at the same `now`) and every new ticket copies it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.db import next_ids
from helpdesk.models import (
    AuditEvent,
    Category,
    Office,
    StepTransition,
    Ticket,
    TicketKind,
    TicketStatus,
)
from helpdesk.workflow import engine as workflow
from helpdesk.workflow.categories import suggest
from helpdesk.workflow.profile import Profile, ProfileError

TICKETS: Table = Ticket.__table__  # type: ignore[assignment]
AUDIT_EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]
STEP_TRANSITIONS: Table = StepTransition.__table__  # type: ignore[assignment]


@dataclass(eq=False)
class TicketDraft:
    """A ticket of this batch not yet inserted: the columns of `Ticket`, as the SOP engine's
    clock and step functions read and set them (they take any object with these attributes)."""

    office_id: int
    channel: str
    channel_account_id: int | None
    subject: str
    external_ref: str | None
    confidential: bool
    created_at: datetime | None = None
    contact_id: int = 0
    register_no: str = ""
    register_year: int = 0
    register_seq: int = 0
    kind: str = TicketKind.pengaduan
    category: str = Category.other
    status: str = TicketStatus.new
    step: str = ""
    assignee_id: int | None = None
    updated_at: datetime | None = None
    last_activity_at: datetime | None = None
    last_inbound_at: datetime | None = None
    first_response_at: datetime | None = None
    step_due_at: datetime | None = None
    due_at: datetime | None = None
    external_due_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    unit: str | None = None
    paused_at: datetime | None = None
    sla_check_at: datetime | None = None
    workflow_state: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


# Every column a draft inserts (all of the ticket's but its id, which the database gives).
_COLUMNS = tuple(f.name for f in dataclasses.fields(TicketDraft) if f.name != "id")
# What the SOP start sets on a ticket, copied from the plan to each new ticket.
_STARTED = (
    "kind",
    "category",
    "unit",
    "status",
    "step",
    "due_at",
    "step_due_at",
    "sla_check_at",
    "resolved_at",
    "closed_at",
    "paused_at",
    "last_activity_at",
    "external_due_at",
)


class RowSink:
    """Stands in for the session where the SOP engine records what happened to a draft: the
    engine's `start` and `citizen_wrote` only `add` step transitions and audit events, which
    become plain rows here, for the draft set as `current`, inserted once the drafts have ids.
    Anything else added is refused loudly rather than lost."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.current: TicketDraft | None = None
        self.steps: list[tuple[TicketDraft | None, dict[str, Any]]] = []
        self.audits: list[tuple[TicketDraft | None, dict[str, Any]]] = []

    def add(self, row: object) -> None:
        if isinstance(row, StepTransition):
            self.steps.append((self.current, _step_row(row, self.now)))
        elif isinstance(row, AuditEvent):
            self.audits.append((self.current, _audit_row(row, self.now)))
        else:
            raise TypeError(f"a draft ticket cannot record a {type(row).__name__}")


def _step_row(row: StepTransition, now: datetime) -> dict[str, Any]:
    return {
        "ticket_id": None,
        "from_step": row.from_step or "",
        "to_step": row.to_step,
        "action": row.action,
        "user_id": row.user_id,
        "reason": row.reason or "",
        "from_step_due_at": row.from_step_due_at,
        "created_at": row.created_at or now,
    }


def _audit_row(row: AuditEvent, now: datetime) -> dict[str, Any]:
    return {
        "office_id": row.office_id,
        "ticket_id": None,
        "user_id": row.user_id,
        "action": row.action,
        "detail": row.detail if row.detail is not None else {},
        "created_at": row.created_at or now,
    }


@dataclass
class StartPlan:
    """What the SOP engine's `start` does to a new ticket of one office and channel at `now`."""

    profile: Profile | None  # None: the profile is unusable, tickets open without a step
    started: dict[str, Any]
    steps: list[dict[str, Any]]
    audits: list[dict[str, Any]]

    @classmethod
    def make(cls, office: Office, channel: str, now: datetime) -> StartPlan:
        scratch = TicketDraft(
            office_id=office.id,
            channel=channel,
            channel_account_id=None,
            subject="",
            external_ref=None,
            confidential=False,
            created_at=now,
            last_activity_at=now,
        )
        sink = RowSink(now)
        # No text: the category is suggested per ticket (`apply`); the engine logs a broken
        # profile (once a batch now, not once a ticket).
        workflow.start(sink, office, scratch, "", now)  # type: ignore[arg-type]
        try:
            profile = workflow.profile_for(office) if scratch.step else None
        except ProfileError:
            profile = None
        started = {name: getattr(scratch, name) for name in _STARTED}
        started["workflow_state"] = scratch.workflow_state
        return cls(profile, started, [r for _, r in sink.steps], [r for _, r in sink.audits])

    def apply(self, draft: TicketDraft, text: str) -> None:
        """Start `draft` as the engine would have, with its own text's category."""
        for name, value in self.started.items():
            setattr(draft, name, value)
        draft.workflow_state = dict(self.started["workflow_state"])
        if self.profile is not None:  # as engine._suggest_category
            category = suggest(text)
            if category != Category.other:
                draft.category = category
                draft.unit = self.profile.units.get(category, draft.unit)


async def insert_drafts(
    session: AsyncSession,
    drafts: Sequence[TicketDraft],
    plans: Sequence[StartPlan],
    opened: Sequence[dict[str, Any]],
    sink: RowSink,
) -> None:
    """Insert the drafts (ids set on them), then each one's "opened" audit event and its SOP
    start (`plans`, one per draft), then what the sink recorded: in that order, as the ORM did."""
    ids = await insert_rows(
        session, TICKETS, [{name: getattr(d, name) for name in _COLUMNS} for d in drafts]
    )
    for draft, ticket_id in zip(drafts, ids, strict=True):
        draft.id = ticket_id
    audits: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    for draft, plan, event in zip(drafts, plans, opened, strict=True):
        audits.append({**event, "ticket_id": draft.id})
        audits += ({**row, "ticket_id": draft.id} for row in plan.audits)
        steps += ({**row, "ticket_id": draft.id} for row in plan.steps)
    steps += (_for(draft, row) for draft, row in sink.steps)
    audits += (_for(draft, row) for draft, row in sink.audits)
    if steps:
        await session.execute(insert(STEP_TRANSITIONS), steps)
    if audits:
        await session.execute(insert(AUDIT_EVENTS), audits)


def _for(draft: TicketDraft | None, row: dict[str, Any]) -> dict[str, Any]:
    assert draft is not None and draft.id is not None
    return {**row, "ticket_id": draft.id}


async def insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` in one statement and return their ids in the rows' order (RETURNING on
    PostgreSQL; on SQLite, whose multi-row RETURNING has no order, ids numbered by `next_ids`).
    All rows must have the same keys."""
    if not rows:
        return []
    ids = await next_ids(session, table.c.id, len(rows))
    if ids is not None:
        for row, row_id in zip(rows, ids, strict=True):
            row["id"] = row_id
        await session.execute(insert(table), rows)
        return list(ids)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list((await session.execute(statement, rows)).scalars())
