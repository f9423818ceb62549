"""The ticket page's workflow side: SOP actions, labels and canned answers.

Actions go through `helpdesk.workflow.engine.apply_action`, the same rules as
`POST /api/v1/tickets/{id}/actions`: 403 when the user's role may not take the action, 409 when
the ticket's step does not have it (or moved on since the page was drawn), 422 for bad fields;
nothing changes on refusal. With htmx the answer is the re-drawn ticket page, of which the form
selects `#ticket-body`; an error is a fragment retargeted beside the form.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import canned, desk, labels, notify
from helpdesk.auth import Principal
from helpdesk.jobs.queue import enqueue_or_leave_to_sweep
from helpdesk.models import CannedAnswer, Office, Ticket, utcnow
from helpdesk.outbox import MAX_BODY
from helpdesk.runtime import Runtime
from helpdesk.tickets import get_ticket
from helpdesk.workflow import clock, engine
from helpdesk.workflow.engine import ActionError, WrongStep, apply_action
from inbox import i18n
from inbox.messages import CATALOGUE
from inbox.web import is_htmx, language_of, render, require_principal, see_other

FORM_META = ("_csrf_token", "_step", "_from")
MAX_FIELDS = 20
MAX_FORM_TEXT = engine.MAX_TEXT + 96  # what the engine accepts; more is refused before it
ERROR_KEYS = {403: "sop.refused_role", 409: "sop.refused_step", 422: "sop.refused_fields"}
LABEL_ERRORS = {
    "empty": "labels.error_empty",
    "too_long": "labels.error_too_long",
    "bad_chars": "labels.error_bad_chars",
    "too_many": "labels.error_too_many",
    "not_staff": "errpage.403",
}
AUDIT_KEYS = frozenset(k for k in CATALOGUE if k.startswith("audit."))


def category_labels(lang: str) -> dict[str, str]:
    """Category value -> its label in `lang` (the inbox list's catalogue entries, else the
    SOP engine's Indonesian label)."""
    return {
        value: i18n.translate(key, lang)
        if (key := f"inbox.category.{value}") in CATALOGUE
        else label
        for value, label in engine.CATEGORY_LABELS.items()
    }


async def visible_ticket(db: AsyncSession, principal: Principal, ticket_id: int) -> Ticket:
    ticket = await get_ticket(db, principal, ticket_id)
    if ticket is None:  # the same answer whether it exists elsewhere or not at all
        raise NotFoundException("no such ticket")
    return ticket


async def panels(
    db: AsyncSession, principal: Principal, ticket: Ticket, lang: str
) -> dict[str, Any]:
    """The side column's context: SOP step and deadline, actions, assignment, labels, history;
    and the main column's consultation thread and canned answers."""
    step = engine.current_step(ticket)
    actions = engine.actions_for(ticket, principal)
    office = ticket.office
    contact_name = ticket.contact.name if ticket.contact else ""
    answers = await canned.for_office(db, office.id)
    return {
        "step": step,
        "deadline": clock.deadline_json(ticket, utcnow()),
        "sop_actions": [a for a in actions if a.name not in desk.BUILTIN_ACTIONS],
        "may_assign": any(a.name == "assign" for a in actions),
        "category_action": next((a for a in actions if a.name == "set_category"), None),
        "ooa_reason": engine.out_of_authority_reason(ticket),  # closed as another agency's
        "category_labels": category_labels(lang),
        "staff": await desk.office_staff(db, office.id),
        "ticket_labels": await labels.labels_of(db, ticket),
        "office_labels": await labels.office_labels(db, office.id),
        "may_label": principal.role_in(ticket.office_id) is not None,
        "threads": await desk.consultations(db, ticket.id),
        "history": await desk.history(db, ticket.id),
        "canned": [(a, canned.fill(a.body, ticket, office, contact_name)) for a in answers],
        "may_manage_canned": canned.may_manage(principal, office.id),
        "audit_keys": AUDIT_KEYS,
    }


def form_fields(form: FormMultiDict) -> dict[str, Any]:
    """The action's fields from a form: one value as text, repeated ones (checkboxes) as a
    list. Framework fields are left out; too many or too long fields are refused."""
    data: dict[str, Any] = {}
    for key in form:
        if key in FORM_META:
            continue
        values = [v for v in form.getall(key) if isinstance(v, str)]
        if len(data) >= MAX_FIELDS or len(values) > MAX_FIELDS:
            raise engine.Invalid("too many fields")
        if any(len(v) > MAX_FORM_TEXT for v in values):
            raise engine.Invalid(f"{key}: longer than {MAX_FORM_TEXT} characters")
        data[key] = values[0] if len(values) == 1 else values
    return data


def _text(form: FormMultiDict, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


class SopController(Controller):
    path = "/"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @post("/tickets/{ticket_id:int}/actions/{name:str}", status_code=200)
    async def act(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        name: str,
    ) -> Response[Any]:
        ticket = await visible_ticket(db, principal, ticket_id)
        form = await request.form()
        from_queue = _text(form, "_from") == "queue"
        drawn_at = _text(form, "_step")
        try:
            data = form_fields(form)
            if drawn_at and drawn_at != ticket.step:
                raise WrongStep(
                    f"the ticket moved on from step {drawn_at!r} to {ticket.step!r} since this "
                    "page was drawn"
                )
            applied = await apply_action(db, ticket, principal, name[:64], data)
        except ActionError as exc:
            await db.rollback()
            return await self._refused(request, db, principal, ticket_id, name, exc, from_queue)
        await db.commit()
        await notify.ticket_changed(rt, ticket_id)  # live: the list and open pages move it
        for item_id in applied.outbox_items:
            await enqueue_or_leave_to_sweep(
                rt.jobs, "send_outbox_item", item_id, job_id=f"outbox:{item_id}"
            )
        db.expire_all()
        ticket = await visible_ticket(db, principal, ticket_id)
        if from_queue:
            if not is_htmx(request):
                return see_other("/officials")
            step = engine.current_step(ticket)
            context = {"ticket": ticket, "step": step}
            return render(request, "officials/_decided.html", context, principal=principal)
        if not is_htmx(request):
            return see_other(f"/tickets/{ticket.id}#sop-panel")
        from inbox.ticket_views import ticket_page

        return await ticket_page(request, db, principal, ticket)

    async def _refused(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        ticket_id: int,
        name: str,
        exc: ActionError,
        from_queue: bool,
    ) -> Response[Any]:
        lang = language_of(request, principal)
        text = i18n.translate(ERROR_KEYS.get(exc.status, "sop.refused_fields"), lang)
        message = f"{text} ({exc.detail})"
        ticket = await visible_ticket(db, principal, ticket_id)
        # Beside the form when the page shows one for this action, else in the panel's slot.
        offered = {a.name for a in engine.actions_for(ticket, principal)}
        slot = f"act-{name}-error" if name in offered else "sop-error"
        if from_queue:
            slot = f"q{ticket_id}-{slot}"
        if is_htmx(request):
            headers = {
                "HX-Retarget": f"#{slot}",
                "HX-Reswap": "innerHTML",
                "HX-Reselect": ".form-error",
            }
            return render(
                request,
                "_flash.html",
                {"text": message},
                principal=principal,
                status_code=exc.status,
                headers=headers,
            )
        if from_queue:
            from inbox.officials_views import queue_page

            return await queue_page(request, db, principal, {slot: message}, exc.status)
        from inbox.ticket_views import ticket_page

        return await ticket_page(
            request, db, principal, ticket, action_errors={slot: message}, status_code=exc.status
        )

    # -- labels ------------------------------------------------------------------------------
    @post("/tickets/{ticket_id:int}/labels", status_code=200)
    async def add_label(
        self, request: Request, db: AsyncSession, rt: Runtime, principal: Principal, ticket_id: int
    ) -> Response[Any]:
        ticket = await visible_ticket(db, principal, ticket_id)
        form = await request.form()
        try:
            await labels.add_label(db, ticket, principal, _text(form, "name")[:200])
        except labels.LabelRefused as exc:
            await db.rollback()
            status = 403 if str(exc) == "not_staff" else 400
            key = LABEL_ERRORS.get(str(exc), "errpage.400")
            return await self._label_answer(request, db, principal, ticket_id, key, status)
        await db.commit()
        await notify.ticket_changed(rt, ticket_id)  # live: open lists recount their labels
        return await self._label_answer(request, db, principal, ticket_id)

    @post("/tickets/{ticket_id:int}/labels/{label_id:int}/remove", status_code=200)
    async def remove_label(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
        label_id: int,
    ) -> Response[Any]:
        ticket = await visible_ticket(db, principal, ticket_id)
        try:
            await labels.remove_label(db, ticket, principal, label_id)
        except labels.LabelRefused:
            await db.rollback()
            return await self._label_answer(request, db, principal, ticket_id, "errpage.403", 403)
        await db.commit()
        await notify.ticket_changed(rt, ticket_id)  # live: as above
        return await self._label_answer(request, db, principal, ticket_id)

    async def _label_answer(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        ticket_id: int,
        error_key: str | None = None,
        status: int = 200,
    ) -> Response[Any]:
        if not is_htmx(request):
            if error_key is None:
                return see_other(f"/tickets/{ticket_id}#labels")
            from inbox.ticket_views import ticket_page

            ticket = await visible_ticket(db, principal, ticket_id)
            lang = language_of(request, principal)
            errors = {"label-error": i18n.translate(error_key, lang)}
            return await ticket_page(
                request, db, principal, ticket, action_errors=errors, status_code=status
            )
        db.expire_all()
        ticket = await visible_ticket(db, principal, ticket_id)
        lang = language_of(request, principal)
        context = {
            "ticket": ticket,
            "ticket_labels": await labels.labels_of(db, ticket),
            "office_labels": await labels.office_labels(db, ticket.office_id),
            "may_label": principal.role_in(ticket.office_id) is not None,
            "action_errors": {"label-error": i18n.translate(error_key, lang)} if error_key else {},
        }
        return render(
            request, "inbox/_labels.html", context, principal=principal, status_code=status
        )

    # -- canned answers into the reply box ---------------------------------------------------
    @get("/tickets/{ticket_id:int}/canned")
    async def canned_into_reply(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        ticket_id: int,
        canned_id: str = "",
        typed: Annotated[str, QueryParameter(name="body")] = "",  # `body` is a reserved name
    ) -> Template:
        """The reply box's textarea with the chosen canned answer, variables filled in, added
        after what the admin had typed. Without JavaScript (the picker's own form, no htmx) the
        whole ticket page, its reply box holding the answer."""
        ticket = await visible_ticket(db, principal, ticket_id)
        text = typed[:MAX_BODY]
        if canned_id:
            if not canned_id.isdigit() or len(canned_id) > 18:
                raise NotFoundException("no such canned answer")
            answer = await db.get(CannedAnswer, int(canned_id))
            if answer is None or answer.office_id != ticket.office_id:
                raise NotFoundException("no such canned answer")
            office = await db.get_one(Office, ticket.office_id)
            filled = canned.fill(answer.body, ticket, office, ticket.contact.name or "")
            text = f"{text.rstrip()}\n\n{filled}" if text.strip() else filled
        if not is_htmx(request):
            from inbox.ticket_views import ticket_page

            return await ticket_page(
                request, db, principal, ticket, form_texts={"reply": text[:MAX_BODY]}
            )
        context = {"ticket": ticket, "text": text[:MAX_BODY], "reply_max": MAX_BODY}
        return render(request, "inbox/_reply_body.html", context, principal=principal)
