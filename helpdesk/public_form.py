"""The public complaint form ("Aduan Dukcapil"): a citizen's complaint typed on the office's web
page becomes a ticket of channel `web` in the same inbox, with a register number.

The answer goes back on the contact the citizen left: a WhatsApp number through the office's
WhatsApp account, or an email address through its mailbox (the ticket's reply account), by the
outbox like every other reply. Every field is checked here; photos are checked by their bytes
(only JPEG, PNG, WebP images and PDF documents, each within the size limit), stored, and kept as
the message's attachments. Nothing is written when anything is refused.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.models import (
    Attachment,
    AttachmentStatus,
    AuditEvent,
    ChannelAccount,
    Contact,
    ContactIdentity,
    Direction,
    Message,
    MessageStatus,
    Office,
    Ticket,
    TicketStatus,
    utcnow,
)
from helpdesk.registers import take_number
from helpdesk.storage import AttachmentStore, ForbiddenContent, detect_type
from helpdesk.workflow import engine as workflow

CHANNEL = "web"
MIN_TEXT, MAX_TEXT = 10, 4000
MAX_NAME = 120
MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
ACCEPTED_TYPES = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/webp": "image",
    "application/pdf": "document",
}
SUBJECT_LENGTH = 120
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


class Refused(ValueError):
    """The form cannot be accepted; `code` names the reason (the page explains it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Photo:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Complaint:
    office_code: str
    text: str
    name: str = ""
    phone: str = ""
    email: str = ""
    photos: tuple[Photo, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Filed:
    ticket_id: int
    register_no: str
    office_name: str
    reply_via: str  # "whatsapp" or "email"
    reply_to: str


def normalise_phone(text: str) -> str:
    """An Indonesian mobile number as WhatsApp ids write it: 62 and the digits, no plus, no 0."""
    digits = re.sub(r"[\s().-]", "", text or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isdigit():
        raise Refused("phone")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not digits.startswith("62") or not 10 <= len(digits) <= 15:
        raise Refused("phone")
    return digits


def normalise_email(text: str) -> str:
    value = (text or "").strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise Refused("email")
    return value.lower()


def check(complaint: Complaint) -> tuple[str, str, str, str]:
    """(text, name, phone, email) cleaned, or Refused."""
    text = complaint.text.replace("\x00", "").strip()
    if len(text) < MIN_TEXT:
        raise Refused("text_short")
    if len(text) > MAX_TEXT:
        raise Refused("text_long")
    name = " ".join(complaint.name.replace("\x00", "").split())
    if len(name) > MAX_NAME:
        raise Refused("name_long")
    phone = normalise_phone(complaint.phone) if complaint.phone.strip() else ""
    email = normalise_email(complaint.email) if complaint.email.strip() else ""
    if not phone and not email:
        raise Refused("no_contact")
    if len(complaint.photos) > MAX_FILES:
        raise Refused("too_many_files")
    for photo in complaint.photos:
        if len(photo.content) > MAX_FILE_BYTES:
            raise Refused("file_too_big")
        if detect_type(photo.content, None) not in ACCEPTED_TYPES:
            raise Refused("file_type")
    return text, name, phone, email


async def reply_account(
    session: AsyncSession, office: Office, phone: str, email: str
) -> tuple[ChannelAccount, str, str] | None:
    """The office's account that will carry the answer, its kind and the address on it:
    WhatsApp for a number, else the mailbox for an address."""
    accounts = list(
        await session.scalars(
            select(ChannelAccount)
            .where(
                ChannelAccount.office_id == office.id,
                ChannelAccount.active.is_(True),
                ChannelAccount.kind.in_(("whatsapp", "email")),
            )
            .order_by(ChannelAccount.id)
        )
    )
    by_kind = {}
    for account in accounts:
        by_kind.setdefault(account.kind, account)
    if phone and "whatsapp" in by_kind:
        return by_kind["whatsapp"], "whatsapp", phone
    if email and "email" in by_kind:
        return by_kind["email"], "email", email
    return None


async def offices_taking_complaints(session: AsyncSession) -> list[Office]:
    """Offices with a WhatsApp number or a mailbox to answer on."""
    ids = select(ChannelAccount.office_id).where(
        ChannelAccount.active.is_(True), ChannelAccount.kind.in_(("whatsapp", "email"))
    )
    return list(
        await session.scalars(select(Office).where(Office.id.in_(ids)).order_by(Office.name))
    )


async def _contact(
    session: AsyncSession,
    office: Office,
    kind: str,
    address: str,
    name: str,
    phone: str,
    email: str,
) -> Contact:
    """The citizen known on that channel already (the same WhatsApp number or address), else a
    new contact; its identity on the reply channel is where the outbox sends the answer."""
    identity = await session.scalar(
        select(ContactIdentity)
        .where(
            ContactIdentity.office_id == office.id,
            ContactIdentity.channel == kind,
            ContactIdentity.external_id == address,
        )
        .with_for_update()
    )
    if identity is not None:
        contact = await session.get_one(Contact, identity.contact_id)
        while contact.merged_into_id is not None:
            contact = await session.get_one(Contact, contact.merged_into_id)
        if name and not contact.name:
            contact.name = name
        return contact
    contact = Contact(office_id=office.id, name=name, phone=phone or None, email=email or None)
    session.add(contact)
    await session.flush()
    session.add(
        ContactIdentity(
            office_id=office.id,
            contact_id=contact.id,
            channel=kind,
            external_id=address,
            display=name,
        )
    )
    await session.flush()
    return contact


async def file_complaint(
    session: AsyncSession, store: AttachmentStore, complaint: Complaint
) -> Filed:
    """Check, store the photos, and open the ticket in the caller's transaction."""
    text, name, phone, email = check(complaint)
    office = await session.scalar(select(Office).where(Office.code == complaint.office_code))
    if office is None:
        raise Refused("office")
    route = await reply_account(session, office, phone, email)
    if route is None:
        raise Refused("no_reply_channel")
    account, kind, address = route
    stored = []
    for photo in complaint.photos:
        try:
            stored.append((photo, store.save(photo.content, None)))
        except ForbiddenContent as exc:
            raise Refused("file_type") from exc
    contact = await _contact(session, office, kind, address, name, phone, email)
    now = utcnow()
    year, seq, register_no = await take_number(session, office, now)
    subject = " ".join(text.split())
    if len(subject) > SUBJECT_LENGTH:
        subject = subject[: SUBJECT_LENGTH - 1].rstrip() + "…"
    ticket = Ticket(
        office_id=office.id,
        register_no=register_no,
        register_year=year,
        register_seq=seq,
        channel=CHANNEL,
        channel_account_id=account.id,  # the answer leaves through this account
        contact_id=contact.id,
        subject=subject,
        status=TicketStatus.new,
        created_at=now,
        last_activity_at=now,
    )
    session.add(ticket)
    await session.flush()
    ticket.office = office
    message = Message(
        ticket_id=ticket.id,
        direction=Direction.inbound,
        channel=CHANNEL,
        external_id=f"web:{secrets.token_hex(12)}",
        content_kind="image" if stored else "text",
        body=text,
        details={"reply_via": kind, "reply_to": address},
        status=MessageStatus.received,
        contact_id=contact.id,
        sent_at=now,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    for index, (photo, saved) in enumerate(stored, start=1):
        session.add(
            Attachment(
                message_id=message.id,
                kind=ACCEPTED_TYPES[saved.content_type],
                filename=_safe_name(photo.filename, index, saved.content_type),
                content_type=saved.content_type,
                size=saved.size,
                sha256=saved.sha256,
                storage_key=saved.key,
                status=AttachmentStatus.stored,
                created_at=now,
            )
        )
    session.add(
        AuditEvent(
            office_id=office.id,
            ticket_id=ticket.id,
            action="ticket.opened",
            detail={"channel": CHANNEL, "register_no": register_no, "reply_via": kind},
        )
    )
    workflow.start(session, office, ticket, text, now)
    await session.flush()
    return Filed(ticket.id, register_no, office.name, kind, address)


def _safe_name(filename: str, index: int, content_type: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", (filename or "").rsplit("/", 1)[-1])[:80].strip("._")
    ext = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(
        content_type, ".pdf"
    )
    return (stem or f"foto-{index}").rsplit(".", 1)[0] + ext
