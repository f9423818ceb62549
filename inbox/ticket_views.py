"""The ticket page with its timeline, and replying, noting and retrying.

Pages work without JavaScript (forms post and redirect); with htmx the same URLs answer with
fragments: the new message, the refreshed timeline, or an error beside the form.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Template
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_400_BAD_REQUEST
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import confidentiality, notify
from helpdesk.auth import Principal
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.models import Direction, Message, Ticket
from helpdesk.outbox import MAX_BODY, ReplyRefused, retry_failed
from helpdesk.reply_modes import queue_reply_as
from helpdesk.runtime import Runtime
from helpdesk.tickets import add_note, get_ticket, timeline
from inbox import i18n
from inbox.forms import NOTE_MAX, Text, clean
from inbox.queries import timeline_version
from inbox.sop_views import panels
from inbox.web import (
    is_htmx,
    language_of,
    render,
    render_page,
    require_principal,
    see_other,
)

REFUSALS = {
    "empty": "form.empty",
    "too_long": "form.reply_too_long",
    "no_channel": "form.no_channel",
    "bad_reply_mode": "replymode.refused",
}


async def _visible_ticket(db: AsyncSession, principal: Principal, ticket_id: int) -> Ticket:
    ticket = await get_ticket(db, principal, ticket_id)
    if ticket is None:  # the same answer whether it exists elsewhere or not at all
        raise NotFoundException("no such ticket")
    return ticket


async def _timeline_context(
    db: AsyncSession, ticket: Ticket, principal: Principal | None = None
) -> dict[str, Any]:
    # A confidential ticket's texts stay hidden from roles that do not handle it.
    messages = confidentiality.visible_messages(principal, ticket, await timeline(db, ticket))
    return {
        "ticket": ticket,
        "messages": messages,
        "quoted": {m.external_id: m for m in messages if m.external_id},
        "version": timeline_version(messages),
    }


async def ticket_page(
    request: Request,
    db: AsyncSession,
    principal: Principal,
    ticket: Ticket,
    *,
    form_errors: dict[str, str] | None = None,
    form_texts: dict[str, str] | None = None,
    action_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The whole ticket page: header, main column (timeline, reply, note, consultations) and
    side column (SOP panel, assignment, labels, history); `action_errors` go beside the
    workflow form they belong to (by its error slot's id)."""
    context = {
        **await _timeline_context(db, ticket, principal),
        **await panels(db, principal, ticket, language_of(request, principal)),
        "errors": form_errors or {},
        "texts": form_texts or {},
        "action_errors": action_errors or {},
        "reply_max": MAX_BODY,
        "note_max": NOTE_MAX,
    }
    return await render_page(
        request, db, principal, "inbox/ticket.html", context, status_code=status_code
    )


def _message_fragment(
    request: Request, principal: Principal, ticket: Ticket, m: Message
) -> Template:
    # The answer may have moved the ticket (Baru -> Diproses): refresh the header's badge too.
    context = {"ticket": ticket, "m": m, "quoted": {}, "refresh_status": True}
    return render(request, "inbox/_message.html", context, principal=principal)


class InboxController(Controller):
    path = "/"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/tickets/{ticket_id:int}")
    async def ticket_page(
        self, request: Request, db: AsyncSession, principal: Principal, ticket_id: int
    ) -> Template:
        ticket = await _visible_ticket(db, principal, ticket_id)
        return await self._page(request, db, principal, ticket)

    async def _page(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        ticket: Ticket,
        *,
        form_errors: dict[str, str] | None = None,
        form_texts: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        return await ticket_page(
            request,
            db,
            principal,
            ticket,
            form_errors=form_errors,
            form_texts=form_texts,
            status_code=status_code,
        )

    @get("/tickets/{ticket_id:int}/timeline")
    async def ticket_timeline(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        ticket_id: int,
        v: str | None = None,
    ) -> Response[Any]:
        ticket = await _visible_ticket(db, principal, ticket_id)
        context = await _timeline_context(db, ticket, principal)
        if v and v == context["version"]:
            return Response(content=b"", status_code=HTTP_204_NO_CONTENT)  # htmx keeps the page
        return render(request, "inbox/_timeline.html", context, principal=principal)

    async def _form_failed(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        ticket: Ticket,
        form: str,
        error: tuple[str, dict[str, Any]],
        text: str,
    ) -> Response[Any]:
        lang = language_of(request, principal)
        message = i18n.translate(error[0], lang, **error[1])
        if is_htmx(request):
            headers = {"HX-Retarget": f"#{form}-error", "HX-Reswap": "innerHTML"}
            return render(
                request,
                "_flash.html",
                {"text": message},
                principal=principal,
                status_code=HTTP_400_BAD_REQUEST,
                headers=headers,
            )
        return await self._page(
            request,
            db,
            principal,
            ticket,
            form_errors={form: message},
            form_texts={form: text[: 2 * NOTE_MAX]},
            status_code=HTTP_400_BAD_REQUEST,
        )

    @post("/tickets/{ticket_id:int}/reply", status_code=200)
    async def reply(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        data: Text,
    ) -> Response[Any]:
        ticket = await _visible_ticket(db, principal, ticket_id)
        text = clean(data.body)
        refused = "empty" if not text else "too_long" if len(text) > MAX_BODY else None
        if refused is None:
            try:
                message, item = await queue_reply_as(
                    db, rt.adapters, ticket, principal, text, data.reply_mode
                )
            except ReplyRefused as exc:
                refused = str(exc)
        if refused is not None:
            error = (REFUSALS.get(refused, "errpage.400"), {"length": len(text), "max": MAX_BODY})
            return await self._form_failed(
                request, db, principal, ticket, "reply", error, data.body
            )
        await db.commit()
        await enqueue_or_leave_to_sweep(
            rt.jobs, "send_outbox_item", item.id, job_id=f"outbox:{item.id}"
        )
        await notify.timeline_grew(rt, ticket, message.id)  # live: other open pages show it
        if not is_htmx(request):
            return see_other(f"/tickets/{ticket.id}#m{message.id}")
        await db.refresh(message, ["attachments", "author"])
        return _message_fragment(request, principal, ticket, message)

    @post("/tickets/{ticket_id:int}/notes", status_code=200)
    async def note(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        data: Text,
    ) -> Response[Any]:
        ticket = await _visible_ticket(db, principal, ticket_id)
        text = clean(data.body)
        if not text or len(text) > NOTE_MAX:
            key = "form.empty" if not text else "form.note_too_long"
            error = (key, {"length": len(text), "max": NOTE_MAX})
            return await self._form_failed(request, db, principal, ticket, "note", error, data.body)
        note = await add_note(db, ticket, principal, text)
        await db.commit()
        await notify.timeline_grew(rt, ticket, note.id)  # live: another admin's page shows it
        if not is_htmx(request):
            return see_other(f"/tickets/{ticket.id}#m{note.id}")
        await db.refresh(note, ["attachments", "author"])
        return _message_fragment(request, principal, ticket, note)

    @post("/messages/{message_id:int}/retry", status_code=200)
    async def retry(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        message_id: int,
    ) -> Response[Any]:
        message = await db.get(Message, message_id)
        ticket = await get_ticket(db, principal, message.ticket_id) if message else None
        if message is None or ticket is None or message.direction != Direction.outbound:
            raise NotFoundException("no such message")
        try:
            item = await retry_failed(db, message, principal)
        except ReplyRefused:
            pass  # not failed (any more): a double click, or another admin was quicker
        else:
            await db.commit()
            await enqueue_or_leave_to_sweep(
                rt.jobs, "send_outbox_item", item.id, job_id=f"outbox:{item.id}"
            )
            await notify.timeline_grew(rt, ticket, message.id)  # live: "failed" becomes "queued"
        if not is_htmx(request):
            return see_other(f"/tickets/{ticket.id}#m{message.id}")
        await db.refresh(message, ["attachments", "author"])
        return _message_fragment(request, principal, ticket, message)
