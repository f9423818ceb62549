"""The reply box's extras: approved templates, files, quoting a citizen's message, and the read
receipt sent when an admin opens a ticket.

What a channel allows comes from `helpdesk.replies.reply_options` (its adapter's capabilities):
nothing here names a platform. `GET /tickets/{id}/compose` answers htmx with the fragment the
ticket page loads into its reply area, and a browser without JavaScript with a page of its own.

- `GET /tickets/{id}/compose[?templates=1][&template=name|lang][&quote=message id]`
- `GET /tickets/{id}/template-preview`, `POST /tickets/{id}/templates/refresh`
- `POST /tickets/{id}/template-reply`, `POST /tickets/{id}/media-reply`,
  `POST /tickets/{id}/quoted-reply`, `POST /tickets/{id}/seen`
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Template
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_400_BAD_REQUEST
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import MessageTemplate
from helpdesk import first_contact, notify
from helpdesk.auth import Principal
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.message_templates import TemplateList, fill, templates_for
from helpdesk.models import ChannelAccount, Message, OutboxItem, Ticket
from helpdesk.outbox import MAX_BODY, ReplyRefused
from helpdesk.read_receipts import ticket_opened
from helpdesk.replies import (
    MAX_CAPTION,
    ReplyOptions,
    Upload,
    queue_media_reply,
    queue_quoted_reply,
    queue_template_reply,
    quoted_message,
    reply_options,
)
from helpdesk.runtime import Runtime
from helpdesk.tickets import get_ticket
from inbox import i18n
from inbox.web import is_htmx, language_of, render, render_page, require_principal, see_other

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
FileForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
MAX_FIELD = 4 * MAX_BODY  # longer form fields are refused before any other look
# The largest file any channel takes (WhatsApp documents), plus the form around it.
UPLOAD_BODY_LIMIT = 101 * 1024 * 1024
REFUSALS = {
    "empty": "form.empty",
    "too_long": "form.reply_too_long",
    "no_channel": "form.no_channel",
    "bad_quote": "form.bad_quote",
    "no_quotes": "form.no_quotes",
    "no_media": "form.no_media",
    "window_closed": "form.window_closed",
    "file_missing": "form.file_missing",
    "file_empty": "form.file_empty",
    "file_too_big": "form.file_too_big",
    "file_type": "form.file_type",
    "caption_too_long": "form.caption_too_long",
    "template_unknown": "form.template_unknown",
    "template_unusable": "form.template_unusable",
    "template_parameters": "form.template_parameters",
    "template_parameter_empty": "form.template_parameter_empty",
    "template_parameter_long": "form.template_parameter_long",
}
# The refusals of `first_contact.free_reply` the reply box explains in its own words.
_REFUSAL_PROBLEMS = {
    first_contact.UNKNOWN_FIELDS,
    first_contact.NO_LISTING,
    first_contact.NOT_LISTED,
    first_contact.UNUSABLE,
    first_contact.PARAMETERS,
}


class ReplyExtrasController(Controller):
    path = "/"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/tickets/{ticket_id:int}/compose")
    async def compose(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        templates: str | None = None,
        template: str | None = None,
        quote: str | None = None,
    ) -> Template:
        ticket = await _visible_ticket(db, principal, ticket_id)
        context = await _compose_context(
            db,
            rt,
            ticket,
            want_templates=bool(templates or template),
            chosen=template,
            values=_values(request.query_params),
            quote=_as_id(quote),
        )
        return await _answer(request, db, principal, context)

    @get("/tickets/{ticket_id:int}/template-preview")
    async def template_preview(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        template: str | None = None,
    ) -> Template:
        ticket = await _visible_ticket(db, principal, ticket_id)
        listing = await _templates(db, rt, ticket)
        chosen = _find(listing, template)
        preview = _preview(chosen, _values(request.query_params)) if chosen else ""
        return render(
            request, "inbox/_template_preview.html", {"preview": preview}, principal=principal
        )

    @post("/tickets/{ticket_id:int}/templates/refresh", status_code=200)
    async def refresh_templates(
        self, request: Request, db: AsyncSession, rt: Runtime, principal: Principal, ticket_id: int
    ) -> Response[Any]:
        ticket = await _visible_ticket(db, principal, ticket_id)
        account = await _account(db, ticket)
        if account is not None:
            await db.commit()  # as in `_templates`
            await templates_for(rt, account, refresh=True)
        if not is_htmx(request):
            return see_other(f"/tickets/{ticket.id}/compose?templates=1")
        context = await _compose_context(db, rt, ticket, want_templates=True)
        return await _answer(request, db, principal, context)

    @post("/tickets/{ticket_id:int}/template-reply", status_code=200)
    async def template_reply(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        data: FormData,
    ) -> Response[Any]:
        ticket = await _visible_ticket(db, principal, ticket_id)
        chosen = _field(data, "template")
        values = _values(data)
        listing = await _templates(db, rt, ticket)
        name, _, language = chosen.partition("|")
        return await _reply(
            request,
            db,
            rt,
            principal,
            ticket,
            "template",
            lambda: queue_template_reply(db, ticket, principal, listing, name, language, values),
            chosen=chosen,
            data=data,
        )

    @post(
        "/tickets/{ticket_id:int}/media-reply",
        status_code=200,
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def media_reply(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        data: FileForm,
    ) -> Response[Any]:
        ticket = await _visible_ticket(db, principal, ticket_id)
        caption = _field(data, "caption")
        quote = _as_id(_field(data, "quote"))

        async def queue() -> tuple[Message, OutboxItem]:
            upload = await _upload(data.get("file"), rt.settings.max_attachment_bytes)
            return await queue_media_reply(db, rt, ticket, principal, upload, caption, quote)

        return await _reply(request, db, rt, principal, ticket, "media", queue)

    @post("/tickets/{ticket_id:int}/quoted-reply", status_code=200)
    async def quoted_reply(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        data: FormData,
    ) -> Response[Any]:
        ticket = await _visible_ticket(db, principal, ticket_id)
        body = _field(data, "body")
        quote = _as_id(_field(data, "quote"))

        async def queue() -> tuple[Message, OutboxItem]:
            if quote is None:
                raise ReplyRefused("bad_quote")
            return await queue_quoted_reply(db, rt, ticket, principal, body, quote)

        return await _reply(
            request, db, rt, principal, ticket, "quote", queue, quote=quote, data=data
        )

    @post("/tickets/{ticket_id:int}/seen", status_code=204)
    async def seen(
        self, db: AsyncSession, rt: Runtime, principal: Principal, ticket_id: int
    ) -> Response[None]:
        """Posted by the ticket page once loaded: the read receipt goes through a job."""
        ticket = await _visible_ticket(db, principal, ticket_id)
        await db.close()  # the receipt uses its own transaction
        await ticket_opened(rt, ticket.id)
        return Response(content=None, status_code=HTTP_204_NO_CONTENT)


# -- helpers ------------------------------------------------------------------------------------


async def _visible_ticket(db: AsyncSession, principal: Principal, ticket_id: int) -> Ticket:
    ticket = await get_ticket(db, principal, ticket_id)
    if ticket is None:
        raise NotFoundException("no such ticket")
    return ticket


async def _account(db: AsyncSession, ticket: Ticket) -> ChannelAccount | None:
    if ticket.channel_account_id is None:
        return None
    return await db.get(ChannelAccount, ticket.channel_account_id)


async def _templates(db: AsyncSession, rt: Runtime, ticket: Ticket) -> TemplateList:
    account = await _account(db, ticket)
    if account is None:
        return TemplateList((), None)
    # The listing uses sessions of its own and may wait on the platform: hand this request's
    # connection back first (SQLite has one).
    await db.commit()
    return await templates_for(rt, account)


async def _compose_context(
    db: AsyncSession,
    rt: Runtime,
    ticket: Ticket,
    *,
    want_templates: bool = False,
    chosen: str | None = None,
    values: list[str] | None = None,
    quote: int | None = None,
) -> dict[str, Any]:
    options = await reply_options(rt, db, ticket)
    # Outside the window templates are the only way to answer, so they are shown unasked.
    show_templates = options.templates and (want_templates or not options.free_form_open)
    listing = await _templates(db, rt, ticket) if show_templates else None
    template = _find(listing, chosen) if listing else None
    values = (values or [])[: len(template.parameters)] if template else []
    # A closed window need not stop a free reply: it may go as the account's first-contact
    # template, and the box says which instead of warning it cannot arrive. The listing fetched
    # above (the window is closed) is what the send will use: checked against it, the box
    # promises no template the send would find missing or not fitting.
    free_reply = (
        first_contact.AS_WRITTEN
        if options.free_form_open
        else first_contact.checked_against(
            await first_contact.free_reply_now(rt, db, ticket), listing
        )
    )
    quoted = None
    if quote is not None and options.quotes:
        try:
            quoted = await quoted_message(db, ticket, quote)
        except ReplyRefused:
            quoted = None
    return {
        "ticket": ticket,
        "options": options,
        "free_reply": free_reply,
        "free_reply_refusal": _refusal_text(free_reply, listing),
        "listing": listing,
        "template": template,
        "values": values,
        "preview": _preview(template, values) if template else "",
        "quoted_message": quoted,
        "accept": _accept(options),
        "caption_max": MAX_CAPTION,
        "reply_max": MAX_BODY,
        "errors": {},
        "texts": {},
    }


async def _answer(
    request: Request,
    db: AsyncSession,
    principal: Principal,
    context: dict[str, Any],
    status_code: int = 200,
) -> Template:
    if is_htmx(request):
        return render(
            request, "inbox/_compose.html", context, principal=principal, status_code=status_code
        )
    return await render_page(
        request, db, principal, "inbox/compose.html", context, status_code=status_code
    )


async def _reply(
    request: Request,
    db: AsyncSession,
    rt: Runtime,
    principal: Principal,
    ticket: Ticket,
    form: str,
    queue: Callable[[], Awaitable[tuple[Message, OutboxItem]]],
    **shown_again: Any,
) -> Response[Any]:
    """What every reply form answers: the queued message (sent on by a job), or the refusal's
    reason in the form (`shown_again`: what `_refused` fills the form with again)."""
    try:
        message, item = await queue()
    except ReplyRefused as exc:
        return await _refused(request, db, rt, principal, ticket, form, str(exc), **shown_again)
    return await _queued(request, db, rt, principal, ticket, message, item.id)


async def _upload(file: Any, limit: int) -> Upload:
    """The form's file as an upload, read to at most `limit` bytes; ReplyRefused without one
    or past the limit (the channel's own rules are checked when it is queued)."""
    if not isinstance(file, UploadFile) or not file.filename:
        raise ReplyRefused("file_missing")
    if _size(file) > limit:
        raise ReplyRefused("file_too_big")
    return Upload(
        content=await file.read(limit + 1),
        filename=file.filename[:1000],
        declared_type=(file.content_type or "")[:200] or None,
    )


async def _refused(
    request: Request,
    db: AsyncSession,
    rt: Runtime,
    principal: Principal,
    ticket: Ticket,
    form: str,
    reason: str,
    *,
    chosen: str | None = None,
    quote: int | None = None,
    data: dict[str, Any] | None = None,
) -> Response[Any]:
    await db.rollback()  # nothing of a refused reply stays
    lang = language_of(request, principal)
    text = i18n.translate(REFUSALS.get(reason, "errpage.400"), lang, max=MAX_BODY)
    if is_htmx(request):
        headers = {"HX-Retarget": f"#{form}-error", "HX-Reswap": "innerHTML"}
        return render(
            request,
            "_flash.html",
            {"text": text},
            principal=principal,
            status_code=HTTP_400_BAD_REQUEST,
            headers=headers,
        )
    context = await _compose_context(
        db,
        rt,
        ticket,
        want_templates=form == "template",
        chosen=chosen,
        values=_values(data or {}),
        quote=quote,
    )
    context["errors"] = {form: text}
    context["texts"] = {form: _field(data or {}, "body")[:MAX_BODY]}
    return await _answer(request, db, principal, context, status_code=HTTP_400_BAD_REQUEST)


async def _queued(
    request: Request,
    db: AsyncSession,
    rt: Runtime,
    principal: Principal,
    ticket: Ticket,
    message: Message,
    item_id: int,
) -> Response[Any]:
    await db.commit()
    await enqueue_or_leave_to_sweep(
        rt.jobs, "send_outbox_item", item_id, job_id=f"outbox:{item_id}"
    )
    await notify.timeline_grew(rt, ticket, message.id)  # live: other open pages show it
    if not is_htmx(request):
        return see_other(f"/tickets/{ticket.id}#m{message.id}")
    await db.refresh(message, ["attachments", "author"])
    quoted: dict[str, Message] = {}
    if message.reply_to_external_id:
        target = await db.scalar(
            select(Message).where(
                Message.ticket_id == ticket.id,
                Message.external_id == message.reply_to_external_id,
            )
        )
        if target is not None:
            quoted[message.reply_to_external_id] = target
    context = {"ticket": ticket, "m": message, "quoted": quoted, "refresh_status": True}
    return render(request, "inbox/_message.html", context, principal=principal)


def _refusal_text(
    decided: first_contact.FreeReply, listing: TemplateList | None
) -> tuple[str, dict[str, Any]] | None:
    """The catalogue key and values saying why a free reply is refused, so the admin knows
    what to set (the template renders it in the page's language); None when not refused."""
    if decided.way != first_contact.Way.refused:
        return None
    wanted = decided.template
    if decided.problem == first_contact.NOT_NAMED:
        return "compose.free_refused.not_named", {}
    if wanted is None or decided.problem not in _REFUSAL_PROBLEMS:
        # A refusal this box has no words for: the rule's own reason, as the timeline shows it.
        return "compose.free_refused.other", {"reason": decided.reason}
    listed = listing.find(wanted.name, wanted.language) if listing is not None else None
    return f"compose.free_refused.{decided.problem}", {
        "name": wanted.name,
        "language": wanted.language,
        "fields": ", ".join(wanted.fields) or "-",
        "given": len(wanted.fields),
        "count": len(listed.parameters) if listed is not None else 0,
        "why": (listed.reason or listed.status) if listed is not None else "",
        "unknown": ", ".join(first_contact.unknown_fields(wanted.fields)),
        "known": ", ".join(first_contact.FIELDS),
    }


def _find(listing: TemplateList | None, chosen: str | None) -> MessageTemplate | None:
    if listing is None or not chosen or len(chosen) > 600:
        return None
    name, _, language = chosen.partition("|")
    found = listing.find(name, language)
    return found if found is not None and found.usable else None


def _preview(template: MessageTemplate | None, values: list[str]) -> str:
    if template is None:
        return ""
    shown = [
        " ".join(v.split()) or f"{{{{{name}}}}}"
        for name, v in zip(
            template.parameters,
            [*values, *([""] * len(template.parameters))],
            strict=False,
        )
    ]
    return fill(template, shown)


def _values(data: Any) -> list[str]:
    """`p1`, `p2`… of a form or query, in order, as text (missing ones empty)."""
    found: list[str] = []
    for index in range(1, 21):
        value = data.get(f"p{index}") if hasattr(data, "get") else None
        if value is None:
            break
        found.append(value if isinstance(value, str) else "")
    return [v[:MAX_FIELD] for v in found]


def _field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def _as_id(value: str | None) -> int | None:
    if not value or len(value) > 18 or not value.isdigit():
        return None
    return int(value)


def _size(file: UploadFile) -> int:
    handle = file.file
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def _accept(options: ReplyOptions) -> str:
    return ",".join(sorted({t for rule in options.media for t in rule.mime_types}))
