"""Staff users, their role in each office, and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.models.base import Base, CreatedMixin, Id, IdMixin


class Role(enum.StrEnum):
    admin = "admin"
    group_admin = "group_admin"
    cs = "cs"
    pejabat_teknis = "pejabat_teknis"
    kasie = "kasie"
    kabid = "kabid"
    kadis = "kadis"
    superuser = "superuser"


class User(IdMixin, CreatedMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    is_superuser: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(8), default="id")
    last_login_at: Mapped[datetime | None]
    # Carried in the session cookie and bumped by a password change or reset: every session
    # signed in before it stops working (the cookie sessions live in the browsers, not here).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Membership(IdMixin, CreatedMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "office_id"),)

    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(Id, ForeignKey("offices.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(IdMixin, CreatedMixin, Base):
    """Only the SHA-256 of a token is kept; the token itself is shown once at creation."""

    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
