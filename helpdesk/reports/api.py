"""`GET /api/v1/reports/{office}/daily?date=YYYY-MM-DD` and `/monthly?month=YYYY-MM`, as JSON,
or with `.xlsx` / `.pdf` the files (DESIGN.md section 6). `{office}` is an office code, or `all`
for every office the token's user sees (a superuser: every office)."""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Controller, Response, get
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.reports.access import report_offices
from helpdesk.reports.figures import build_report
from helpdesk.reports.periods import BadPeriod, Period, parse_day, parse_month
from helpdesk.web.deps import provide_api_principal
from helpdesk.web.errors import ApiError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _report(db: AsyncSession, principal: Principal, office: str, period: Period) -> dict:
    offices = await report_offices(db, principal, office)
    if not offices:
        raise ApiError(404, "not_found", "no such office")
    return await build_report(db, offices, period)


def _period(kind: str, value: str | None) -> Period:
    try:
        return parse_day(value) if kind == "daily" else parse_month(value)
    except BadPeriod as exc:
        raise ApiError(400, "bad_period", str(exc)) from exc


def render_xlsx(report: dict[str, Any]) -> bytes:
    # Imported on the first download, not at every start: openpyxl takes ~35 ms to import,
    # time a new process otherwise spends before it reads its first mail (bench/email_ingest).
    from helpdesk.reports.xlsx import report_xlsx

    return report_xlsx(report)


def render_pdf(report: dict[str, Any]) -> bytes:
    # Imported on the first download, as render_xlsx: reportlab takes ~55 ms to import.
    from helpdesk.reports.pdf import report_pdf

    return report_pdf(report)


def file_response(content: bytes, media_type: str, name: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def file_name(office: str, period: Period, ext: str) -> str:
    safe = "".join(c for c in office if c.isalnum() or c in "-_") or "kantor"
    return f"laporan-{safe}-{period.key}.{ext}"


class ReportsApi(Controller):
    path = "/api/v1/reports"
    tags: ClassVar[list[str]] = ["reports"]
    dependencies: ClassVar[dict[str, Provide]] = {"principal": Provide(provide_api_principal)}

    @get("/{office:str}/daily")
    async def daily(
        self, db: AsyncSession, principal: Principal, office: str, date: str | None = None
    ) -> dict[str, Any]:
        return await _report(db, principal, office, _period("daily", date))

    @get("/{office:str}/monthly")
    async def monthly(
        self, db: AsyncSession, principal: Principal, office: str, month: str | None = None
    ) -> dict[str, Any]:
        return await _report(db, principal, office, _period("monthly", month))

    @get("/{office:str}/daily.xlsx")
    async def daily_xlsx(
        self, db: AsyncSession, principal: Principal, office: str, date: str | None = None
    ) -> Response[bytes]:
        period = _period("daily", date)
        report = await _report(db, principal, office, period)
        return file_response(render_xlsx(report), XLSX, file_name(office, period, "xlsx"))

    @get("/{office:str}/monthly.xlsx")
    async def monthly_xlsx(
        self, db: AsyncSession, principal: Principal, office: str, month: str | None = None
    ) -> Response[bytes]:
        period = _period("monthly", month)
        report = await _report(db, principal, office, period)
        return file_response(render_xlsx(report), XLSX, file_name(office, period, "xlsx"))

    @get("/{office:str}/daily.pdf")
    async def daily_pdf(
        self, db: AsyncSession, principal: Principal, office: str, date: str | None = None
    ) -> Response[bytes]:
        period = _period("daily", date)
        report = await _report(db, principal, office, period)
        return file_response(
            render_pdf(report), "application/pdf", file_name(office, period, "pdf")
        )

    @get("/{office:str}/monthly.pdf")
    async def monthly_pdf(
        self, db: AsyncSession, principal: Principal, office: str, month: str | None = None
    ) -> Response[bytes]:
        period = _period("monthly", month)
        report = await _report(db, principal, office, period)
        return file_response(
            render_pdf(report), "application/pdf", file_name(office, period, "pdf")
        )
