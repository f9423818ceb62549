"""Linking the signed-in user's Telegram account: `GET /account/telegram` shows the linked
account and a button; `POST /account/telegram/code` (htmx) shows a one-time code to send to the
office's bot as `/link CODE`; `POST /account/telegram/unlink` removes the link;
`POST /messages/{id}/retry-mirror` posts a consultation note that failed to reach the admin
group again. The rules are helpdesk.consultation_mirror's and the outbox's; this only renders."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.consultation_mirror import links
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.models import Direction, Message
from helpdesk.outbox import ReplyRefused, retry_failed
from helpdesk.runtime import Runtime
from helpdesk.tickets import get_ticket
from inbox.web import render_page, require_principal, see_other

CHANNEL = "telegram"


async def _page(
    request: Request, db: AsyncSession, code: str | None = None, minutes: int = 0
) -> Response[Any]:
    principal = await require_principal(request, db)
    linked = [a for a in await links.accounts_of(db, principal) if a.channel == CHANNEL]
    context = {"linked": linked[0] if linked else None, "code": code, "minutes": minutes}
    return await render_page(request, db, principal, "account/telegram.html", context)


@get("/account/telegram", include_in_schema=False)
async def telegram_page(request: Request, db: AsyncSession) -> Response[Any]:
    return await _page(request, db)


@post("/account/telegram/code", include_in_schema=False, status_code=200)
async def telegram_code(request: Request, db: AsyncSession) -> Response[Any]:
    principal = await require_principal(request, db)
    code, minutes = await links.new_code(db, principal)
    await db.commit()
    return await _page(request, db, code, minutes)


@post("/account/telegram/unlink", include_in_schema=False, status_code=200)
async def telegram_unlink(request: Request, db: AsyncSession) -> Response[Any]:
    principal = await require_principal(request, db)
    await links.unlink(db, principal, CHANNEL)
    await db.commit()
    return see_other("/account/telegram")


@post("/messages/{message_id:int}/retry-mirror", include_in_schema=False, status_code=200)
async def retry_mirrored(
    request: Request, db: AsyncSession, rt: Runtime, message_id: int
) -> Response[Any]:
    """Post a consultation note to the admin group again after it failed for good."""
    principal = await require_principal(request, db)
    message = await db.get(Message, message_id)
    ticket = await get_ticket(db, principal, message.ticket_id) if message else None
    if (
        message is None
        or ticket is None
        or message.direction != Direction.note
        or message.channel_account_id is None
        or (message.details or {}).get("mirror") not in ("summary", "note")
    ):
        raise NotFoundException("no such message")
    try:
        item = await retry_failed(db, message, principal)
    except ReplyRefused:
        pass  # not failed (any more): a double click
    else:
        await db.commit()
        await enqueue_or_leave_to_sweep(
            rt.jobs, "send_outbox_item", item.id, job_id=f"outbox:{item.id}"
        )
    return see_other(f"/tickets/{ticket.id}#m{message.id}")


STAFF_LINK_ROUTES = [telegram_page, telegram_code, telegram_unlink, retry_mirrored]
