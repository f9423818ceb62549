"""Staff commands written in the group: `/status REGISTER` and `/jawab [REGISTER] text`.

No rules of their own: who may see a ticket is `tickets.get_ticket`'s office scope, and who may
answer is the workflow engine's, exactly as for the inbox and the API. `/jawab` takes the
answering action of the ticket's current SOP step (the group's advice, the answer to the
citizen, or an official's decision to answer) with the text as its body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.consultation_mirror import texts
from helpdesk.models import Ticket
from helpdesk.tickets import get_ticket
from helpdesk.workflow.engine import (
    ActionError,
    apply_action,
    current_step,
)

ANSWER_KINDS = ("advise", "reply", "decide")
GROUP_REASON = "Dijawab lewat grup admin"


class CommandRefused(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass
class Outcome:
    reply: str
    outbox_items: list[int] = field(default_factory=list)


async def visible_ticket(session: AsyncSession, principal: Principal, ticket_id: int) -> Ticket:
    ticket = await get_ticket(session, principal, ticket_id)
    if ticket is None:
        raise CommandRefused("Tiket tidak ditemukan, atau Anda tidak berhak melihatnya.")
    return ticket


async def status(session: AsyncSession, principal: Principal, ticket_id: int) -> Outcome:
    ticket = await visible_ticket(session, principal, ticket_id)
    step = current_step(ticket)
    due = _local(ticket.due_at, ticket.office.timezone) if ticket.due_at else None
    assignee = ticket.assignee.display_name if ticket.assignee else None
    return Outcome(
        texts.status(
            ticket.register_no,
            ticket.status,
            step.label if step else (ticket.step or "-"),
            due,
            assignee,
        )
    )


def _local(at: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return at.astimezone(zone).strftime("%d-%m-%Y %H:%M %Z")


async def answer(session: AsyncSession, principal: Principal, ticket_id: int, text: str) -> Outcome:
    """Take the step's answering action; the engine refuses what the user may not do."""
    if not text.strip():
        raise CommandRefused("Tulis jawabannya setelah perintah: /jawab <teks>")
    ticket = await visible_ticket(session, principal, ticket_id)
    step = current_step(ticket)
    candidates = [
        a
        for a in (step.actions if step else ())
        if a.kind in ANSWER_KINDS and (a.kind != "decide" or "answer" in a.outcomes)
    ]
    if not candidates:
        where = step.label if step else "-"
        raise CommandRefused(f"Pada langkah “{where}” tiket {ticket.register_no} tidak dijawab.")
    role = principal.role_in(ticket.office_id)
    # The first the user's role may take; else the first, so the engine says why not.
    action = next((a for a in candidates if role in a.roles or role == "superuser"), candidates[0])
    data: dict[str, object] = {"body": text.strip()}
    if action.kind == "decide":
        data |= {"outcome": "answer", "reason": GROUP_REASON}
    try:
        applied = await apply_action(session, ticket, principal, action.name, data)
    except ActionError as exc:
        raise CommandRefused(f"Ditolak ({exc.code}): {exc.detail}") from exc
    return Outcome(
        f"{action.label}: tercatat untuk {ticket.register_no}.", list(applied.outbox_items)
    )
