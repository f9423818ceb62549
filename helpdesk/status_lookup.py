"""The public status of a complaint: a citizen gives its register number and the last four
digits of the phone number on it, and learns its status and the office's answer, nothing else.

A report closed as another agency's ("bukan kewenangan", `helpdesk.workflow.engine`) says so,
with the agency to go to (the reason, NIK/KK masked like every text the citizen is shown); a
confidential report is never found here, and its reason is withheld from any reader of
`out_of_authority` that is not allowed its content.

A register number is sequential, so it alone proves nothing; the four digits do, together with
the guessing limits the callers keep (`StatusThrottle`): per address and per register number,
counted alike whether the number exists or not, so a refusal says nothing either. A wrong number
and wrong digits give the same answer (None).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.models import Contact, ContactIdentity, Message, Office, Ticket, TicketStatus
from helpdesk.personal_data import mask
from helpdesk.reports.answers import answers, aware
from helpdesk.throttle import ThrottleStore
from helpdesk.workflow.engine import out_of_authority_reason

MAX_REGISTER = 80
_DIGITS = re.compile(r"\D+")
# What a citizen is told of each status (never the internal step).
PUBLIC_STATUS = {
    "new": ("diterima", "Pengaduan Anda sudah diterima dan menunggu ditangani."),
    "open": ("diproses", "Pengaduan Anda sedang diproses petugas."),
    "waiting": ("menunggu", "Petugas menunggu kelengkapan dari Anda; lihat jawaban di bawah."),
    "resolved": ("selesai", "Pengaduan Anda sudah dijawab dan selesai."),
    "closed": ("ditutup", "Pengaduan Anda sudah ditutup."),
}
# A closed ticket that was another agency's: the citizen must learn where to go instead.
OUT_OF_AUTHORITY_STATUS = (
    "bukan_kewenangan",
    "Pengaduan Anda bukan kewenangan Dukcapil dan sudah ditutup. Silakan sampaikan ke "
    "instansi yang berwenang.",
)


@dataclass(frozen=True)
class OutOfAuthority:
    """Why a ticket was closed as another agency's, as a citizen-facing reader may see it:
    `reason` is None when the report is confidential (the agency named could identify it)."""

    reason: str | None


def out_of_authority(ticket: Ticket) -> OutOfAuthority | None:
    """None unless the ticket was closed as another agency's (and is still closed: a ticket
    taken up again is Dukcapil's work after all)."""
    reason = out_of_authority_reason(ticket)
    if reason is None or ticket.status != TicketStatus.closed:
        return None
    return OutOfAuthority(None if ticket.confidential else mask(reason))


def public_status(ticket: Ticket) -> tuple[str, str]:
    """The status code and text a citizen is told for the ticket."""
    if out_of_authority(ticket) is not None:
        return OUT_OF_AUTHORITY_STATUS
    return PUBLIC_STATUS.get(ticket.status, (ticket.status, ""))


@dataclass(frozen=True)
class PublicStatus:
    register_no: str
    office: str
    office_timezone: str
    status: str
    status_text: str
    filed_at: datetime
    answer: str | None
    answered_at: datetime | None
    # Set when the report was closed as another agency's (see `out_of_authority`).
    out_of_authority: OutOfAuthority | None = None


def normalise_register(text: str) -> str:
    return " ".join((text or "").split()).upper()[:MAX_REGISTER]


def digits_of(text: str | None) -> str:
    return _DIGITS.sub("", text or "")


def _phones(contact_phone: str | None, identities: list[str]) -> list[str]:
    return [d for d in (digits_of(p) for p in (contact_phone, *identities)) if len(d) >= 4]


async def find(session: AsyncSession, register_no: str, last_four: str) -> PublicStatus | None:
    """The status, or None: for no such ticket and for wrong digits alike."""
    wanted = normalise_register(register_no)
    four = digits_of(last_four)
    if not wanted or len(four) != 4:
        return None
    asked = select(Ticket.id).where(func.upper(Ticket.register_no) == wanted)
    answer = answers(Message.ticket_id.in_(asked))
    rows = (
        await session.execute(
            select(Ticket, Office, Contact.phone, answer.c.body, answer.c.created_at)
            .join(Office, Office.id == Ticket.office_id)
            .join(Contact, Contact.id == Ticket.contact_id)
            .outerjoin(answer, and_(answer.c.ticket_id == Ticket.id, answer.c.rank == 1))
            .where(func.upper(Ticket.register_no) == wanted)
        )
    ).all()
    found = None
    for ticket, office, phone, body, answered_at in rows:
        identities = list(
            await session.scalars(
                select(ContactIdentity.external_id).where(
                    ContactIdentity.contact_id == ticket.contact_id,
                    ContactIdentity.channel == "whatsapp",
                )
            )
        )
        # Every candidate is checked the same way, whatever the outcome of the one before.
        matches = [hmac.compare_digest(p[-4:], four) for p in _phones(phone, identities)]
        if any(matches) and found is None and not ticket.confidential:
            code, text = public_status(ticket)
            found = PublicStatus(
                register_no=ticket.register_no,
                office=office.name,
                office_timezone=office.timezone,
                status=code,
                status_text=text,
                filed_at=ticket.created_at,
                answer=body,
                answered_at=aware(answered_at),
                out_of_authority=out_of_authority(ticket),
            )
    return found


class StatusThrottle:
    """Guessing limits for the status page, counted in the app's throttle store (shared by
    every web process when the install has Redis).

    Per address: at most `per_address` lookups in `window` seconds. Per register number (any
    text asked, existing or not): after `per_number` failed lookups in `window`, that number is
    refused for `lockout` seconds, from every address, so four digits cannot be walked
    through from many addresses either."""

    def __init__(
        self,
        store: ThrottleStore,
        per_address: int = 20,
        per_number: int = 5,
        window: float = 15 * 60,
        lockout: float = 60 * 60,
    ) -> None:
        self.store, self.per_address, self.per_number = store, per_address, per_number
        self.window, self.lockout = window, lockout

    async def allow(self, address: str, register_no: str) -> bool:
        """May this lookup run? Counts it against the address when it may."""
        number = normalise_register(register_no)
        if await self.store.locked_for("status-locked:" + number):
            return False
        return await self.store.take("status-address:" + address, self.per_address, self.window)

    async def failed(self, register_no: str) -> None:
        number = normalise_register(register_no)
        if await self.store.add("status-failed:" + number, self.window) >= self.per_number:
            await self.store.lock("status-locked:" + number, self.lockout)
            await self.store.forget("status-failed:" + number)
