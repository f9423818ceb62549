"""A report as a PDF fit to print for the monthly meeting (reportlab, A4, the office's header)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from helpdesk.reports.tables import Table as ReportTable
from helpdesk.reports.tables import office_header, tables, title_of

WIDTH = A4[0] - 30 * mm
BLUE = colors.HexColor("#1f5f8b")
LIGHT = colors.HexColor("#9cc3dd")
STYLES = getSampleStyleSheet()
CELL = ParagraphStyle("cell", parent=STYLES["BodyText"], fontSize=8, leading=10)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")


def _step(top: int) -> int:
    """Whole-number ticks: counts of complaints have no halves."""
    return max(1, -(-top // 5))


def _hbar(title: str, items: Sequence[tuple[str, int]]) -> Drawing:
    items = list(items)[:10] or [("—", 0)]
    height = 30 + 16 * len(items)
    drawing = Drawing(WIDTH / 2 - 6, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 95, 10
    chart.width, chart.height = WIDTH / 2 - 120, height - 30
    chart.data = [[n for _, n in reversed(items)]]
    chart.categoryAxis.categoryNames = [
        (label if len(label) <= 18 else label[:17] + "…") for label, _ in reversed(items)
    ]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, max(n for _, n in items))
    chart.valueAxis.valueStep = _step(chart.valueAxis.valueMax)
    chart.bars[0].fillColor = BLUE
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(0, height - 10, title, fontName="Helvetica-Bold", fontSize=9))
    return drawing


def _per_day(days: Sequence[dict[str, Any]]) -> Drawing:
    drawing = Drawing(WIDTH, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 20, WIDTH - 40, 105
    chart.data = [[d["count"] for d in days], [d["resolved"] for d in days]]
    chart.categoryAxis.categoryNames = [
        d["day"][-2:] if i % 5 == 0 else "" for i, d in enumerate(days)
    ]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, max((d["count"] for d in days), default=1))
    chart.valueAxis.valueStep = _step(chart.valueAxis.valueMax)
    chart.bars[0].fillColor = BLUE
    chart.bars[1].fillColor = LIGHT
    chart.groupSpacing = 1
    drawing.add(chart)
    drawing.add(
        String(
            0,
            138,
            "Pengaduan per hari (gelap: masuk, terang: selesai)",
            fontName="Helvetica-Bold",
            fontSize=9,
        )
    )
    return drawing


def _table(table: ReportTable) -> Flowable:
    rows = [[Paragraph(escape(str(h)), HEAD) for h in table.header]]
    rows += [[Paragraph(escape(str(v)), CELL) for v in row] for row in table.rows]
    if len(rows) == 1:
        rows.append([Paragraph("—", CELL)] + [""] * (len(table.header) - 1))
    if len(table.header) == 7:  # SOP compliance: room for the late register numbers
        shares = [0.25, 0.12, 0.08, 0.10, 0.10, 0.09, 0.26]
    else:
        first = 0.34 if len(table.header) > 2 else 0.6
        rest = (1 - first) / max(1, len(table.header) - 1)
        shares = [first] + [rest] * (len(table.header) - 1)
    widths = [WIDTH * share for share in shares]
    grid = Table(rows, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return KeepTogether([Paragraph(escape(table.title), STYLES["Heading4"]), grid])


def report_pdf(report: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    heading = office_header(report)
    title = title_of(report)

    def page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(15 * mm, 10 * mm, f"{heading} — {title}")
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"Halaman {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=heading,
    )
    story: list[Flowable] = [
        Paragraph(escape(heading.upper()), STYLES["Title"]),
        Paragraph(escape(title), STYLES["Heading2"]),
        Paragraph(
            escape(
                f"Periode {report['period']['first_day']} s.d. {report['period']['last_day']}"
                f" (waktu setempat kantor). Dibuat {report['generated_at'][:16]} UTC."
            ),
            STYLES["BodyText"],
        ),
        Spacer(1, 4 * mm),
    ]
    charts = Table(
        [
            [
                _hbar("Menurut kanal", [(r["label"], r["count"]) for r in report["by_channel"]]),
                _hbar(
                    "Menurut kategori", [(r["label"], r["count"]) for r in report["by_category"]]
                ),
            ]
        ],
        colWidths=[WIDTH / 2, WIDTH / 2],
    )
    story.append(charts)
    if report.get("by_day"):
        story.append(_per_day(report["by_day"]))
    for table in tables(report):
        if table.title == "Per hari":
            continue  # the chart shows it; the XLSX keeps the numbers
        story.append(_table(table))
        story.append(Spacer(1, 3 * mm))
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()
