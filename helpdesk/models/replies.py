"""What replies need beyond the timeline: the platform's template list, and read receipts."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.models.base import Base, Id, IdMixin, Json, utcnow


class TemplateCache(Base):
    """An account's message templates as the platform last listed them.

    Kept in the database, not in a process, so every web process and worker sees one list and
    one refresh serves them all.
    """

    __tablename__ = "template_caches"

    channel_account_id: Mapped[int] = mapped_column(
        Id, ForeignKey("channel_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    templates: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    fetched_at: Mapped[datetime | None]  # the last successful listing
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)  # the last attempt
    error: Mapped[str | None] = mapped_column(String(1000))  # why the last attempt failed


class ReceiptState(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class ReadReceipt(IdMixin, Base):
    """The platform was (or will be) told that an admin read this inbound message: one row per
    message, so it is told once however many times and places the ticket is opened."""

    __tablename__ = "read_receipts"

    message_id: Mapped[int] = mapped_column(
        Id, ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(16), default=ReceiptState.pending)
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
