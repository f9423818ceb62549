"""The one timeline of a ticket: inbound, outbound and internal notes, with attachments."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.models.base import Base, Id, IdMixin, utcnow
from helpdesk.models.users import User


class Direction(enum.StrEnum):
    inbound = "in"
    outbound = "out"
    note = "note"


class MessageStatus(enum.StrEnum):
    received = "received"
    queued = "queued"
    sent = "sent"
    delivered = "delivered"
    read = "read"
    failed = "failed"


class Message(IdMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        # A re-delivered webhook can never add a second message (STYLE.md habit 4).
        UniqueConstraint("channel_account_id", "external_id"),
        Index("ix_messages_ticket_created", "ticket_id", "created_at"),
    )

    ticket_id: Mapped[int] = mapped_column(Id, ForeignKey("tickets.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str | None] = mapped_column(String(32))  # None for internal notes
    channel_account_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("channel_accounts.id", ondelete="SET NULL")
    )
    external_id: Mapped[str | None] = mapped_column(String(255))
    content_kind: Mapped[str] = mapped_column(String(20), default="text")
    body: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(1000))
    error_code: Mapped[str | None] = mapped_column(String(40))
    author_id: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(Id, ForeignKey("contacts.id"))
    reply_to_external_id: Mapped[str | None] = mapped_column(String(255))
    consultation_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("consultations.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime | None]  # the platform's time for inbound messages
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_at: Mapped[datetime | None]

    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.id"
    )


class AttachmentStatus(enum.StrEnum):
    pending = "pending"  # known, not downloaded yet
    stored = "stored"
    refused = "refused"  # over the size limit or a forbidden type
    failed = "failed"  # the platform would not give it


class Attachment(IdMixin, Base):
    __tablename__ = "attachments"

    message_id: Mapped[int] = mapped_column(
        Id, ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    media_id: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20), default="document")
    filename: Mapped[str] = mapped_column(String(255), default="")
    declared_type: Mapped[str | None] = mapped_column(String(127))
    content_type: Mapped[str | None] = mapped_column(String(127))  # detected from the bytes
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=AttachmentStatus.pending)
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")
