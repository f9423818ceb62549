"""Complaints received in person: at the counter (tatap muka) or by the call centre.

They are not webhooks and have no platform adapter: customer service types them in, and
`register` makes the same contact -> ticket (with a register number) -> first message that
ingest makes for an online channel, starting the SOP at the profile's step for that channel
(`counter` and `phone` are the channel names the shipped SOP profiles use). The citizen's
WhatsApp number or email address, when given, becomes an identity of the contact, so a
receipt and the answers can be sent there through the outbox (the ticket's reply account, as
the public web form does) and their later messages join the same contact.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import outbound
from helpdesk.auth import Principal
from helpdesk.models import (
    AuditEvent,
    Category,
    ChannelAccount,
    Contact,
    ContactIdentity,
    Direction,
    Message,
    MessageStatus,
    Office,
    OutboxItem,
    Role,
    Ticket,
    TicketStatus,
    utcnow,
)
from helpdesk.registers import take_number
from helpdesk.workflow import engine
from helpdesk.workflow.profile import ProfileError

COUNTER = "counter"  # tatap muka
PHONE = "phone"  # call centre
CHANNELS = (COUNTER, PHONE)
# Who registers complaints received in person (the SOPs' Customer Service / Petugas).
DESK_ROLES = (Role.cs, Role.admin, Role.group_admin, Role.superuser)
MAX_NAME = 200
MAX_TEXT = 4000
SUBJECT_LENGTH = 120
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{6,22}$")
_EMAIL = re.compile(r"^[^@\s<>\"'()]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
_NIK = re.compile(r"^[0-9]{16}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Refused(ValueError):
    """A field is missing or wrong: `field` names it, `code` says why (for the form)."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class InPerson:
    """A complaint as customer service took it down; checked by `checked`."""

    channel: str
    name: str
    text: str
    category: str = Category.other.value
    phone: str = ""
    email: str = ""
    nik: str = ""


def normalise_phone(raw: str) -> str:
    """An Indonesian number as WhatsApp ids write it: 62…, digits only ("0812…" -> "62812…")."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


def mask_nik(nik: str) -> str:
    """The NIK as lists and receipts show it: the region code and the last two digits."""
    return nik[:6] + "*" * 8 + nik[-2:] if len(nik) == 16 else ""


def checked(raw: InPerson) -> InPerson:
    """The complaint with its fields cleaned, or `Refused` for the first bad one."""
    if raw.channel not in CHANNELS:
        raise Refused("channel", "invalid")
    name = " ".join(_CONTROL.sub("", raw.name).split())
    if not name:
        raise Refused("name", "required")
    if len(name) > MAX_NAME:
        raise Refused("name", "too_long")
    text = _CONTROL.sub("", raw.text.replace("\r\n", "\n")).strip()
    if not text:
        raise Refused("text", "required")
    if len(text) > MAX_TEXT:
        raise Refused("text", "too_long")
    if raw.category not in {c.value for c in Category}:
        raise Refused("category", "invalid")
    phone = raw.phone.strip()
    if phone:
        if not _PHONE.match(phone):
            raise Refused("phone", "invalid")
        phone = normalise_phone(phone)
        if not 9 <= len(phone) <= 15:
            raise Refused("phone", "invalid")
    email = raw.email.strip()
    if email:
        if len(email) > 254 or not _EMAIL.match(email):
            raise Refused("email", "invalid")
        email = email.lower()
    nik = re.sub(r"[\s.-]", "", raw.nik)
    if nik and not _NIK.match(nik):
        raise Refused("nik", "invalid")
    return InPerson(raw.channel, name, text, raw.category, phone, email, nik)


def may_register(principal: Principal, office_id: int) -> bool:
    return principal.role_in(office_id) in DESK_ROLES


async def receipt_accounts(session: AsyncSession, office_id: int) -> dict[str, ChannelAccount]:
    """The office's active WhatsApp and email accounts, by kind: where a receipt can go."""
    rows = await session.scalars(
        select(ChannelAccount)
        .where(
            ChannelAccount.office_id == office_id,
            ChannelAccount.kind.in_(("whatsapp", "email")),
            ChannelAccount.active.is_(True),
        )
        .order_by(ChannelAccount.id)
    )
    found: dict[str, ChannelAccount] = {}
    for account in rows:
        found.setdefault(account.kind, account)
    return found


def _reply_account(accounts: dict[str, ChannelAccount], complaint: InPerson) -> int | None:
    if complaint.phone and "whatsapp" in accounts:
        return accounts["whatsapp"].id
    if complaint.email and "email" in accounts:
        return accounts["email"].id
    return None


async def _contact(
    session: AsyncSession, office: Office, complaint: InPerson, kinds: set[str]
) -> Contact:
    """The citizen's existing contact by their WhatsApp number or email address, else a new
    one; identities are added for the channels the office can reach them on."""
    wanted = []
    if complaint.phone and "whatsapp" in kinds:
        wanted.append(("whatsapp", complaint.phone))
    if complaint.email and "email" in kinds:
        wanted.append(("email", complaint.email))
    contact = None
    for channel, external_id in wanted:
        identity = await session.scalar(
            select(ContactIdentity)
            .where(
                ContactIdentity.office_id == office.id,
                ContactIdentity.channel == channel,
                ContactIdentity.external_id == external_id,
            )
            .with_for_update()
        )
        if identity is not None:
            contact = await session.get_one(Contact, identity.contact_id)
            while contact.merged_into_id is not None:
                contact = await session.get_one(Contact, contact.merged_into_id)
            break
    if contact is None:
        contact = Contact(office_id=office.id, name=complaint.name)
        session.add(contact)
        await session.flush()
    contact.name = contact.name or complaint.name
    contact.phone = contact.phone or complaint.phone or None
    contact.email = contact.email or complaint.email or None
    for channel, external_id in wanted:
        known = await session.scalar(
            select(ContactIdentity.id).where(
                ContactIdentity.office_id == office.id,
                ContactIdentity.channel == channel,
                ContactIdentity.external_id == external_id,
            )
        )
        if known is None:
            session.add(
                ContactIdentity(
                    office_id=office.id,
                    contact_id=contact.id,
                    channel=channel,
                    external_id=external_id,
                    display=complaint.name,
                )
            )
    await session.flush()
    return contact


async def register(
    session: AsyncSession,
    office: Office,
    principal: Principal,
    complaint: InPerson,
    now: datetime | None = None,
) -> Ticket:
    """Record a complaint received in person as a new ticket; the caller commits."""
    if not may_register(principal, office.id):
        raise Refused("office", "forbidden")
    complaint = checked(complaint)
    now = now or utcnow()
    accounts = await receipt_accounts(session, office.id)
    contact = await _contact(session, office, complaint, set(accounts))
    year, seq, register_no = await take_number(session, office, now)
    first_line = complaint.text.splitlines()[0]
    ticket = Ticket(
        office_id=office.id,
        register_no=register_no,
        register_year=year,
        register_seq=seq,
        channel=complaint.channel,
        # Answers leave by the citizen's WhatsApp, else their email, where the office has that
        # account; without either they are given in person or by phone.
        channel_account_id=_reply_account(accounts, complaint),
        contact_id=contact.id,
        subject=first_line[:SUBJECT_LENGTH],
        category=complaint.category,
        status=TicketStatus.new,
        created_at=now,
        last_activity_at=now,
        last_inbound_at=now,
    )
    session.add(ticket)
    await session.flush()
    # The name as given at the desk: a known number may belong to a contact of another name
    # (a family shares a phone), and the receipt names who came.
    details: dict[str, str] = {"registered_by": principal.username, "name": complaint.name}
    if complaint.nik:
        details["nik"] = complaint.nik
    session.add(
        Message(
            ticket_id=ticket.id,
            direction=Direction.inbound,
            channel=complaint.channel,
            content_kind="text",
            body=complaint.text,
            details=details,
            status=MessageStatus.received,
            contact_id=contact.id,
            author_id=principal.user_id,
            sent_at=now,
            created_at=now,
        )
    )
    session.add(
        AuditEvent(
            office_id=office.id,
            ticket_id=ticket.id,
            user_id=principal.user_id,
            action="ticket.opened",
            detail={"channel": complaint.channel, "register_no": register_no},
        )
    )
    category = ticket.category
    engine.start(session, office, ticket, f"{ticket.subject}\n{complaint.text}", now)
    if category != Category.other.value:
        ticket.category = category  # what the citizen said at the desk beats a guess
        # A broken profile: engine.start has logged it and the ticket is kept without a step.
        with contextlib.suppress(ProfileError):
            ticket.unit = engine.profile_for(office).units.get(category, ticket.unit)
    await session.flush()
    return ticket


async def queue_receipt(
    session: AsyncSession,
    ticket: Ticket,
    principal: Principal,
    account: ChannelAccount,
    body: str,
) -> OutboxItem:
    """Send the receipt to the citizen on `account` (their WhatsApp or email) through the
    outbox; the contact must have an identity on that channel. The caller commits, then
    enqueues `send_outbox_item`."""
    recipient = await session.scalar(
        select(ContactIdentity.id).where(
            ContactIdentity.contact_id == ticket.contact_id,
            ContactIdentity.channel == account.kind,
        )
    )
    if recipient is None or account.office_id != ticket.office_id:
        raise Refused("send", "no_recipient")
    _, item = await outbound.queue(
        session,
        ticket,
        account,
        author_id=principal.user_id,
        content_kind="text",
        body=body[:4096],
        details={"receipt": True},
        audit=("receipt.queued", {"channel": account.kind}),
    )
    return item


def next_steps(office: Office, ticket: Ticket) -> tuple[str, str]:
    """(what happens next, the overall time standard) from the office's SOP, for the receipt."""
    try:
        profile = engine.profile_for(office)
    except ProfileError:
        return "", ""
    step = profile.step(ticket.step)
    return (step.label if step else ""), profile.deadline.label()


def receipt_text(office: Office, ticket: Ticket, name: str, when: str) -> str:
    """The receipt as the citizen receives it on WhatsApp or by email (Bahasa Indonesia: the
    citizen-facing language of every office). `when`: the registration time in the office's
    zone, as the printed receipt shows it."""
    step, deadline = next_steps(office, ticket)
    lines = [
        f"Tanda terima pengaduan - {office.name}",
        f"Nomor register: {ticket.register_no}",
        f"Nama: {name}",
        f"Diterima: {when}",
    ]
    if step:
        lines.append(f"Tahap berikutnya: {step}")
    if deadline:
        lines.append(f"Waktu penyelesaian: {deadline} sesuai SOP.")
    lines.append("Sebutkan nomor register ini bila menanyakan pengaduan Anda. Layanan ini gratis.")
    return "\n".join(lines)
