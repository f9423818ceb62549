"""The register book (buku register pengaduan): every complaint of a month, in register order.

Register number, date, channel, complainant (masked as the office sets: `register_mask` in the
office's settings, "partial" by default, or "initials", or "none"), subject, the office's answer
(its latest reply that did not fail) and when it was given; a complaint closed as another
agency's ("bukan kewenangan") says so there, with the reason, as of its closing. Printable and
exportable, so the paper book can go.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import personal_data
from helpdesk.auth import Principal
from helpdesk.confidentiality import handler_roles
from helpdesk.models import Contact, Message, Office, Ticket
from helpdesk.reports.answers import answers, aware
from helpdesk.reports.figures import CHANNEL_LABELS
from helpdesk.reports.periods import Period
from helpdesk.reports.settings import MASKS
from helpdesk.workflow.engine import OUT_OF_AUTHORITY_KIND

COLUMNS = (
    "No. register",
    "Tanggal",
    "Kanal",
    "Pengadu",
    "Perihal",
    "Jawaban",
    "Tanggal dijawab",
)
OUT_OF_AUTHORITY = "Bukan kewenangan Dukcapil"  # the answer column of such a complaint


@dataclass(frozen=True)
class Entry:
    register_no: str
    created_at: datetime
    channel: str
    complainant: str
    subject: str
    answer: str
    answered_at: datetime | None


def mask_name(name: str, mode: str) -> str:
    """What the book shows of a citizen's name (UU 27/2022: no more than the office needs)."""
    words = name.split()
    if not words:
        return "—"
    if mode == "none":
        return " ".join(words)
    if mode == "initials":
        return " ".join(w[0].upper() + "." for w in words)
    return " ".join(w[:2] + "*" * max(1, len(w) - 2) if len(w) > 2 else w[0] + "*" for w in words)


def mask_mode(office: Office) -> str:
    mode = str((office.settings or {}).get("register_mask", "partial"))
    return mode if mode in MASKS else "partial"


async def entries(
    session: AsyncSession, office: Office, period: Period, principal: Principal
) -> list[Entry]:
    """The book's rows. NIK and KK numbers are masked; a confidential report's subject and
    answer are left out unless `principal` handles such reports (helpdesk.confidentiality)."""
    start, end = period.office_bounds(office)
    in_month = (
        Ticket.office_id == office.id,
        Ticket.created_at >= start,
        Ticket.created_at < end,
    )
    answer = answers(Message.ticket_id.in_(select(Ticket.id).where(*in_month)))
    rows = await session.execute(
        select(
            Ticket.register_no,
            Ticket.created_at,
            Ticket.channel,
            Contact.name,
            Ticket.subject,
            answer.c.body,
            answer.c.created_at,
            Ticket.confidential,
            Ticket.workflow_state[OUT_OF_AUTHORITY_KIND].as_string(),
            Ticket.closed_at,
        )
        .join(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(answer, and_(answer.c.ticket_id == Ticket.id, answer.c.rank == 1))
        .where(*in_month)
        .order_by(Ticket.register_year, Ticket.register_seq)
    )
    mode = mask_mode(office)
    role = principal.roles.get(office.id)
    reads_confidential = principal.is_superuser or str(role) in handler_roles(office)

    def shown(text: str | None, confidential: bool) -> str:
        return "" if confidential and not reads_confidential else personal_data.mask(text or "")

    found = []
    for r in rows:
        answer_text, answered_at = shown(r[5], r[7]), aware(r[6])
        if r[8] is not None:
            # Closed as another agency's: that is the office's answer, the agency named
            # (unless the report is confidential to this reader), as of the closing.
            reason = shown(r[8], r[7])
            answer_text = f"{OUT_OF_AUTHORITY}: {reason}" if reason else OUT_OF_AUTHORITY
            answered_at = aware(r[9])
        found.append(
            Entry(
                register_no=r[0],
                created_at=r[1],
                channel=CHANNEL_LABELS.get(r[2], r[2]),
                complainant=mask_name(r[3] or "", mode),
                subject=shown(r[4], r[7]),
                answer=answer_text,
                answered_at=answered_at,
            )
        )
    return found


def local(value: datetime | None, office: Office) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(office.timezone)).strftime("%d-%m-%Y %H:%M")


def rows_of(items: list[Entry], office: Office) -> list[tuple[str, ...]]:
    return [
        (
            e.register_no,
            local(e.created_at, office),
            e.channel,
            e.complainant,
            e.subject,
            e.answer,
            local(e.answered_at, office),
        )
        for e in items
    ]


def title(office: Office, period: Period) -> str:
    return f"Buku Register Pengaduan — {period.label}"


def book_xlsx(office: Office, period: Period, items: list[Entry]) -> bytes:
    # Imported on the first download, not at every process start (helpdesk.reports.api).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = period.key
    sheet.append([office.name])
    sheet.append([title(office, period)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(list(COLUMNS))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows_of(items, office):
        # openpyxl would write text starting with "=" as a formula; a citizen's words never are.
        sheet.append(["'" + v if v.startswith("=") else v for v in row])
    for letter, width in zip("ABCDEFG", (26, 17, 13, 22, 40, 60, 17), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def book_pdf(office: Office, period: Period, items: list[Entry]) -> bytes:
    # Imported on the first download, not at every process start (helpdesk.reports.api).
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    out = io.BytesIO()
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=7.5, leading=9)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    page = landscape(A4)
    width = page[0] - 20 * mm
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title(office, period),
        author=office.name,
    )
    data = [[Paragraph(escape(c), head) for c in COLUMNS]]
    data += [[Paragraph(escape(v), cell) for v in row] for row in rows_of(items, office)]
    shares = (0.16, 0.09, 0.07, 0.11, 0.2, 0.28, 0.09)
    table = Table(data, colWidths=[width * s for s in shares], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph(escape(office.name.upper()), styles["Title"]),
        Paragraph(escape(title(office, period)), styles["Heading2"]),
        table,
    ]
    if not items:
        story.append(Paragraph("Tidak ada pengaduan pada bulan ini.", styles["BodyText"]))
    doc.build(story)
    return out.getvalue()
