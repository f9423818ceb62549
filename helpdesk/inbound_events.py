"""The inbound-event log for superusers: what arrived and could not become a message, and replay.

Every webhook body and polled item is stored before it is acknowledged (`InboundEvent`); those that
were rejected (unreadable), unrouted (for an account we do not have) or failed (processing kept
crashing) stay here for a human to look at, and can be replayed once the cause is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.models import AuditEvent, InboundEvent, InboundStatus, utcnow

PROBLEMS = (InboundStatus.rejected, InboundStatus.unrouted, InboundStatus.failed)
PREVIEW_BYTES = 2000


class NotAllowed(PermissionError):
    pass


class NotReplayable(ValueError):
    pass


@dataclass(frozen=True)
class EventView:
    id: int
    channel: str
    status: str
    error: str | None
    attempts: int
    received_at: str
    size: int
    preview: str  # the body's start as text, undecodable bytes replaced


def _require_superuser(principal: Principal) -> None:
    # Raw bodies hold every office's traffic and personal data: superusers only.
    if not principal.is_superuser:
        raise NotAllowed("only a superuser may see inbound events")


def _view(event: InboundEvent) -> EventView:
    return EventView(
        id=event.id,
        channel=event.channel,
        status=event.status,
        error=event.error,
        attempts=event.attempts,
        received_at=event.received_at.isoformat(),
        size=len(event.body),
        preview=event.body[:PREVIEW_BYTES].decode("utf-8", "replace"),
    )


async def list_events(
    session: AsyncSession,
    principal: Principal,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[EventView]:
    """Newest first; `status` one of InboundStatus, default: the problem ones."""
    _require_superuser(principal)
    statuses = [InboundStatus(status)] if status else list(PROBLEMS)
    query = select(InboundEvent).where(InboundEvent.status.in_(statuses))
    if before_id is not None:
        query = query.where(InboundEvent.id < before_id)
    rows = await session.scalars(query.order_by(InboundEvent.id.desc()).limit(min(limit, 200)))
    return [_view(e) for e in rows]


async def replay(session: AsyncSession, principal: Principal, event_id: int) -> None:
    """Put a rejected, unrouted or failed event back among the pending (the caller commits, then
    wakes the inbound drain). Processing is idempotent, so replaying is always safe."""
    _require_superuser(principal)
    result = await session.execute(
        update(InboundEvent)
        .where(InboundEvent.id == event_id, InboundEvent.status.in_(PROBLEMS))
        .values(
            status=InboundStatus.pending,
            attempts=0,
            error=None,
            processed_at=None,
            not_before=utcnow(),
        )
    )
    if not result.rowcount:
        raise NotReplayable(f"event {event_id} is not rejected, unrouted or failed")
    session.add(
        AuditEvent(
            user_id=principal.user_id, action="inbound_event.replayed", detail={"id": event_id}
        )
    )
