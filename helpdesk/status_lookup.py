"""The public status of a complaint: a citizen gives its register number and the last four
digits of the phone number on it, and learns its status and the office's answer, nothing else.

A register number is sequential, so it alone proves nothing; the four digits do, together with
the guessing limits the callers keep (`StatusThrottle`): per address and per register number,
counted alike whether the number exists or not, so a refusal says nothing either. A wrong number
and wrong digits give the same answer (None).
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.models import Contact, ContactIdentity, Message, Office, Ticket
from helpdesk.reports.answers import answers, aware

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
            code, text = PUBLIC_STATUS.get(ticket.status, (ticket.status, ""))
            found = PublicStatus(
                register_no=ticket.register_no,
                office=office.name,
                office_timezone=office.timezone,
                status=code,
                status_text=text,
                filed_at=ticket.created_at,
                answer=body,
                answered_at=aware(answered_at),
            )
    return found


class StatusThrottle:
    """Guessing limits for the status page, in this process's memory (as the login throttle).

    Per address: at most `per_address` lookups in `window` seconds. Per register number (any
    text asked, existing or not): after `per_number` failed lookups in `window`, that number is
    refused for `lockout` seconds, from every address, so four digits cannot be walked
    through from many addresses either."""

    def __init__(
        self,
        per_address: int = 20,
        per_number: int = 5,
        window: float = 15 * 60,
        lockout: float = 60 * 60,
        max_keys: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_address, self.per_number = per_address, per_number
        self.window, self.lockout, self.max_keys, self.clock = window, lockout, max_keys, clock
        self._addresses: dict[str, list[float]] = {}
        self._failures: dict[str, list[float]] = {}
        self._locked: dict[str, float] = {}

    def _recent(self, table: dict[str, list[float]], key: str, now: float) -> list[float]:
        kept = [t for t in table.get(key, ()) if t > now - self.window]
        if kept:
            table[key] = kept
        else:
            table.pop(key, None)
        return kept

    def _room(self, table: dict[str, Any]) -> None:
        while len(table) >= self.max_keys:
            del table[next(iter(table))]

    def allow(self, address: str | None, register_no: str) -> bool:
        """May this lookup run? Counts it against the address either way."""
        now = self.clock()
        address = address or "?"
        key = normalise_register(register_no)
        if self._locked.get(key, 0.0) > now:
            return False
        recent = self._recent(self._addresses, address, now)
        if len(recent) >= self.per_address:
            return False
        self._room(self._addresses)
        self._addresses[address] = [*recent, now]
        return True

    def failed(self, register_no: str) -> None:
        now = self.clock()
        key = normalise_register(register_no)
        recent = self._recent(self._failures, key, now)
        self._room(self._failures)
        self._failures[key] = [*recent, now]
        if len(self._failures[key]) >= self.per_number:
            self._room(self._locked)
            self._locked[key] = now + self.lockout
            self._failures.pop(key, None)
