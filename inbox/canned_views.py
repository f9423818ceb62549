"""An office's canned answers, kept by its admins: list, add, delete.

- `GET /canned?office=CODE`, `POST /canned` (office, title, body), `POST /canned/{id}/delete`
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import canned
from helpdesk.auth import Principal
from helpdesk.models import CannedAnswer, Office
from helpdesk.outbox import MAX_BODY
from helpdesk.tickets import offices_of
from inbox import i18n
from inbox.web import language_of, render_page, require_principal, see_other


async def _managed(db: AsyncSession, principal: Principal) -> list[Office]:
    return [o for o in await offices_of(db, principal) if canned.may_manage(principal, o.id)]


async def _page(
    request: Request,
    db: AsyncSession,
    principal: Principal,
    office_code: str | None,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    offices = await _managed(db, principal)
    if not offices:
        raise PermissionDeniedException("only an office's admins keep its canned answers")
    office = next((o for o in offices if o.code == office_code), offices[0])
    context: dict[str, Any] = {
        "managed": offices,
        "office": office,
        "answers": await canned.for_office(db, office.id),
        "values": values or {},
        "error": error,
        "body_max": MAX_BODY,
        "variable_names": ", ".join("{" + v + "}" for v in canned.VARIABLES),
    }
    return await render_page(
        request, db, principal, "inbox/canned.html", context, status_code=status_code
    )


class CannedController(Controller):
    path = "/canned"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/")
    async def index(
        self, request: Request, db: AsyncSession, principal: Principal, office: str | None = None
    ) -> Template:
        return await _page(request, db, principal, (office or "")[:40])

    @post("/", status_code=200)
    async def add(self, request: Request, db: AsyncSession, principal: Principal) -> Response[Any]:
        form = await request.form()
        values = {
            k: v if isinstance(v := form.get(k), str) else "" for k in ("office", "title", "body")
        }
        offices = {o.code: o for o in await _managed(db, principal)}
        office = offices.get(values["office"])
        if office is None:
            raise PermissionDeniedException("not an office whose canned answers you keep")
        code = office.code  # read before a rollback expires it
        try:
            if len(values["title"]) > 4 * canned.MAX_TITLE or len(values["body"]) > 2 * MAX_BODY:
                raise canned.CannedRefused("body_too_long")
            await canned.create(db, office, principal, values["title"], values["body"])
        except canned.CannedRefused as exc:
            await db.rollback()
            lang = language_of(request, principal)
            error = i18n.translate(f"canned.error_{exc}", lang)
            echo = {"title": values["title"][:200], "body": values["body"][:MAX_BODY]}
            return await _page(request, db, principal, code, echo, error, 400)
        await db.commit()
        return see_other(f"/canned?office={code}")

    @post("/{answer_id:int}/delete", status_code=200)
    async def remove(
        self, request: Request, db: AsyncSession, principal: Principal, answer_id: int
    ) -> Response[Any]:
        answer = await db.get(CannedAnswer, answer_id)
        office = await db.get(Office, answer.office_id) if answer else None
        if answer is None or office is None or not canned.may_manage(principal, office.id):
            raise NotFoundException("no such canned answer")
        await canned.delete(db, principal, answer_id)
        await db.commit()
        return see_other(f"/canned?office={office.code}")
