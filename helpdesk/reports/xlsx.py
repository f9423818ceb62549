"""A report as an XLSX workbook (openpyxl): a summary sheet and one sheet per table group."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from helpdesk.reports.tables import Table, office_header, tables, title_of

BOLD = Font(bold=True)


def _safe(value: Any) -> Any:
    """openpyxl writes text starting with "=" as a formula: a citizen's words never are one."""
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


def write_tables(sheet: Any, heading: list[str], items: list[Table]) -> None:
    for line in heading:
        sheet.append([_safe(line)])
    sheet["A1"].font = Font(bold=True, size=13)
    for table in items:
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(sheet.max_row, 1).font = BOLD
        sheet.append([_safe(h) for h in table.header])
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        for row in table.rows:
            sheet.append([_safe(v) for v in row])
    for index in range(1, 8):
        sheet.column_dimensions[get_column_letter(index)].width = 34 if index == 1 else 16


def report_xlsx(report: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Laporan"
    all_tables = tables(report)
    heading = [office_header(report), title_of(report), f"Dibuat {report['generated_at']}"]
    write_tables(sheet, heading, all_tables[:6])
    sop = book.create_sheet("Kepatuhan SOP")
    write_tables(sop, [title_of(report)], all_tables[6:8])
    rest = book.create_sheet("Pejabat dan tren")
    write_tables(rest, [title_of(report)], all_tables[8:])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
