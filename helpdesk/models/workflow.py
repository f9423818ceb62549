"""Consultations with the group of admins, officials' decisions and the step history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.models.base import Base, CreatedMixin, Id, IdMixin


class Consultation(IdMixin, CreatedMixin, Base):
    """An internal thread on a ticket between the admin and the group of admins."""

    __tablename__ = "consultations"

    ticket_id: Mapped[int] = mapped_column(
        Id, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    opened_by_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL")
    )
    question: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    external_ref: Mapped[str | None] = mapped_column(String(120))  # e.g. a Telegram topic
    closed_at: Mapped[datetime | None]


class DecisionOutcome(enum.StrEnum):
    answer = "answer"
    follow_up = "follow_up"  # a unit follows up
    forward = "forward"  # forwarded to a higher official
    reject = "reject"


class Decision(IdMixin, CreatedMixin, Base):
    """A recorded decision by Kasie, Kabid or Kadis, with its reason."""

    __tablename__ = "decisions"

    ticket_id: Mapped[int] = mapped_column(
        Id, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str | None] = mapped_column(String(120))


class StepTransition(IdMixin, CreatedMixin, Base):
    """A ticket's move from one SOP step to the next."""

    __tablename__ = "step_transitions"

    ticket_id: Mapped[int] = mapped_column(
        Id, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    from_step: Mapped[str] = mapped_column(String(64), default="")
    to_step: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The left step's due time as it stood when left (pauses included): SOP compliance in SQL.
    from_step_due_at: Mapped[datetime | None]
