"""Offices (the tenants), their channel accounts and register-number counters."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.models.base import Base, CreatedMixin, Id, IdMixin

DEFAULT_REGISTER_FORMAT = "ADU/{office}/{year}/{seq:06d}"


class Office(IdMixin, CreatedMixin, Base):
    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sop: Mapped[str] = mapped_column(String(200), default="default")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")
    register_format: Mapped[str] = mapped_column(String(120), default=DEFAULT_REGISTER_FORMAT)
    # A citizen writing within this many days of a resolved ticket reopens it.
    reopen_days: Mapped[int] = mapped_column(Integer, default=7)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)

    channel_accounts: Mapped[list[ChannelAccount]] = relationship(back_populates="office")


class AccountHealth(enum.StrEnum):
    ok = "ok"
    needs_attention = "needs_attention"


class ChannelAccount(IdMixin, CreatedMixin, Base):
    """A WhatsApp number, page, mailbox, bot or LAPOR account; routes traffic to its office."""

    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    office_id: Mapped[int] = mapped_column(
        Id, ForeignKey("offices.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))  # phone_number_id, page id, address, …
    label: Mapped[str] = mapped_column(String(200), default="")
    # As written in the offices file: `env:NAME` references stay unresolved, so no secret that
    # lives in the environment is ever copied into the database.
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    health: Mapped[str] = mapped_column(String(32), default=AccountHealth.ok)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    last_error_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    last_outbound_at: Mapped[datetime | None]

    office: Mapped[Office] = relationship(back_populates="channel_accounts")


class RegisterCounter(Base):
    """The last register number handed out per office and year (one row, bumped atomically)."""

    __tablename__ = "register_counters"

    office_id: Mapped[int] = mapped_column(
        Id, ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
