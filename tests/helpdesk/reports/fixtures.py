"""Hand-counted tickets for the report tests (August 2026; 17 August is a national holiday).

Brebes (WIB, UTC+7), SOP brebes: admin (to the 3-working-day deadline) -> rekap (30 menit).
  A  created Sat 1 Aug 00:30 WIB (31 Jul 17:30 UTC): August on Brebes' clock. Answered (left
     admin) Tue 4 Aug 09:00, due Thu 6 Aug 07:30: met. Recap done 09:20, due 09:30: met.
  B  created Fri 14 Aug 10:00 WIB. Left admin Thu 20 Aug 09:00; due Thu 20 Aug 10:00 because
     Mon 17 Aug is a holiday (without it, Wed 19 Aug: missed): met. Recap done 10:00, due
     09:30: missed.
  C  created Mon 3 Aug 08:00 WIB, still at admin, due Thu 6 Aug 08:00: missed (overdue now).
  D  created Tue 1 Sep 00:30 WIB (31 Aug 17:30 UTC): September, not August.
  E  created Fri 31 Jul 23:30 WIB (31 Jul 16:30 UTC): July, the previous period.
Tomohon (WITA, UTC+8), SOP tomohon: starts at kasie.
  F  created Sat 1 Aug 00:30 WITA (31 Jul 16:30 UTC, the same instant as E): August in Tomohon.
     Kasie Tomohon decides "answer" on Mon 3 Aug 10:00 WITA.
Escalations: one by the Brebes admin on 5 Aug; one by the deadline job on 1 Sep 00:30 WIB.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from helpdesk.db import transaction
from helpdesk.models import AuditEvent, Contact, Decision, Office, Ticket, TicketStatus
from helpdesk.registers import take_number
from helpdesk.runtime import Runtime
from helpdesk.workflow import clock, engine

WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 9, 10, 3, 0, tzinfo=UTC)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB).astimezone(UTC)  # type: ignore[misc]


def wita(*args: int) -> datetime:
    return datetime(*args, tzinfo=WITA).astimezone(UTC)  # type: ignore[misc]


@dataclass
class Made:
    tickets: dict[str, int]
    register: dict[str, str]


async def _ticket(
    session,  # type: ignore[no-untyped-def]
    office: Office,
    created: datetime,
    *,
    channel: str,
    category: str,
    moves: list[tuple[str, datetime]] = (),  # type: ignore[assignment]
    first_response: datetime | None = None,
    name: str = "Siti Aminah",
    subject: str = "KTP rusak",
) -> Ticket:
    contact = Contact(office_id=office.id, name=name, phone="6281234567890")
    session.add(contact)
    await session.flush()
    year, seq, register_no = await take_number(session, office, created)
    ticket = Ticket(
        office_id=office.id,
        register_no=register_no,
        register_year=year,
        register_seq=seq,
        channel=channel,
        contact_id=contact.id,
        subject=subject,
        status=TicketStatus.new,
        created_at=created,
        last_activity_at=created,
    )
    session.add(ticket)
    await session.flush()
    ticket.office = office
    engine.start(session, office, ticket, "", created)
    ticket.category = category
    profile = engine.profile_for(office)
    cal = clock.calendar_for(office, profile)
    for step_id, at in moves:
        if ticket.status == TicketStatus.new:
            ticket.status = TicketStatus.open
        engine.enter_step(session, ticket, profile, cal, step_id, at, "test")
    ticket.first_response_at = first_response
    await session.flush()
    return ticket


async def make_august(rt: Runtime, users: dict[str, int]) -> Made:
    async with transaction(rt.sessions) as session:
        offices = {o.code: o for o in await session.scalars(select(Office))}
        brebes, tomohon = offices["brebes"], offices["tomohon"]
        made: dict[str, Ticket] = {}
        made["E"] = await _ticket(
            session,
            brebes,
            wib(2026, 7, 31, 23, 30),
            channel="whatsapp",
            category="kk",
            first_response=wib(2026, 8, 1, 0, 30),
        )
        made["A"] = await _ticket(
            session,
            brebes,
            wib(2026, 8, 1, 0, 30),
            channel="whatsapp",
            category="ktp_el",
            moves=[("rekap", wib(2026, 8, 4, 9, 0)), ("selesai", wib(2026, 8, 4, 9, 20))],
            first_response=wib(2026, 8, 4, 9, 0),
            name="Budi Santoso",
            subject="KTP hilang",
        )
        made["C"] = await _ticket(
            session,
            brebes,
            wib(2026, 8, 3, 8, 0),
            channel="whatsapp",
            category="ktp_el",
        )
        made["B"] = await _ticket(
            session,
            brebes,
            wib(2026, 8, 14, 10, 0),
            channel="email",
            category="kk",
            moves=[("rekap", wib(2026, 8, 20, 9, 0)), ("selesai", wib(2026, 8, 20, 10, 0))],
            first_response=wib(2026, 8, 20, 9, 0),
            subject="KK belum jadi",
        )
        made["D"] = await _ticket(
            session,
            brebes,
            wib(2026, 9, 1, 0, 30),
            channel="whatsapp",
            category="kia",
        )
        made["F"] = await _ticket(
            session,
            tomohon,
            wita(2026, 8, 1, 0, 30),
            channel="whatsapp",
            category="akta_kelahiran",
        )
        session.add(
            Decision(
                ticket_id=made["F"].id,
                user_id=users["kasie_tomohon"],
                role="kasie",
                outcome="answer",
                reason="sudah jelas",
                created_at=wita(2026, 8, 3, 10, 0),
            )
        )
        session.add(
            AuditEvent(
                office_id=brebes.id,
                ticket_id=made["C"].id,
                user_id=users["admin_brebes"],
                action="step.escalated",
                created_at=wib(2026, 8, 5, 9, 0),
            )
        )
        session.add(
            AuditEvent(
                office_id=brebes.id,
                ticket_id=made["D"].id,
                user_id=None,
                action="step.escalated",
                created_at=wib(2026, 9, 1, 0, 30),
            )
        )
        return Made(
            tickets={k: t.id for k, t in made.items()},
            register={k: t.register_no for k, t in made.items()},
        )
