"""SP4N-LAPOR in the inbox: the report panel on a ticket (tracking ID, anonymity,
confidentiality, LAPOR's clocks, follow-ups still pending) and the import page for offices
without API access (`GET /lapor/import`, `POST /lapor/import/file`, `POST /lapor/import/paste`).
The rules live in helpdesk (confidentiality, external_deadlines, imports); this only renders."""

from __future__ import annotations

from typing import Annotated, Any

from jinja2 import Environment
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Template
from msgspec import Struct
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ImportProblem
from helpdesk import confidentiality, external_deadlines, imports, status_reports
from helpdesk.auth import Principal
from helpdesk.runtime import Runtime
from inbox.web import render_page, require_principal

MAX_UPLOAD = 6 * 1024 * 1024  # the channel refuses files over 5 MB with a clear reason


def install(env: Environment) -> None:
    """Template helpers: `subject_of(principal, ticket)`, `may_read(principal, ticket)`,
    `lapor_clocks(ticket)`, `lapor_unsent(messages)` (follow-ups and status reports LAPOR
    has not accepted yet, apart)."""
    env.globals["subject_of"] = confidentiality.subject_for
    env.globals["may_read"] = confidentiality.may_read
    env.globals["lapor_clocks"] = external_deadlines.views
    env.globals["lapor_unsent"] = status_reports.unsent


class FileForm(Struct):
    account: int = 0
    file: UploadFile | None = None


class PasteForm(Struct):
    account: int = 0
    ref: str = ""
    title: str = ""
    text: str = ""
    forwarded_at: str = ""
    name: str = ""
    anonymous: str = ""
    confidential: str = ""


class LaporController(Controller):
    path = "/lapor"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    async def _page(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        result: imports.ImportResult | None = None,
        status_code: int = 200,
    ) -> Template:
        accounts = await imports.importable_accounts(db, rt, principal)
        context = {"accounts": accounts, "result": result, "problems": _problems(result)}
        return await render_page(
            request, db, principal, "inbox/lapor_import.html", context, status_code=status_code
        )

    @get("/import")
    async def import_page(
        self, request: Request, db: AsyncSession, rt: Runtime, principal: Principal
    ) -> Template:
        return await self._page(request, db, rt, principal)

    @post("/import/file", status_code=200, request_max_body_size=MAX_UPLOAD)
    async def import_file(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        data: Annotated[FileForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        if data.file is None:
            result = imports.ImportResult(problems=[ImportProblem(0, "no file chosen")])
        else:
            content = await data.file.read()
            result = await self._run(
                db,
                rt,
                imports.import_file(
                    db, rt, principal, data.account, content, data.file.filename or ""
                ),
            )
        return await self._page(request, db, rt, principal, result, _status(result))

    @post("/import/paste", status_code=200)
    async def import_paste(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        data: Annotated[PasteForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        fields = {
            "title": data.title[:200],
            "forwarded_at": data.forwarded_at[:40],
            "name": data.name[:200],
            "anonymous": "ya" if data.anonymous else "",
            "confidential": "ya" if data.confidential else "",
        }
        result = await self._run(
            db,
            rt,
            imports.import_pasted(
                db, rt, principal, data.account, data.ref[:60], data.text, fields
            ),
        )
        return await self._page(request, db, rt, principal, result, _status(result))

    async def _run(self, db: AsyncSession, rt: Runtime, pending: Any) -> imports.ImportResult:
        try:
            result: imports.ImportResult = await pending
        except imports.ImportRefused as exc:
            raise NotFoundException("no such LAPOR account") from exc
        await db.commit()
        imports.wake(rt, result)
        return result


def _status(result: imports.ImportResult) -> int:
    return 400 if result.problems and not result.added and not result.duplicates else 200


def _problems(result: imports.ImportResult | None) -> list[ImportProblem]:
    return list(result.problems) if result else []
