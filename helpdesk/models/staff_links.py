"""Staff users' identities on a channel (a Telegram account) and the one-time codes that link
them: what lets a message in an office's admin group speak for an inbox user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.models.base import Base, CreatedMixin, Id, IdMixin


class StaffIdentity(IdMixin, CreatedMixin, Base):
    """An inbox user's account on a channel, proven by a one-time code sent from it."""

    __tablename__ = "staff_identities"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),  # one platform account speaks for one user
        UniqueConstraint("user_id", "channel"),  # and a user has one per channel
    )

    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(200), default="")  # the name the platform gave


class StaffLinkCode(IdMixin, CreatedMixin, Base):
    """A one-time code shown to a signed-in user; only its hash is kept."""

    __tablename__ = "staff_link_codes"

    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
