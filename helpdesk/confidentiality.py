"""Who may read a confidential ticket's content (a LAPOR report marked rahasia).

The roles that handle a ticket are those its office's SOP gives a step to (Tomohon: Kasie,
Kabid, Kadis), or what the office's settings list as `confidential_roles`; a superuser and the
ticket's assignee may read it too. Everyone else who can see the office sees that the ticket
exists (register number, status, deadlines) but not its subject, texts, notes or files, and
cannot find it by searching for its words. Every reader of tickets (API, inbox) goes through
`may_read`, `subject_for` and `visible_messages` here, never a check of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.base import NO_VALUE

from helpdesk.auth import Principal
from helpdesk.models import Message, Office, Ticket

_FALLBACK = frozenset({"kasie", "kabid", "kadis"})


def handler_roles(office: Office) -> frozenset[str]:
    configured = (office.settings or {}).get("confidential_roles")
    if configured:
        return frozenset(str(r) for r in configured)
    from helpdesk.workflow import engine
    from helpdesk.workflow.profile import ProfileError

    try:
        profile = engine.profile_for(office)
    except (ProfileError, ValueError, OSError):
        return _FALLBACK  # an unusable profile must not open confidential content to all
    roles = {role for step in profile.steps.values() for role in step.roles}
    return frozenset(roles) or _FALLBACK


def may_read(principal: Principal | None, ticket: Ticket) -> bool:
    """Whether `principal` may read the ticket's content (`ticket.office` must be loaded)."""
    if not ticket.confidential:
        return True
    if principal is None:
        return False
    if principal.is_superuser or ticket.assignee_id == principal.user_id:
        return True
    role = principal.roles.get(ticket.office_id)
    if role is None:
        return False
    office = inspect(ticket).attrs.office.loaded_value
    if office is NO_VALUE:  # not loaded, and async sessions cannot load it here: stay closed
        return False
    return str(role) in handler_roles(office)


def subject_for(principal: Principal | None, ticket: Ticket) -> str:
    return ticket.subject if may_read(principal, ticket) else ""


class HiddenMessage:
    """A timeline message with its content withheld: same id, direction, time and status."""

    hidden = True

    def __init__(self, message: Message) -> None:
        self._message = message
        self.body = ""
        self.details: dict[str, Any] = {}
        self.attachments: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._message, name)


def visible_messages(
    principal: Principal | None, ticket: Ticket, messages: Sequence[Message]
) -> list[Any]:
    if may_read(principal, ticket):
        return list(messages)
    return [HiddenMessage(m) for m in messages]


async def readable_offices(session: AsyncSession, principal: Principal) -> list[int]:
    """Offices where the principal's role handles confidential tickets."""
    if not principal.roles:
        return []
    offices = await session.scalars(select(Office).where(Office.id.in_(list(principal.roles))))
    return [o.id for o in offices if str(principal.roles[o.id]) in handler_roles(o)]


def searchable(principal: Principal, offices: Iterable[int]) -> ColumnElement[bool]:
    """Tickets whose words this principal may search (`offices`: from `readable_offices`)."""
    if principal.is_superuser:
        return ~false()
    ids = list(offices)
    return or_(
        Ticket.confidential.is_(False),
        Ticket.assignee_id == principal.user_id,
        Ticket.office_id.in_(ids) if ids else false(),
    )
