"""Customer service: register a complaint received at the counter (tatap muka) or by phone
(call centre) into the same inbox, and its printable receipt (tanda terima).

- `GET /cs` the form; `POST /cs` registers (`helpdesk.walk_in.register`) and redirects to
- `GET /cs/receipt/{ticket_id}` the receipt, printable; sending it to the citizen's WhatsApp or
  email happens at registration, through the outbox, where the office has such an account.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from helpdesk import notify, walk_in
from helpdesk.auth import Principal
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.models import Category, Direction, Message, Office
from helpdesk.runtime import Runtime
from helpdesk.tickets import get_ticket, offices_of
from inbox import i18n
from inbox.sop_views import category_labels
from inbox.web import language_of, render_page, require_principal, see_other

FIELDS = ("office", "channel", "name", "phone", "email", "nik", "category", "text")
MAX_FIELD = 2 * walk_in.MAX_TEXT  # anything longer is refused before it is looked at


async def _desk_offices(db: AsyncSession, principal: Principal) -> list[Office]:
    return [o for o in await offices_of(db, principal) if walk_in.may_register(principal, o.id)]


async def _form_page(
    request: Request,
    db: AsyncSession,
    principal: Principal,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    offices = await _desk_offices(db, principal)
    reach = {o.id: sorted(await walk_in.receipt_accounts(db, o.id)) for o in offices}
    context: dict[str, Any] = {
        "desk_offices": offices,
        "receipt_kinds": sorted({kind for kinds in reach.values() for kind in kinds}),
        "values": values or {"channel": walk_in.COUNTER, "category": Category.other.value},
        "errors": errors or {},
        "channels": walk_in.CHANNELS,
        "categories": category_labels(language_of(request, principal)),
        "text_max": walk_in.MAX_TEXT,
    }
    return await render_page(
        request, db, principal, "cs/register.html", context, status_code=status_code
    )


class CustomerServiceController(Controller):
    path = "/cs"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/")
    async def form(self, request: Request, db: AsyncSession, principal: Principal) -> Template:
        return await _form_page(request, db, principal)

    @post("/", status_code=200)
    async def register(
        self, request: Request, db: AsyncSession, rt: Runtime, principal: Principal
    ) -> Response[Any]:
        form = await request.form()
        raw = {k: form.get(k) for k in FIELDS}
        values = {k: v if isinstance(v, str) else "" for k, v in raw.items()}
        lang = language_of(request, principal)
        offices = {o.code: o for o in await _desk_offices(db, principal)}
        office = offices.get(values["office"]) or (
            next(iter(offices.values())) if len(offices) == 1 and not values["office"] else None
        )
        if office is None:
            error = "cs.error_office" if offices else "errpage.403"
            errors = {"office": i18n.translate(error, lang)}
            return await _form_page(request, db, principal, _echo(values), errors, 403)
        too_long = [k for k, v in values.items() if len(v) > MAX_FIELD]
        try:
            if too_long:
                raise walk_in.Refused(too_long[0], "too_long")
            complaint = walk_in.InPerson(
                channel=values["channel"],
                name=values["name"],
                text=values["text"],
                category=values["category"] or Category.other.value,
                phone=values["phone"],
                email=values["email"],
                nik=values["nik"],
            )
            ticket = await walk_in.register(db, office, principal, complaint)
        except walk_in.Refused as exc:
            await db.rollback()
            key = f"cs.error_{exc.field}_{exc.code}"
            text = i18n.translate(key if key in i18n.CATALOGUE else "errpage.400", lang)
            return await _form_page(request, db, principal, _echo(values), {exc.field: text}, 400)
        accounts = await walk_in.receipt_accounts(db, office.id)
        when = i18n.format_datetime(ticket.created_at, office.timezone, "id")
        body = walk_in.receipt_text(office, ticket, " ".join(values["name"].split()), when)
        queued: list[int] = []
        for kind in ("whatsapp", "email"):
            if form.get(f"send_{kind}") and kind in accounts:
                try:
                    item = await walk_in.queue_receipt(db, ticket, principal, accounts[kind], body)
                except walk_in.Refused:
                    continue  # no number/address for that channel was given
                queued.append(item.id)
        await db.commit()
        await notify.ticket_changed(rt, ticket.id)  # live: the new ticket shows in open lists
        for item_id in queued:
            await enqueue_or_leave_to_sweep(
                rt.jobs, "send_outbox_item", item_id, job_id=f"outbox:{item_id}"
            )
        return see_other(f"/cs/receipt/{ticket.id}")

    @get("/receipt/{ticket_id:int}")
    async def receipt(
        self, request: Request, db: AsyncSession, principal: Principal, ticket_id: int
    ) -> Template:
        ticket = await get_ticket(db, principal, ticket_id)
        if ticket is None:
            raise NotFoundException("no such ticket")
        first = await db.scalar(
            select(Message)
            .where(Message.ticket_id == ticket.id, Message.direction == Direction.inbound)
            .options(selectinload(Message.author))  # who took it down at the desk
            .order_by(Message.id)
            .limit(1)
        )
        sends = list(
            await db.scalars(
                select(Message)
                .where(Message.ticket_id == ticket.id, Message.direction == Direction.outbound)
                .order_by(Message.id)
            )
        )
        details = first.details if first is not None and isinstance(first.details, dict) else {}
        step, deadline = walk_in.next_steps(ticket.office, ticket)
        context = {
            "ticket": ticket,
            "question": first,
            "nik_masked": walk_in.mask_nik(str(details.get("nik", ""))),
            "name_given": str(details.get("name") or ""),
            "next_step": step,
            "deadline_label": deadline,
            "receipts": [m for m in sends if (m.details or {}).get("receipt")],
            "categories": category_labels(language_of(request, principal)),
        }
        return await render_page(request, db, principal, "cs/receipt.html", context)


def _echo(values: dict[str, str]) -> dict[str, str]:
    """What the form shows again after a refusal: cut to the fields' sizes."""
    return {k: v[: walk_in.MAX_TEXT if k == "text" else 254] for k, v in values.items()}


__all__ = ["CustomerServiceController"]
