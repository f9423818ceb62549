"""What an office keeps for its desk: labels for its tickets and canned answers."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.models.base import Base, CreatedMixin, Id, IdMixin


class Label(IdMixin, CreatedMixin, Base):
    """A label an office puts on its tickets (e.g. "butuh verifikasi", "viral")."""

    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("office_id", "name"),)

    office_id: Mapped[int] = mapped_column(Id, ForeignKey("offices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))


ticket_labels = Table(
    "ticket_labels",
    Base.metadata,
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", Id, ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True),
)


class CannedAnswer(IdMixin, CreatedMixin, Base):
    """A prepared answer with variables ({register_no}, {name}, {office}), per office."""

    __tablename__ = "canned_answers"
    __table_args__ = (UniqueConstraint("office_id", "title"),)

    office_id: Mapped[int] = mapped_column(Id, ForeignKey("offices.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("users.id", ondelete="SET NULL")
    )
