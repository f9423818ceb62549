"""The ticket: one complaint or document request, whatever channel it came in on."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.models.base import Base, Id, IdMixin, utcnow
from helpdesk.models.contacts import Contact
from helpdesk.models.office import ChannelAccount, Office
from helpdesk.models.users import User


class TicketKind(enum.StrEnum):
    pengaduan = "pengaduan"  # complaint
    permohonan = "permohonan"  # document request


class Category(enum.StrEnum):
    ktp_el = "ktp_el"
    kk = "kk"
    kia = "kia"
    akta_kelahiran = "akta_kelahiran"
    akta_kematian = "akta_kematian"
    pindah = "pindah"  # SKPWNI
    other = "other"


class TicketStatus(enum.StrEnum):
    new = "new"  # nobody has answered yet
    open = "open"  # being handled
    waiting = "waiting"  # waiting on the citizen (clock paused)
    resolved = "resolved"  # answered; the citizen may still write back
    closed = "closed"

    @classmethod
    def active(cls) -> tuple[TicketStatus, ...]:
        return (cls.new, cls.open, cls.waiting)


class Ticket(IdMixin, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("office_id", "register_no"),
        UniqueConstraint("office_id", "register_year", "register_seq"),
        Index("ix_tickets_office_status_activity", "office_id", "status", "last_activity_at"),
        Index("ix_tickets_contact_status", "contact_id", "status"),
        Index("ix_tickets_office_created", "office_id", "created_at"),  # reports, register book
        # The inbox (inbox/queries.py): "all statuses" by last activity, a register number typed
        # into the search box by a user of every office.
        Index("ix_tickets_office_activity", "office_id", "last_activity_at"),
        Index("ix_tickets_register_no", "register_no"),
    )

    office_id: Mapped[int] = mapped_column(Id, ForeignKey("offices.id", ondelete="CASCADE"))
    register_no: Mapped[str] = mapped_column(String(80))
    register_year: Mapped[int] = mapped_column(Integer)
    register_seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default=TicketKind.pengaduan)
    category: Mapped[str] = mapped_column(String(32), default=Category.other)
    channel: Mapped[str] = mapped_column(String(32))  # channel of origin
    channel_account_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("channel_accounts.id", ondelete="SET NULL")
    )
    contact_id: Mapped[int] = mapped_column(Id, ForeignKey("contacts.id"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=TicketStatus.new)
    step: Mapped[str] = mapped_column(String(64), default="")
    assignee_id: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id", ondelete="SET NULL"))
    external_ref: Mapped[str | None] = mapped_column(String(120))  # e.g. the LAPOR tracking ID
    confidential: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    step_due_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    # The nearest running deadline a platform holds the office to (LAPOR), beside the SOP's.
    external_due_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # The SOP workflow (helpdesk/workflow): the unit a category or decision routes the ticket to,
    # when the clock stopped for the citizen (status waiting), when the deadline job must look
    # next, and its marks (warnings given, actions taken) so nothing is done twice.
    unit: Mapped[str | None] = mapped_column(String(120))
    paused_at: Mapped[datetime | None]
    sla_check_at: Mapped[datetime | None] = mapped_column(index=True)
    workflow_state: Mapped[dict[str, Any]] = mapped_column(default=dict)

    office: Mapped[Office] = relationship()
    contact: Mapped[Contact] = relationship()
    assignee: Mapped[User | None] = relationship()
    channel_account: Mapped[ChannelAccount | None] = relationship()
