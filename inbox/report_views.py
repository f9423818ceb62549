"""`/reports`: the daily recap and monthly report in the inbox, their XLSX/PDF files, and the
register book (`/reports/register`), printable and exportable. Figures come from
`helpdesk.reports`; this module only picks the period and renders."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import register_book
from helpdesk.auth import Principal
from helpdesk.models import Office, utcnow
from helpdesk.reports import charts
from helpdesk.reports.access import ALL, report_offices
from helpdesk.reports.api import XLSX, file_name, file_response, render_pdf, render_xlsx
from helpdesk.reports.figures import build_report
from helpdesk.reports.periods import (
    BadPeriod,
    Period,
    day,
    local_today,
    month,
    parse_day,
    parse_month,
)
from helpdesk.tickets import offices_of
from inbox.web import render_page, require_principal

KINDS = ("monthly", "daily")


def _period(kind: str, value: str | None, office: Office | None) -> Period:
    zone = office.timezone if office else "Asia/Jakarta"
    if not value:
        today = local_today(zone, utcnow())
        return day(today) if kind == "daily" else month(today)
    try:
        return parse_day(value) if kind == "daily" else parse_month(value)
    except BadPeriod as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc


async def _scope(db: AsyncSession, principal: Principal, code: str) -> list[Office]:
    offices = await report_offices(db, principal, code)
    if not offices:
        raise NotFoundException("no such office")
    return offices


def _chart_set(report: dict[str, Any]) -> dict[str, str]:
    found = {
        "channel": charts.bars("Kanal", [(r["label"], r["count"]) for r in report["by_channel"]]),
        "category": charts.bars(
            "Kategori", [(r["label"], r["count"]) for r in report["by_category"]]
        ),
        "compliance": charts.bars(
            "% tepat waktu",
            [(s["label"], int(s["share_met"] or 0)) for s in report["sop_compliance"]],
        ),
    }
    if report.get("by_day"):
        found["days"] = charts.columns("Per hari", report["by_day"])
    return found


class ReportController(Controller):
    path = "/reports"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/")
    async def page(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        office: str | None = None,
        kind: str = "monthly",
        period: str | None = None,
    ) -> Template:
        mine = await offices_of(db, principal)
        if not mine:
            raise NotFoundException("no office")
        code = office or (ALL if principal.is_superuser and len(mine) > 1 else mine[0].code)
        offices = await _scope(db, principal, code)
        kind = kind if kind in KINDS else "monthly"
        chosen = _period(kind, period, offices[0])
        report = await build_report(db, offices, chosen)
        return await render_page(
            request,
            db,
            principal,
            "reports/report.html",
            {
                "report": report,
                "charts": _chart_set(report),
                "code": code,
                "kind": kind,
                "period_value": chosen.key,
                "choices": mine,
                "show_all": len(mine) > 1,
            },
        )

    @get("/{office:str}/{name:str}")
    async def download(
        self,
        db: AsyncSession,
        principal: Principal,
        office: str,
        name: str,
        period: str | None = None,
    ) -> Response[bytes]:
        kind, _, ext = name.partition(".")
        if kind not in KINDS or ext not in ("xlsx", "pdf"):
            raise NotFoundException("no such file")
        offices = await _scope(db, principal, office)
        chosen = _period(kind, period, offices[0])
        report = await build_report(db, offices, chosen)
        if ext == "xlsx":
            return file_response(render_xlsx(report), XLSX, file_name(office, chosen, "xlsx"))
        return file_response(
            render_pdf(report), "application/pdf", file_name(office, chosen, "pdf")
        )


class RegisterController(Controller):
    path = "/register"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/")
    async def book(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        office: str | None = None,
        period: str | None = None,
    ) -> Template:
        mine = await offices_of(db, principal)
        chosen_office = next((o for o in mine if o.code == office), None) if office else None
        chosen_office = chosen_office or (mine[0] if mine and not office else None)
        if chosen_office is None:
            raise NotFoundException("no such office")
        chosen = _period("monthly", period, chosen_office)
        items = await register_book.entries(db, chosen_office, chosen, principal)
        return await render_page(
            request,
            db,
            principal,
            "reports/register.html",
            {
                "office": chosen_office,
                "period": chosen,
                "rows": register_book.rows_of(items, chosen_office),
                "columns": register_book.COLUMNS,
                "choices": mine,
                "title": register_book.title(chosen_office, chosen),
            },
        )

    @get("/{office:str}/{name:str}")
    async def download(
        self,
        db: AsyncSession,
        principal: Principal,
        office: str,
        name: str,
        period: str | None = None,
    ) -> Response[bytes]:
        mine = await offices_of(db, principal)
        chosen_office = next((o for o in mine if o.code == office), None)
        if chosen_office is None or name not in ("book.xlsx", "book.pdf"):
            raise NotFoundException("no such file")
        chosen = _period("monthly", period, chosen_office)
        items = await register_book.entries(db, chosen_office, chosen, principal)
        base = f"register-{chosen_office.code}-{chosen.key}"
        if name == "book.xlsx":
            content = register_book.book_xlsx(chosen_office, chosen, items)
            return file_response(content, XLSX, f"{base}.xlsx")
        content = register_book.book_pdf(chosen_office, chosen, items)
        return file_response(content, "application/pdf", f"{base}.pdf")


REPORT_ROUTES: list[Any] = [ReportController, RegisterController]
