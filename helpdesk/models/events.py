"""What crosses the system's edges: raw inbound events, the outbox and the audit trail."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.models.base import Base, CreatedMixin, Id, IdMixin, utcnow


class InboundStatus(enum.StrEnum):
    pending = "pending"  # stored, not processed yet
    processed = "processed"
    rejected = "rejected"  # authenticated but unreadable
    unrouted = "unrouted"  # for an account we do not have
    failed = "failed"  # processing raised; kept for replay


class InboundEvent(IdMixin, Base):
    """Every raw webhook body or polled item, stored before it is acknowledged."""

    __tablename__ = "inbound_events"
    __table_args__ = (Index("ix_inbound_events_status_due", "status", "not_before"),)

    channel: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Not to be processed before then: a worker's lease on it, or a retry's back-off.
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=InboundStatus.pending)
    error: Mapped[str | None] = mapped_column(String(2000))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None]


class OutboxState(enum.StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"


class OutboxItem(IdMixin, CreatedMixin, Base):
    """One outbound send, retried with backoff until sent or failed for good."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    message_id: Mapped[int] = mapped_column(
        Id, ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker holds the item until then; a crashed worker's claim simply runs out.
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEvent(IdMixin, CreatedMixin, Base):
    """Who did what to which ticket, when. Written by the app, never edited by it."""

    __tablename__ = "audit_events"

    office_id: Mapped[int | None] = mapped_column(Id, ForeignKey("offices.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ChannelCursor(Base):
    """Where a polled channel got to (an IMAP UID, a LAPOR cursor), so a restart neither
    fetches twice nor misses anything. One row per account and cursor name."""

    __tablename__ = "channel_cursors"

    channel_account_id: Mapped[int] = mapped_column(
        Id, ForeignKey("channel_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
