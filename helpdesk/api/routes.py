"""`/api/v1/…`: tickets, their timelines, replies and notes."""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED
from msgspec import Struct
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import confidentiality
from helpdesk.api.serializers import message_json, ticket_json
from helpdesk.auth import Principal
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.models import Ticket
from helpdesk.outbox import ReplyRefused
from helpdesk.reply_modes import queue_reply_as
from helpdesk.runtime import Runtime
from helpdesk.tickets import BadCursor, TicketFilter, add_note, get_ticket, list_tickets, timeline
from helpdesk.web.deps import provide_api_principal
from helpdesk.web.errors import ApiError

REFUSALS = {
    "empty": "the reply is empty",
    "too_long": "the reply is longer than 4096 characters",
    "no_channel": "this ticket has no channel to answer on",
}


class BodyIn(Struct, forbid_unknown_fields=True):
    body: str
    #: where the channel offers several ways (a comment's public or private reply): which
    reply_mode: str = ""


async def _ticket_or_404(db: AsyncSession, principal: Principal, ticket_id: int) -> Ticket:
    ticket = await get_ticket(db, principal, ticket_id)
    if ticket is None:
        raise ApiError(404, "not_found", "no such ticket")
    return ticket


class TicketsApi(Controller):
    path = "/api/v1/tickets"
    tags: ClassVar[list[str]] = ["tickets"]
    dependencies: ClassVar[dict[str, Provide]] = {"principal": Provide(provide_api_principal)}

    @get("/")
    async def list(
        self,
        db: AsyncSession,
        principal: Principal,
        office: str | None = None,
        status: str | None = None,
        channel: str | None = None,
        q: str | None = Parameter(default=None, max_length=200),
        cursor: str | None = Parameter(default=None, max_length=200),
        limit: int = Parameter(default=50, ge=1, le=200),
    ) -> dict[str, Any]:
        filters = TicketFilter(office=office, status=status, channel=channel, q=q)
        try:
            page = await list_tickets(db, principal, filters, cursor=cursor, limit=limit)
        except BadCursor as exc:
            raise ApiError(400, "bad_cursor", str(exc)) from exc
        items = [ticket_json(t, principal) for t in page.items]
        return {"items": items, "next": page.next_cursor}

    @get("/{ticket_id:int}")
    async def detail(
        self, db: AsyncSession, principal: Principal, ticket_id: int
    ) -> dict[str, Any]:
        return ticket_json(await _ticket_or_404(db, principal, ticket_id), principal)

    @get("/{ticket_id:int}/messages")
    async def messages(
        self, db: AsyncSession, principal: Principal, ticket_id: int
    ) -> dict[str, Any]:
        ticket = await _ticket_or_404(db, principal, ticket_id)
        messages = confidentiality.visible_messages(principal, ticket, await timeline(db, ticket))
        return {"items": [message_json(m) for m in messages]}

    @post("/{ticket_id:int}/replies", status_code=HTTP_202_ACCEPTED)
    async def reply(
        self, db: AsyncSession, rt: Runtime, principal: Principal, ticket_id: int, data: BodyIn
    ) -> dict[str, Any]:
        ticket = await _ticket_or_404(db, principal, ticket_id)
        try:
            message, item = await queue_reply_as(
                db, rt.adapters, ticket, principal, data.body, data.reply_mode
            )
        except ReplyRefused as exc:
            raise ApiError(422, str(exc), REFUSALS.get(str(exc), str(exc))) from exc
        await db.commit()
        await enqueue_or_leave_to_sweep(
            rt.jobs, "send_outbox_item", item.id, job_id=f"outbox:{item.id}"
        )
        await db.refresh(message, ["attachments", "author"])
        return message_json(message)

    @post("/{ticket_id:int}/notes", status_code=HTTP_201_CREATED)
    async def note(
        self, db: AsyncSession, principal: Principal, ticket_id: int, data: BodyIn
    ) -> dict[str, Any]:
        ticket = await _ticket_or_404(db, principal, ticket_id)
        try:
            note = await add_note(db, ticket, principal, data.body)
        except ValueError as exc:
            raise ApiError(422, "empty", "the note is empty") from exc
        await db.commit()
        await db.refresh(note, ["attachments", "author"])
        return message_json(note)
